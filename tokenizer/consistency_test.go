package tokenizer

import (
	"os"
	"slices"
	"sync"
	"testing"
)

// freshTokenizer builds a new Tokenizer for the Gemma model, with memos
// that no other test has filled.
func freshTokenizer(t testing.TB) *Tokenizer {
	t.Helper()
	tok, err := New(defaultTokenizer(t).Vocab())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestSplitNoneAgrees checks the word splitting of the BPE model against
// the path that segments the text whole, as the C++ does: forced onto the
// Gemma model, it must give the same ids on the corpus.
func TestSplitNoneAgrees(t *testing.T) {
	fast := defaultTokenizer(t)
	if fast.model.split != splitBefore {
		t.Fatalf("the Gemma model splits with mode %d, want splitBefore", fast.model.split)
	}
	whole := freshTokenizer(t) // its model is its own to change
	whole.model.split = splitNone
	for _, path := range corpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The start of each file is enough; the adversarial runs are long.
		text := string(data[:min(len(data), 100<<10)])
		if got, want := whole.Encode(text), fast.Encode(text); !slices.Equal(got, want) {
			t.Errorf("%s: %s", corpusName(path), diffAt(got, want))
		}
	}
}

// TestConcurrentEncode encodes the corpus from many goroutines at once
// with a Tokenizer whose memos start empty, so that they are filled
// concurrently, and checks the ids against sequential encoding. Run it with
// -race.
func TestConcurrentEncode(t *testing.T) {
	texts := generalTexts(t)
	want := make([][]int32, len(texts))
	ref := defaultTokenizer(t)
	for i, nt := range texts {
		want[i] = ref.Encode(nt.text)
	}
	tok := freshTokenizer(t)
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan string, workers*len(texts))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker starts at a different text.
			for k := range texts {
				i := (k + w*len(texts)/workers) % len(texts)
				if got := tok.Encode(texts[i].text); !slices.Equal(got, want[i]) {
					errs <- texts[i].name + ": " + diffAt(got, want[i])
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
