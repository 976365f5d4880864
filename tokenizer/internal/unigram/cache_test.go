package unigram

import (
	"bytes"
	"slices"
	"sync"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// encodePlain is Encode without the word cache: the C++'s EncodeOptimized
// over the whole text.
func (m *Model) encodePlain(norm []byte) []seg.Piece {
	if len(norm) == 0 {
		return nil
	}
	return backtrack(nil, m.forward(nil, norm, nil, 0, nil))
}

// TestCacheEqualsPlain checks that Encode with its word cache gives the
// pieces of the plain Viterbi over every whole corpus file, over all of them
// one after another (where the path score grows past a million and words
// are cached for its binades) and line by line, twice (cold and warm), on
// the models where the cache applies.
func TestCacheEqualsPlain(t *testing.T) {
	paths := []string{modeltest.ModelPath("uni8k"), modeltest.SharedModel("unigram8k_nmt_nfkc")}
	var texts [][]byte
	var all []byte
	for _, f := range modeltest.Corpus(t) {
		norm := modeltest.Normalize(f.Text)
		texts = append(texts, norm)
		texts = append(texts, bytes.Split(norm, []byte("\n"))...)
		all = append(all, norm...)
	}
	texts = append(texts, all)
	for _, path := range paths {
		m, _ := loadModel(t, path)
		if !m.cuts {
			t.Fatalf("%s: the word cache does not apply", path)
		}
		for range 2 {
			for _, text := range texts {
				if got, want := m.Encode(nil, text, nil), m.encodePlain(text); !slices.Equal(got, want) {
					t.Fatalf("%s: %q: cached %v, plain %v", path, clip(text), clip(got), clip(want))
				}
			}
		}
		sc := m.get()
		binades := 0
		for _, s := range sc.words {
			if s.e != nil && s.e.exp != 0 {
				binades++
			}
		}
		t.Logf("%s: %d texts identical, %d words cached, %d of them for a binade", path, 2*len(texts), sc.nwords, binades)
		if binades == 0 {
			t.Error("no word cached for a binade")
		}
	}
}

// TestCacheRefuses checks that a cached word whose decisions are close is
// recomputed once the path score makes rounding coarse.
func TestCacheRefuses(t *testing.T) {
	e := &word{margin: 1e-3, mag: 50}
	if !e.safe(0, 10) {
		t.Error("margin 1e-3 refused at path score 0")
	}
	if e.safe(-1e6, 10) {
		t.Error("margin 1e-3 accepted at path score -1e6, whose ulp is 0.0625")
	}
	if (&word{margin: 0, mag: 1}).safe(-1, 1) {
		t.Error("a tie accepted")
	}
	if !(&word{margin: 0, mag: 1}).safe(0, 1) {
		t.Error("a tie refused at the score it was learnt from")
	}
	// A sum halfway between two float32s, and one just off it.
	for _, c := range []struct {
		sum float64
		tie bool
	}{{-4096 - 0x1p-12, true}, {-4096 - 0x1p-13, false}, {-4096 - 3*0x1p-12, true}, {-4096 - 0x1p-11, false}} {
		tr := tracker{binade: true}
		tr.reset(2, -4096)
		tr.see(1, c.sum, c.sum, -1, true)
		if tr.tie != c.tie {
			t.Errorf("sum %v: tie %v, want %v", c.sum, tr.tie, c.tie)
		}
	}
}

// TestConcurrentEncode encodes the lines of a corpus file from several
// goroutines sharing one Model (and its kept scratch buffers and caches)
// and checks each result against the plain Viterbi.
func TestConcurrentEncode(t *testing.T) {
	m, _ := newModel(t, "uni8k")
	var lines [][]byte
	for _, f := range modeltest.Corpus(t) {
		if f.Name == "en.txt" || f.Name == "ru.txt" {
			lines = append(lines, bytes.Split(modeltest.Normalize(f.Text), []byte("\n"))...)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			var dst []seg.Piece
			for i := g; i < len(lines); i += 2 {
				dst = m.Encode(dst[:0], lines[i], nil)
				if want := m.encodePlain(lines[i]); !slices.Equal(dst, want) {
					t.Errorf("goroutine %d, line %d: %v, want %v", g, i, dst, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestCacheRoom checks that a full cache refuses four times as many words
// as it holds, then starts afresh.
func TestCacheRoom(t *testing.T) {
	sc := newScratch()
	if !sc.room() {
		t.Fatal("an empty cache refused a word")
	}
	sc.words = make([]slot, minWords)
	sc.words[0] = slot{1, &word{}}
	sc.nwords = maxWords
	for i := range 4 * maxWords {
		if sc.room() {
			t.Fatalf("a full cache took a word after %d refusals", i)
		}
	}
	if !sc.room() || sc.nwords != 0 || sc.words[0].e != nil {
		t.Error("a full cache that refused four times its words did not start afresh")
	}
}
