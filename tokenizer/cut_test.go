package tokenizer

import (
	"math/rand"
	"os"
	"testing"
)

// TestSafeCut cuts corpus texts where SafeCut says and checks that the
// parts' ids, joined, are the ids of the whole.
func TestSafeCut(t *testing.T) {
	tok := defaultTokenizer(t)
	rng := rand.New(rand.NewSource(1))
	cuts := 0
	for _, path := range corpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if len(text) > 200_000 {
			text = text[:200_000]
		}
		whole := tok.Encode(text)
		for k := 0; k < 20; k++ {
			end := rng.Intn(len(text)) + 1
			n := tok.SafeCut(text[:end])
			if n < 0 || n >= max(end, 1) {
				t.Fatalf("%s: SafeCut of %d bytes = %d", path, end, n)
			}
			if n == 0 {
				continue
			}
			cuts++
			left, right := tok.Encode(text[:n]), tok.Encode(text[n:])
			if len(left)+len(right) != len(whole) {
				t.Errorf("%s: cut at %d: %d+%d tokens, whole %d", path, n, len(left), len(right), len(whole))
				continue
			}
			for i, id := range append(left, right...) {
				if id != whole[i] {
					t.Errorf("%s: cut at %d: id %d differs", path, n, i)
					break
				}
			}
		}
	}
	if cuts < 100 {
		t.Errorf("only %d cuts found", cuts)
	}
}

func TestSafeCutRejects(t *testing.T) {
	tok := defaultTokenizer(t)
	for _, tc := range []struct {
		text string
		want int
	}{
		{"", 0},
		{"abc", 0},
		{"a  ", 1},            // not inside a run of spaces
		{"a\n\n", 0},          // not inside a run of newlines
		{"a\nb", 2},           // after a newline
		{"ab c", 2},           // before a space
		{"\u2581\u2581 x", 0}, // the space would extend a U+2581 run piece
	} {
		if got := tok.SafeCut(tc.text); got != tc.want {
			t.Errorf("SafeCut(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}
