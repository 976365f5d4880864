package unigram

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/vocab"
)

// speedModels are the models TestSpeed measures: the repository's 8k
// nmt_nfkc Unigram model and, when present, the large benchmark model.
var speedModels = []string{modeltest.SharedModel("unigram8k_nmt_nfkc"), "/work/ref/big_unigram.model"}

// TestSpeed measures single-thread Encode against the C++ (sp.encode in
// the oracle's process, normalization included) on every corpus file, whole
// and line by line, on the same normalized texts, and prints MB/s and
// ratios to the C++'s better mode. Set GEMMATOK_SPEED=1 to run it.
func TestSpeed(t *testing.T) {
	if os.Getenv("GEMMATOK_SPEED") != "1" {
		t.Skip("GEMMATOK_SPEED=1 runs it")
	}
	o := modeltest.Get(t)
	for _, path := range speedModels {
		v, err := vocab.LoadFile(path)
		if err != nil {
			t.Log(err)
			continue
		}
		t0 := time.Now()
		m, err := New(v)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s: %d pieces, New %v\n", path, v.Size(), time.Since(t0))
		fmt.Fprintf(&b, "%-36s %9s %9s %9s %9s %7s %7s\n", "file", "go whole", "go lines", "C++ whole", "C++ lines", "whole", "lines")
		for _, f := range modeltest.Corpus(t) {
			norm := o.Normalize(t, path, [][]byte{f.Text})[0]
			lines := bytes.Split(norm, []byte("\n"))
			mb := float64(len(norm)) / 1e6
			goWhole := bestOf(5, func() { m.Encode(nil, norm, nil) })
			var dst []Piece
			goLines := bestOf(5, func() {
				for _, l := range lines {
					dst = m.Encode(dst[:0], l, nil)
				}
			})
			cWhole := o.Time(t, path, [][]byte{norm}, 3)
			cLines := o.Time(t, path, lines, 3)
			cBest := min(cWhole, cLines)
			fmt.Fprintf(&b, "%-36s %9.1f %9.1f %9.1f %9.1f %6.1fx %6.1fx\n", f.Name,
				mb/goWhole, mb/goLines, mb/cWhole, mb/cLines, cBest/goWhole, cBest/goLines)
		}
		t.Log("MB/s of normalized text; ratios against the C++'s better mode\n" + b.String())
	}
}

// bestOf returns the fastest of n runs of f, in seconds.
func bestOf(n int, f func()) float64 {
	best := 0.0
	for i := range n {
		t0 := time.Now()
		f()
		if d := time.Since(t0).Seconds(); i == 0 || d < best {
			best = d
		}
	}
	return best
}

func BenchmarkEncode(b *testing.B) {
	m, _ := newModel(b, "uni8k")
	for _, name := range []string{"en.txt", "ja.txt", "th.txt"} {
		var norm []byte
		for _, f := range modeltest.Corpus(b) {
			if f.Name == name {
				norm = modeltest.Normalize(f.Text)
			}
		}
		lines := bytes.Split(norm, []byte("\n"))
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(norm)))
			var dst []Piece
			for b.Loop() {
				for _, l := range lines {
					dst = m.Encode(dst[:0], l, nil)
				}
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	for _, path := range speedModels {
		v, err := vocab.LoadFile(path)
		if err != nil {
			continue
		}
		b.Run(fmt.Sprint(v.Size()), func(b *testing.B) {
			for b.Loop() {
				if _, err := New(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
