package unigram

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/vocab"
	"golang.org/x/sys/unix"
)

// speedModels are the models TestSpeed measures: the repository's 8k
// nmt_nfkc Unigram model and, when present, the large benchmark model.
var speedModels = []string{modeltest.SharedModel("unigram8k_nmt_nfkc"), "/work/ref/big_unigram.model"}

// TestSpeed measures single-thread Encode against the C++ (sp.encode in
// the oracle's process, normalization included) on every corpus file, whole
// and line by line, on the same normalized texts, and prints MB/s and
// ratios to the C++'s better mode, both timed in CPU time of the thread.
// GEMMATOK_SPEED=1 runs it; GEMMATOK_SPEED_FILES, a regular expression,
// picks the corpus files.
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
		files := regexp.MustCompile(os.Getenv("GEMMATOK_SPEED_FILES"))
		for _, f := range modeltest.Corpus(t) {
			if !files.MatchString(f.Name) {
				continue
			}
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

// bestOf returns the fastest of n runs of f, in seconds of CPU time of
// the thread (as the oracle's time op measures the C++), which other
// processes on a loaded machine do not inflate.
func bestOf(n int, f func()) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best := 0.0
	for i := range n {
		t0 := threadTime()
		f()
		if d := threadTime() - t0; i == 0 || d < best {
			best = d
		}
	}
	return best
}

// threadTime returns the CPU time of the calling thread, in seconds.
func threadTime() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return float64(ts.Sec) + float64(ts.Nsec)/1e9
}

// BenchmarkEncode measures Encode line by line on the identity-normalized
// corpus with the 8k test model, and with the large model when
// GEMMATOK_BIG names it.
func BenchmarkEncode(b *testing.B) {
	m, _ := newModel(b, "uni8k")
	if path := os.Getenv("GEMMATOK_BIG"); path != "" {
		v, err := vocab.LoadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		if m, err = New(v); err != nil {
			b.Fatal(err)
		}
	}
	for _, name := range []string{"en.txt", "es.txt", "ja.txt", "th.txt"} {
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
