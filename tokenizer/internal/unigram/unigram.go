// Package unigram segments normalized text with a SentencePiece Unigram
// model exactly as SentencePiece 0.1.97's unigram::Model does: the best
// segmentation (Encode, the C++'s EncodeOptimized, its default), the n best
// (NBest, the C++'s NBestEncode over its Lattice) and sampled segmentations
// (Sample, the C++'s SampleEncode as SentencePieceProcessor::SampleEncode
// drives it).
//
// The input is text already normalized as the model's normalizer specifies
// (spaces escaped as U+2581, and so on); the output is a sequence of pieces,
// each an id and a length in bytes of the normalized text. An unknown
// character comes out as a piece of its own carrying the unknown id, one per
// character as the C++ emits them: merging runs of unknown pieces and byte
// fallback are the processor's business (SentencePieceProcessor's
// PopulateSentencePieceText).
package unigram

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unsafe"

	"github.com/gemmatok/gemmatok/internal/vocabhook"
	"github.com/gemmatok/gemmatok/tokenizer/internal/keep"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// userBit marks a user-defined piece's id in the trie, which the C++
// scores by its length: forward tells such a piece by its unit alone. No
// vocabulary has that many pieces (a model proto is at most 1 GiB).
const userBit = 1 << 30

// unkPenalty is the C++'s kUnkPenalty: an unknown character scores this much
// below the lowest-scoring normal piece.
const unkPenalty = 10

// Model is a Unigram segmentation model. It is safe for concurrent use. It
// keeps scratch buffers and a cache of up to 524,288 words (about 48 MB
// of them at most as entryCost counts them, plus the padding that keeps
// what a hit reads in one cache line, a fifth more on English; briefly up
// to twice that while the words it replaced wait to be compacted away) for
// as many encodings at a time as there are CPUs (GOMAXPROCS); EncodeTo
// takes the caller's instead (Scratch).
type Model struct {
	trie     *trie
	user     []bool // by id: user-defined pieces, or nil when there are none
	size     int    // of the vocabulary
	unk      int32
	minScore float32 // the lowest score of a normal piece (min_score_)
	maxScore float32 // the highest score of a normal piece (max_score_)
	unkScore float32 // minScore - unkPenalty

	// cuts says that no piece holds U+2581 but at its start, so that every
	// path has a piece boundary before each U+2581: Encode may then
	// segment the words between them apart, and cache them.
	cuts bool

	// kept holds the scratch buffers and word caches of finished
	// encodings, so that a cache stays warm.
	kept keep.Pool[scratch]
}

// ErrNoPieces is returned by New for a vocabulary with no piece that
// segmentation could use, which the C++ refuses to load ("no entry is found
// in the trie").
var ErrNoPieces = errors.New("unigram: no normal or user-defined piece")

// New builds the model of v. Whatever v's model type, New segments with
// v's pieces and scores as a Unigram model would.
func New(v *vocab.Vocab) (*Model, error) {
	n := v.Size()
	if n >= userBit {
		return nil, fmt.Errorf("unigram: %d pieces, more than the trie holds", n)
	}
	m := &Model{
		size: n,
		unk:  v.Unk(),
		// unigram::Model's constructor starts from FLT_MAX and FLT_MIN,
		// the smallest positive float, not the most negative one: with only
		// negative scores, max_score_ stays FLT_MIN.
		minScore: math.MaxFloat32,
		maxScore: 0x1p-126,
	}
	keys, nkeys := make([]trieKey, n), 0
	// The keys' bytes are read where the vocabulary keeps them, never
	// written.
	p := vocabhook.Pieces(v)
	text := unsafe.Slice(unsafe.StringData(p.Data), len(p.Data))
	starts, lens, scores := p.Starts[:n], p.Lens[:n], p.Scores[:n]
	m.cuts = true
	for id, t := range p.Types[:n] {
		tid := int32(id)
		switch vocab.Type(t) {
		case vocab.Normal:
			// As std::min and std::max compare, unlike Go's min and max
			// (which differ for NaN and zeros).
			s := scores[id]
			if s < m.minScore {
				m.minScore = s
			}
			if m.maxScore < s {
				m.maxScore = s
			}
		case vocab.UserDefined:
			if m.user == nil {
				m.user = make([]bool, n)
			}
			m.user[id] = true
			tid |= userBit
		default:
			// Unused pieces are in the C++'s trie but skipped wherever it
			// is searched: leaving them out is the same.
			continue
		}
		start, l := starts[id], int(lens[id])
		// The 16 bytes from the key's start, which may run past the key
		// but not past text.
		if s := int(start); s+16 > len(text) || !plainKey(binary.LittleEndian.Uint64(text[s:]), binary.LittleEndian.Uint64(text[s+8:]), l) {
			// Darts takes its keys as C strings: a piece holding a NUL
			// byte is known by the part before it (and the first such
			// piece by id wins).
			key := p.Data[start : int(start)+l]
			if i := strings.IndexByte(key, 0); i >= 0 {
				key = key[:i]
			}
			if len(key) == 0 {
				continue
			}
			if strings.Contains(key[1:], seg.SpaceSymbol) {
				m.cuts = false
			}
			l = len(key)
		}
		keys[nkeys] = trieKey{start, int32(l), tid, scores[id]}
		nkeys++
	}
	if nkeys == 0 && !hasUnused(v) {
		return nil, ErrNoPieces
	}
	m.trie = newTrie(keys[:nkeys], text)
	m.unkScore = m.minScore - unkPenalty
	return m, nil
}

// plainKey reports whether a key whose first 16 bytes (or as many as
// it has, then whatever follows) are lo and hi, little-endian, is 1 to 16
// bytes long, n, and holds no NUL byte, nor a byte 0xE2, U+2581's first,
// past its start, as most pieces do: New then takes it as it is. It is
// small enough to be inlined in New's loop, which would otherwise keep
// its values across the call on the stack.
func plainKey(lo, hi uint64, n int) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if uint(n-1) >= 16 {
		return false
	}
	// The bytes past the key are set, so that they match neither.
	past := &pastKey[n]
	z0, z1 := lo|past[0], hi|past[1]
	e0, e1 := z0^0xE2*ones|0xFF, z1^0xE2*ones
	return ((z0-ones)&^z0|(z1-ones)&^z1|(e0-ones)&^e0|(e1-ones)&^e1)&highs == 0
}

// pastKey[n] has the bits set of bytes n to 15 of two words.
var pastKey = func() (m [17][2]uint64) {
	for n := range m {
		m[n] = [2]uint64{^uint64(0) << (8 * min(n, 8)), ^uint64(0) << (8 * max(n-8, 0))}
	}
	return m
}()

// String describes the model, for debugging.
func (m *Model) String() string {
	return fmt.Sprintf("unigram.Model{%d pieces, unk %d, scores [%g, %g]}", m.size, m.unk, m.minScore, m.maxScore)
}

// OneCharLen is the length of the UTF-8 sequence that b starts, judged by b
// alone as SentencePiece's string_util::OneCharLen judges it: a
// continuation or invalid byte counts as a character of one byte. The
// SentencePiece models step through normalized text by it.
func OneCharLen(b byte) int {
	return int("\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x02\x02\x03\x04"[b>>4])
}

// best is the best path ending at a byte position: the C++'s BestPathNode.
// Its zero value is no path, so that clearing the nodes readies them.
type best struct {
	score float32
	len   int32 // of the path's last piece, 0 while no path ends here
	id    int32
}

// hasUnused reports whether v has an unused piece: the C++ loads a model
// whose only pieces are unused ones.
func hasUnused(v *vocab.Vocab) bool {
	for id := range int32(v.Size()) {
		if v.Type(id) == vocab.Unused {
			return true
		}
	}
	return false
}

// PieceID returns the id that SentencePiece's PieceToId gives piece (the
// unknown id when it has none), or the unknown id when ban forbids it: the
// char and word models' rule.
func PieceID(v *vocab.Vocab, piece []byte, ban []bool) int32 {
	id, _ := v.IDBytes(piece)
	if banned(ban, id) {
		return v.Unk()
	}
	return id
}

// banned reports whether ban forbids id.
func banned(ban []bool, id int32) bool {
	return int(id) < len(ban) && ban[id]
}

// Encode appends to dst the best segmentation of norm, as
// unigram::Model::EncodeOptimized computes it, and returns the extended
// slice. Pieces whose id is set in ban (which may be nil or shorter than
// the vocabulary) are not used, as if they were not in the vocabulary.
//
// The path scores are float32 sums accumulated over the whole text, with a
// user-defined piece scoring len*maxScore - 0.1 in float64 as the C++
// computes it, so that every comparison, ties included, falls as it does
// there.
//
// Where no piece holds U+2581 but at its start (the usual case) and ban is
// nil, Encode segments the words between U+2581s one by one and caches
// words it meets twice, using a cached segmentation only where rounding
// at the current path score cannot change it: the result is the same.
func (m *Model) Encode(dst []seg.Piece, norm []byte, ban []bool) []seg.Piece {
	if len(norm) == 0 {
		return dst
	}
	sc := m.get()
	if m.cuts && ban == nil {
		dst = m.encodeWords(sc, dst, norm)
	} else {
		dst, _ = m.segment(sc, dst, norm, 0, len(norm), ban, 0)
	}
	m.put(sc)
	return dst
}

// PartPieces is the number of pieces that EncodeTo gathers, at least,
// before it hands them on: a buffer of twice as many stays in the
// processor's nearer caches, where one for all of a long text's pieces
// would be written out to memory and read back.
const PartPieces = 1 << 12

// Scratch is the buffers and the word cache of one encoding at a time,
// for EncodeTo: a caller that keeps its own, one for each encoding under
// way, as the processor's pool of scratch buffers does, spares the calls
// the Model's pool.
type Scratch struct{ sc *scratch }

// NewScratch returns a Scratch, its cache empty.
func (m *Model) NewScratch() *Scratch { return &Scratch{newScratch()} }

// Trim drops the buffers of s that grew too big to keep.
func (s *Scratch) Trim() { s.sc.trim() }

// EncodeTo is Encode that replays the pieces into out in parts, one after
// another, gathering them in buf, which it returns for the next call, with
// the buffers and word cache s: the pieces of a long text are never held
// all at once.
func (m *Model) EncodeTo(s *Scratch, buf []seg.Piece, norm []byte, ban []bool, out *seg.Sink) []seg.Piece {
	buf = buf[:0]
	if len(norm) == 0 {
		return buf
	}
	sc := s.sc
	if m.cuts && ban == nil {
		sc.sink, sc.partAt, sc.partStart = out, PartPieces, 0
		buf = m.encodeWords(sc, buf, norm)
		out.Replay(buf, sc.partStart)
		sc.sink, sc.partAt = nil, math.MaxInt
	} else {
		buf, _ = m.segment(sc, buf, norm, 0, len(norm), ban, 0)
		out.Replay(buf, 0)
	}
	return buf[:0]
}

// viterbi is forward's buffers, reused from one call to the next.
type viterbi struct {
	nodes []best
	// text is a copy of the text with padding zeros after it, for run.
	text []byte
}

// textPad is the number of zeros after viterbi.text's copy of the text:
// run reads four bytes at a character's start, and stops a walk at the
// first zero, which no piece holds, with no check for the text's end,
// and compare a tail a word at a time, reading up to seven bytes past
// the text.
const textPad = 8

// slack is the number of nodes past the text's last that forward keeps:
// run walks a text in place when a U+2581 follows it, and no piece holds
// U+2581 but at its start (Model.cuts), but a malformed one may end in
// its first two bytes; and forward clears the nodes eight at a time.
const slack = 7

// forward fills v.nodes (reused if large enough) with the best path ending
// at each byte position of norm[p:q], the path to the start scoring from,
// and returns them. With tr, it also records what the word cache needs.
func (m *Model) forward(v *viterbi, norm []byte, p, q int, ban []bool, from float32, tr *tracker) []best {
	w := norm[p:q]
	size := len(w)
	if cap(v.nodes) < size+1+slack {
		v.nodes = make([]best, size+1+slack)
	}
	nodes := v.nodes[:size+1]
	v.nodes = nodes
	// Eight at a time from the last, in line: clear's call would spill
	// the arguments, and a count up one more register.
	nodesp := unsafe.Pointer(unsafe.SliceData(nodes))
	for i := uintptr(size) / 8; int(i) >= 0; i-- {
		*(*[8]best)(unsafe.Add(nodesp, i*unsafe.Sizeof([8]best{}))) = [8]best{}
	}
	nodes[0].score = from
	if tr != nil {
		tr.reset(size+1, from)
	}
	if ban == nil && m.user == nil {
		// run reads the text in place where a U+2581 and enough bytes
		// follow it, with m.cuts (see slack), and else a padded copy.
		var text []byte
		if m.cuts && len(norm)-q >= textPad && binary.LittleEndian.Uint32(norm[q:])&0xffffff == 0x8196e2 {
			text = w[:size+textPad]
		} else {
			if cap(v.text) < size+textPad {
				v.text = make([]byte, size+textPad)
			}
			text = v.text[:size+textPad]
			copy(text, w)
			*(*[textPad]byte)(text[size:]) = [textPad]byte{}
		}
		// No piece is banned or user-defined, the common case: run (or,
		// with tr, runBinade or runTracked) takes the characters whose
		// walk may start from a head, extend the others. (A function of
		// its own, this loop would spill its arguments again.)
		for start := 0; start < size; {
			switch {
			case tr == nil:
				start = m.run(nodes, text, size, start)
			case tr.binade:
				start = m.runBinade(nodes, text, size, start, tr)
			default:
				start = m.runTracked(nodes, text, size, start, tr)
			}
			if start < size {
				start += m.extend(nodes, w, start, nil, tr)
			}
		}
	} else {
		for start := 0; start < size; {
			start += m.extend(nodes, w, start, ban, tr)
		}
	}
	if tr != nil {
		tr.done(m)
	}
	return nodes
}

// extend adds to nodes the candidates that start at start, where a path
// ends, and returns the length of the character there.
func (m *Model) extend(nodes []best, norm []byte, start int, ban []bool, tr *tracker) int {
	units := m.trie.units
	size := len(norm)
	till := nodes[start].score
	mblen := min(OneCharLen(norm[start]), size-start)
	single := false
	// The trie's walk (as in prefixes), fused with the Viterbi:
	// listing the matches for the Viterbi to read back costs more
	// than it saves where walks are short (Latin text).
	base, end := units[0].base, start
walk:
	for {
		// Step to the next state where a piece ends or a tail starts.
		var u uint32
		for {
			if end >= size {
				break walk
			}
			b := norm[end]
			u = base + uint32(b)
			if units[u].label != int32(b) {
				break walk
			}
			base = units[u].base
			end++
			if base >= pieceFlag {
				break
			}
		}
		last := base&tailFlag != 0
		if last {
			// A tail: its piece is the last one here.
			k := m.trie.tail(base&offMask, norm[end:])
			if k == 0 {
				break
			}
			end += k
		}
		base &= offMask
		// In the C++, score is a double either way (the conditional
		// mixes double and float), so the candidate is a double sum
		// compared with the stored float.
		id, score := units[u].id, float64(units[u].score)
		if id&userBit != 0 {
			id &^= userBit
			score = float64(float32(float32(end-start)*m.maxScore)) - 0.1
		}
		if !banned(ban, id) {
			cand := score + float64(till)
			won := relax(&nodes[end], cand, end-start, id)
			if tr != nil {
				tr.see(end, cand, cand, score, won)
			}
			if end-start == mblen {
				single = true
			}
		}
		if last {
			break
		}
	}
	if !single {
		m.unknown(nodes, start, mblen, till, tr)
	}
	return mblen
}

// run adds to nodes the candidates that start from start on, as extend
// would, and returns where it stopped: at the end of norm or before a
// character that is no piece alone or whose walk trie.heads does not
// start. Its loop calls nothing (its helpers are inlined), so that its
// state stays in registers.
// It starts each walk from the state after the whole first character,
// a piece, so that it needs no unknown candidate. Its walk steps bytes in
// the loop that takes the candidates, not by a helper that steps to the
// next piece's end: a walk that ends there then leaves at once, without
// testing again whether it stepped.
func (m *Model) run(nodes []best, text []byte, size, start int) int {
	t := m.trie
	units := unsafe.Pointer(unsafe.SliceData(t.units))
	heads := t.heads
	_ = heads[0] // checked for nil once, not at each character
	nodesp := unsafe.Pointer(unsafe.SliceData(nodes[:size+1]))
	textp := unsafe.Pointer(unsafe.SliceData(text[:size+textPad]))
	// u is the state after the first character, of mblen bytes, and
	// ubase its unit's base.
	u, mblen := headAt(heads, textp, start)
	ubase := unitAt(units, u).base
	for start < size {
		if u == 0 {
			// extend takes a malformed character, one that is no piece
			// alone, which needs the unknown candidate, or one whose
			// walk goes a byte at a time.
			return start
		}
		p := unitAt(units, u)
		base := ubase & offMask
		till := float64(nodeAt(nodesp, start).score)
		end := start + mblen
		next := end
		// The next character's head, and its unit's base, are loaded
		// before this walk, so that their cache misses overlap its
		// steps rather than follow them. At the text's end they read the
		// padding, or the U+2581 after the text, and go unused.
		u, mblen = headAt(heads, textp, next)
		ubase = unitAt(units, u).base
		// p is a piece's end, at end. A double sum compared with the
		// stored float, as in extend.
		relax(nodeAt(nodesp, end), float64(p.score)+till, end-start, p.id)
		// The walk goes on a byte at a time, with a candidate at each
		// state where a piece ends, until the text leaves the trie or a
		// tail starts. The zero after the text ends it there.
		for {
			b := *(*byte)(unsafe.Add(textp, end))
			p = unitAt(units, base+uint32(b))
			if p.label != int32(b) {
				break
			}
			end++
			if base = p.base; base < pieceFlag {
				continue
			}
			if base >= tailFlag {
				// A tail: its piece is the last one here.
				tails := unsafe.Pointer(unsafe.SliceData(t.tails))
				if n, ok := tailLen(unsafe.Add(tails, base&offMask), unsafe.Add(textp, end), size-end); ok {
					end += n
					relax(nodeAt(nodesp, end), float64(p.score)+till, end-start, p.id)
				}
				break
			}
			relax(nodeAt(nodesp, end), float64(p.score)+till, end-start, p.id)
			base &= offMask
		}
		start = next
	}
	return start
}

// relax makes the candidate scoring cand, a piece id of n bytes, the best
// path at b if it beats the one there, or if there is none, and reports
// whether it did.
func relax(b *best, cand float64, n int, id int32) bool {
	if b.len == 0 || cand > float64(b.score) {
		b.score = float32(cand)
		b.len = int32(n)
		b.id = id
		return true
	}
	return false
}

// runBinade is run for forward with a tracker in a binade, which needs
// only each winner's score and whether its sum lay halfway between two
// float32s, and the least score of a node it starts from, which bounds
// every candidate with the scores of the pieces (see tracker.done). Its
// loop is run's, with relaxBinade, as runTracked's is with relaxTracked.
func (m *Model) runBinade(nodes []best, text []byte, size, start int, tr *tracker) int {
	t := m.trie
	units := unsafe.Pointer(unsafe.SliceData(t.units))
	heads := t.heads
	_ = heads[0] // as in run
	nodesp := unsafe.Pointer(unsafe.SliceData(nodes[:size+1]))
	textp := unsafe.Pointer(unsafe.SliceData(text[:size+textPad]))
	_ = tr.score[size] // as nodes
	// low skips a NaN node, as in runTracked.
	low := tr.low
	for start < size {
		// As in run.
		u, mblen := headAt(heads, textp, start)
		if u == 0 {
			break
		}
		p := unitAt(units, u)
		till := float64(nodeAt(nodesp, start).score)
		if till < low {
			low = till
		}
		end := start + mblen
		next := end
		tr.relaxBinade(nodeAt(nodesp, end), float64(p.score), till, end, end-start, p.id)
		for base := p.base & offMask; ; {
			b := *(*byte)(unsafe.Add(textp, end))
			p = unitAt(units, base+uint32(b))
			if p.label != int32(b) {
				break
			}
			end++
			if base = p.base; base < pieceFlag {
				continue
			}
			if base >= tailFlag {
				tails := unsafe.Pointer(unsafe.SliceData(t.tails))
				if n, ok := tailLen(unsafe.Add(tails, base&offMask), unsafe.Add(textp, end), size-end); ok {
					end += n
					tr.relaxBinade(nodeAt(nodesp, end), float64(p.score), till, end, end-start, p.id)
				}
				break
			}
			tr.relaxBinade(nodeAt(nodesp, end), float64(p.score), till, end, end-start, p.id)
			base &= offMask
		}
		start = next
	}
	tr.low = low
	return start
}

// relaxBinade is relax for runBinade: the candidate is a piece scoring
// score after a path scoring till, at byte end; it notes what tr needs of
// a winner.
func (tr *tracker) relaxBinade(b *best, score, till float64, end, n int, id int32) {
	if cand := score + till; b.len == 0 || cand > float64(b.score) {
		b.score = float32(cand)
		b.len = int32(n)
		b.id = id
		*floatAt(tr.score, end) = score
		if math.Float64bits(cand)&(1<<29-1) == 1<<28 {
			tr.tie = true // halfway
		}
	}
}

// runTracked is run for forward with a tracker from the score 0, which it
// feeds as extend does, but for the magnitude: for that it gives the
// tracker the least score of a node it starts from, which bounds every
// candidate with the scores of the pieces (see tracker.done), at a
// comparison per character rather than two per candidate. Its loop is
// run's, with relaxTracked for relax, but for looking up the next head
// ahead: that keeps three more values live across the walk, which spill
// (7% more instructions learning multi.txt's lines). It is not run's own
// loop, since the tracking there costs the untracked walks registers (7%
// more instructions on Thai), nor one loop shared by the three: Go calls a
// type parameter's methods, or a function argument of a loop too large to
// inline, without inlining them, once per candidate.
func (m *Model) runTracked(nodes []best, text []byte, size, start int, tr *tracker) int {
	t := m.trie
	units := unsafe.Pointer(unsafe.SliceData(t.units))
	heads := t.heads
	_ = heads[0] // as in run
	nodesp := unsafe.Pointer(unsafe.SliceData(nodes[:size+1]))
	textp := unsafe.Pointer(unsafe.SliceData(text[:size+textPad]))
	// low skips a NaN node (the comparison fails): its candidates, all
	// NaN, win or lose alike from every path score.
	low := tr.low
	for start < size {
		// As in run.
		u, mblen := headAt(heads, textp, start)
		if u == 0 {
			break
		}
		p := unitAt(units, u)
		base := p.base & offMask
		till := float64(nodeAt(nodesp, start).score)
		end := start + mblen
		next := end
		tr.relaxTracked(nodeAt(nodesp, end), float64(p.score), till, end, end-start, p.id)
		for {
			b := *(*byte)(unsafe.Add(textp, end))
			p = unitAt(units, base+uint32(b))
			if p.label != int32(b) {
				break
			}
			end++
			if base = p.base; base < pieceFlag {
				continue
			}
			if base >= tailFlag {
				tails := unsafe.Pointer(unsafe.SliceData(t.tails))
				if n, ok := tailLen(unsafe.Add(tails, base&offMask), unsafe.Add(textp, end), size-end); ok {
					end += n
					tr.relaxTracked(nodeAt(nodesp, end), float64(p.score), till, end, end-start, p.id)
				}
				break
			}
			tr.relaxTracked(nodeAt(nodesp, end), float64(p.score), till, end, end-start, p.id)
			base &= offMask
		}
		// After the walk: before it, the comparison made till and low
		// trade registers, at a move or three a character.
		if till < low {
			low = till
		}
		start = next
	}
	tr.low = low
	return start
}

// relaxTracked is relax for runTracked: the candidate is a piece scoring
// score after a path scoring till, at byte end; it records what tr.see
// records from 0, but for the magnitude, with the candidate exact: the
// best losing candidate takes a loser, or the winner a winner displaces.
// A comparison stands for max, which costs more for signed zeros, whose
// sign changes no margin that the cache compares. Its addresses are
// written out: by floatAt, it would exceed the inliner's budget.
func (tr *tracker) relaxTracked(b *best, score, till float64, end, n int, id int32) {
	cand := score + till
	if b.len == 0 || cand > float64(b.score) {
		b.score = float32(cand)
		b.len = int32(n)
		b.id = id
		*(*float64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(tr.score)), end*8)) = score
		win := (*float64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(tr.win)), end*8))
		cand, *win = *win, cand
	}
	if lose := (*float64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(tr.lose)), end*8)); cand > *lose {
		*lose = cand
	}
}

// headAt returns the state that run starts from for the character at
// start of the text at textp, and the character's length; or a zero state
// if the character is malformed or its walk does not start in heads.
func headAt(heads *[headsLen]uint32, textp unsafe.Pointer, start int) (uint32, int) {
	// Cut short by the text's end, a character is malformed: its padding
	// zeros are no continuation bytes.
	x := binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(textp, start))[:])
	if c := uint8(x); c < 0x80 {
		return heads[heads2+int(c)], 1 // an int, which the load's address takes
	}
	if x&0xc0c0f0 == 0x8080e0 {
		return heads[head3(x)], 3
	}
	if x&0xc0e0 == 0x80c0 {
		return heads[heads3+(x&0x1f<<6|x>>8&0x3f)], 2
	}
	return 0, 0
}

// tailLen returns the length of the tail at tail and true if the text
// at at, with room bytes left, starts with it. It compares eight bytes at
// a time, the last word's bytes past the tail shifted out.
func tailLen(tail, at unsafe.Pointer, room int) (int, bool) {
	n := int(*(*byte)(tail))
	if n > room {
		return 0, false
	}
	for k := n; ; k -= 8 {
		d := word(unsafe.Add(tail, 1)) ^ word(at)
		if k <= 8 {
			return n, d<<(-8*k&63) == 0
		}
		if d != 0 {
			return 0, false
		}
		tail, at = unsafe.Add(tail, 8), unsafe.Add(at, 8)
	}
}

// word returns the eight bytes at p as a little-endian word.
func word(p unsafe.Pointer) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(p)[:])
}

// nodeAt returns the node i of the array at nodes, without a bounds check:
// run's candidates end by the end of the text, whose last node is there.
func nodeAt(nodes unsafe.Pointer, i int) *best {
	return (*best)(unsafe.Add(nodes, uintptr(i)*unsafe.Sizeof(best{})))
}

// floatAt returns &s[i] without a bounds check: runBinade's candidates
// end by the end of the text, and the tracker's slices reach it.
func floatAt(s []float64, i int) *float64 {
	return (*float64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), uintptr(i)*8))
}

// unitAt returns the unit u of the array at units, without a bounds check:
// run steps only from states, whose transitions all land inside the array
// (newTrie sees to it), and to heads, which are states.
func unitAt(units unsafe.Pointer, u uint32) *unit {
	return (*unit)(unsafe.Add(units, uintptr(u)*unsafe.Sizeof(unit{})))
}

// unknown adds to nodes the unknown candidate for the character of mblen
// bytes at start, after a path scoring till.
func (m *Model) unknown(nodes []best, start, mblen int, till float32, tr *tracker) {
	// The unknown candidate is a float sum.
	cand := m.unkScore + till
	n := &nodes[start+mblen]
	won := n.len == 0 || cand > n.score
	if won {
		n.score = cand
		n.len = int32(mblen)
		n.id = m.unk
	}
	if tr != nil {
		tr.see(start+mblen, float64(cand), float64(m.unkScore)+float64(till), float64(m.unkScore), won)
	}
}

// get returns a scratch buffer for an encoding.
func (m *Model) get() *scratch {
	if sc := m.kept.Get(); sc != nil {
		return sc
	}
	return newScratch()
}

// put returns sc for later encodings, unless its buffers grew too big to
// keep or one is kept for every CPU: each cache may hold megabytes.
func (m *Model) put(sc *scratch) {
	sc.trim()
	m.kept.Put(sc)
}

// trim drops the Viterbi's buffers when they grew too big to keep.
func (sc *scratch) trim() {
	if cap(sc.nodes) > 1<<20 {
		sc.nodes, sc.text = nil, nil
		sc.tr = tracker{}
	}
}

// backtrack appends the path ending at the last node of nodes to dst.
func backtrack(dst []seg.Piece, nodes []best) []seg.Piece {
	// Counted first, the pieces go in place from the last one, rather
	// than appended backwards and reversed. The nodes are read without
	// bounds checks: a path's pieces lie within the nodes.
	np, last := unsafe.Pointer(unsafe.SliceData(nodes)), uint32(len(nodes)-1)
	n := 0
	for end := last; end > 0; end -= uint32(nodeAt(np, int(end)).len) {
		n++
	}
	dst = slices.Grow(dst, n)[:len(dst)+n]
	path := dst[len(dst)-n:]
	for i, end := len(path)-1, last; i >= 0; i-- {
		b := nodeAt(np, int(end))
		path[i] = seg.Piece{ID: b.id, Len: b.len}
		end -= uint32(b.len)
	}
	return dst
}
