package matcher

import (
	"math/rand"
	"strings"
	"testing"
)

// TestMatcher compares Match with the longest of the pieces that a text
// starts with, found one piece at a time, on texts made of pieces, parts
// of them and other bytes.
func TestMatcher(t *testing.T) {
	// A piece given twice is reported by its first index.
	pieces := []string{"\n", "\n\n", "\n\n\n\n", "<b>", "<blockquote>", "</b>", "▁▁", "▁▁▁", "\xff\xfe", "a", "<b>", "a"}
	m := New(pieces)
	want := func(s string) (int, int) {
		n, k := 0, -1
		for i, p := range pieces {
			if strings.HasPrefix(s, p) && len(p) > n { // the first of equal pieces
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
		n, k := m.Match(s)
		if wn, wk := want(s); n != wn || k != wk {
			t.Fatalf("match(%q) = %d, %d; want %d, %d", s, n, k, wn, wk)
		}
	}
	if m.ValidUTF8 {
		t.Error("ValidUTF8 is set, but a piece is not UTF-8")
	}
}
