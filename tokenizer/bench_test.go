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

// benchTexts returns every corpus file's name (its path under
// testdata/corpus without .txt) and text.
func benchTexts(b *testing.B) (names, texts []string) {
	b.Helper()
	for _, path := range testmodel.CorpusFiles(b) {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		names = append(names, strings.TrimSuffix(testmodel.CorpusName(path), ".txt"))
		texts = append(texts, string(data))
	}
	return names, texts
}

func BenchmarkEncode(b *testing.B) {
	tok := defaultTokenizer(b)
	names, texts := benchTexts(b)
	for i, text := range texts {
		b.Run(names[i], func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				tok.Encode(text)
			}
		})
	}
}

func BenchmarkEncodeFresh(b *testing.B) {
	names, texts := benchTexts(b)
	for i, text := range texts {
		b.Run(names[i], func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for range b.N {
				b.StopTimer()
				tok := newDefault(b)
				runtime.GC()
				b.StartTimer()
				tok.Encode(text)
			}
		})
	}
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
	names, texts := benchTexts(b)
	for i, text := range texts {
		b.Run(names[i], func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				tok.Count(text)
			}
		})
	}
}

// BenchmarkAppendEncode encodes into a slice with room for all ids, which
// should allocate nothing.
func BenchmarkAppendEncode(b *testing.B) {
	tok := defaultTokenizer(b)
	names, texts := benchTexts(b)
	for i, text := range texts {
		b.Run(names[i], func(b *testing.B) {
			dst := make([]int32, 0, len(text)+1) // at most one id per byte
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				dst = tok.AppendEncode(dst[:0], text)
			}
		})
	}
}

// BenchmarkDecode measures bytes of decoded text per second.
func BenchmarkDecode(b *testing.B) {
	tok := defaultTokenizer(b)
	names, texts := benchTexts(b)
	for i, text := range texts {
		ids := tok.Encode(text)
		out, err := tok.AppendDecode(nil, ids)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(names[i], func(b *testing.B) {
			b.SetBytes(int64(len(out)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if out, err = tok.AppendDecode(out[:0], ids); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
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
