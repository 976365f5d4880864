package normalize

import (
	"os"
	"path/filepath"
	"testing"
)

// Benchmarks: go test -run=^$ -bench=Normalize ./tokenizer/internal/normalize
// BenchmarkNormalize normalizes each test corpus file whole with the 8k
// nmt_nfkc model's normalizer (the big model's charsmap is the same), as a
// fresh Encode does: without offsets, and with them for spans.
func BenchmarkNormalize(b *testing.B) {
	n := modelNormalizer(b, "unigram8k_nmt_nfkc.model")
	for _, file := range []string{"ar", "code", "de", "en", "hi", "ja", "ko", "multi", "ru", "te", "th", "vi", "zh"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "corpus", file+".txt"))
		if err != nil {
			b.Fatal(err)
		}
		text := string(data)
		for _, spans := range []bool{false, true} {
			name := file
			if spans {
				name += "/offsets"
			}
			b.Run(name, func(b *testing.B) {
				dst := make([]byte, 0, 2*len(text))
				var offs []int32
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for range b.N {
					if spans {
						offs = offs[:0]
						dst = n.Normalize(dst[:0], &offs, text, Whole)
					} else {
						dst = n.Normalize(dst[:0], nil, text, Whole)
					}
				}
			})
		}
	}
}
