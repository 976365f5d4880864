package unigram

import (
	"math/rand"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

// tokens counts the tokens of pieces as the processor does (seg.Sink):
// an unknown piece is a token per byte under byte fallback, and otherwise
// one with the unknown pieces right before it.
func tokens(pieces []seg.Piece, unk int32, fallback bool) int {
	n := 0
	for i, p := range pieces {
		switch {
		case p.ID != unk:
			n++
		case fallback:
			n += int(p.Len)
		case i == 0 || pieces[i-1].ID != unk:
			n++
		}
	}
	return n
}

// TestFewestTokens checks FewestTokens on short texts of pieces and
// characters no piece holds, with and without byte fallback and a ban:
// it is the fewest tokens of the paths that NBest finds, all of them for
// texts this short, and no more than EncodeFrom gives from any score.
func TestFewestTokens(t *testing.T) {
	for _, name := range unigramModels {
		m, v := newModel(t, name)
		var alphabet []string
		for id := range int32(min(v.Size(), 400)) {
			alphabet = append(alphabet, v.Piece(id))
		}
		alphabet = append(alphabet, "\u2581", "\u8a9e", "\U0001F600", "q", "\xff")
		ban := make([]bool, v.Size())
		for id := range ban {
			ban[id] = id%7 == 0
		}
		rng := rand.New(rand.NewSource(11))
		fewer := 0
		for range 400 {
			norm := []byte(testmodel.RandomText(rng, alphabet, 4))
			if len(norm) > 12 {
				continue
			}
			for _, b := range [][]bool{nil, ban} {
				paths := m.NBest(norm, maxNBest, b)
				for _, fallback := range []bool{false, true} {
					got := m.FewestTokens(norm, b, fallback)
					least := len(norm) + 1
					for _, p := range paths {
						least = min(least, tokens(p.Pieces, m.unk, fallback))
					}
					if len(paths) < maxNBest && got != least {
						t.Fatalf("%s: FewestTokens(%q, fallback %v) = %d, the n-best paths' fewest %d", name, norm, fallback, got, least)
					}
					for _, from := range []float32{0, -1e3, -12345.678, -3e6} {
						ps, _ := m.EncodeFrom(nil, norm, b, from)
						if k := tokens(ps, m.unk, fallback); k < got {
							t.Fatalf("%s: %q from %g: %d tokens, fewer than FewestTokens' %d", name, norm, from, k, got)
						} else if k > got {
							fewer++
						}
					}
				}
			}
		}
		t.Logf("%s: %d encodings took more than the fewest tokens", name, fewer)
	}
}
