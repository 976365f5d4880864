package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
)

// Counts are what count reports of a file, or of a part of one.
type Counts struct {
	Parts    int64 // the parts the file was read in
	Records  int64 // JSON-lines records counted
	Tokens   int64
	Chars    int64 // code points, each malformed byte counting as one, as gemmatok count
	Bytes    int64 // of the text: the file's, or the text fields' in UTF-8
	Failures int64 // records left out for bad input
	// Failed says that the file failed as a whole; its counts are those
	// of the parts that did not fail, and are not reported.
	Failed bool
}

// addCounts is the combiner of the counts of a file's parts.
func addCounts(a, b Counts) Counts {
	return Counts{
		Parts:    a.Parts + b.Parts,
		Records:  a.Records + b.Records,
		Tokens:   a.Tokens + b.Tokens,
		Chars:    a.Chars + b.Chars,
		Bytes:    a.Bytes + b.Bytes,
		Failures: a.Failures + b.Failures,
		Failed:   a.Failed || b.Failed,
	}
}

// countFn counts the tokens, characters and bytes of a part.
type countFn struct {
	W worker
}

func (f *countFn) Setup(ctx context.Context) error { return f.W.setup(ctx) }

// ProcessElement emits the counts of part p under its file's path, and a
// line of failures.jsonl for each failure. Bad input is no error of the
// pipeline: it is reported, and the rest goes on.
func (f *countFn) ProcessElement(ctx context.Context, p Part, emit func(string, Counts), fail func(string)) {
	defer f.W.acquire()()
	c := Counts{Parts: 1}
	r, err := f.W.open(ctx, p)
	if err == nil {
		if p.Kind == jsonLines {
			err = f.records(r, p, &c, fail)
		} else {
			err = f.text(r, p, &c)
		}
		r.Close()
	}
	if err != nil {
		whole := p.Kind != jsonLines
		c.Failed = whole
		fail(failureLine(p.File.Path, err, whole))
	}
	emit(p.File.Path, c)
}

// text counts a part of a text file.
func (f *countFn) text(r io.Reader, p Part, c *Counts) error {
	return f.W.eachText(r, p.Start, func(text string, at int64, last bool) error {
		n, err := f.W.tok.CountWith(text, f.W.textOptions(at, last && p.Seq == p.Parts-1))
		if err != nil {
			return err
		}
		c.Tokens += int64(n)
		c.Chars += int64(utf8.RuneCountInString(text))
		c.Bytes += int64(len(text))
		return nil
	})
}

// records counts the text fields of a part of a JSON-lines file. A bad
// record is reported and left out; a failure to read ends the part.
func (f *countFn) records(r io.Reader, p Part, c *Counts, fail func(string)) error {
	return f.W.eachLine(r, p.Start, func(line []byte, at, no int64) error {
		if isBlank(line) {
			return nil
		}
		text, err := f.W.record(line, at, no)
		var n int
		if err == nil {
			n, err = f.W.tok.CountWith(text, f.W.options())
			err = f.W.recordError(err, at, no)
		}
		if err != nil {
			c.Failures++
			fail(failureLine(p.File.Path, err, false))
			return nil
		}
		c.Records++
		c.Tokens += int64(n)
		c.Chars += int64(utf8.RuneCountInString(text))
		c.Bytes += int64(len(text))
		return nil
	})
}

// countPipeline adds the count job to s.
func (c *config) countPipeline(s beam.Scope) {
	parts := c.plan(s)
	counts, fails := beam.ParDo2(s, &countFn{W: c.worker()}, parts)
	sums := beam.CombinePerKey(s, addCounts, counts)
	textio.Write(s, c.out(countsFile), beam.ParDo(s, formatCounts, sums))
	textio.Write(s, c.out(failuresFile), fails)
}

// fileCounts is a line of counts.jsonl.
type fileCounts struct {
	Path     string `json:"path"`
	Parts    int64  `json:"parts"` // the ranges it was split into
	Records  int64  `json:"records,omitempty"`
	Tokens   int64  `json:"tokens"`
	Chars    int64  `json:"chars"`
	Bytes    int64  `json:"bytes"`
	Failures int64  `json:"failures,omitempty"`
	Failed   bool   `json:"failed,omitempty"`
}

// formatCounts returns the line of counts.jsonl of a file. A file that
// failed as a whole has no counts: those of its other parts would pass
// for the file's.
func formatCounts(path string, c Counts) string {
	fc := fileCounts{Path: path, Parts: c.Parts, Failed: c.Failed}
	if !c.Failed {
		fc.Records, fc.Tokens, fc.Chars, fc.Bytes, fc.Failures = c.Records, c.Tokens, c.Chars, c.Bytes, c.Failures
	}
	b, _ := json.Marshal(fc)
	return string(b)
}

// summary is summary.json, count's result.
type summary struct {
	Job         string      `json:"job"`
	Model       modelInfo   `json:"model"`
	Special     string      `json:"special"`
	Files       int         `json:"files"`        // input files
	FailedFiles int         `json:"failed_files"` // left out as a whole
	Records     int64       `json:"records"`      // JSON-lines records counted
	Tokens      int64       `json:"tokens"`
	Chars       int64       `json:"chars"`
	Bytes       int64       `json:"bytes"`
	Failures    int         `json:"failures"` // lines of failures.jsonl
	Outputs     summaryPath `json:"outputs"`
}

// modelInfo names the model in summary.json and manifest.json.
type modelInfo struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// summaryPath gives the files summary.json speaks of.
type summaryPath struct {
	Counts   string `json:"counts"`
	Failures string `json:"failures"`
}

// summarize reads what the count pipeline wrote, rewrites counts.jsonl and
// failures.jsonl sorted, writes summary.json and prints it to w. It
// returns the number of failures.
func (c *config) summarize(ctx context.Context, w io.Writer) (int, error) {
	lines, err := c.readLines(ctx, countsFile)
	if err != nil {
		return 0, err
	}
	files := make([]fileCounts, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &files[i]); err != nil {
			return 0, fmt.Errorf("%s: %w", countsFile, err)
		}
	}
	slices.SortFunc(files, func(a, b fileCounts) int { return strings.Compare(a.Path, b.Path) })
	sum := summary{Job: c.Job, Model: c.modelInfo(), Special: c.Special.String(), Files: len(c.files),
		Outputs: summaryPath{c.out(countsFile), c.out(failuresFile)}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, f := range files {
		enc.Encode(f)
		if f.Failed {
			sum.FailedFiles++
		}
		sum.Records += f.Records
		sum.Tokens += f.Tokens
		sum.Chars += f.Chars
		sum.Bytes += f.Bytes
	}
	if err := writeFile(ctx, c.out(countsFile), buf.Bytes()); err != nil {
		return 0, err
	}
	fails, err := c.sortFailures(ctx)
	if err != nil {
		return 0, err
	}
	sum.Failures = len(fails)
	out, _ := json.MarshalIndent(sum, "", "  ")
	out = append(out, '\n')
	if err := writeFile(ctx, c.out(summaryFile), out); err != nil {
		return 0, err
	}
	_, err = w.Write(out)
	return sum.Failures, err
}

func (c *config) modelInfo() modelInfo {
	return modelInfo{c.model.Name, c.model.SHA256}
}

// readLines returns the lines of the output file name, none when the
// pipeline wrote no such file (textio writes none for an empty collection).
func (c *config) readLines(ctx context.Context, name string) ([]string, error) {
	path := c.out(name)
	if ok, err := exists(ctx, path); err != nil || !ok {
		return nil, err
	}
	data, err := readFile(ctx, path)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"), nil
}

// sortFailures reads failures.jsonl, rewrites it sorted by file and offset
// (always, so that it exists even when empty) and returns its failures.
func (c *config) sortFailures(ctx context.Context) ([]failure, error) {
	lines, err := c.readLines(ctx, failuresFile)
	if err != nil {
		return nil, err
	}
	fails := make([]failure, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &fails[i]); err != nil {
			return nil, fmt.Errorf("%s: %w", failuresFile, err)
		}
	}
	slices.SortFunc(fails, func(a, b failure) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(a.Offset, b.Offset), strings.Compare(a.Error, b.Error))
	})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, f := range fails {
		enc.Encode(f)
	}
	return fails, writeFile(ctx, c.out(failuresFile), buf.Bytes())
}
