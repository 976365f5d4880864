package tokenizer

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// Benchmarks per corpus file, for quick profiling:
//
//	go test -run '^$' -bench 'Encode/en$' -cpuprofile cpu.prof ./tokenizer
//
// The side-by-side comparison with the references is go run ./bench.
//
// Most of these reuse one Tokenizer, so after the first iteration its word
// cache holds every word of the text: they give the harness's warm figures.
// BenchmarkEncodeFresh gives the figures the harness compares with the
// references, of a Tokenizer that has not seen the text (its building is
// not timed, but a CPU profile includes it).

// benchEachText runs bench as a sub-benchmark for every corpus file, named
// by its path under testdata/corpus without .txt, with the text's bytes
// set and allocations reported.
func benchEachText(b *testing.B, bench func(b *testing.B, text string)) {
	b.Helper()
	for _, path := range testmodel.CorpusFiles(b) {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		text := string(data)
		b.Run(strings.TrimSuffix(testmodel.CorpusName(path), ".txt"), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			bench(b, text)
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	tok := defaultTokenizer(b)
	benchEachText(b, func(b *testing.B, text string) {
		for b.Loop() {
			tok.Encode(text)
		}
	})
}

func BenchmarkEncodeFresh(b *testing.B) {
	benchEachText(b, func(b *testing.B, text string) {
		for range b.N {
			b.StopTimer()
			tok := newDefault(b)
			runtime.GC()
			b.StartTimer()
			tok.Encode(text)
		}
	})
}

// newDefault builds a Tokenizer of the embedded model as Default does, and
// readies it with a first Encode, which builds some tables.
func newDefault(b *testing.B) *Tokenizer {
	v, err := vocab.Parse(vocab.DefaultModel())
	if err != nil {
		b.Fatal(err)
	}
	tok, err := New(v)
	if err != nil {
		b.Fatal(err)
	}
	tok.Encode("Tokenization, naturally: 自然言語処理 — обработка 123.\n")
	return tok
}

func BenchmarkCount(b *testing.B) {
	tok := defaultTokenizer(b)
	benchEachText(b, func(b *testing.B, text string) {
		for b.Loop() {
			tok.Count(text)
		}
	})
}

// BenchmarkAppendEncode encodes into a slice with room for all ids, which
// should allocate nothing.
func BenchmarkAppendEncode(b *testing.B) {
	tok := defaultTokenizer(b)
	benchEachText(b, func(b *testing.B, text string) {
		dst := make([]int32, 0, len(text)+1) // at most one id per byte
		for b.Loop() {
			dst = tok.AppendEncode(dst[:0], text)
		}
	})
}

// BenchmarkDecode measures bytes of decoded text per second.
func BenchmarkDecode(b *testing.B) {
	tok := defaultTokenizer(b)
	benchEachText(b, func(b *testing.B, text string) {
		ids := tok.Encode(text)
		out, err := tok.AppendDecode(nil, ids)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(out)))
		for b.Loop() {
			if out, err = tok.AppendDecode(out[:0], ids); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoad builds the Tokenizer of the Gemma model: from the embedded
// bytes the way Default does (Default itself builds it once per process),
// and from the model file.
func BenchmarkLoad(b *testing.B) {
	b.Run("embedded", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v, err := vocab.Parse(vocab.DefaultModel())
			if err != nil {
				b.Fatal(err)
			}
			if _, err := New(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("file", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := LoadFile(oracleModel); err != nil {
				b.Fatal(err)
			}
		}
	})
}
