package tokenizer

import (
	"strings"

	"github.com/gemmatok/gemmatok/tokenizer/internal/keep"
	"github.com/gemmatok/gemmatok/tokenizer/internal/normalize"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// scratch holds the buffers of one encoding; Tokenizers keep them in a pool
// so that encoding allocates nothing it does not return.
type scratch struct {
	norm  []byte
	offs  []int32
	model seg.Scratch // the model's own
	out   seg.Sink
}

// run normalizes text and segments it into sc.out under the piece rules r
// (t.rules for SentencePiece's), keeping what mode says. With seg.Spans it
// also fills sc.offs, the map from normalized to input offsets.
func (t *Tokenizer) run(sc *scratch, text string, r *pieceRules, mode seg.Mode) {
	t.runPart(sc, text, r, mode, normalize.Whole)
}

// runPart is run for text that lies in a longer text as part says.
func (t *Tokenizer) runPart(sc *scratch, text string, r *pieceRules, mode seg.Mode, part normalize.Part) {
	t.normalize(sc, text, mode, part)
	sc.out.Reset(t.v, sc.norm, mode)
	t.model.Encode(sc.model, sc.norm, r.model, &sc.out)
}

// normalize normalizes text, which lies in a longer text as part says,
// into sc.norm, with sc.offs when mode is seg.Spans, and sizes sc.out for
// what mode keeps.
func (t *Tokenizer) normalize(sc *scratch, text string, mode seg.Mode, part normalize.Part) {
	spans := mode == seg.Spans
	// Size the buffers for the text at once: growing them leaves garbage
	// several times as large as the text (append grows a large slice by a
	// quarter at a time), and collecting it costs more than the copies.
	// An escaped space takes three bytes, which a short text gets for
	// every byte, rather than counting its spaces; a character map may
	// lengthen a little more.
	want := len(text) + len(text)/8 + 16
	if t.norm.EscapesSpaces() {
		if len(text) <= 1<<10 {
			want += 2 * len(text)
		} else {
			want += 2 * strings.Count(text, " ")
		}
	}
	if cap(sc.norm) < want {
		sc.norm = make([]byte, 0, want)
	}
	if want := want/3 + 16; mode != seg.Count && cap(sc.out.IDs) < want {
		sc.out.IDs = make([]int32, 0, want)
	}
	if spans || !t.norm.Identity() {
		sc.offs = sc.offs[:0]
		var offs *[]int32
		if spans {
			offs = &sc.offs
		}
		sc.norm = t.norm.Normalize(sc.norm[:0], offs, text, part)
	} else {
		sc.norm = t.norm.NormalizeIdentity(sc.norm[:0], text)
	}
}

// scratchPool keeps scratches, their warm caches and grown buffers, from
// one call to the next, for as long as the Tokenizer lives.
type scratchPool struct{ keep.Pool[scratch] }

func (p *scratchPool) get(m model) *scratch {
	if sc := p.Get(); sc != nil {
		return sc
	}
	return &scratch{model: m.NewScratch()}
}

func (t *Tokenizer) getScratch() *scratch { return t.scratch.get(t.model) }

// putScratch returns sc to the pool. Buffers that an unusually large text
// made big are dropped rather than pinned.
func (t *Tokenizer) putScratch(sc *scratch) {
	if seg.TooBig(sc.norm) || seg.TooBig(sc.offs) {
		sc.norm, sc.offs = nil, nil
	}
	if seg.TooBig(sc.out.IDs) || seg.TooBig(sc.out.Spans) {
		sc.out.IDs, sc.out.Spans = nil, nil
	}
	sc.model.Trim()
	t.scratch.Put(sc)
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
	t.run(sc, text, t.rules, seg.IDs)
	if ids := sc.out.IDs; dst == nil && len(ids) > 0 {
		// Encode's: a slice of the size, which append would round up,
		// at less cost; made and copied as one, it is not cleared first.
		dst = make([]int32, len(ids))
		copy(dst, ids)
	} else {
		dst = append(dst, ids...)
	}
	t.putScratch(sc)
	return dst
}

// Count returns the number of tokens of text, len(Encode(text)), without
// building a slice of ids.
func (t *Tokenizer) Count(text string) int {
	return t.count(text, t.rules, normalize.Whole)
}

// count returns the number of tokens of text, which lies in a longer one
// as part says, under the piece rules r.
func (t *Tokenizer) count(text string, r *pieceRules, part normalize.Part) int {
	sc := t.getScratch()
	t.runPart(sc, text, r, seg.Count, part)
	n := sc.out.N
	t.putScratch(sc)
	return n
}

// EncodePieces returns the pieces of text as SentencePiece reports them:
// vocabulary pieces (spaces written as U+2581), <0xHH> pieces for bytes
// under byte fallback, and its normalized text for an unknown run.
func (t *Tokenizer) EncodePieces(text string) []string {
	pieces, _ := t.EncodePiecesWith(text, EncodeOptions{})
	return pieces
}
