package tokenizer

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// TestMatcher compares match with the longest of the pieces that a text
// starts with, found one piece at a time, on texts made of pieces, parts
// of them and other bytes.
func TestMatcher(t *testing.T) {
	pieces := []string{"\n", "\n\n", "\n\n\n\n", "<b>", "<blockquote>", "</b>", "▁▁", "▁▁▁", "\xff\xfe", "a"}
	m := newMatcher(pieces)
	want := func(s string) (int, int) {
		n, k := 0, -1
		for i, p := range pieces {
			if strings.HasPrefix(s, p) && len(p) > n {
				n, k = len(p), i
			}
		}
		return n, k
	}
	frags := append([]string{"<", "<bl", "▁", "\xe2\x96", "\xff", "x", ""}, pieces...)
	rng := rand.New(rand.NewSource(1))
	for range 20000 {
		var b strings.Builder
		for range rng.Intn(5) {
			b.WriteString(frags[rng.Intn(len(frags))])
		}
		s := b.String()
		n, k := m.match(s)
		if wn, wk := want(s); n != wn || k != wk {
			t.Fatalf("match(%q) = %d, %d; want %d, %d", s, n, k, wn, wk)
		}
	}
	if m.validUTF8 {
		t.Error("validUTF8 is set, but a piece is not UTF-8")
	}
}

// TestUserPieceInsideSpace gives a user-defined piece the first two bytes
// of U+2581: the C++ matches it on the normalized text, inside the U+2581
// a space became, and the byte left over is unknown, which byte fallback
// spells (issue 20). With the identity normalizer that is Gemma's, also
// under the general normalizer that such a piece needs.
func TestUserPieceInsideSpace(t *testing.T) {
	m := gemmaProto(t)
	l := pieceList(t, m)
	const at = 97 + 7 // <unused97>
	if pieceText(t, l.Get(at).Message()) != "<unused97>" {
		t.Fatalf("piece %d is not <unused97>", at)
	}
	setField(t, l.Get(at).Message(), "\xe2\x96", "piece")
	tok := loadModel(t, m)
	v := tok.Vocab()
	a, b, x81, spaces := v.Lookup("a"), v.Lookup("b"), v.ByteID(0x81), v.Lookup("▁▁")
	for _, tc := range []struct {
		text string
		want []int32
	}{
		{"a b", []int32{a, at, x81, b}},
		{"a  b", []int32{a, spaces, b}}, // the longest piece wins
		{" ", []int32{at, x81}},
		{"a\xe2\x96b", []int32{a, at, b}}, // the piece matches in the input, too
	} {
		if got := tok.Encode(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Encode(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
