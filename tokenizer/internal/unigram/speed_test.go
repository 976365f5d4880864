package unigram

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
	"golang.org/x/sys/unix"
)

// speedModels are the models TestSpeed measures: the repository's 8k
// nmt_nfkc Unigram model and, when present, the large benchmark model.
var speedModels = []string{modeltest.SharedModel("unigram8k_nmt_nfkc"), "/work/ref/big_unigram.model"}

// TestSpeed measures single-thread Encode against the C++ (sp.encode in
// the oracle's process, normalization included) on every corpus file, whole
// and line by line, on the same normalized texts (which the C++ normalizes
// again), after checking that Encode gives the C++'s pieces of the
// original texts, and prints MB/s and
// ratios to the C++'s better mode, both timed in CPU time of the thread.
// GEMMATOK_SPEED=1 runs it; GEMMATOK_SPEED_FILES, a regular expression,
// picks the corpus files; GEMMATOK_SPEED_CORPUS names a directory whose
// .txt files to take instead of the test corpus (the benchmarks' larger
// files, say).
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
		fmt.Fprintf(&b, "%-28s %8s %17s %17s %17s | %29s\n", "", "no cache", "go fresh", "go warm", "C++", "ratio to the C++'s best")
		fmt.Fprintf(&b, "%-28s %8s %8s %8s %8s %8s %8s %8s | %5s %5s %5s %5s %5s\n", "file", "lines", "whole", "lines", "whole", "lines", "whole", "lines", "nl", "fw", "fl", "ww", "wl")
		files := regexp.MustCompile(os.Getenv("GEMMATOK_SPEED_FILES"))
		for _, f := range speedCorpus(t) {
			if !files.MatchString(f.Name) {
				continue
			}
			// The normalizer may turn newlines into spaces: lines are
			// split before it.
			orig := append([][]byte{f.Text}, bytes.Split(f.Text, []byte("\n"))...)
			norms := o.Normalize(t, path, orig)
			norm, lines := norms[0], norms[1:]
			mb := float64(len(norm)) / 1e6
			// What is timed must be right: the pieces of the whole text
			// and of every line are the C++'s.
			want := o.Encode(t, path, orig)
			for i, text := range norms {
				ids, lens := modeltest.Split(m.Encode(nil, text, nil))
				if got := modeltest.Spans(v, text, ids, lens); !slices.Equal(got, want[i]) {
					t.Errorf("%s %s: text %d differs from the C++", path, f.Name, i)
				}
			}
			var dst []seg.Piece
			whole := func(m *Model) func() { return func() { dst = m.Encode(dst[:0], norm, nil) } }
			byLine := func(m *Model) func() {
				return func() {
					for _, l := range lines {
						dst = m.Encode(dst[:0], l, nil)
					}
				}
			}
			// Fresh: a new Model, with an empty word cache, for each run;
			// the garbage New leaves is collected before the clock starts.
			fresh := func(f func(*Model) func()) float64 {
				return bestOf(3, func() func() {
					m, _ := New(v)
					runtime.GC()
					return f(m)
				})
			}
			fw, fl := fresh(whole), fresh(byLine)
			var vit viterbi
			plain := bestOf(3, func() func() {
				return func() {
					for _, l := range lines {
						if len(l) > 0 {
							dst = backtrack(dst[:0], m.forward(&vit, l, 0, len(l), nil, 0, nil))
						}
					}
				}
			})
			whole(m)()
			byLine(m)()
			same := func(f func()) func() func() { return func() func() { return f } }
			ww, wl := bestOf(3, same(whole(m))), bestOf(3, same(byLine(m)))
			cWhole := o.Time(t, path, [][]byte{norm}, 3)
			cLines := o.Time(t, path, lines, 3)
			cBest := min(cWhole, cLines)
			fmt.Fprintf(&b, "%-28s %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f | %5.1f %5.1f %5.1f %5.1f %5.1f\n", f.Name,
				mb/plain, mb/fw, mb/fl, mb/ww, mb/wl, mb/cWhole, mb/cLines, cBest/plain, cBest/fw, cBest/fl, cBest/ww, cBest/wl)
		}
		t.Log("MB/s of normalized text, CPU time of the thread; nl: no cache, lines; fw, fl, ww, wl: fresh whole, fresh lines, warm whole, warm lines; ratios against the C++'s better mode\n" + b.String())
	}
}

// speedCorpus returns the files TestSpeed measures.
func speedCorpus(t *testing.T) []modeltest.CorpusFile {
	dir := os.Getenv("GEMMATOK_SPEED_CORPUS")
	if dir == "" {
		return modeltest.Corpus(t)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("GEMMATOK_SPEED_CORPUS=%s: no .txt files (%v)", dir, err)
	}
	var out []modeltest.CorpusFile
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, modeltest.CorpusFile{Name: filepath.Base(p), Text: b})
	}
	return out
}

// bestOf returns the fastest of n runs of the function that prepare
// returns (prepare itself is not timed), in seconds of CPU time of the
// thread (as the oracle's time op measures the C++), which other processes
// on a loaded machine do not inflate.
func bestOf(n int, prepare func() func()) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best := 0.0
	for i := range n {
		f := prepare()
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
			var dst []seg.Piece
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
