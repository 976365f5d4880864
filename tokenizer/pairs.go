package tokenizer

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

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
// for the embedded model it is read from gemma2_pairs.bin, made from that
// model by TestEmbeddedTables.
type pairSet struct {
	// Pairs of ASCII characters, and U+2581 followed by one, are most of
	// the vocabulary's; they are kept in bitsets, the others hashed.
	ascii      [128 * 128 / 64]uint64
	spaceASCII [128 / 64]uint64
	slots      []uint64 // open addressing; 0 is empty
	mask       uint64
}

const spaceRune = '\u2581'

// setBit records the pair a, b in a bitset when it is one of the pairs
// kept there, and reports whether it was.
func (s *pairSet) setBit(a, b rune) bool {
	switch {
	case a < 128 && b < 128:
		s.ascii[(a<<7|b)>>6] |= 1 << ((a<<7 | b) & 63)
	case a == spaceRune && b < 128:
		s.spaceASCII[b>>6] |= 1 << (b & 63)
	default:
		return false
	}
	return true
}

func pairKey(a, b rune) uint64 { return uint64(a+1)<<32 | uint64(b+1) }

func pairSlot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> 20 }

func newPairSet(v *vocab.Vocab) *pairSet {
	s := &pairSet{slots: written[uint64](1 << 16), mask: 1<<16 - 1}
	n := 0
	for id := int32(0); id < int32(v.Size()); id++ {
		switch v.Type(id) {
		case vocab.Normal, vocab.Unused, vocab.UserDefined:
		default:
			continue
		}
		p := v.Piece(id)
		// Most pieces are ASCII, or U+2581 and then ASCII: their pairs go
		// to the bitsets without decoding.
		rest, spaced := strings.CutPrefix(p, spaceSymbol)
		if isASCII(rest) {
			if spaced && rest != "" {
				s.setBit(spaceRune, rune(rest[0]))
			}
			for i := 0; i+1 < len(rest); i++ {
				s.setBit(rune(rest[i]), rune(rest[i+1]))
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
			if !s.setBit(prev, r) && s.insert(pairKey(prev, r)) {
				if n++; 2*n > len(s.slots) {
					s.grow()
				}
			}
			prev = r
		}
	}
	return s
}

// insert adds k and reports whether it was new.
func (s *pairSet) insert(k uint64) bool {
	i := pairSlot(k) & s.mask
	for ; s.slots[i] != 0; i = (i + 1) & s.mask {
		if s.slots[i] == k {
			return false
		}
	}
	s.slots[i] = k
	return true
}

func (s *pairSet) grow() {
	old := s.slots
	s.slots = written[uint64](2 * len(old))
	s.mask = uint64(len(s.slots) - 1)
	for _, k := range old {
		if k != 0 {
			s.insert(k)
		}
	}
}

// has reports whether some piece holds character a followed by b.
func (s *pairSet) has(a, b rune) bool {
	switch {
	case a < 128 && b < 128:
		return s.ascii[(a<<7|b)>>6]&(1<<((a<<7|b)&63)) != 0
	case a == spaceRune && b < 128:
		return s.spaceASCII[b>>6]&(1<<(b&63)) != 0
	}
	k := pairKey(a, b)
	for i := pairSlot(k) & s.mask; ; i = (i + 1) & s.mask {
		switch s.slots[i] {
		case k:
			return true
		case 0:
			return false
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

// Tables derived from the embedded model, so that a Tokenizer of it need
// not build them: its pair set, and a bit a piece saying whether the piece
// segments into itself (the whole-piece memo of SentencePiece's rules).
// TestEmbeddedTables checks them against the model and remakes them.
var (
	//go:embed gemma2_pairs.bin
	gemma2Pairs []byte
	//go:embed gemma2_whole.bin
	gemma2Whole []byte
)

// Where the embedded model's pieces hold U+2581, as spacePlacement reports
// it: only at their start. Scanning for that takes a few milliseconds of
// each load.
const gemma2PrefixOnly, gemma2SuffixOnly = true, false

// gemma2RankByID is what scoresFallWithID says of the embedded model.
const gemma2RankByID = true

// marshal encodes the set: the two bitsets, then the hashed pairs in
// increasing order, all as little-endian uint64s.
func (s *pairSet) marshal() []byte {
	var keys []uint64
	for _, k := range s.slots {
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
	s := &pairSet{}
	for i := range s.ascii {
		s.ascii[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	for i := range s.spaceASCII {
		s.spaceASCII[i] = binary.LittleEndian.Uint64(b[8*(len(s.ascii)+i):])
	}
	keys := (len(b) - head) / 8
	n := 1 << 16
	for n < 2*keys {
		n <<= 1
	}
	s.slots, s.mask = written[uint64](n), uint64(n-1)
	for i := range keys {
		s.insert(binary.LittleEndian.Uint64(b[head+8*i:]))
	}
	return s, nil
}
