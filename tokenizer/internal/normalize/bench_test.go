package normalize

import (
	"os"
	"path/filepath"
	"testing"
)

// Benchmarks: go test -run=^$ -bench=Normalize ./tokenizer/internal/normalize
// BenchmarkNormalize normalizes each test corpus file whole with the 8k
// nmt_nfkc model's normalizer (the big model's charsmap is the same), as
// an Encode does: without offsets (ids/), and with them for spans
// (offsets/).
func BenchmarkNormalize(b *testing.B) {
	n := modelNormalizer(b, "unigram8k_nmt_nfkc.model")
	for _, mode := range []string{"ids", "offsets"} {
		b.Run(mode, func(b *testing.B) {
			for _, file := range []string{"ar", "code", "de", "en", "hi", "ja", "ko", "multi", "ru", "te", "th", "vi", "zh"} {
				data, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "corpus", file+".txt"))
				if err != nil {
					b.Fatal(err)
				}
				text := string(data)
				b.Run(file, func(b *testing.B) {
					dst := make([]byte, 0, 2*len(text))
					var offs []int32
					b.SetBytes(int64(len(text)))
					b.ReportAllocs()
					for range b.N {
						if mode == "offsets" {
							offs = offs[:0]
							dst = n.Normalize(dst[:0], &offs, text, Whole)
						} else {
							dst = n.Normalize(dst[:0], nil, text, Whole)
						}
					}
				})
			}
		})
	}
}
