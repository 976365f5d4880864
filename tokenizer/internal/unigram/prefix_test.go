package unigram

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// TestLastPieces checks that following LastPieces back from an offset
// gives Encode's segmentation of the text up to there, at the end of
// every piece of the whole's segmentation and at random character ends,
// on every corpus file whole (where the path score grows large), with and
// without the user-defined pieces' model.
func TestLastPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"uni8k", "uniud"} {
		m, _ := newModel(t, name)
		var last []seg.Piece
		n := 0
		for _, f := range modeltest.Corpus(t) {
			norm := modeltest.Normalize(f.Text)
			if len(norm) > 64<<10 {
				norm = norm[:64<<10]
			}
			last = m.LastPieces(last, norm, nil)
			var ends []int
			for p := range norm {
				if p > 0 && last[p].Len > 0 && (rng.IntN(200) == 0 || p == len(norm)-1) {
					ends = append(ends, p)
				}
			}
			ends = append(ends, len(norm))
			for _, p := range ends {
				var got []seg.Piece
				for q := p; q > 0; q -= int(last[q].Len) {
					got = append(got, last[q])
				}
				slices.Reverse(got)
				if want := m.encodePlain(norm[:p]); !slices.Equal(got, want) {
					t.Fatalf("%s %s: prefix of %d bytes: LastPieces gives %v, Encode %v", name, f.Name, p, clip(got), clip(want))
				}
				n++
			}
		}
		t.Logf("%s: %d prefixes", name, n)
	}
}
