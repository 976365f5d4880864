package unigram

import (
	"math/rand"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

// TestEncodeFrom checks EncodeFrom on normalized texts of runs of pieces
// and characters no piece holds: from the score 0 it segments as Encode
// does, and cut where Cuts.Together says that no piece crosses, the parts
// encoded in order, each from the score the one before ended with, give
// the pieces of the whole.
func TestEncodeFrom(t *testing.T) {
	for _, name := range unigramModels {
		m, v := newModel(t, name)
		c := NewCuts(v)
		if err := c.Err(); err != nil {
			t.Fatal(err)
		}
		alphabet := pieceAlphabet(v, "\u2581", "\u8a9e", "\U0001F600", "q")
		rng := rand.New(rand.NewSource(9))
		cuts := 0
		for range 300 {
			norm := []byte(testmodel.RandomText(rng, alphabet, 60))
			whole := m.Encode(nil, norm, nil)
			if got, _ := m.EncodeFrom(nil, norm, nil, 0); !slices.Equal(got, whole) {
				t.Fatalf("%s: EncodeFrom(%q, 0) = %v, Encode = %v", name, norm, got, whole)
			}
			var got []seg.Piece
			from, start := float32(0), 0
			for i := 1; i < len(norm); i++ {
				if !utf8.RuneStart(norm[i]) {
					continue
				}
				a, _ := utf8.DecodeLastRune(norm[:i])
				b, _ := utf8.DecodeRune(norm[i:])
				if c.Together(a, b) || rng.Intn(3) > 0 {
					continue
				}
				got, from = m.EncodeFrom(got, norm[start:i], nil, from)
				start = i
				cuts++
			}
			got, _ = m.EncodeFrom(got, norm[start:], nil, from)
			if !slices.Equal(got, whole) {
				t.Fatalf("%s: %q in parts: %v, whole %v", name, norm, got, whole)
			}
		}
		if cuts < 300 {
			t.Errorf("%s: only %d cuts", name, cuts)
		}
	}
}
