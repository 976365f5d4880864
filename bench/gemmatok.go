package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/bench/internal/refrun"
	"github.com/gemmatok/gemmatok/tokenizer"
	"github.com/gemmatok/gemmatok/vocab"
)

// The measurements of gemmatok itself.

// encodeFile times Encode and Decode of one text and returns the digests of
// its ids, whole and line by line, for the references to be checked against.
func encodeFile(tok *tokenizer.Tokenizer, text string) (enc, dec Timing, whole, lines refrun.Digest) {
	var ids []int32
	enc = newTiming(gemmatokPolicy.Time(func() { ids = tok.Encode(text) }), len(text), 0)
	enc.TokensPerSec = float64(len(ids)) / enc.Seconds

	var out string
	decRuns := gemmatokPolicy.Time(func() {
		var err error
		if out, err = tok.Decode(ids); err != nil {
			panic(err) // ids that Encode produced are in the vocabulary
		}
	})
	dec = newTiming(decRuns, len(out), len(ids))

	var perLine [][]int32
	for l := range strings.SplitSeq(text, "\n") {
		perLine = append(perLine, tok.Encode(l))
	}
	return enc, dec, refrun.DigestIDs(ids), refrun.DigestLines(perLine)
}

// loadEmbedded builds the Tokenizer of the embedded model the way Default
// does; Default itself builds it only once per process.
func loadEmbedded() *tokenizer.Tokenizer {
	v, err := vocab.Parse(vocab.DefaultModel())
	if err != nil {
		panic(err) // the embedded model is tested to parse
	}
	tok, err := tokenizer.New(v)
	if err != nil {
		panic(err)
	}
	return tok
}

// LoadResult holds model load times, in seconds, and memory after load.
type LoadResult struct {
	Embedded     Timing    `json:"embedded"`
	File         Timing    `json:"file"`
	Refs         []RefLoad `json:"references,omitempty"` // from a file
	HeapBytes    uint64    `json:"heap_bytes"`
	RSSBytes     uint64    `json:"rss_bytes"`
	RSSProcess   string    `json:"rss_process"` // what the RSS was measured on
	RSSTextBytes int       `json:"rss_text_bytes"`
}

// A RefLoad is a reference's model load time.
type RefLoad struct {
	Name string `json:"name"`
	Timing
}

var loadPolicy = refrun.Policy{Warmup: true, MinRuns: 10, MaxRuns: 50, Budget: time.Second, Limit: 30 * time.Second}

// measureLoad times loading the model, embedded and from modelPath.
func measureLoad(modelPath string) (LoadResult, error) {
	var r LoadResult
	r.Embedded = newTiming(loadPolicy.Time(func() { loadEmbedded() }), 0, 0)
	var err error
	r.File = newTiming(loadPolicy.Time(func() {
		if _, e := tokenizer.LoadFile(modelPath); e != nil {
			err = e
		}
	}), 0, 0)
	return r, err
}

// heapAfterLoad returns how much the Go heap grows by a loaded Tokenizer,
// measured after collecting garbage, with the Tokenizer still alive. Run it
// before anything else holds memory, so that the delta is the model's.
func heapAfterLoad() uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tok := loadEmbedded()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(tok)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

// rssChildFlag makes the harness binary a child that only loads the model
// and counts the tokens of a file, for measuring the RSS of that.
const rssChildFlag = "rss-child"

// runRSSChild is the child's whole work.
func runRSSChild(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	tok, err := tokenizer.Default()
	if err != nil {
		return err
	}
	fmt.Println(tok.Count(string(data)))
	return nil
}

// measureRSS returns the peak RSS of a fresh process that loads the model
// and counts the tokens of text: `gemmatok count` when cmd/gemmatok builds
// and has that command, else this binary re-run as a child that does only
// that. It says which one it measured.
func measureRSS(text string) (uint64, string, error) {
	dir, err := os.MkdirTemp("", "gemmatok-bench")
	if err != nil {
		return 0, "", err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		return 0, "", err
	}

	cli := filepath.Join(dir, "gemmatok")
	if exec.Command("go", "build", "-o", cli, "./cmd/gemmatok").Run() == nil {
		if rss, err := peakRSS(exec.Command(cli, "count", file)); err == nil {
			return rss, "gemmatok count", nil
		}
	}
	self, err := os.Executable()
	if err != nil {
		return 0, "", err
	}
	rss, err := peakRSS(exec.Command(self, "-"+rssChildFlag, file))
	return rss, "harness child (load + Count; no usable cmd/gemmatok)", err
}

// peakRSS runs cmd and returns its peak resident set size.
func peakRSS(cmd *exec.Cmd) (uint64, error) {
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%v: %v: %s", cmd.Args, err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, fmt.Errorf("no rusage on %s", runtime.GOOS)
	}
	return uint64(ru.Maxrss) * 1024, nil // Linux reports kilobytes
}

// AllocResult holds allocations per call, the worst over the samples.
type AllocResult struct {
	Count        float64 `json:"count"`
	CountWorst   string  `json:"count_worst_file"`
	AppendEncode float64 `json:"append_encode"`
	AppendWorst  string  `json:"append_encode_worst_file"`
	SampleBytes  int     `json:"sample_bytes"`
}

// allocSample is how much of each file the allocation counts encode.
const allocSample = 16 << 10

// measureAllocs counts allocations per call of Count and of AppendEncode
// into a slice with room for all ids, on a sample of every file.
func measureAllocs(tok *tokenizer.Tokenizer, files []corpusFile) AllocResult {
	r := AllocResult{SampleBytes: allocSample, CountWorst: "-", AppendWorst: "-"}
	for _, f := range files {
		text := prefix(f.text, allocSample)
		dst := make([]int32, 0, len(text)+1) // at most one id per byte
		c := testing.AllocsPerRun(20, func() { tok.Count(text) })
		a := testing.AllocsPerRun(20, func() { dst = tok.AppendEncode(dst[:0], text) })
		if c > r.Count {
			r.Count, r.CountWorst = c, f.name
		}
		if a > r.AppendEncode {
			r.AppendEncode, r.AppendWorst = a, f.name
		}
	}
	return r
}

// prefix returns the longest prefix of s of at most n bytes that ends on a
// line or, failing that, a character boundary.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if i := strings.LastIndexByte(s[:n], '\n'); i > 0 {
		return s[:i+1]
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// BatchResult holds batch encode throughput by number of goroutines.
type BatchResult struct {
	Texts   int           `json:"texts"`
	Bytes   int           `json:"bytes"`
	Workers []BatchTiming `json:"workers"`
}

// BatchTiming is one goroutine count's throughput and its speed-up over one.
type BatchTiming struct {
	Goroutines int     `json:"goroutines"`
	Timing     Timing  `json:"timing"`
	Speedup    float64 `json:"speedup"`
}

// batchTexts is how many texts the batch has; batchPerFile caps each file's
// share so that the batch stays quick on the full corpus.
const (
	batchTexts   = 100
	batchPerFile = 256 << 10
)

// makeBatch cuts the start of every file into lines and groups them into
// batchTexts texts of about the same size.
func makeBatch(files []corpusFile) []string {
	var lines []string
	total := 0
	for _, f := range files {
		for l := range strings.SplitAfterSeq(prefix(f.text, batchPerFile), "\n") {
			lines = append(lines, l)
			total += len(l)
		}
	}
	texts := make([]string, 0, batchTexts)
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		if b.Len() >= total/batchTexts {
			texts = append(texts, b.String())
			b.Reset()
		}
	}
	if b.Len() > 0 {
		texts = append(texts, b.String())
	}
	return texts
}

// measureBatch encodes the batch with 1, 2 and NumCPU goroutines sharing
// tok, timed by the wall clock. Each goroutine reuses its own id slice, so that the figure is the
// tokenizer's scaling rather than the allocator's.
func measureBatch(tok *tokenizer.Tokenizer, texts []string) BatchResult {
	r := BatchResult{Texts: len(texts)}
	for _, t := range texts {
		r.Bytes += len(t)
	}
	counts := []int{1, 2}
	if n := runtime.NumCPU(); n > 2 {
		counts = append(counts, n)
	}
	for _, g := range counts {
		runs := gemmatokPolicy.Time(func() { encodeBatch(tok, texts, g) })
		r.Workers = append(r.Workers, BatchTiming{Goroutines: g, Timing: newTimingBy(wallClock, runs, r.Bytes, 0)})
	}
	for i := range r.Workers {
		r.Workers[i].Speedup = r.Workers[i].Timing.MBps / r.first().MBps
	}
	return r
}

func (r BatchResult) first() Timing {
	if len(r.Workers) == 0 {
		return Timing{}
	}
	return r.Workers[0].Timing
}

// At returns the timing with g goroutines, if measured.
func (r BatchResult) At(g int) (BatchTiming, bool) {
	for _, w := range r.Workers {
		if w.Goroutines == g {
			return w, true
		}
	}
	return BatchTiming{}, false
}

func encodeBatch(tok *tokenizer.Tokenizer, texts []string, goroutines int) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			var ids []int32
			for {
				i := int(next.Add(1)) - 1
				if i >= len(texts) {
					return
				}
				ids = tok.AppendEncode(ids[:0], texts[i])
			}
		})
	}
	wg.Wait()
}
