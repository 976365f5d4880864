package tokenizer

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// EncodeBatch encodes texts under opts on up to workers goroutines (all
// CPUs when workers <= 0) and returns their ids in the order of texts. When
// some texts fail it returns the error of the first of them, wrapped with
// its index.
func (t *Tokenizer) EncodeBatch(texts []string, opts EncodeOptions, workers int) ([][]int32, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(texts))
	out := make([][]int32, len(texts))
	errs := make([]error, len(texts))
	// Texts go to whichever worker is free, so a few long texts do not
	// hold up the rest.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(texts) {
					return
				}
				out[i], errs[i] = t.EncodeWith(texts[i], opts)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("text %d: %w", i, err)
		}
	}
	return out, nil
}
