package main

import (
	"bytes"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/bench/internal/refrun"
	"github.com/gemmatok/gemmatok/tokenizer"
	"github.com/gemmatok/gemmatok/vocab"
)

// The measurements of gemmatok itself.

// A Tokenizer keeps caches across calls, among them the segmentation of the
// words it has seen. Encoding one text again and again, as a benchmark
// does, would find every word of it cached: a speed no program encoding
// new text sees. So the figures that are compared with the references come
// from a fresh Tokenizer for every run (built untimed, its garbage
// collected before the clock starts), whose caches hold only what the text
// itself repeats; encodeFile also reports the warm speed, of one Tokenizer
// encoding the same text over and over, as an upper bound. Warm runs, like
// the references', start after a garbage collection too, so that no run
// pays for the garbage of the one before.
//
// A fresh Tokenizer also builds some tables on its first Encode. That is
// part of loading, not of encoding: the fresh Tokenizer encodes primer
// before the clock starts, and the load times include a first Encode.

// primer is a short text whose encoding readies a new Tokenizer, in a few
// scripts, with words that are merged from several pieces.
const primer = "Tokenization, naturally: 自然言語処理 — обработка 123.\n"

// modelData is the model gemmatok is measured with: the embedded Gemma 2
// unless -model names another (set by run, which checks that it loads).
var modelData = vocab.DefaultModel()

// readyTokenizer builds the Tokenizer of modelData and readies it with a
// first Encode.
func readyTokenizer() *tokenizer.Tokenizer {
	tok := loadModel()
	tok.Encode(primer)
	return tok
}

// freshTokenizer returns a setup function for refrun.Policy.TimeWith that
// stores a fresh, readied Tokenizer in *tok.
func freshTokenizer(tok **tokenizer.Tokenizer) func() {
	return func() {
		*tok = nil
		*tok = readyTokenizer()
		runtime.GC()
	}
}

// An encoding is gemmatok's figures for one text.
type encoding struct {
	fresh, freshLines, warm, warmLines, decode Timing
	whole, lines                               refrun.Digest
}

// encodeFile times Encode of one text, whole and line by line, fresh and
// warm (on tok), and Decode, and returns the digests of its ids, whole and
// line by line, for the references to be checked against.
func encodeFile(tok *tokenizer.Tokenizer, text string) encoding {
	var e encoding
	var fresh *tokenizer.Tokenizer
	freshEncode := func(s string) []int32 { return fresh.Encode(s) }
	wholeRuns, linesRuns, whole, lines := timeModes(gemmatokPolicy, freshTokenizer(&fresh), freshEncode, text)
	e.fresh, e.freshLines = newTiming(wholeRuns, len(text), whole.Count), newTiming(linesRuns, len(text), lines.Count)
	e.whole, e.lines = whole, lines

	warmRuns, warmLinesRuns, _, _ := timeModes(gemmatokPolicy, runtime.GC, tok.Encode, text)
	e.warm, e.warmLines = newTiming(warmRuns, len(text), whole.Count), newTiming(warmLinesRuns, len(text), lines.Count)

	ids := tok.Encode(text)
	var out string
	decRuns := gemmatokPolicy.Time(func() {
		var err error
		if out, err = tok.Decode(ids); err != nil {
			panic(err) // ids that Encode produced are in the vocabulary
		}
	})
	e.decode = newTiming(decRuns, len(out), len(ids))
	return e
}

// timeModes times encode on text as one text and line by line (split on
// "\n", each line encoded on its own, as the references do), with setup,
// unless nil, before every run, and returns the samples and the digests
// of the ids of both modes.
func timeModes(p refrun.Policy, setup func(), encode func(string) []int32, text string) (whole, lines []refrun.Sample, wholeIDs, lineIDs refrun.Digest) {
	var ids []int32
	whole = p.TimeWith(setup, func() { ids = encode(text) })
	wholeIDs = refrun.DigestIDs(ids)

	split := strings.Split(text, "\n")
	perLine := make([][]int32, len(split))
	lines = p.TimeWith(setup, func() {
		for i, l := range split {
			perLine[i] = encode(l)
		}
	})
	return whole, lines, wholeIDs, refrun.DigestLines(perLine)
}

// loadModel builds the Tokenizer of modelData the way Default does for the
// embedded model; Default itself builds it only once per process.
func loadModel() *tokenizer.Tokenizer {
	tok, err := parseModel(modelData)
	if err != nil {
		panic(err) // the embedded model is tested to parse, and run checks any other
	}
	return tok
}

// isEmbedded says whether a model proto is the embedded model's.
func isEmbedded(model []byte) bool { return bytes.Equal(model, vocab.DefaultModel()) }

// parseModel builds the Tokenizer of a model proto.
func parseModel(data []byte) (*tokenizer.Tokenizer, error) {
	v, err := vocab.Parse(data)
	if err != nil {
		return nil, err
	}
	return tokenizer.New(v)
}

// LoadResult holds model load times and memory after load.
type LoadResult struct {
	// Until the Tokenizer has returned its first Encode, of primer: from
	// the model's bytes in memory (the embedded model's, unless -model
	// names another), and from the file.
	Bytes Timing `json:"embedded"`
	File  Timing `json:"file"`
	// The constructors alone; they leave some work to the first Encode.
	BytesNew      Timing    `json:"embedded_new"`
	FileNew       Timing    `json:"file_new"`
	Refs          []RefLoad `json:"references,omitempty"` // from a file
	HeapBytes     uint64    `json:"heap_bytes"`
	RSSBytes      uint64    `json:"rss_bytes"`
	RSSFloorBytes uint64    `json:"rss_floor_bytes"` // the least the RSS measurement can report
	RSSProcess    string    `json:"rss_process"`     // what the RSS was measured on
	RSSTextBytes  int       `json:"rss_text_bytes"`
	// The whole process whose RSS was measured, each run a new process.
	Process Timing `json:"process"`
	// New processes on the same small file, taking turns: gemmatok
	// version, gemmatok count and spm_encode.
	Cold []ColdRun `json:"cold,omitempty"`
}

// A RefLoad is a reference's model load time.
type RefLoad struct {
	Name string `json:"name"`
	Timing
}

var loadPolicy = refrun.Policy{Warmup: true, MinRuns: 10, MaxRuns: 50, Budget: time.Second, Limit: 30 * time.Second}

// measureLoad times loading the model, from modelData and from modelPath, until
// the first Encode and without it.
func measureLoad(modelPath string) (LoadResult, error) {
	var r LoadResult
	var err error
	fromFile := func(ready bool) func() {
		return func() {
			tok, e := tokenizer.LoadFile(modelPath)
			if e != nil {
				err = e
				return
			}
			if ready {
				tok.Encode(primer)
			}
		}
	}
	r.Bytes = newTiming(loadPolicy.Time(func() { readyTokenizer() }), 0, 0)
	r.File = newTiming(loadPolicy.Time(fromFile(true)), 0, 0)
	r.BytesNew = newTiming(loadPolicy.Time(func() { loadModel() }), 0, 0)
	r.FileNew = newTiming(loadPolicy.Time(fromFile(false)), 0, 0)
	return r, err
}

// heapAfterLoad returns how much the Go heap grows by a loaded Tokenizer
// that has encoded primer, measured after collecting garbage, with the
// Tokenizer still alive. Run it before anything else holds memory, so that
// the delta is the model's.
func heapAfterLoad() uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tok := readyTokenizer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(tok)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
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
// tok, timed by the wall clock. Unlike the single-thread figures it uses
// one Tokenizer throughout, whose caches are warm after the first round:
// the steady state of a batch much larger than this one, where the cold
// start is negligible. (Each goroutine has caches of its own, so a cold
// start would cost the two-goroutine runs twice.) The goroutine counts take
// turns, round after round, so that within a round they see about the same
// competition from other processes; a count's speed-up is the median over
// the rounds of the one-goroutine time over its own. Each goroutine reuses
// its own id slice, so that the figure is the tokenizer's scaling rather
// than the allocator's.
func measureBatch(tok *tokenizer.Tokenizer, texts []string) BatchResult {
	r := BatchResult{Texts: len(texts)}
	for _, t := range texts {
		r.Bytes += len(t)
	}
	counts := []int{1, 2}
	if n := runtime.NumCPU(); n > 2 {
		counts = append(counts, n)
	}
	// Round 0 is a warm-up. Then at least 5 rounds, more within 5 s, and
	// none started after a minute.
	samples := make([][]refrun.Sample, len(counts))
	once := refrun.Policy{MinRuns: 1, MaxRuns: 1}
	start := time.Now()
	for round := 0; round < 21; round++ {
		if spent := time.Since(start); round >= 2 && (spent > time.Minute || round >= 6 && spent > 5*time.Second) {
			break
		}
		for i, g := range counts {
			s := once.Time(func() { encodeBatch(tok, texts, g) })
			if round > 0 {
				samples[i] = append(samples[i], s...)
			}
		}
	}
	for i, g := range counts {
		speedups := make([]float64, len(samples[i]))
		for k, s := range samples[i] {
			speedups[k] = samples[0][k].Wall.Seconds() / s.Wall.Seconds()
		}
		r.Workers = append(r.Workers, BatchTiming{
			Goroutines: g,
			Timing:     newTimingBy(wallClock, samples[i], r.Bytes, 0),
			Speedup:    median(speedups),
		})
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
