package main

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gemmatok/gemmatok/bench/internal/refrun"
	"github.com/gemmatok/gemmatok/internal/pyfind"
	"github.com/gemmatok/gemmatok/vocab"
)

func TestMedian(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var ds []time.Duration
		for _, n := range ns {
			ds = append(ds, time.Duration(n)*time.Millisecond)
		}
		return ds
	}
	for _, tt := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{ms(7), 7 * time.Millisecond},
		{ms(9, 1, 5), 5 * time.Millisecond},
		{ms(9, 1, 5, 3), 4 * time.Millisecond},
	} {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// fakeReport has two files: gemmatok is 40× the better mode of every
// reference on "en", and 10× go-sentencepiece's line by line on "zh",
// where C++ also encodes differently.
func fakeReport() *Report {
	ref := func(mbps float64, same bool) *RefResult {
		return &RefResult{Timing: Timing{Runs: 1, Seconds: 1, MBps: mbps}, SameIDs: same, Diff: "differs"}
	}
	return &Report{
		Date: "2026-01-01 00:00 UTC", Machine: Machine{CPU: "Test CPU", Cores: 2},
		Files: []FileResult{
			{Name: "en", Bytes: 1000, Encode: Timing{Runs: 5, MBps: 40}, Refs: []RefPair{
				{Whole: ref(0.5, true), Lines: ref(1, true)},
				{Whole: ref(0.5, true), Lines: ref(1, true)},
			}},
			{Name: "zh", Bytes: 1000, Encode: Timing{Runs: 5, MBps: 40}, Refs: []RefPair{
				{Whole: ref(0.5, true), Lines: ref(4, true)},
				{Whole: ref(0.5, false), Lines: ref(1, true)},
			}},
		},
		Patho: []PathoResult{
			{Name: "linear", Small: Timing{MBps: 20, Seconds: 1}, Large: &Timing{MBps: 20, Seconds: 2}, Growth: 2},
			{Name: "quadratic", Small: Timing{MBps: 20, Seconds: 1}, Large: &Timing{MBps: 10, Seconds: 4}, Growth: 4},
			{Name: "slow", Small: Timing{MBps: 5, Seconds: 1}, Large: &Timing{MBps: 5, Seconds: 2}, Growth: 2},
			// Timed when the machine ran English at 15 MB/s, not 40.
			{Name: "slow beside slow English", Small: Timing{MBps: 5, Seconds: 1}, Large: &Timing{MBps: 5, Seconds: 2}, Growth: 2,
				English: &Timing{MBps: 15}},
		},
	}
}

func statuses(cs []Check) map[string]string {
	m := map[string]string{}
	for _, c := range cs {
		m[c.Name] = c.Status
	}
	return m
}

func TestRatioCheck(t *testing.T) {
	r := fakeReport()
	if c := ratioCheck(r, 0, "fresh", FileResult.fresh, minEncodeRatio); c.Status != fail || !strings.Contains(c.Detail, "worst 10.0× (zh") || !strings.Contains(c.Detail, "1 of 2 files") {
		t.Errorf("go-sentencepiece: %+v, want FAIL with zh at 10×", c)
	}
	if c := ratioCheck(r, 1, "fresh", FileResult.fresh, minEncodeRatio); c.Status != pass {
		t.Errorf("C++: %+v, want pass", c)
	}
	// gemmatok's slower mode counts: zh line by line at 20 MB/s is 5×
	// go-sentencepiece's 4 MB/s, and below 30× C++'s 1 MB/s.
	r.Files[1].EncodeLines = Timing{Runs: 5, MBps: 20}
	if c := ratioCheck(r, 0, "fresh", FileResult.fresh, minEncodeRatio); !strings.Contains(c.Detail, "below 30×: zh 5.00×") {
		t.Errorf("go-sentencepiece, zh slower line by line: %+v, want zh at 5×", c)
	}
	if c := ratioCheck(r, 1, "fresh", FileResult.fresh, minEncodeRatio); c.Status != fail || !strings.Contains(c.Detail, "zh 20.0×") {
		t.Errorf("C++, zh slower line by line: %+v, want FAIL with zh at 20×", c)
	}
	if c := ratioCheck(r, 1, "warm", FileResult.warm, minEncodeRatio); c.Status != fail || !strings.Contains(c.Detail, "2 of 2 files below") {
		t.Errorf("C++, warm, not measured: %+v, want both files below", c)
	}
	r.Files[0].Refs[1] = RefPair{}
	r.Files[1].Refs[1] = RefPair{}
	if c := ratioCheck(r, 1, "fresh", FileResult.fresh, minEncodeRatio); c.Status != skip {
		t.Errorf("C++ not run: %+v, want skip", c)
	}
}

func TestSameIDChecks(t *testing.T) {
	got := statuses(sameIDChecks(fakeReport()))
	want := map[string]string{
		"same ids as go-sentencepiece, whole text":    pass,
		"same ids as go-sentencepiece, line by line":  pass,
		"same ids as C++ SentencePiece, whole text":   fail,
		"same ids as C++ SentencePiece, line by line": pass,
	}
	for name, st := range want {
		if got[name] != st {
			t.Errorf("%s: %q, want %q", name, got[name], st)
		}
	}
}

func TestPathoChecks(t *testing.T) {
	cs := pathoChecks(fakeReport())
	// English is 40 MB/s: 5 MB/s is 8× slower, but 3× slower than English
	// timed beside it at 15 MB/s.
	want := []string{pass, fail, fail, pass}
	if len(cs) != len(want) {
		t.Fatalf("%d checks, want %d", len(cs), len(want))
	}
	for i, c := range cs {
		if c.Status != want[i] {
			t.Errorf("%s: %s (%s), want %s", c.Name, c.Status, c.Detail, want[i])
		}
	}
}

func TestLogScale(t *testing.T) {
	s := newLogScale(0.3, 250, 100, 300)
	if s.lo != 0.1 || s.hi != 1000 {
		t.Fatalf("scale spans %g..%g, want 0.1..1000", s.lo, s.hi)
	}
	if y := s.y(s.hi); y != 100 {
		t.Errorf("y(hi) = %g, want the top, 100", y)
	}
	if y := s.y(s.lo); y != 400 {
		t.Errorf("y(lo) = %g, want the bottom, 400", y)
	}
	if y1, y10 := s.y(1), s.y(10); y1-y10 < 74.9 || y1-y10 > 75.1 {
		t.Errorf("a decade spans %g pixels, want 300/4", y1-y10)
	}
}

// TestWriteSVG checks that the chart is well-formed XML with one bar per
// file and measured series, and carries the machine in its title.
func TestWriteSVG(t *testing.T) {
	var b strings.Builder
	if err := writeSVG(&b, fakeReport()); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(strings.NewReader(b.String()))
	bars := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("malformed SVG: %v\n%s", err, b.String())
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			for _, a := range se.Attr {
				if a.Name.Local == "class" && a.Value == "bar" {
					bars++
				}
			}
		}
	}
	if want := 2 * 5; bars != want {
		t.Errorf("%d bars, want %d", bars, want)
	}
	if !strings.Contains(b.String(), "Test CPU, 2 cores") {
		t.Error("the chart does not name the machine")
	}
}

func TestTable(t *testing.T) {
	var b strings.Builder
	table(&b, []string{"name", "n"}, "lr", [][]string{{"é", "10"}, {"long name", "2"}})
	want := "| name      |   n |\n" +
		"| --------- | --: |\n" +
		"| é         |  10 |\n" +
		"| long name |   2 |\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestTrimNum(t *testing.T) {
	for v, want := range map[float64]string{0.05: "0.05", 0.2: "0.2", 1: "1", 5: "5", 500: "500", 1000: "1000"} {
		if got := trimNum(v); got != want {
			t.Errorf("trimNum(%g) = %q, want %q", v, got, want)
		}
	}
	// Axis values come from repeated multiplication, with rounding errors.
	if got := trimNum(0.1 * 10 * 10 * 2); got != "20" {
		t.Errorf("trimNum(20, rounded) = %q, want 20", got)
	}
}

// TestReportRoundTrip checks that --from reports what --json wrote.
func TestReportRoundTrip(t *testing.T) {
	r := fakeReport()
	r.NotRun = []RefError{{"go-sentencepiece", "model type UNIGRAM not supported"}}
	r.Checks = checks(r)
	var md1, md2 strings.Builder
	if err := r.writeMarkdown(&md1); err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/r.json"
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.writeJSON(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	back, err := readReport(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := back.writeMarkdown(&md2); err != nil {
		t.Fatal(err)
	}
	if md1.String() != md2.String() {
		t.Errorf("report changed on the way through JSON:\n%s\nthen:\n%s", md1.String(), md2.String())
	}
}

func TestMedianFloat(t *testing.T) {
	if got := median([]float64{2, 1.5, 0.5, 3}); got != 1.75 {
		t.Errorf("median = %g, want 1.75", got)
	}
}

// TestGoSPInProcess runs go-sentencepiece in the test's own process through
// runRef, as the harness does, and checks that it reports its version, its
// load time and gemmatok's ids, whole text and line by line.
func TestGoSPInProcess(t *testing.T) {
	text := "Tokenization, naturally.\n自然言語処理 — обработка 123.\n\n  two  spaces\n"
	files := []corpusFile{{"t", "t.txt", text}}
	tok := readyTokenizer()
	var perLine [][]int32
	for l := range strings.SplitSeq(text, "\n") {
		perLine = append(perLine, tok.Encode(l))
	}
	whole := []refrun.Digest{refrun.DigestIDs(tok.Encode(text))}
	lines := []refrun.Digest{refrun.DigestLines(perLine)}

	r := &Report{Files: []FileResult{{Name: "t", Bytes: len(text), Refs: make([]RefPair, len(references))}}}
	runRef(r, 0, references[0], files, whole, lines, "../vocab/gemma2.model", time.Millisecond)
	if len(r.Notes) > 0 {
		t.Fatal(r.Notes)
	}
	if len(r.Load.Refs) != 1 || r.Load.Refs[0].Name != "go-sentencepiece v0.6.0" || r.Load.Refs[0].Runs != 3 {
		t.Errorf("load: %+v, want 3 runs of go-sentencepiece v0.6.0", r.Load.Refs)
	}
	p := r.Files[0].Refs[0]
	for name, m := range map[string]*RefResult{"whole text": p.Whole, "line by line": p.Lines} {
		if m == nil || !m.SameIDs || m.Runs < 1 || m.MBps <= 0 {
			t.Errorf("%s: %+v, want gemmatok's ids, timed", name, m)
		}
	}
}

// TestRun runs the harness on two corpus files with the embedded model and
// with a Unigram test model, which go-sentencepiece does not load, one run
// of everything, and checks that every figure is there, that a reference
// that cannot load the model is reported rather than fatal, and that the
// checks are the for the model.
func TestRun(t *testing.T) {
	saved, savedLoad, savedModel := gemmatokPolicy, loadPolicy, modelData
	defer func() { gemmatokPolicy, loadPolicy, modelData = saved, savedLoad, savedModel }()
	once := refrun.Policy{MinRuns: 1, MaxRuns: 1, Limit: time.Minute}
	gemmatokPolicy, loadPolicy = once, once
	_, noCpp := pyfind.Python("sentencepiece")

	for _, tt := range []struct {
		model      string
		otherModel bool
		notRun     []string // references reported as not run
		targets    []string // some checks that must be there
	}{
		{"../vocab/gemma2.model", false, nil, []string{"fresh encode ≥ 30× C++ SentencePiece (better of whole text and line by line), every file"}},
		{"../testdata/models/unigram8k_nmt_nfkc.model", true, []string{"go-sentencepiece"}, []string{
			"fresh encode ≥ 4× C++ SentencePiece (better of whole text and line by line), every file",
			"warm encode ≥ 8× C++ SentencePiece (better of whole text and line by line), every file",
			"load until the first Encode returns, model bytes in memory ≤ 20.0 ms",
		}},
	} {
		r, err := run(options{corpus: "../testdata/corpus", files: regexp.MustCompile("^(en|ja)$"), model: tt.model,
			refs: true, refBudget: time.Millisecond})
		if err != nil {
			t.Fatalf("%s: %v", tt.model, err)
		}
		if r.OtherModel != tt.otherModel {
			t.Errorf("%s: OtherModel %v, want %v", tt.model, r.OtherModel, tt.otherModel)
		}
		if inPlace := &modelData[0] == &vocab.DefaultModel()[0]; inPlace == tt.otherModel {
			t.Errorf("%s: gemmatok measured with the embedded model's own bytes: %v, want %v", tt.model, inPlace, !tt.otherModel)
		}
		if len(r.Files) != 2 || r.Files[0].Name != "en" || r.Files[1].Name != "ja" {
			t.Fatalf("%s: files %+v, want en and ja", tt.model, r.Files)
		}
		for _, f := range r.Files {
			for name, tm := range map[string]Timing{"fresh": f.Encode, "fresh lines": f.EncodeLines, "warm": f.EncodeWarm, "warm lines": f.EncodeWarmLines, "decode": f.Decode} {
				if tm.Runs != 1 || tm.MBps <= 0 {
					t.Errorf("%s, %s: %s %+v, want one run", tt.model, f.Name, name, tm)
				}
			}
		}
		if r.Load.Bytes.Runs != 1 || r.Load.File.Runs != 1 {
			t.Errorf("%s: load %+v, want one run from bytes and one from the file", tt.model, r.Load)
		}
		notRun := tt.notRun
		if noCpp != nil {
			notRun = append(notRun, "C++ SentencePiece")
		}
		var got []string
		for _, e := range r.NotRun {
			got = append(got, e.Name)
			if e.Error == "" {
				t.Errorf("%s: %s not run, without its error", tt.model, e.Name)
			}
		}
		if !slices.Equal(got, notRun) {
			t.Errorf("%s: references not run %v, want %v", tt.model, got, notRun)
		}
		status := statuses(r.Checks)
		for _, name := range tt.targets {
			if _, ok := status[name]; !ok {
				t.Errorf("%s: no check %q in %v", tt.model, name, status)
			}
		}
		for name, st := range status {
			if strings.HasPrefix(name, "same ids") && st == fail {
				t.Errorf("%s: %s: %s", tt.model, name, st)
			}
		}
		var md strings.Builder
		if err := r.writeMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		for _, name := range notRun {
			if !strings.Contains(md.String(), name+" did not run") {
				t.Errorf("%s: the report does not say that %s did not run:\n%s", tt.model, name, md.String())
			}
		}
	}
}
