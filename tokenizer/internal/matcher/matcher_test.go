package matcher

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// TestMatcher compares Match with the longest of the pieces that a text
// starts with, found one piece at a time, on texts made of pieces, parts
// of them and other bytes.
func TestMatcher(t *testing.T) {
	// A piece given twice is reported by its first index; pieces share
	// prefixes with the one before, or are one of its prefixes.
	pieces := []string{"\n", "\n\n", "\n\n\n\n", "<b>", "<blockquote>", "<blo", "</b>", "▁▁", "▁▁▁", "\xff\xfe", "a", "<b>", "a"}
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
	frags := append([]string{"<", "<bl", "<blockq", "▁", "\xe2\x96", "\xff", "x", ""}, pieces...)
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
		longer := slices.ContainsFunc(pieces, func(p string) bool { return len(p) > len(s) && strings.HasPrefix(p, s) })
		if got := m.StartsLonger(s); got != longer {
			t.Fatalf("StartsLonger(%q) = %v, want %v", s, got, longer)
		}
	}
	if m.ValidUTF8 {
		t.Error("ValidUTF8 is set, but a piece is not UTF-8")
	}
}
