package unigram

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// checkCovers fails t unless ps spell norm: lengths that add up, and known
// pieces whose text is the text they cover.
func checkCovers(t *testing.T, v *vocab.Vocab, norm []byte, ps []seg.Piece) {
	t.Helper()
	pos := 0
	for _, p := range ps {
		end := pos + int(p.Len)
		if p.Len <= 0 || end > len(norm) {
			t.Fatalf("%q: bad piece %v at %d", norm, p, pos)
		}
		if p.ID != v.Unk() && v.Piece(p.ID) != string(norm[pos:end]) {
			t.Fatalf("%q: piece %q covers %q", norm, v.Piece(p.ID), norm[pos:end])
		}
		pos = end
	}
	if pos != len(norm) {
		t.Fatalf("%q: pieces cover %d bytes", norm, pos)
	}
}

// TestSampleOracle draws 2,000 segmentations of each text from Sample and
// from the C++'s SampleEncode, with fixed seeds, and compares how often each
// segmentation comes out: for every segmentation seen, the two frequencies
// must agree within 4 standard deviations of their difference under the
// pooled frequency (plus 1/N, for segmentations seen once or twice).
func TestSampleOracle(t *testing.T) {
	const draws = 2000
	m, v := newModel(t, "uni8k")
	texts := []string{"▁hello▁world", "Schwierigkeiten", "unbelievable▁things", "▁автомобиль", "日本語のテキスト", "x"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		alpha float32
		nbest int
	}{{0.1, -1}, {0.5, -1}, {1, -1}, {0.2, 4}, {1, 10}, {0.05, 2}, {3, -1}} {
		for i, text := range texts {
			norm := []byte(text)
			want := modeltest.Get(t).Sample(t, modeltest.ModelPath("uni8k"), norm, c.alpha, c.nbest, draws, uint32(i+1))
			got := map[string]int{}
			var ps []seg.Piece
			for range draws {
				var err error
				ps, err = m.Sample(ps[:0], norm, c.alpha, c.nbest, rng, nil)
				if err != nil {
					t.Fatal(err)
				}
				checkCovers(t, v, norm, ps)
				ids, lens := modeltest.Split(ps)
				got[modeltest.SampleKey(modeltest.Spans(v, norm, ids, lens))]++
			}
			keys := map[string]bool{}
			for k := range got {
				keys[k] = true
			}
			for k := range want {
				keys[k] = true
			}
			var sorted []string
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				p, q := float64(got[k])/draws, float64(want[k])/draws
				pooled := (p + q) / 2
				sigma := math.Sqrt(2 * pooled * (1 - pooled) / draws)
				if math.Abs(p-q) > 4*sigma+1.0/draws {
					t.Errorf("alpha %v nbest %d %q: segmentation %s: %d of %d draws, the C++ %d", c.alpha, c.nbest, text, k, got[k], draws, want[k])
				}
			}
			if testing.Verbose() {
				t.Logf("alpha %v nbest %d %q: %d segmentations seen", c.alpha, c.nbest, text, len(keys))
			}
		}
	}
}

// TestSampleReproducible checks that a seed reproduces a run and that every
// sample of every mode spells its text.
func TestSampleReproducible(t *testing.T) {
	m, v := newModel(t, "uniud")
	text := modeltest.Normalize([]byte("The <mask> sat on the mat, [SEP] http://example.com walking▁▁running ☃ 東京"))
	run := func(seed uint64, nbest int) string {
		rng := rand.New(rand.NewPCG(seed, 0))
		var b bytes.Buffer
		for range 50 {
			ps, err := m.Sample(nil, text, 0.3, nbest, rng, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkCovers(t, v, text, ps)
			fmt.Fprintln(&b, ps)
		}
		return b.String()
	}
	for _, nbest := range []int{-1, 0, 1, 2, 64, 512} {
		if run(7, nbest) != run(7, nbest) {
			t.Errorf("nbest %d: the same seed gave different samples", nbest)
		}
	}
	if run(7, -1) == run(8, -1) {
		t.Error("different seeds gave the same 50 samples")
	}
	if _, err := m.Sample(nil, text, 0.3, 513, rand.New(rand.NewPCG(1, 1)), nil); err != ErrSampleNBest {
		t.Errorf("nbest 513: error %v, want ErrSampleNBest", err)
	}
	if ps, err := m.Sample(nil, nil, 0.3, -1, rand.New(rand.NewPCG(1, 1)), nil); err != nil || len(ps) != 0 {
		t.Errorf("empty text: %v, %v", ps, err)
	}
}
