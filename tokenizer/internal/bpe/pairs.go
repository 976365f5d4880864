package bpe

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// pairSet holds every pair of adjacent characters found inside a piece. A
// merge joins two symbols into a piece, so between two characters that no
// piece holds side by side no merge can ever happen, and a word may be cut
// there and its parts segmented alone with the same result. Text without
// spaces (Chinese, Japanese, Thai) becomes short, repeating parts that way.
//
// Gemma's vocabulary has under 30,000 such pairs. Building the set takes
// a few milliseconds, so it is built the first time a long word needs it;
// for a built-in model it is read from a table generated from that model
// (see tables.go).
type pairSet struct {
	// Pairs of ASCII characters, and U+2581 followed by one, are most of
	// the vocabulary's; they are kept in bitsets, the others hashed. Pairs
	// of two characters of the Basic Multilingual Plane, nearly all the
	// rest, are keyed in 32 bits, which halves the table that text without
	// spaces probes at every character; 0, an ASCII pair, marks an empty slot.
	ascii      [128 * 128 / 64]uint64
	spaceASCII [128 / 64]uint64
	bmp        hashSet[uint32]
	wide       hashSet[uint64]
	// bmpFilter has the bit bmpFilterBit of each key of bmp set. About
	// half the characters of text without spaces end a part, and a clear
	// bit tells most of those from 32 KiB, which stays in the processor's
	// cache, instead of a probe of bmp, eight times as large.
	bmpFilter [1 << bmpFilterBits / 64]uint64
	// block holds, for each block of 256 characters of the Basic
	// Multilingual Plane with at least blockMinPairs pairs inside it, a
	// bitmap of those pairs (a bit for each, 8 KiB), else nil. An
	// alphabet (Thai, Telugu, Arabic, Cyrillic) lies in one block, and
	// the long words of its text are scanned pair by pair: a bit of one
	// bitmap, which stays in the processor's cache, answers each.
	block [256]*blockPairs
}

// blockPairs is the bitmap of the pairs of a block: bit b&255 of row a&255
// for the pair a, b.
type blockPairs [256 * 256 / 64]uint64

// blockMinPairs is the number of pairs from which a block has a bitmap:
// an alphabet has thousands, and the few pairs of scattered characters
// are not worth 8 KiB.
const blockMinPairs = 256

const bmpFilterBits = 18

// bmpFilterBit is the bit of bmpFilter for key k: the top bits of the
// product that hashSet.slot takes lower bits of.
func bmpFilterBit(k uint32) uint64 { return uint64(k) * 0x9E3779B97F4A7C15 >> (64 - bmpFilterBits) }

// hashSet is an open-addressing hash set of non-zero keys.
type hashSet[K uint32 | uint64] struct {
	slots []K
	n     int // keys held
}

func (t *hashSet[K]) slot(k K) int {
	return int((uint64(k) * 0x9E3779B97F4A7C15) >> 32 & uint64(len(t.slots)-1))
}

// has reports whether k is in t, which has room for some keys (see
// reserve), so that the probe needs no test for a table not yet made.
func (t *hashSet[K]) has(k K) bool {
	mask := len(t.slots) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		switch t.slots[i] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

// reserve makes room for n keys, keeping the table at most half full.
func (t *hashSet[K]) reserve(n int) {
	size := max(1<<10, len(t.slots))
	for 2*n > size {
		size *= 2
	}
	if size == len(t.slots) {
		return
	}
	old := t.slots
	t.slots, t.n = written[K](size), 0
	for _, k := range old {
		if k != 0 {
			t.insert(k)
		}
	}
}

// insert adds k.
func (t *hashSet[K]) insert(k K) {
	t.reserve(t.n + 1)
	mask := len(t.slots) - 1
	i := t.slot(k)
	for ; t.slots[i] != 0; i = (i + 1) & mask {
		if t.slots[i] == k {
			return
		}
	}
	t.slots[i] = k
	t.n++
}

// bmpKey and wideKey are the keys of pair a, b in the tables of pairs of
// the Basic Multilingual Plane and of the others. A wide key, offset by one
// so that no key is 0, is also the form the pairs are stored in.
func bmpKey(a, b rune) uint32  { return uint32(a)<<16 | uint32(b) }
func wideKey(a, b rune) uint64 { return uint64(a+1)<<32 | uint64(b+1) }

// add records the pair a, b.
func (s *pairSet) add(a, b rune) {
	switch {
	case a < 128 && b < 128:
		s.ascii[(a<<7|b)>>6] |= 1 << ((a<<7 | b) & 63)
	case a == seg.SpaceRune && b < 128:
		s.spaceASCII[b>>6] |= 1 << (b & 63)
	case a < 1<<16 && b < 1<<16:
		k := bmpKey(a, b)
		s.bmp.insert(k)
		f := bmpFilterBit(k)
		s.bmpFilter[f>>6] |= 1 << (f & 63)
	default:
		s.wide.insert(wideKey(a, b))
	}
}

// emptyPairSet returns a pair set with room in its tables, which has
// relies on.
func emptyPairSet() *pairSet {
	s := &pairSet{}
	s.bmp.reserve(0)
	s.wide.reserve(0)
	return s
}

func newPairSet(v *vocab.Vocab) *pairSet {
	s := emptyPairSet()
	for id := int32(0); id < int32(v.Size()); id++ {
		switch v.Type(id) {
		case vocab.Normal, vocab.Unused, vocab.UserDefined:
		default:
			continue
		}
		p := v.Piece(id)
		// Most pieces are ASCII, or U+2581 and then ASCII: their pairs go
		// to the bitsets without decoding.
		rest, spaced := strings.CutPrefix(p, seg.SpaceSymbol)
		if isASCII(rest) {
			if spaced && rest != "" {
				s.add(seg.SpaceRune, rune(rest[0]))
			}
			for i := 0; i+1 < len(rest); i++ {
				s.add(rune(rest[i]), rune(rest[i+1]))
			}
			continue
		}
		prev, size := utf8.DecodeRuneInString(p)
		for p = p[size:]; len(p) > 0; p = p[size:] {
			var r rune
			if c := p[0]; c < utf8.RuneSelf {
				r, size = rune(c), 1
			} else {
				r, size = utf8.DecodeRuneInString(p)
			}
			s.add(prev, r)
			prev = r
		}
	}
	var inside []uint32
	for _, k := range s.bmp.slots {
		if k != 0 && k>>24 == k>>8&0xFF {
			inside = append(inside, k)
		}
	}
	s.makeBlocks(inside)
	return s
}

// has reports whether some piece holds character a followed by b.
func (s *pairSet) has(a, b rune) bool {
	if has, ok := s.blockHas(a, b); ok {
		return has
	}
	switch {
	case a < 128 && b < 128:
		return s.ascii[(a<<7|b)>>6]&(1<<((a<<7|b)&63)) != 0
	case a == seg.SpaceRune && b < 128:
		return s.spaceASCII[b>>6]&(1<<(b&63)) != 0
	case a < 1<<16 && b < 1<<16:
		k := bmpKey(a, b)
		f := bmpFilterBit(k)
		return s.bmpFilter[f>>6]&(1<<(f&63)) != 0 && s.bmp.has(k)
	}
	return s.wide.has(wideKey(a, b))
}

// blockHas is has for a and b in one block with a bitmap (ok), and
// reports ok false for any other pair.
func (s *pairSet) blockHas(a, b rune) (has, ok bool) {
	hi := uint32(a) >> 8
	if hi != uint32(b)>>8 || hi >= 256 || s.block[hi] == nil {
		return false, false
	}
	return s.block[hi][(a&0xFF)<<2|(b&0xFF)>>6]&(1<<(b&63)) != 0, true
}

// makeBlocks gives the blocks with at least blockMinPairs pairs inside
// them their bitmaps, of all their pairs: inside, the keys in bmp of the
// pairs inside a block, each once, and, for the first block, the pairs in
// ascii.
func (s *pairSet) makeBlocks(inside []uint32) {
	var count [256]int
	for _, k := range inside {
		count[k>>24]++
	}
	for _, w := range s.ascii {
		count[0] += bits.OnesCount64(w)
	}
	for hi, n := range count {
		if n >= blockMinPairs {
			s.block[hi] = new(blockPairs)
		}
	}
	for _, k := range inside {
		if m := s.block[k>>24]; m != nil {
			a, b := k>>16&0xFF, k&0xFF
			m[a<<2|b>>6] |= 1 << (b & 63)
		}
	}
	if m := s.block[0]; m != nil {
		for i, w := range s.ascii {
			for ; w != 0; w &= w - 1 {
				ab := i<<6 | bits.TrailingZeros64(w) // a<<7 | b
				a, b := ab>>7, ab&127
				m[a<<2|b>>6] |= 1 << (b & 63)
			}
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// marshal encodes the set: the two bitsets, then the hashed pairs in
// increasing order, all as little-endian uint64s.
func (s *pairSet) marshal() []byte {
	var keys []uint64
	for _, k := range s.bmp.slots {
		if k != 0 {
			keys = append(keys, wideKey(rune(k>>16), rune(k&0xFFFF)))
		}
	}
	for _, k := range s.wide.slots {
		if k != 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]byte, 0, 8*(len(s.ascii)+len(s.spaceASCII)+len(keys)))
	for _, w := range s.ascii {
		out = binary.LittleEndian.AppendUint64(out, w)
	}
	for _, w := range s.spaceASCII {
		out = binary.LittleEndian.AppendUint64(out, w)
	}
	for _, k := range keys {
		out = binary.LittleEndian.AppendUint64(out, k)
	}
	return out
}

// unmarshalPairSet decodes what marshal encodes.
func unmarshalPairSet(b []byte) (*pairSet, error) {
	const head = 8 * (len(pairSet{}.ascii) + len(pairSet{}.spaceASCII))
	if len(b) < head || len(b)%8 != 0 {
		return nil, errors.New("tokenizer: malformed pair set")
	}
	s := emptyPairSet()
	for i := range s.ascii {
		s.ascii[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	for i := range s.spaceASCII {
		s.spaceASCII[i] = binary.LittleEndian.Uint64(b[8*(len(s.ascii)+i):])
	}
	// Sized at once: growing the table key by key would take longer than
	// the keys' insertion.
	s.bmp.reserve((len(b) - head) / 8)
	var inside []uint32
	for i := head; i < len(b); i += 8 {
		k := binary.LittleEndian.Uint64(b[i:])
		a, c := rune(k>>32)-1, rune(uint32(k))-1
		if a < 0 || c < 0 || a > utf8.MaxRune || c > utf8.MaxRune {
			return nil, errors.New("tokenizer: malformed pair set")
		}
		s.add(a, c)
		if a < 1<<16 && a>>8 == c>>8 && (a >= 128 || c >= 128) {
			inside = append(inside, bmpKey(a, c))
		}
	}
	s.makeBlocks(inside)
	return s, nil
}
