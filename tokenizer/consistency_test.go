package tokenizer

import (
	"slices"
	"sync"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
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

// TestConcurrentEncode encodes the corpus from many goroutines at once
// with a Tokenizer whose memos start empty, so that they are filled
// concurrently, and checks the ids against sequential encoding. Run it with
// -race.
func TestConcurrentEncode(t *testing.T) {
	texts := testmodel.GeneralTexts(t)
	want := make([][]int32, len(texts))
	ref := defaultTokenizer(t)
	for i, nt := range texts {
		want[i] = ref.Encode(nt.Text)
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
				if got := tok.Encode(texts[i].Text); !slices.Equal(got, want[i]) {
					errs <- texts[i].Name + ": " + testmodel.DiffAt(got, want[i])
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
