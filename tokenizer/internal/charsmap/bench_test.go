package charsmap

import (
	"path/filepath"
	"testing"
)

// Benchmarks: go test -run=^$ -bench=. ./tokenizer/internal/charsmap
// Normalize applies nmt_nfkc to a whole corpus file, copying what
// Runs.Copy copies; PrefixOnly calls Prefix for every step, as a caller
// that must look at each character does.

func benchFile(b *testing.B, file string, untouched bool) {
	m := mustNew(b, "unigram8k_nmt_nfkc.model")
	text := readCorpus(b, filepath.Join(corpusDir, file), 0)
	runs := m.Runs(nil, false, false)
	dst := make([]byte, 0, 2*len(text))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if untouched {
			dst = runs.appendApply(dst[:0], text)
			continue
		}
		dst = dst[:0]
		for in := text; in != ""; {
			s, n := m.Prefix(in)
			dst = append(dst, s...)
			in = in[n:]
		}
	}
}

func BenchmarkNormalize(b *testing.B) {
	for _, f := range []string{"en.txt", "ja.txt", "multi.txt", "zh.txt", "ko.txt"} {
		b.Run(f, func(b *testing.B) { benchFile(b, f, true) })
	}
}

func BenchmarkPrefixOnly(b *testing.B) {
	for _, f := range []string{"en.txt", "ja.txt", "multi.txt"} {
		b.Run(f, func(b *testing.B) { benchFile(b, f, false) })
	}
}

// BenchmarkNew reads the nmt_nfkc charsmap (about 240 KB), as loading a
// model does.
func BenchmarkNew(b *testing.B) {
	blob := readModel(b, filepath.Join(modelsDir, "unigram8k_nmt_nfkc.model")).charsmap
	b.SetBytes(int64(len(blob)))
	b.ReportAllocs()
	for range b.N {
		if _, err := New(blob); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRuns builds the tables of Runs for nmt_nfkc, as loading a model
// does.
func BenchmarkRuns(b *testing.B) {
	m := mustNew(b, "unigram8k_nmt_nfkc.model")
	b.ReportAllocs()
	for range b.N {
		m.Runs(nil, true, true)
	}
}
