// Package bpe is SentencePiece's BPE model: it segments normalized text
// into pieces by merging, exactly as bpe::Model does, and fast.
package bpe

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/utf8x"
	"github.com/gemmatok/gemmatok/vocab"
)

// Model segments normalized text the way SentencePiece's bpe::Model
// does: user-defined pieces are cut out first and never merged; the rest
// starts as single characters, and the adjacent pair whose concatenation is
// the best-scoring piece is merged, leftmost first on ties, until no pair is
// a piece.
//
// The C++ runs that loop over the whole text. Merges are local, so where no
// piece can span a position the text may be cut there and each part
// segmented alone with the same result. When every piece keeps U+2581 at
// its start (or, with treat_whitespace_as_suffix, at its end) that holds
// before (after) every U+2581, and the parts are words; long words are cut
// further between characters that no piece holds side by side (pairs.go).
// Words repeat, so their pieces are cached (wordcache.go), and a memo says
// which pieces segment into themselves. Long runs of one character or of a
// few repeated, which no cut splits, are merged as blocks (runs.go).
// Models with unused pieces are segmented whole, because their
// resegmentation table is shared by the whole text in the C++.
type Model struct {
	v      *vocab.Vocab
	split  splitMode
	unused bool // the vocabulary has unused pieces
	// spanning are the few pieces that hold U+2581 after their start
	// (Gemma 3 has ">▁</") in a vocabulary split before U+2581, with the
	// offset of each such U+2581: where one of them lies in the text
	// across a U+2581, the text is not cut there.
	spanning []spanningPiece
	// spanBefore says which bytes come right before U+2581 in spanning:
	// elsewhere spans need not be asked.
	spanBefore [256]bool

	maxPiece int // the longest piece, in bytes

	// rankByID says that the pieces merges make score lower the higher
	// their id, without ties, as in models that the SentencePiece trainer
	// makes: merges then order pairs by id, without a load from the
	// scores, which are a megabyte for Gemma.
	rankByID bool

	tables *builtinTables // for a built-in model, else nil

	pairsOnce sync.Once
	pairs     *pairSet

	merges mergeTable // empty but for a built-in model that has one generated

	ascii [utf8.RuneSelf]int32 // the piece each ASCII character is, or -1
	// chars holds, by rune of the Basic Multilingual Plane, piece id + 2,
	// or 0 when not known yet, in pages made as their runes are met.
	chars [1 << 16 >> charPageBits]atomic.Pointer[charPage]
}

// charPageBits makes a page of chars 4 KiB: a short text touches few.
const charPageBits = 10

type charPage [1 << charPageBits]atomic.Int32

// Rules says which pieces one way of encoding treats as pieces: the
// user-defined pieces cut out of the text, and the pieces merges may not
// produce. SentencePiece has one set of rules; encoding special pieces as
// plain text uses another.
type Rules struct {
	matcher *matcher.Matcher
	matched []int32 // the id each of matcher's pieces looks up to
	banned  []bool  // by id; nil when merges may produce any piece
	respell []bool  // by id, the pieces spelled as their pair (banRules); or nil
	// pairsSpelled says that respell holds a piece of more than one
	// character, which the output spells by what the whole text merged.
	pairsSpelled bool

	// memo records, two bits a piece, whether segmenting the piece's own
	// text gives back that one piece: bit 1 says known, bit 0 the answer.
	// SentencePiece's rules on a built-in model have the answers for
	// every piece in whole instead, a bit a piece (generated).
	memo  []atomic.Uint32
	whole []byte

	// cache remembers the words segmented under these rules, for all the
	// goroutines that encode with them.
	cache wordCache

	// step gives, for the bytes that start neither U+2581 nor a piece of
	// matcher, utf8x.CharLen's length; 0 for the others: one load tells
	// a byte and the step after it, whatever the script.
	step [256]uint8
	// spacePiece says, by the byte after U+2581, whether a user-defined
	// piece may start at that U+2581; spacePieceEnd, at one that ends
	// the text.
	spacePiece    [256]bool
	spacePieceEnd bool
	// oneByte holds, by byte, the index in matcher of the piece that is
	// that byte alone, or -1; longer, by a piece's first byte, the bytes
	// that follow it in a longer piece. Where none follows, the byte
	// alone is the longest piece there, as a newline mostly is, without
	// a walk of the matcher's trie.
	oneByte [256]int32
	longer  [256][4]uint64
}

// newRules returns the rules that cut out the user-defined pieces m
// matches and, when banned is not nil, never produce a piece id with
// banned[id] by merging.
func (b *Model) newRules(m *matcher.Matcher, banned []bool) *Rules {
	v := b.v
	r := &Rules{matcher: m, banned: banned}
	for c := range r.step {
		if !m.First[c] && byte(c) != seg.SpaceSymbol[0] {
			r.step[c] = utf8x.CharLen[c>>4]
		}
	}
	if m.First[seg.SpaceSymbol[0]] {
		for c := range r.spacePiece {
			r.spacePiece[c] = m.MayFollowSpace([]byte{byte(c)})
		}
		r.spacePieceEnd = m.MayFollowSpace(nil)
	}
	for c := range r.oneByte {
		r.oneByte[c] = -1
		if l, k := m.Match(string([]byte{byte(c)})); l == 1 {
			r.oneByte[c] = int32(k)
		}
	}
	for _, p := range m.Pieces {
		if len(p) > 1 {
			r.longer[p[0]][p[1]>>6] |= 1 << (p[1] & 63)
		}
	}
	r.matched = make([]int32, len(m.Pieces))
	for i, p := range m.Pieces {
		r.matched[i] = v.Lookup(p)
	}
	if banned == nil && b.tables != nil {
		r.whole = b.tables.whole
	} else {
		r.memo = make([]atomic.Uint32, (v.Size()+15)/16)
	}
	return r
}

// allowed reports whether id (or -1) names a piece these rules let merges
// produce.
func (r *Rules) allowed(id int32) bool {
	return id >= 0 && (r.banned == nil || !r.banned[id])
}

type splitMode uint8

const (
	splitNone   splitMode = iota // segment the text whole
	splitBefore                  // cut before every U+2581
	splitAfter                   // cut after every U+2581
)

// New returns the model of v, whose type must be BPE.
func New(v *vocab.Vocab) *Model { return newModel(v, builtin[v.Builtin()]) }

// newModel returns the model of v, with the tables generated for it when
// v is a built-in model, or else nil.
func newModel(v *vocab.Vocab, tables *builtinTables) *Model {
	b := &Model{v: v, maxPiece: v.MaxPieceLen(), unused: v.HasUnused(), tables: tables}
	for c := range b.ascii {
		b.ascii[c] = v.LookupBytes([]byte{byte(c)})
	}
	// Scanning a large vocabulary for these would take a good part of each
	// load: a built-in model has them generated.
	var prefixOnly, suffixOnly bool
	var spanning []int32
	if tables != nil {
		prefixOnly, suffixOnly, b.rankByID, spanning = b.tables.prefixOnly, b.tables.suffixOnly, b.tables.rankByID, b.tables.spanning
	} else {
		prefixOnly, suffixOnly, spanning = spacePlacement(v)
		b.rankByID = scoresFallWithID(v)
	}
	b.spanning = spanningAt(v, spanning)
	for _, p := range b.spanning {
		b.spanBefore[p.piece[p.at-1]] = true
	}
	if tables != nil {
		if t := tables.mergeTable(); t != nil {
			b.merges = *t
		}
	}
	switch {
	case b.unused:
		b.split = splitNone
	case prefixOnly && !v.Trainer().TreatWhitespaceAsSuffix:
		b.split = splitBefore
	case suffixOnly:
		b.split = splitAfter
	case prefixOnly:
		b.split = splitBefore
	}
	return b
}

// maxSpanning bounds the pieces holding U+2581 after their start that a
// vocabulary may have and still be cut into words: every U+2581 of the
// text is checked against each of them.
const maxSpanning = 8

// A spanningPiece is a piece with U+2581 at offset at > 0.
type spanningPiece struct {
	piece string
	at    int
}

// spanningAt returns each U+2581 after the start of the pieces ids.
func spanningAt(v *vocab.Vocab, ids []int32) []spanningPiece {
	var ps []spanningPiece
	for _, id := range ids {
		p := v.Piece(id)
		for at := 1; at < len(p); at++ {
			if strings.HasPrefix(p[at:], seg.SpaceSymbol) {
				ps = append(ps, spanningPiece{p, at})
			}
		}
	}
	return ps
}

// spans reports whether one of b.spanning lies in s across the U+2581 at
// s[i:]: a merge may then make it, and s may not be cut before i.
func (b *Model) spans(s []byte, i int) bool {
	for _, p := range b.spanning {
		if start := i - p.at; start >= 0 && start+len(p.piece) <= len(s) && string(s[start:start+len(p.piece)]) == p.piece {
			return true
		}
	}
	return false
}

// spacePlacement reports whether every normal or unused piece holds U+2581
// only as its first character (prefixOnly), or only as its last
// (suffixOnly). User-defined pieces are cut out before merging and need not
// keep the rule; the other types are never merge results. A few pieces
// (up to maxSpanning, Gemma 3's ">▁</") that hold U+2581 after their
// start do not break prefixOnly: they are returned as spanning, and the
// text is not cut where one lies across a U+2581.
func spacePlacement(v *vocab.Vocab) (prefixOnly, suffixOnly bool, spanning []int32) {
	prefixOnly, suffixOnly = true, true
	for id, at := range v.Occurrences(seg.SpaceSymbol) {
		if t := v.Type(id); t == vocab.Normal || t == vocab.Unused {
			if at != 0 && !slices.Contains(spanning, id) {
				spanning = append(spanning, id)
			}
			if at != len(v.Piece(id))-len(seg.SpaceSymbol) {
				suffixOnly = false
			}
		}
	}
	if len(spanning) > maxSpanning || v.Trainer().TreatWhitespaceAsSuffix && suffixOnly {
		return false, suffixOnly, nil
	}
	return true, suffixOnly, spanning
}

// scoresFallWithID reports whether the pieces that merges may make, normal
// and unused ones, score lower the higher their id, with no two the same,
// and have ids that a float32 holds exactly.
func scoresFallWithID(v *vocab.Vocab) bool {
	if v.Size() > 1<<24 {
		return false
	}
	prev := float32(math.Inf(1))
	for id := range int32(v.Size()) {
		if t := v.Type(id); t != vocab.Normal && t != vocab.Unused {
			continue
		}
		if s := v.Score(id); s < prev {
			prev = s
		} else {
			return false
		}
	}
	return true
}

// rank is what merges order pair id by, the higher the sooner: its score,
// or for rankByID the negated id, which orders pieces the same way.
func (b *Model) rank(id int32) float32 {
	if b.rankByID {
		return -float32(id)
	}
	return b.v.Score(id)
}

// encode segments the normalized text s, which is not empty, and hands
// every piece to out.
func (b *Model) encode(sc *Scratch, s []byte, r *Rules, out *seg.Sink) {
	sc.pairs.forText(len(s))
	if b.split == splitNone || r.respell != nil {
		sc.pieces = b.segment(sc, s, r, true, sc.pieces[:0])
		out.Replay(sc.pieces, 0)
		return
	}
	from := 0
	m := r.matcher
	p := unsafe.Pointer(unsafe.SliceData(s))
	for i := 0; i < len(s); {
		// The characters of words, of any script, that start neither
		// U+2581 nor a user-defined piece, in loops of their own: four
		// at a time, read by pointer, while 16 bytes are left, as four
		// characters take at most; then one at a time.
		for i+16 <= len(s) {
			step := r.step[*(*byte)(unsafe.Add(p, i))]
			if step == 0 {
				break
			}
			i += int(step)
			if step = r.step[*(*byte)(unsafe.Add(p, i))]; step == 0 {
				break
			}
			i += int(step)
			if step = r.step[*(*byte)(unsafe.Add(p, i))]; step == 0 {
				break
			}
			i += int(step)
			if step = r.step[*(*byte)(unsafe.Add(p, i))]; step == 0 {
				break
			}
			i += int(step)
		}
		for i < len(s) {
			step := r.step[s[i]]
			if step == 0 {
				break
			}
			i += int(step)
		}
		if i >= len(s) {
			break
		}
		c := *(*byte)(unsafe.Add(p, i))
		if c == 0xE2 && i+3 <= len(s) && load3((*[3]byte)(unsafe.Add(p, i))[:]) == 0x8196E2 { // U+2581
			if j := i + len(seg.SpaceSymbol); j < len(s) && r.spacePiece[s[j]] || j == len(s) && r.spacePieceEnd {
				if l := b.userPiece(sc, s, from, i, r, out); l > 0 {
					i += l
					from = i
					continue
				}
			}
			if b.split == splitBefore {
				// The byte before U+2581 tells most places apart
				// without a call.
				if i > from && !(b.spanBefore[*(*byte)(unsafe.Add(p, i-1))] && b.spans(s, i)) {
					b.word(sc, s[from:i], from, r, out)
					from = i
				}
				i += len(seg.SpaceSymbol)
			} else {
				i += len(seg.SpaceSymbol)
				b.word(sc, s[from:i], from, r, out)
				from = i
			}
			continue
		}
		if m.First[c] {
			if l := b.userPiece(sc, s, from, i, r, out); l > 0 {
				i += l
				from = i
				continue
			}
		}
		i += int(utf8x.CharLen[c>>4])
	}
	if from < len(s) {
		b.word(sc, s[from:], from, r, out)
	}
}

// userPiece cuts out the user-defined piece that s[i:] starts with, if
// any: it segments the word s[from:i] before it and emits the piece. It
// returns the piece's length, or 0.
func (b *Model) userPiece(sc *Scratch, s []byte, from, i int, r *Rules, out *seg.Sink) int {
	var l, k int
	if c := s[i]; r.oneByte[c] >= 0 && (i+1 == len(s) || r.longer[c][s[i+1]>>6]&(1<<(s[i+1]&63)) == 0) {
		l, k = 1, int(r.oneByte[c])
	} else {
		l, k = r.matcher.Match(utf8x.String(s[i:]))
	}
	if l > 0 {
		b.word(sc, s[from:i], from, r, out)
		if id := b.pieceID(s[i:i+l], r.matched[k]); !out.ReplayOne(id) {
			out.Replay([]seg.Piece{{ID: id, Len: int32(l)}}, i)
		}
	}
	return l
}

// pieceID returns what SentencePiece's PieceToId gives for a final symbol
// whose merge lookup found id (or -1).
func (b *Model) pieceID(p []byte, id int32) int32 {
	if id >= 0 {
		return b.v.Preferred(id)
	}
	id, _ = b.v.IDBytes(p)
	return id
}

// word segments w, a part of the text that no piece spans beyond, which
// starts at offset base of the normalized text.
func (b *Model) word(sc *Scratch, w []byte, base int, r *Rules, out *seg.Sink) {
	if len(w) == 0 {
		return
	}
	if len(w) > cacheMaxWord {
		// Never cached: its pieces go out some parts at a time rather than
		// gathering, for a long run, in one large slice.
		for at, next := 0, 0; at < len(w); at = next {
			sc.pieces, next = b.parts(sc, w, at, r, sc.pieces[:0])
			out.Replay(sc.pieces, base+at)
		}
		return
	}
	// The cache is asked here and in part, not through a function of
	// its own: the calls for every word cost a good part of a hit. A
	// hit's pieces are the cache's own, replayed as they are: copying
	// them out would cost about as much as finding them.
	cache, use := sc.cacheFor(r)
	if !use.Use() {
		sc.pieces = b.freshWord(sc, w, true, r, sc.pieces[:0])
		out.Replay(sc.pieces, base)
		return
	}
	pieces, k := cache.lookup(w, r, use)
	if pieces == nil {
		sc.pieces = b.freshWord(sc, w, true, r, sc.pieces[:0])
		pieces = sc.pieces
		cache.add(w, k, r, pieces)
	}
	if len(pieces) != 1 || !out.ReplayOne(pieces[0].ID) {
		out.Replay(pieces, base)
	}
}

// longWord is the length from which splitting a word at character pairs
// that no piece holds pays.
const longWord = 12

// freshWord appends the pieces of w to dst, segmenting it. With cut, a long
// w is cut into the parts that merging treats apart first; without, w is
// such a part already.
func (b *Model) freshWord(sc *Scratch, w []byte, cut bool, r *Rules, dst []seg.Piece) []seg.Piece {
	// Without a merge table, each pair merging looks up is a lookup in the
	// vocabulary too: the whole word's lookup then always pays.
	gate := &sc.whole[b2i(len(w) >= longWord)]
	if gated := b.merges.slots != nil; len(w) <= b.maxPiece && (!gated || gate.Use()) {
		id := b.v.LookupBytes(w)
		whole := r.allowed(id) && b.wholePiece(sc, id, r)
		if gated {
			gate.Record(whole)
		}
		if whole {
			return append(dst, seg.Piece{ID: b.pieceID(w, id), Len: int32(len(w))})
		}
	}
	if len(w) < longWord || !cut {
		// segmentShort takes most words and parts: called here, not
		// through segment, it saves a call for each.
		if !b.unused && len(w) <= 4*shortWord {
			if d, ok := b.segmentShort(sc, w, r, dst); ok {
				return d
			}
		}
		return b.segment(sc, w, r, false, dst)
	}
	for at := 0; at < len(w); {
		dst, at = b.parts(sc, w, at, r, dst)
	}
	return dst
}

// partsBatch is about the most pieces parts appends in a call.
const partsBatch = 256

// parts appends the pieces of the parts of w, a word of at least longWord
// bytes, that merging may treat apart: those between characters that no
// piece holds side by side. It starts with the part at from and stops
// after the part that brings the pieces it appended to partsBatch, or at
// the end of w, and returns where it stopped. Text without spaces is
// mostly parts of one character, which it emits itself.
func (b *Model) parts(sc *Scratch, w []byte, from int, r *Rules, dst []seg.Piece) ([]seg.Piece, int) {
	pairs := b.pairSet()
	limit := len(dst) + partsBatch
	// U+2581, which starts most words, and the characters of three bytes
	// of most scripts are decoded here, without a call.
	first, size := rune(0), 0
	if from+3 <= len(w) {
		if x := load3(w[from : from+3]); x&0xC0C0F0 == 0x8080E0 {
			if first = rune3(x); first >= 0x800 && uint32(first-0xD800) >= 0x800 {
				size = 3
			}
		}
	}
	if size == 0 {
		first, size = utf8x.DecodeChar(w[from:])
	}
	for start := from; ; {
		if size == 3 && pairs.block[first>>8&255] != nil {
			// A run of one block's characters of three bytes, as Thai
			// text is: its parts' ends found at once, and their first
			// and last characters decoded only for the short parts,
			// which need them.
			if cuts := pairs.blockCuts(w, start, first, &sc.cuts); len(cuts) > 0 {
				for _, e := range cuts {
					end := int(e)
					switch chars := (end - start) / 3; chars {
					case 1:
						c := rune3(load3(w[start:end]))
						if id, ok := b.knownRune(c); ok && r.allowed(id) {
							dst = append(dst, seg.Piece{ID: b.v.Preferred(id), Len: 3})
						} else {
							dst = b.part(sc, w, start, end, 1, c, c, r, dst)
						}
					case 2:
						dst = b.part(sc, w, start, end, 2, rune3(load3(w[start:end])), rune3(load3(w[end-3:end])), r, dst)
					default:
						if start == 0 && end == len(w) {
							dst = b.segment(sc, w, r, false, dst)
						} else {
							dst = b.cachedPart(sc, w[start:end], r, dst)
						}
					}
					start = end
				}
				if start == len(w) || len(dst) >= limit {
					return dst, start
				}
				// The run goes on at start, with a character of the block.
				first = rune3(load3(w[start : start+3]))
				continue
			}
		}
		end, chars, last, next, nextSize := pairs.partEnd(w, start, first, size)
		if p := w[start:end]; chars == 1 {
			// Most single characters are pieces met before: runeID and
			// finalPiece, inlined for them.
			if id, ok := b.knownRune(first); ok && r.allowed(id) {
				dst = append(dst, seg.Piece{ID: b.v.Preferred(id), Len: int32(len(p))})
			} else {
				dst = append(dst, b.finalPiece(p, b.runeID(first, p), r))
			}
		} else {
			if chars > 2 && (start > 0 || end < len(w)) {
				dst = b.cachedPart(sc, p, r, dst)
			} else {
				dst = b.part(sc, w, start, end, chars, first, last, r, dst)
			}
		}
		if end == len(w) || len(dst) >= limit {
			return dst, end
		}
		start, first, size = end, next, nextSize
	}
}

// partEnd scans the part of w that starts at w[i:] with the character
// first, of size bytes: it returns where the part ends, its number of
// characters and its last character, and the character that starts the
// next part and its size, if any. It is apart from parts, which does
// more, so that the loop over characters keeps few values to save and
// reload around its calls (code, whose parts are long, encodes 4% fewer
// instructions so).
func (s *pairSet) partEnd(w []byte, i int, first rune, size int) (end, chars int, last, next rune, nextSize int) {
	chars, last = 1, first
	for end = i + size; end < len(w); end += size {
		c := rune(w[end])
		if size = 1; c >= utf8.RuneSelf {
			// Valid characters of two and three bytes, those of most
			// scripts, are decoded here, without a call.
			if c, size = 0, 3; end+3 <= len(w) {
				if x := load3(w[end : end+3]); x&0xC0C0F0 == 0x8080E0 {
					c = rune3(x)
				}
			}
			if c < 0x800 || uint32(c-0xD800) < 0x800 { // not one, or overlong, or a surrogate
				if x := uint32(w[end]); end+2 <= len(w) && x&0xE0 == 0xC0 && x >= 0xC2 && w[end+1]&0xC0 == 0x80 {
					c, size = rune(x&0x1F)<<6|rune(w[end+1]&0x3F), 2
				} else {
					c, size = utf8x.DecodeChar(w[end:])
				}
			}
		} else if last < utf8.RuneSelf {
			// A run of ASCII, as most of Latin script's words: the
			// bitmap of ASCII pairs answers, in a loop of its own,
			// without the tests of blocks. (The mask of k>>6 takes
			// nothing off: it spares the bounds check.)
			for {
				if k := uint32(last)<<7 | uint32(c); s.ascii[k>>6&255]&(1<<(k&63)) == 0 {
					return end, chars, last, c, 1
				}
				chars++
				last = c
				if end++; end == len(w) {
					return end, chars, last, 0, 0
				}
				if c = rune(w[end]); c >= utf8.RuneSelf {
					break
				}
			}
			size = 0 // c, at end, is taken next
			continue
		}
		// Both characters in a block with a bitmap, as most of a script's
		// are, or a pair of the Basic Multilingual Plane that the filter
		// rules out, as half the pairs of Chinese and Japanese, or U+2581
		// before ASCII, as a word of Latin script starts: answered
		// without a call.
		if last == seg.SpaceRune && c < utf8.RuneSelf {
			if s.spaceASCII[c>>6&1]&(1<<(c&63)) == 0 {
				return end, chars, last, c, size
			}
		} else if has, ok := s.blockHas(last, c); ok {
			if !has {
				return end, chars, last, c, size
			}
			if size == 3 || size == 2 && c >= 0x100 {
				// Likely a run of the block's characters: blockRun
				// goes on from here.
				var lo uint32
				var ends bool
				end, chars, lo, ends = s.blockRun(w, end+size, chars+1, c, size)
				last = c&^0xFF | rune(lo)
				if ends {
					x := uint32(w[end+size-2])<<8 | uint32(w[end+size-1])
					return end, chars, last, last&^0xFF | rune(x>>2&0xC0|x&0x3F), size
				}
				size = 0
				continue
			}
		} else if last|c < 1<<16 && (last|c >= 128 && last != seg.SpaceRune) {
			if f := bmpFilterBit(bmpKey(last, c)); s.bmpFilter[f>>6]&(1<<(f&63)) == 0 || !s.bmp.has(bmpKey(last, c)) {
				return end, chars, last, c, size
			}
		} else if !s.has(last, c) {
			return end, chars, last, c, size
		}
		chars++
		last = c
	}
	return end, chars, last, 0, 0
}

// blockRun goes on with partEnd's scan at w[end:] while the characters
// are of the block of last, a character of size bytes (two or three, not
// of the first block) in a block with a bitmap, and of as many bytes, as
// the text of an alphabet is: their bytes are matched against last's
// block, not decoded. It returns where it stopped, the characters counted
// then, the low byte of the character before end, and whether the
// character at end ends the part, in a pair the block does not hold.
func (s *pairSet) blockRun(w []byte, end, chars int, last rune, size int) (int, int, uint32, bool) {
	m := s.block[last>>8]
	lo := uint32(last & 0xFF)
	if size == 2 {
		lead := 0x80C0 | uint32(last>>6&0x1C)
		// Two characters at a time while four bytes are left.
		for lead2 := lead | lead<<16; end+4 <= len(w); end += 4 {
			x := binary.LittleEndian.Uint32(w[end : end+4])
			if x&0xC0FCC0FC != lead2 {
				break
			}
			c := x<<6&0xC0 | x>>8&0x3F
			if m[(lo<<2|c>>6)&1023]&(1<<(c&63)) == 0 {
				return end, chars, lo, true
			}
			d := x>>10&0xC0 | x>>24&0x3F
			if m[(c<<2|d>>6)&1023]&(1<<(d&63)) == 0 {
				return end + 2, chars + 1, c, true
			}
			chars += 2
			lo = d
		}
		for ; end+2 <= len(w); end += 2 {
			x := load2(w[end : end+2])
			if x&0xC0FC != lead {
				break
			}
			c := x<<6&0xC0 | x>>8&0x3F
			if m[(lo<<2|c>>6)&1023]&(1<<(c&63)) == 0 {
				return end, chars, lo, true
			}
			chars++
			lo = c
		}
		return end, chars, lo, false
	}
	lead := lead3(last)
	// Two characters at a time while eight bytes are left.
	for lead2 := uint64(lead) | uint64(lead)<<24; end+8 <= len(w); end += 6 {
		x := binary.LittleEndian.Uint64(w[end : end+8])
		if x&0xC0FCFFC0FCFF != lead2 {
			break
		}
		c := uint32(x>>2&0xC0 | x>>16&0x3F)
		if m[(lo<<2|c>>6)&1023]&(1<<(c&63)) == 0 {
			return end, chars, lo, true
		}
		d := uint32(x>>26&0xC0 | x>>40&0x3F)
		if m[(c<<2|d>>6)&1023]&(1<<(d&63)) == 0 {
			return end + 3, chars + 1, c, true
		}
		chars += 2
		lo = d
	}
	for ; end+3 <= len(w); end += 3 {
		x := load3(w[end : end+3])
		if x&0xC0FCFF != lead {
			break
		}
		c := x>>2&0xC0 | x>>16&0x3F
		if m[(lo<<2|c>>6)&1023]&(1<<(c&63)) == 0 {
			return end, chars, lo, true
		}
		chars++
		lo = c
	}
	return end, chars, lo, false
}

// blockCuts scans the run of characters of three bytes that starts at
// w[start:] with first, a character of a block with a bitmap, while they
// are of that block, as blockRun does, but goes on past the ends of parts:
// it returns where they end, from cuts, the end of w among them when the
// run reaches it, but not the end of the run's last part elsewhere, which
// a character of another block may continue. Thai text is long runs of
// short parts, which come out so with one call rather than a few each.
func (s *pairSet) blockCuts(w []byte, start int, first rune, cuts *[partCuts]int32) []int32 {
	m := s.block[first>>8&255]
	lo := uint32(first & 0xFF)
	lead := lead3(first)
	// Each pair's end is stored, and counted only where the block does not
	// hold the pair: no branch on that, which a run of parts mispredicts.
	// The scan takes up to partCuts-2 characters after first, so that
	// every end fits, and reads w by pointer below stop; its first loop
	// writes the ends by pointer too (q), which keeps fewer values.
	end := start + 3
	stop := min(len(w), end+3*(partCuts-2))
	p := unsafe.Pointer(unsafe.SliceData(w))
	q := unsafe.Pointer(cuts) // where the next end goes
	// Two characters at a time while eight bytes are left.
	for lead2 := uint64(lead) | uint64(lead)<<24; end+8 <= stop; end += 6 {
		x := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(p, end))[:])
		if x&0xC0FCFFC0FCFF != lead2 {
			break
		}
		c, d := uint32(x>>2&0xC0|x>>16&0x3F), uint32(x>>26&0xC0|x>>40&0x3F)
		cut1, cut2 := m[(lo<<2|c>>6)&1023]&(1<<(c&63)) == 0, m[(c<<2|d>>6)&1023]&(1<<(d&63)) == 0
		*(*int32)(q) = int32(end)
		q = unsafe.Add(q, 4*b2i(cut1))
		*(*int32)(q) = int32(end + 3)
		q = unsafe.Add(q, 4*b2i(cut2))
		lo = d
	}
	n := int(uintptr(q)-uintptr(unsafe.Pointer(cuts))) / 4
	for ; end+3 <= stop; end += 3 {
		x := load3((*[3]byte)(unsafe.Add(p, end))[:])
		if x&0xC0FCFF != lead {
			break
		}
		c := x>>2&0xC0 | x>>16&0x3F
		cuts[n&(partCuts-1)] = int32(end)
		n += b2i(m[(lo<<2|c>>6)&1023]&(1<<(c&63)) == 0)
		lo = c
	}
	if end == len(w) {
		cuts[n&(partCuts-1)] = int32(end)
		n++
	}
	return cuts[:n]
}

// partCuts is the most part ends blockCuts returns at a time.
const partCuts = 64

// rune3 decodes x, the three bytes of a valid character as load3 reads
// them.
func rune3(x uint32) rune {
	return rune(x&0x0F)<<12 | rune(x>>8&0x3F)<<6 | rune(x>>16&0x3F)
}

// lead3 returns the bits that the characters of c's block of 256 share
// when load3 reads them, c a character of three bytes: x&0xC0FCFF ==
// lead3(c) for each of them.
func lead3(c rune) uint32 {
	return 0x8080E0 | uint32(c>>12) | uint32(c>>6&0x3C)<<8
}

// part appends the pieces of w[start:end], a part of w that has chars
// characters, the first and the last as decoding gives them (utf8.RuneError
// for malformed bytes). Most parts of long words are one or two characters
// long, which need no merge loop: one character is its own piece, two are
// either the piece they make together or two pieces. Longer ones go to
// cachedPart, which parts calls itself for them, without these tests.
func (b *Model) part(sc *Scratch, w []byte, start, end, chars int, first, last rune, r *Rules, dst []seg.Piece) []seg.Piece {
	p := w[start:end]
	switch {
	case start == 0 && end == len(w):
		return b.segment(sc, w, r, false, dst)
	case chars == 1:
		return append(dst, b.finalPiece(p, b.runeID(first, p), r))
	case chars == 2:
		n := int(utf8x.CharLen[p[0]>>4])
		if first == utf8.RuneError {
			last = first // p[:n] may end elsewhere than the decoded character
		}
		// runeID, with the answers met before taken inline.
		sl := symbol{start: 0, end: int32(n)}
		sr := symbol{start: int32(n), end: int32(len(p))}
		var ok bool
		if sl.id, ok = b.knownRune(first); !ok {
			sl.id = b.runeID(first, p[:n])
		}
		if sr.id, ok = b.knownRune(last); !ok {
			sr.id = b.runeID(last, p[n:])
		}
		if id := b.pairID(sc, p, &sl, &sr); r.allowed(id) {
			return append(dst, seg.Piece{ID: b.v.Preferred(id), Len: int32(len(p))})
		}
		return append(dst, b.finalPiece(p[:n], sl.id, r), b.finalPiece(p[n:], sr.id, r))
	}
	return b.cachedPart(sc, p, r, dst)
}

// cachedPart appends the pieces of p, a part of a word, which the word
// cache may hold.
func (b *Model) cachedPart(sc *Scratch, p []byte, r *Rules, dst []seg.Piece) []seg.Piece {
	cache, use := sc.cacheFor(r)
	if !use.Use() {
		return b.freshWord(sc, p, false, r, dst)
	}
	pieces, k := cache.lookup(p, r, use)
	n := len(dst)
	if pieces != nil {
		// Copied a piece at a time: a part has few, for which a call of
		// memmove by append costs more.
		if len(pieces) > cap(dst)-n {
			return append(dst, pieces...)
		}
		out := dst[n : n+len(pieces)]
		for i, piece := range pieces {
			out[i] = piece
		}
		return dst[:n+len(pieces)]
	}
	dst = b.freshWord(sc, p, false, r, dst)
	cache.add(p, k, r, dst[n:])
	return dst
}

// finalPiece is the piece a symbol w whose lookup gave id ends up as.
func (b *Model) finalPiece(w []byte, id int32, r *Rules) seg.Piece {
	if !r.allowed(id) {
		id = -1
	}
	return seg.Piece{ID: b.pieceID(w, id), Len: int32(len(w))}
}

// pairSet returns the character pairs of the vocabulary, building them on
// first use.
func (b *Model) pairSet() *pairSet {
	b.pairsOnce.Do(func() {
		if b.tables != nil {
			if s, err := unmarshalPairSet(b.tables.pairs); err == nil {
				b.pairs = s
				return
			}
		}
		b.pairs = newPairSet(b.v)
	})
	return b.pairs
}

// wholePiece reports whether segmenting the text of piece id gives back
// that one piece.
func (b *Model) wholePiece(sc *Scratch, id int32, r *Rules) bool {
	if r.whole != nil {
		return r.whole[id>>3]>>(id&7)&1 != 0
	}
	word, shift := &r.memo[id/16], uint(id%16)*2
	if m := word.Load() >> shift; m&2 != 0 {
		return m&1 != 0
	}
	sc.memo = b.segment(sc, utf8x.Bytes(b.v.Piece(id)), r, false, sc.memo[:0])
	one := len(sc.memo) == 1
	bits := uint32(2)
	if one {
		bits = 3
	}
	word.Or(bits << shift)
	return one
}

// symbol is a piece of a segment while merging. Long segments have one a
// byte, so it is kept small.
type symbol struct {
	start, end int32 // the symbol's text is s[start:end]; empty once merged away
	prev, next int32
	id         int32 // the piece s[start:end] is, or -1
	// pair is the piece this symbol and the next make, or -1, or frozenPair
	// for a user-defined piece, which never merges.
	pair int32
}

const frozenPair = -2

func (sy *symbol) frozen() bool { return sy.pair == frozenPair }

// charID looks up the piece that the single character c is, or -1. ASCII
// is answered from a table made with the model; the rest by wideCharID.
func (b *Model) charID(c []byte) int32 {
	if c[0] < utf8.RuneSelf {
		return b.ascii[c[0]]
	}
	return b.wideCharID(c)
}

// wideCharID is charID for a character beyond ASCII. Most are in the
// Basic Multilingual Plane; their answers are kept in a table shared by
// all encodings, filled as they are met.
func (b *Model) wideCharID(c []byte) int32 {
	r, _ := utf8x.DecodeChar(c)
	if r >= 1<<16 || (r == utf8.RuneError && len(c) != 3) {
		return b.v.LookupBytes(c)
	}
	return b.bmpID(r, c)
}

// runeID is charID for c, a character that decoding gave as r, which
// need not be decoded again unless it is utf8.RuneError.
func (b *Model) runeID(r rune, c []byte) int32 {
	if r == utf8.RuneError || r >= 1<<16 || c[0] < utf8.RuneSelf {
		return b.charID(c)
	}
	return b.bmpID(r, c)
}

// knownRune returns what runeID returns for a character that decodes as
// r, and true, when r is ASCII or a character of the Basic Multilingual
// Plane that bmpID has met, other than utf8.RuneError (which malformed
// bytes decode as too); else false.
func (b *Model) knownRune(r rune) (int32, bool) {
	if r < utf8.RuneSelf {
		return b.ascii[r], true
	}
	if r >= 1<<16 || r == utf8.RuneError {
		return 0, false
	}
	if page := b.chars[r>>charPageBits].Load(); page != nil {
		v := page[r&(1<<charPageBits-1)].Load()
		return v - 2, v != 0
	}
	return 0, false
}

// bmpID is wideCharID for c, the character r of the Basic Multilingual
// Plane (or malformed bytes that decode as utf8.RuneError, three of them).
func (b *Model) bmpID(r rune, c []byte) int32 {
	page := b.chars[r>>charPageBits].Load()
	if page == nil {
		page = new(charPage)
		clear(page[:]) // see written
		if !b.chars[r>>charPageBits].CompareAndSwap(nil, page) {
			page = b.chars[r>>charPageBits].Load()
		}
	}
	e := &page[r&(1<<charPageBits-1)]
	if v := e.Load(); v != 0 {
		return v - 2
	}
	id := b.v.LookupBytes(c)
	e.Store(id + 2)
	return id
}

// scoreKey maps scores to integers that sort the best score first.
func scoreKey(score float32) uint64 {
	if score == 0 {
		score = 0 // -0 ties with 0, as in a float comparison
	}
	bits := math.Float32bits(score)
	if bits&(1<<31) != 0 {
		bits = ^bits
	} else {
		bits |= 1 << 31
	}
	return uint64(^bits)
}

// shortWord is the number of characters up to which segmentShort is used,
// as many as a word of bits holds: scanning up to 64 pairs for the best
// still beats a heap (minified code, whose parts run long, encodes 15%
// faster than with 24).
const shortWord = 64

// segment runs the BPE merge loop over s and appends the resulting pieces
// to dst. With freeze, user-defined pieces are matched first and never
// merged.
func (b *Model) segment(sc *Scratch, s []byte, r *Rules, freeze bool, dst []seg.Piece) []seg.Piece {
	if !freeze && !b.unused {
		if len(s) <= 4*shortWord {
			if dst, ok := b.segmentShort(sc, s, r, dst); ok {
				return dst
			}
		}
		if len(s) >= runsMinLen {
			if dst, ok := b.segmentRuns(sc, s, r, dst); ok {
				return dst
			}
		}
	}
	// Sized once: growing a long segment's symbols by appending would copy
	// them over and over.
	syms := slices.Grow(sc.syms[:0], utf8.RuneCountInString(utf8x.String(s)))
	for i := 0; i < len(s); {
		l, k := 0, -1
		if freeze {
			l, k = r.matcher.Match(utf8x.String(s[i:]))
		}
		frozen := l > 0
		var id int32
		if frozen {
			id = r.matched[k]
		} else {
			l = min(int(utf8x.CharLen[s[i]>>4]), len(s)-i)
			id = b.charID(s[i : i+l])
		}
		n := int32(len(syms))
		sy := symbol{start: int32(i), end: int32(i + l), prev: n - 1, next: n + 1, id: id, pair: -1}
		if frozen {
			sy.pair = frozenPair
		}
		syms = append(syms, sy)
		i += l
	}
	syms[len(syms)-1].next = -1
	sc.syms = syms

	var rev map[string][2]string
	if b.unused || r.respell != nil {
		rev = make(map[string][2]string)
	}
	h := &sc.agenda
	h.reset(len(syms))
	for i := range int32(len(syms) - 1) {
		b.updatePair(sc, s, i, r, rev)
	}
	for l := h.best(); l >= 0; l = h.best() {
		left := &syms[l]
		right := &syms[left.next]
		h.remove(left.next)
		left.end, left.id, left.next = right.end, left.pair, right.next
		if right.next >= 0 {
			syms[right.next].prev = l
		}
		if left.prev >= 0 {
			b.updatePair(sc, s, left.prev, r, rev)
		}
		b.updatePair(sc, s, l, r, rev)
	}
	for i := int32(0); i != -1; i = syms[i].next {
		sy := &syms[i]
		p := s[sy.start:sy.end]
		id := sy.id
		if !sy.frozen() && !r.allowed(id) {
			id = -1
		}
		id = b.pieceID(p, id)
		if rev != nil && b.resegments(id, r) {
			dst = b.resegment(p, id, r, rev, dst)
			continue
		}
		dst = append(dst, seg.Piece{ID: id, Len: sy.end - sy.start})
	}
	return dst
}

// segmentShort is segment for a word of at most shortWord characters
// without user-defined pieces, in a model without unused pieces. It keeps
// its symbols in shortSyms, where bit sets stand for the links: a fresh
// word of Telugu or Thai text merges a few symbols, and following and
// updating links, symbol structs and a heap cost more than the merges'
// lookups. It reports false, doing nothing, when the word is longer.
func (b *Model) segmentShort(sc *Scratch, s []byte, r *Rules, dst []seg.Piece) ([]seg.Piece, bool) {
	w := &sc.short
	n := b.shortChars(w, s)
	if n > shortWord {
		return dst, false
	}
	w.s = s
	alive := b.mergeShort(sc, n, r)
	// finalPiece, with the usual case, a piece, inlined; dst is given room
	// for all the pieces at once.
	if cap(dst)-len(dst) < shortWord {
		dst = slices.Grow(dst, shortWord)
	}
	for m := alive; m != 0; {
		i := bits.TrailingZeros64(m)
		m &= m - 1
		start, end := w.pos[i], w.pos[min(bits.TrailingZeros64(m), shortWord)]
		if id := w.id[i]; r.allowed(id) {
			dst = append(dst, seg.Piece{ID: b.v.Preferred(id), Len: int32(end - start)})
		} else {
			dst = append(dst, b.finalPiece(s[start:end], id, r))
		}
	}
	return dst, true
}

// shortChars puts the characters of s, their offsets and the pieces they
// are, into w, and returns their number, or shortWord + 1 when s has more.
// It and mergeShort are apart from segmentShort so that few values live
// through their loops: they kept the registers and were saved and loaded
// again at every step.
func (b *Model) shortChars(w *shortSyms, s []byte) int {
	i := 0
	for n := 0; n < shortWord; n++ {
		if i >= len(s) {
			w.pos[n], w.pos[shortWord] = uint16(len(s)), uint16(len(s))
			return n
		}
		w.pos[n] = uint16(i)
		c := s[i]
		if c < utf8.RuneSelf {
			w.id[n] = b.ascii[c]
			i++
			continue
		}
		// Characters of two and three bytes, those of most scripts, are
		// found by their bytes in w.chars, without decoding them.
		if c >= 0xE0 {
			if i+3 <= len(s) {
				x := load3(s[i : i+3])
				if e := w.chars[x>>16&0x3F|x>>2&0xC0]; uint32(e>>32) == x {
					w.id[n] = int32(e)
					i += 3
					continue
				}
			}
		} else if i+2 <= len(s) {
			x := load2(s[i : i+2])
			if e := w.chars[x>>8&0x3F|x<<6&0xC0]; uint32(e>>32) == x {
				w.id[n] = int32(e)
				i += 2
				continue
			}
		}
		l := min(int(utf8x.CharLen[c>>4]), len(s)-i)
		id := b.charID3(s[i : i+l])
		w.id[n] = id
		w.remember(s[i:i+l], id)
		i += l
	}
	if i < len(s) {
		return shortWord + 1
	}
	w.pos[shortWord] = uint16(len(s))
	return shortWord
}

// mergeShort merges the n symbols that shortChars put into sc.short for
// sc.short.s, and returns the bit set of the symbols left. The word is
// read from sc.short, only for the pairs that miss the pair cache, so that
// the loops do not keep it in registers.
func (b *Model) mergeShort(sc *Scratch, n int, r *Rules) uint64 {
	w := &sc.short
	// live has a bit for each symbol, at its first character, that makes
	// a piece with the next. The pair cache's answers are taken here,
	// inlined, and pairMiss called for the rest: a call for each pair cost
	// a third of the merging.
	live := uint64(0)
	n = min(n, shortWord)
	// key is the smallest key of the pairs in live, that of the best
	// pair, the leftmost on ties as in the C++, as a key holds the
	// symbol's index below the merge's: taken as the pairs are looked up
	// first, and then by a scan after each merge.
	key := ^uint64(0)
	for j := 1; j < n; j++ {
		var id int32
		i := j - 1
		if x := sc.pairs.entry(w.id[i], w.id[j]); x <= pairIDMask {
			id = int32(x) - 1
		} else {
			id = b.pairMiss(sc, w.s, int(w.pos[i]), int(w.pos[j+1]), w.id[i], w.id[j])
		}
		if r.allowed(id) {
			k := b.mergeKey(id)<<6 | uint64(i)
			w.pair[i], w.key[i] = id, k
			key = min(key, k)
			live |= bit(i)
		}
	}
	// alive has a bit for each symbol left.
	alive := uint64(1)<<n - 1
	if n == shortWord {
		alive = ^uint64(0)
	}
	for live != 0 {
		best := int(key & 63)
		// best takes in the symbol after it; its pairs with the symbols
		// now around it are worked out again.
		after := alive &^ (bit(best)<<1 - 1)
		gone := after & -after
		after ^= gone
		alive ^= gone
		live &^= bit(best) | gone
		w.id[best] = w.pair[best]
		next := bits.TrailingZeros64(after)
		if next < shortWord {
			var id int32
			if x := sc.pairs.entry(w.id[best], w.id[next]); x <= pairIDMask {
				id = int32(x) - 1
			} else {
				end := w.pos[min(bits.TrailingZeros64(after&(after-1)), shortWord)]
				id = b.pairMiss(sc, w.s, int(w.pos[best]), int(end), w.id[best], w.id[next])
			}
			if r.allowed(id) {
				w.pair[best], w.key[best] = id, b.mergeKey(id)<<6|uint64(best)
				live |= bit(best)
			}
		}
		if before := alive & (bit(best) - 1); before != 0 {
			prev := 63 - bits.LeadingZeros64(before)
			live &^= bit(prev)
			var id int32
			if x := sc.pairs.entry(w.id[prev], w.id[best]); x <= pairIDMask {
				id = int32(x) - 1
			} else {
				id = b.pairMiss(sc, w.s, int(w.pos[prev]), int(w.pos[min(next, shortWord)]), w.id[prev], w.id[best])
			}
			if r.allowed(id) {
				w.pair[prev], w.key[prev] = id, b.mergeKey(id)<<6|uint64(prev)
				live |= bit(prev)
			}
		}
		if live != 0 {
			key = w.key[bits.TrailingZeros64(live)]
			for m := live & (live - 1); m != 0; m &= m - 1 {
				key = min(key, w.key[bits.TrailingZeros64(m)])
			}
		}
	}
	return alive
}

// load2 and load3 return the first two and three bytes of b as a
// little-endian word, with one bounds check, not one a byte.
func load2(b []byte) uint32 {
	_ = b[1]
	return uint32(b[0]) | uint32(b[1])<<8
}

func load3(b []byte) uint32 {
	_ = b[2]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
}

// bit returns the word with bit i set, for 0 <= i < 64; unlike 1 << i,
// without the test for a shift by more.
func bit(i int) uint64 { return 1 << (i & 63) }

// shortSyms holds the symbols of segmentShort, by the index of their first
// character: where each starts in the word (and, after the last, where it
// ends, also at shortWord), the piece it is, and the piece it makes with
// the next one and that merge's key over the symbol's index.
type shortSyms struct {
	s    []byte // the word
	pos  [shortWord + 1]uint16
	id   [shortWord]int32
	pair [shortWord]int32
	key  [shortWord]uint64
	// chars holds characters of two and three bytes met and the pieces
	// they are, as their bytes (load2, load3) over the id, at the slot of
	// their last six bits and two before: the text of a script takes
	// its characters from few blocks of 256, and Model.chars costs a
	// decoding and two loads more.
	chars [256]uint64
}

// remember puts c, a character whose piece is id, into w.chars if it is
// valid and of two or three bytes.
func (w *shortSyms) remember(c []byte, id int32) {
	if _, size := utf8.DecodeRune(c); size != len(c) {
		return // malformed: decoding takes one byte
	}
	switch len(c) {
	case 2:
		x := load2(c)
		w.chars[x>>8&0x3F|x<<6&0xC0] = uint64(x)<<32 | uint64(uint32(id))
	case 3:
		x := load3(c)
		w.chars[x>>16&0x3F|x>>2&0xC0] = uint64(x)<<32 | uint64(uint32(id))
	}
}

// mergeKey orders merges of piece id: the smaller key merges first, as
// the higher rank does.
func (b *Model) mergeKey(id int32) uint64 {
	if b.rankByID {
		return uint64(uint32(id))
	}
	return scoreKey(b.v.Score(id))
}

// charID3 is charID for c, a character beyond ASCII, with the usual
// cases, valid characters of two and three bytes whose page is made and
// whose answer is known, decoded and answered here.
func (b *Model) charID3(c []byte) int32 {
	var r rune
	switch {
	case len(c) == 3 && c[0]&0xF0 == 0xE0 && c[1]&0xC0 == 0x80 && c[2]&0xC0 == 0x80:
		r = rune(c[0]&0x0F)<<12 | rune(c[1]&0x3F)<<6 | rune(c[2]&0x3F)
		if r < 0x800 || r >= 0xD800 && r <= 0xDFFF {
			return b.wideCharID(c)
		}
	case len(c) == 2 && c[0]&0xE0 == 0xC0 && c[0] >= 0xC2 && c[1]&0xC0 == 0x80:
		r = rune(c[0]&0x1F)<<6 | rune(c[1]&0x3F)
	default:
		return b.wideCharID(c)
	}
	if page := b.chars[r>>charPageBits].Load(); page != nil {
		if v := page[r&(1<<charPageBits-1)].Load(); v != 0 {
			return v - 2
		}
	}
	return b.wideCharID(c)
}

// pairID returns the piece that symbols sl and sr, adjacent in s, make
// together, or -1.
func (b *Model) pairID(sc *Scratch, s []byte, sl, sr *symbol) int32 {
	return b.pairOf(sc, s, int(sl.start), int(sr.end), sl.id, sr.id)
}

// pairOf returns the piece that s[start:end], the text of two adjacent
// symbols, pieces l and r (or -1), makes, or -1. The same pairs come back
// again and again: the pair cache answers them here, without a call,
// without hashing the text.
func (b *Model) pairOf(sc *Scratch, s []byte, start, end int, l, r int32) int32 {
	if x := sc.pairs.entry(l, r); x <= pairIDMask {
		return int32(x) - 1
	}
	return b.pairMiss(sc, s, start, end, l, r)
}

// pairMiss is pairOf for a pair that the pair cache does not hold: the
// merge table, larger and further from the processor, answers it, or else
// the vocabulary. A pair of Gemma's text misses the cache one time in six,
// so the merge table's lookup and the cache's store are inlined.
func (b *Model) pairMiss(sc *Scratch, s []byte, start, end int, l, r int32) int32 {
	k, ok := pairCacheKey(l, r)
	if !ok {
		return b.v.LookupBytes(s[start:end])
	}
	id := int32(-1)
	if t := &b.merges; t.slots == nil {
		id = b.v.LookupBytes(s[start:end])
	} else if t.passes(k) {
		id = t.find(k)
	}
	sc.pairs.ready()
	sc.pairs.put(k, id)
	return id
}

// updatePair puts on the agenda, or takes off it, the pair that symbol l
// makes with the next one, as it now stands.
func (b *Model) updatePair(sc *Scratch, s []byte, l int32, rules *Rules, rev map[string][2]string) {
	sl := &sc.syms[l]
	if sl.next < 0 || sl.frozen() || sc.syms[sl.next].frozen() {
		sc.agenda.remove(l)
		return
	}
	sr := &sc.syms[sl.next]
	id := b.pairID(sc, s, sl, sr)
	if !rules.allowed(id) {
		sc.agenda.remove(l)
		return
	}
	sl.pair = id
	sc.agenda.set(scoreKey(b.rank(id))<<32 | uint64(uint32(l)))
	if rev != nil && b.resegments(id, rules) {
		rev[string(s[sl.start:sr.end])] = [2]string{string(s[sl.start:sl.end]), string(s[sr.start:sr.end])}
	}
}

// resegment splits an unused piece p back into the pair it was last seen
// made of, recursively, as the C++ does; and so a piece that rules r
// respell, which comes out unknown where no pair made it.
func (b *Model) resegment(p []byte, id int32, r *Rules, rev map[string][2]string, dst []seg.Piece) []seg.Piece {
	if b.resegments(id, r) {
		if halves, ok := rev[string(p)]; ok {
			mid := len(halves[0])
			left, _ := b.v.ID(halves[0])
			right, _ := b.v.ID(halves[1])
			dst = b.resegment(p[:mid], left, r, rev, dst)
			return b.resegment(p[mid:], right, r, rev, dst)
		}
		if r.respell != nil && r.respell[id] {
			id = b.v.Unk()
		}
	}
	return append(dst, seg.Piece{ID: id, Len: int32(len(p))})
}
