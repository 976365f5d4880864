package unigram

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

var fuzzSeeds = []string{
	"", "a", "▁hello▁world", "<mask>▁[SEP]http▁▁▁", "ing▁ing▁▁", "東京都の天気", "\x00\x01\xff\xfe",
	"\xe2\x96", "ab\xe2", "aaaaaaaaaaaaaaaa", "▁▁▁▁▁▁▁▁▁▁", "Schwierigkeiten", "\U0001F600\u200d\U0001F600",
}

// FuzzUnigram compares Encode and NBest (n = 3) with the C++ on text as the
// test models' normalizer leaves it, on both Unigram test models.
func FuzzUnigram(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	models := map[string]*Model{}
	vocabs := map[string]*vocab.Vocab{}
	for _, name := range unigramModels {
		models[name], vocabs[name] = newModel(f, name)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		norm := modeltest.Prefix(modeltest.Normalize(data), 4096)
		for _, name := range unigramModels {
			m, v := models[name], vocabs[name]
			o := modeltest.Get(t)
			want := o.Encode(t, modeltest.ModelPath(name), [][]byte{norm})[0]
			ids, lens := modeltest.Split(m.Encode(nil, norm, nil))
			if got := modeltest.Spans(v, norm, ids, lens); !slices.Equal(got, want) {
				t.Fatalf("%s %q:\n got %v\nwant %v", name, norm, got, want)
			}
			wantN := o.NBest(t, modeltest.ModelPath(name), [][]byte{norm}, 3)[0]
			if got := m.NBest(norm, 3, nil); !sameNBest(v, norm, got, wantN) {
				t.Fatalf("%s %q: n-best:\n got %v\nwant %v", name, norm, got, wantN)
			}
		}
	})
}

// FuzzBytes feeds arbitrary bytes, malformed UTF-8 and all, to Encode,
// NBest and Sample, which must not panic and must cover the input.
func FuzzBytes(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	m, _ := newModel(f, "uniud")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			data = data[:4096]
		}
		checkLens(t, data, m.Encode(nil, data, nil))
		for _, p := range m.NBest(data, 4, nil) {
			checkLens(t, data, p.Pieces)
		}
		rng := rand.New(rand.NewPCG(uint64(len(data)), 1))
		for _, nbest := range []int{-1, 3} {
			ps, err := m.Sample(nil, data, 0.5, nbest, rng, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkLens(t, data, ps)
		}
	})
}

// checkLens fails t unless the pieces' lengths are positive and add up to
// the text's.
func checkLens(t *testing.T, text []byte, ps []seg.Piece) {
	t.Helper()
	n := 0
	for _, p := range ps {
		if p.Len <= 0 {
			t.Fatalf("%q: piece %v", text, p)
		}
		n += int(p.Len)
	}
	if n != len(text) {
		t.Fatalf("%q: pieces cover %d of %d bytes", text, n, len(text))
	}
}
