package unigram

import (
	"bytes"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
)

// nbestTexts returns lines of every corpus file for the n-best tests: the
// first per lines of each file, at most 300 bytes long.
func nbestTexts(t *testing.T, per int) [][]byte {
	var texts [][]byte
	for _, f := range modeltest.Corpus(t) {
		k := 0
		for _, l := range bytes.Split(modeltest.Normalize(f.Text), []byte("\n")) {
			if len(l) == 0 || len(l) > 300 {
				continue
			}
			texts = append(texts, l)
			if k++; k == per {
				break
			}
		}
	}
	return texts
}

// TestNBestOracle compares NBest with the C++'s NBestEncode for n = 1...10:
// the same paths in the same order with the same scores.
func TestNBestOracle(t *testing.T) {
	for _, name := range unigramModels {
		m, v := newModel(t, name)
		texts := nbestTexts(t, 12)
		texts = append(texts, []byte("▁▁▁▁▁▁▁▁"), []byte("aaaaaaaaaaaaaaaaaaaaaa"), []byte("<mask><mask>"), []byte("x"))
		checked := 0
		for n := 1; n <= 10; n++ {
			want := modeltest.Get(t).NBest(t, modeltest.ModelPath(name), texts, n)
			bad := 0
			for i, text := range texts {
				if got := m.NBest(text, n, nil); !sameNBest(v, text, got, want[i]) {
					if bad++; bad <= 2 {
						t.Errorf("%s n=%d %q:\n got %v\nwant %v", name, n, text, got, want[i])
					}
				}
				checked++
			}
		}
		t.Logf("%s: %d n-best lists identical", name, checked)
	}
}

// TestNBestLongOracle runs NBest on texts long enough that the agenda
// reaches 10,000 hypotheses and is cut back, where ties among the kept
// entries follow libstdc++'s heap.
func TestNBestLongOracle(t *testing.T) {
	m, v := newModel(t, "uni8k")
	var texts [][]byte
	for _, f := range modeltest.Corpus(t) {
		if f.Name == "en.txt" || f.Name == "ja.txt" || f.Name == "adversarial/run_a_1MiB.txt" || f.Name == "adversarial/mixed_scripts_long_line.txt" {
			norm := modeltest.Normalize(f.Text)
			texts = append(texts, modeltest.Prefix(norm, 3000), modeltest.Prefix(norm, 12000))
		}
	}
	for _, n := range []int{2, 7} {
		want := modeltest.Get(t).NBest(t, modeltest.ModelPath("uni8k"), texts, n)
		for i, text := range texts {
			if got := m.NBest(text, n, nil); !sameNBest(v, text, got, want[i]) {
				t.Errorf("n=%d text %d (%d bytes): n-best differs", n, i, len(text))
			}
		}
	}
}
