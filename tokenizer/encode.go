package tokenizer

import (
	"runtime"
	"sync"
	"unsafe"

	"github.com/gemmatok/gemmatok/vocab"
)

// scratch holds the buffers of one encoding; Tokenizers keep them in a pool
// so that encoding allocates nothing it does not return.
type scratch struct {
	norm []byte
	offs []int32
	syms []symbol
	// segmentRuns' blocks and patterns, those of its next level, and its
	// sweeps' symbols
	blocks, blocksNext []symBlock
	pats, patsNext     []patSym
	runTmp             [3][]patSym
	agenda             agenda
	pieces             []segPiece    // the model's output for the current word
	memo               []segPiece    // the same, while filling the whole-piece memo
	caches             *[2]wordCache // the Tokenizer's; see cacheFor
	uses               [2]cacheUse
	pairs              pairCache
	out                sink
}

// cacheFor returns the word cache for rules r, and this scratch's use of
// it. A Tokenizer uses two sets of rules, SentencePiece's and one with
// banned special pieces for special pieces as text; each has a cache of its
// own, so that a server mixing the two does not keep emptying one.
func (sc *scratch) cacheFor(r *pieceRules) (*wordCache, *cacheUse) {
	if r.banned != nil {
		return &sc.caches[1], &sc.uses[1]
	}
	return &sc.caches[0], &sc.uses[0]
}

// span is the normalized byte range a token came from.
type span struct{ start, end int32 }

// sink receives the model's pieces and turns them into ids the way
// SentencePiece's PopulateSentencePieceText does: an unknown piece becomes
// its UTF-8 bytes under byte fallback, and otherwise a run of unknown
// pieces becomes one unknown id.
type sink struct {
	v        *vocab.Vocab
	norm     []byte
	mode     outMode
	n        int // tokens so far
	ids      []int32
	spans    []span
	unk      int32
	fallback bool
	prevUnk  bool
}

// outMode says what a sink keeps of the tokens.
type outMode uint8

const (
	outCount outMode = iota // only their number
	outIDs                  // their ids
	outSpans                // their ids and normalized spans
)

func (o *sink) reset(v *vocab.Vocab, mode outMode) {
	o.v = v
	o.mode = mode
	o.n = 0
	o.ids = o.ids[:0]
	o.spans = o.spans[:0]
	o.unk = v.Unk()
	o.fallback = v.Trainer().ByteFallback
	o.prevUnk = false
}

// unknown records an unknown piece covering norm[start:end].
func (o *sink) unknown(start, end int) {
	if o.fallback {
		for k := start; k < end; k++ {
			// Only the last byte carries the character's surface.
			e := start
			if k == end-1 {
				e = end
			}
			o.add(o.v.ByteID(o.norm[k]), start, e)
		}
		o.prevUnk = true
		return
	}
	if o.prevUnk {
		if o.mode == outSpans {
			o.spans[len(o.spans)-1].end = int32(end)
		}
		return
	}
	o.prevUnk = true
	o.add(o.unk, start, end)
}

// add records one token.
func (o *sink) add(id int32, start, end int) {
	o.n++
	if o.mode == outCount {
		return
	}
	o.ids = append(o.ids, id)
	if o.mode == outSpans {
		o.spans = append(o.spans, span{int32(start), int32(end)})
	}
}

// replay records pieces that follow each other from offset base on. A
// known piece is added here, without a call; an unknown one goes out of
// line.
func (o *sink) replay(pieces []segPiece, base int) {
	for _, p := range pieces {
		end := base + int(p.len)
		if p.id == o.unk {
			o.unknown(base, end)
		} else {
			o.prevUnk = false
			o.add(p.id, base, end)
		}
		base = end
	}
}

// bytesToString views b as a string without copying; b must not change
// while the string is in use.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// stringToBytes views s as a byte slice without copying; the slice must
// not be written.
func stringToBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// run normalizes text and segments it into sc.out under the piece rules r
// (t.rules for SentencePiece's), keeping what mode says. With outSpans it
// also fills sc.offs, the map from normalized to input offsets.
func (t *Tokenizer) run(sc *scratch, text string, r *pieceRules, mode outMode) {
	spans := mode == outSpans
	// Size the buffers for the text at once: growing them by doubling
	// leaves garbage as large as the text, and collecting it costs more
	// than the copies.
	if want := len(text) + len(text)/4; cap(sc.norm) < want {
		sc.norm = make([]byte, 0, want)
	}
	if want := len(text)/3 + 16; mode != outCount && cap(sc.out.ids) < want {
		sc.out.ids = make([]int32, 0, want)
	}
	if spans || !t.norm.identity {
		sc.offs = sc.offs[:0]
		var offs *[]int32
		if spans {
			offs = &sc.offs
		}
		sc.norm = t.norm.normalize(sc.norm[:0], offs, text)
	} else {
		sc.norm = t.norm.normalizeIdentity(sc.norm[:0], text)
	}
	sc.out.reset(t.v, mode)
	sc.out.norm = sc.norm
	if len(sc.norm) > 0 {
		t.model.encode(sc, sc.norm, r, &sc.out)
	}
}

// scratchPool keeps scratches from one call to the next, and the word
// caches that they share. A sync.Pool would do for the scratches, but
// garbage collection empties it and so throws their warm pair caches and
// grown buffers away, which in a busy server happens every few
// milliseconds; this keeps up to one scratch a CPU for as long as the
// Tokenizer lives.
type scratchPool struct {
	mu     sync.Mutex
	free   []*scratch
	caches [2]wordCache // shared by the scratches
}

func (p *scratchPool) get() *scratch {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		sc := p.free[n-1]
		p.free = p.free[:n-1]
		return sc
	}
	return &scratch{caches: &p.caches}
}

func (p *scratchPool) put(sc *scratch) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < runtime.GOMAXPROCS(0) {
		p.free = append(p.free, sc)
	}
}

func (t *Tokenizer) getScratch() *scratch { return t.scratch.get() }

// putScratch returns sc to the pool. Buffers that an unusually large text
// made big are dropped rather than pinned.
func (t *Tokenizer) putScratch(sc *scratch) {
	if tooBig(sc.norm) || tooBig(sc.offs) {
		sc.norm, sc.offs = nil, nil
	}
	if tooBig(sc.out.ids) || tooBig(sc.out.spans) {
		sc.out.ids, sc.out.spans = nil, nil
	}
	// Only a long segment, a run that no cut splits, makes many symbols,
	// and the agenda grows with them.
	if tooBig(sc.syms) || tooBig(sc.pieces) {
		sc.syms, sc.agenda, sc.pieces = nil, agenda{}, nil
	}
	t.scratch.put(sc)
}

// tooBig reports whether a scratch buffer is too big to keep: a text of a
// few megabytes fits.
func tooBig[T any](b []T) bool {
	var v T
	return cap(b)*int(unsafe.Sizeof(v)) > 16<<20
}

// Encode returns the token ids of text. Text may hold any bytes: malformed
// UTF-8 is encoded the way SentencePiece encodes it.
func (t *Tokenizer) Encode(text string) []int32 {
	return t.AppendEncode(nil, text)
}

// AppendEncode appends the token ids of text to dst and returns the
// extended slice. It allocates nothing when dst has room for them.
func (t *Tokenizer) AppendEncode(dst []int32, text string) []int32 {
	sc := t.getScratch()
	t.run(sc, text, t.rules, outIDs)
	dst = append(dst, sc.out.ids...)
	t.putScratch(sc)
	return dst
}

// Count returns the number of tokens of text, len(Encode(text)), without
// building a slice of ids.
func (t *Tokenizer) Count(text string) int {
	return t.count(text, t.rules)
}

// count returns the number of tokens of text under the piece rules r.
func (t *Tokenizer) count(text string, r *pieceRules) int {
	sc := t.getScratch()
	t.run(sc, text, r, outCount)
	n := sc.out.n
	t.putScratch(sc)
	return n
}

// EncodePieces returns the pieces of text as SentencePiece reports them:
// vocabulary pieces (spaces written as U+2581), <0xHH> pieces for bytes
// under byte fallback, and the text itself for an unknown run.
func (t *Tokenizer) EncodePieces(text string) []string {
	sc := t.getScratch()
	t.run(sc, text, t.rules, outSpans)
	pieces := make([]string, len(sc.out.ids))
	for i, id := range sc.out.ids {
		if id == t.v.Unk() {
			sp := sc.out.spans[i]
			pieces[i] = string(sc.norm[sp.start:sp.end])
		} else {
			pieces[i] = t.v.Piece(id)
		}
	}
	t.putScratch(sc)
	return pieces
}
