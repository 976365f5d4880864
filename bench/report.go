package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"unicode/utf8"
)

// Report is everything one run of the harness measured.
type Report struct {
	Date    string  `json:"date"`
	Machine Machine `json:"machine"`
	Corpus  string  `json:"corpus"`
	Model   string  `json:"model"`
	// OtherModel is set when Model is not the embedded model: the run is
	// checked against issue 17's targets instead of issue 3's.
	OtherModel bool          `json:"other_model,omitempty"`
	NotRun     []RefError    `json:"not_run,omitempty"` // the references that could not run
	Clock      clock         `json:"clock"`
	Notes      []string      `json:"notes,omitempty"`
	Files      []FileResult  `json:"files"`
	Load       LoadResult    `json:"load"`
	Allocs     AllocResult   `json:"allocs"`
	Batch      BatchResult   `json:"batch"`
	Patho      []PathoResult `json:"pathological"`
	Checks     []Check       `json:"checks"`
}

// Machine describes where the numbers were measured.
type Machine struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Go         string `json:"go"`
	// The 1-minute load average when the run started and ended: on a
	// shared machine it says how much other processes competed for the
	// cores (wall-clock figures suffer; CPU-time figures much less).
	LoadStart string `json:"loadavg_start"`
	LoadEnd   string `json:"loadavg_end"`
}

func thisMachine() Machine {
	return Machine{CPU: cpuModel(), Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Go: runtime.Version(), LoadStart: loadAvg()}
}

// loadAvg returns the 1-minute load average, or "?" where there is none.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or GOARCH
// where there is none.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// String is the one-line description the table and the chart carry.
func (m Machine) String() string {
	return fmt.Sprintf("%s, %d cores, %s", m.CPU, m.Cores, m.Go)
}

// A RefError is why a reference could not run, the model it does not load
// for instance.
type RefError struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

// A FileResult is the encode and decode figures of one corpus file. Reports
// from before gemmatok was timed line by line have no Lines figures (no
// runs).
type FileResult struct {
	Name            string    `json:"name"`
	Bytes           int       `json:"bytes"`
	Tokens          int       `json:"tokens"`
	Encode          Timing    `json:"encode"`            // a fresh Tokenizer per run, whole text
	EncodeLines     Timing    `json:"encode_lines"`      // a fresh Tokenizer per run, line by line
	EncodeWarm      Timing    `json:"encode_warm"`       // one Tokenizer over and over, whole text
	EncodeWarmLines Timing    `json:"encode_warm_lines"` // one Tokenizer over and over, line by line
	Decode          Timing    `json:"decode"`
	Refs            []RefPair `json:"references"` // in the order of references
}

// fresh is gemmatok's slower mode with a fresh Tokenizer, the figure its
// targets are checked with.
func (f FileResult) fresh() Timing { return slower(f.Encode, f.EncodeLines) }

// warm is gemmatok's slower mode with a warm Tokenizer.
func (f FileResult) warm() Timing { return slower(f.EncodeWarm, f.EncodeWarmLines) }

func slower(whole, lines Timing) Timing {
	if lines.Runs > 0 && lines.MBps < whole.MBps {
		return lines
	}
	return whole
}

// bestRef returns the fastest figure of any reference on the file, whole
// text or line by line, and which it is ("C++ lines"), or nil when no
// reference ran.
func (f FileResult) bestRef() (*RefResult, string) {
	var best *RefResult
	name := ""
	for i, p := range f.Refs {
		if b := p.best(); b != nil && (best == nil || b.MBps > best.MBps) {
			best, name = b, references[i].short+" whole"
			if b == p.Lines {
				name = references[i].short + " lines"
			}
		}
	}
	return best, name
}

func (r *Report) file(name string) (FileResult, bool) {
	for _, f := range r.Files {
		if f.Name == name {
			return f, true
		}
	}
	return FileResult{}, false
}

// readReport reads a report that writeJSON wrote.
func readReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &r, nil
}

// writeJSON writes the report as indented JSON.
func (r *Report) writeJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(r)
}

// writeMarkdown writes the report as Markdown: the encode table, then the
// other measurements, then the verdict on every target.
func (r *Report) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## gemmatok benchmark, %s\n\n", r.Date)
	fmt.Fprintf(&b, "Machine: %s; load average %s at the start, %s at the end. Corpus: `%s`. Model: `%s`.",
		r.Machine, r.Machine.LoadStart, r.Machine.LoadEnd, r.Corpus, r.Model)
	for _, l := range r.Load.Refs {
		fmt.Fprintf(&b, " Reference: %s.", l.Name)
	}
	b.WriteString("\n\n")
	b.WriteString("Single-thread encode, MB/s (10^6 bytes of input per " + clockName(r.Clock) + "), each the median of its runs: " +
		runsNote(r) + ". gemmatok encodes each text whole and line by line (split at \"\\n\", each line on its own), as the references do; " +
		"fresh is a new Tokenizer every run, its caches empty; warm is one Tokenizer encoding the same text again and again, " +
		"its word cache already holding every word it has room for (an upper bound no new text reaches; a text of more distinct words than the cache holds " +
		"gains less from it). " +
		"Ratios are gemmatok's slower mode, fresh or warm, over the best reference figure (the fastest reference, whole text or line by line). " +
		"Same ids, whole/line by line, per reference: ✓ same as gemmatok, ✗ DIFFERENT, - not run.\n\n")
	for _, e := range r.NotRun {
		fmt.Fprintf(&b, "%s did not run, its columns are empty: %s.\n\n", e.Name, e.Error)
	}

	header := []string{"file", "size", "tokens", "fresh MB/s", "fresh lines MB/s", "fresh Mtok/s", "warm MB/s", "warm lines MB/s", "decode MB/s"}
	align := "lrrrrrrrr"
	for _, ref := range references {
		header = append(header, ref.short+" whole MB/s", ref.short+" lines MB/s")
		align += "rr"
	}
	header = append(header, "best ref", "fresh × best ref", "warm × best ref", "same ids")
	align += "lrrc"
	var rows [][]string
	for _, f := range r.Files {
		row := []string{f.Name, kb(f.Bytes), fmt.Sprint(f.Tokens),
			num(f.Encode.MBps), timingMBps(f.EncodeLines), num(f.Encode.TokensPerSec / 1e6), num(f.EncodeWarm.MBps), timingMBps(f.EncodeWarmLines), num(f.Decode.MBps)}
		var marks []string
		for _, p := range f.Refs {
			row = append(row, refMBps(p.Whole), refMBps(p.Lines))
			marks = append(marks, same(p.Whole)+"/"+same(p.Lines))
		}
		best, name := f.bestRef()
		if best == nil {
			name = "-"
		}
		row = append(row, name, ratio(f.fresh(), best), ratio(f.warm(), best))
		rows = append(rows, append(row, strings.Join(marks, " ")))
	}
	table(&b, header, align, rows)

	b.WriteString("\n### Load and memory\n\n")
	rows = [][]string{
		{"gemmatok, " + r.bytesName() + ", until the first Encode returns", ms(r.Load.Bytes.Seconds), fmt.Sprint(r.Load.Bytes.Runs)},
		{"gemmatok, from a file, until the first Encode returns", ms(r.Load.File.Seconds), fmt.Sprint(r.Load.File.Runs)},
		{"gemmatok, " + r.bytesName() + ", constructor alone", ms(r.Load.BytesNew.Seconds), fmt.Sprint(r.Load.BytesNew.Runs)},
		{"gemmatok, from a file, constructor alone", ms(r.Load.FileNew.Seconds), fmt.Sprint(r.Load.FileNew.Runs)},
	}
	if r.Load.Process.Runs > 0 {
		rows = append(rows, []string{fmt.Sprintf("%s of a %d-byte file, a new process each run, wall clock", r.Load.RSSProcess, r.Load.RSSTextBytes),
			ms(r.Load.Process.Seconds), fmt.Sprint(r.Load.Process.Runs)})
	}
	for _, l := range r.Load.Refs {
		rows = append(rows, []string{l.Name + ", from a file", ms(l.Seconds), fmt.Sprint(l.Runs)})
	}
	table(&b, []string{"model load", "median", "runs"}, "lrr", rows)
	fmt.Fprintf(&b, "\nThe first Encode (of a %d-byte text) is counted as part of loading since a new Tokenizer builds some tables then.", len(primer))
	b.WriteString(" Loads timed within one process find the model's pages mapped and the heap grown by the loads before; a new process maps every page it touches, and its time counts that, the start of the process and its exit.")
	fmt.Fprintf(&b, " Go heap after load and first Encode (live, after GC): %s.", mb(float64(r.Load.HeapBytes)))
	if r.Load.RSSBytes > 0 {
		fmt.Fprintf(&b, " Peak RSS of %s on a %d-byte file: %s (measurement floor %s).",
			r.Load.RSSProcess, r.Load.RSSTextBytes, mb(float64(r.Load.RSSBytes)), mb(float64(r.Load.RSSFloorBytes)))
	}
	b.WriteString("\n")
	writeCold(&b, r.Load)
	if r.Allocs.SampleBytes > 0 { // measured
		r.writeExtras(&b)
	}

	b.WriteString("\n### Targets of issue " + r.issue() + "\n\n")
	rows = nil
	for _, c := range r.Checks {
		rows = append(rows, []string{c.Status, c.Name, c.Detail})
	}
	table(&b, []string{"", "target", "measured"}, "lll", rows)

	if len(r.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// bytesName says what the model's bytes in memory are.
func (r *Report) bytesName() string {
	if r.OtherModel {
		return "model bytes in memory"
	}
	return "embedded model"
}

// issue names the issue whose targets the run was checked against.
func (r *Report) issue() string {
	if r.OtherModel {
		return "17 (a model other than the embedded one)"
	}
	return "3 (the embedded model)"
}

// writeExtras writes the allocations, batch and pathological inputs.
func (r *Report) writeExtras(b *strings.Builder) {
	fmt.Fprintf(b, "\n### Allocations per call (first %d KiB of every file, worst file)\n\n", r.Allocs.SampleBytes>>10)
	table(b, []string{"call", "allocs/op", "worst file"}, "lrl", [][]string{
		{"Count", fmt.Sprintf("%.1f", r.Allocs.Count), r.Allocs.CountWorst},
		{"AppendEncode, slice with room", fmt.Sprintf("%.1f", r.Allocs.AppendEncode), r.Allocs.AppendWorst},
	})

	fmt.Fprintf(b, "\n### Batch encode (%d texts, %s, goroutines sharing one warm Tokenizer; wall clock, counts taking turns)\n\n", r.Batch.Texts, kb(r.Batch.Bytes))
	var rows [][]string
	for _, w := range r.Batch.Workers {
		rows = append(rows, []string{fmt.Sprint(w.Goroutines), num(w.Timing.MBps), times(w.Speedup), fmt.Sprint(w.Timing.Runs)})
	}
	table(b, []string{"goroutines", "MB/s", "speed-up", "runs"}, "rrrr", rows)

	b.WriteString("\n### Pathological inputs (gemmatok encode)\n\n")
	rows = nil
	for _, p := range r.Patho {
		large, growth, english := "-", p.Skipped, "-"
		if p.Large != nil {
			large, growth = num(p.Large.MBps), times(p.Growth)
		}
		if p.English != nil {
			english = num(p.English.MBps)
		}
		rows = append(rows, []string{p.Name, num(p.Small.MBps), large, growth, english})
	}
	table(b, []string{"input", "1 MiB: MB/s", "2 MiB: MB/s", "time growth", "English just before: MB/s"}, "lrrrr", rows)

}

func clockName(c clock) string {
	if c == wallClock {
		return "second"
	}
	return "second of CPU time of the timing process"
}

// runsNote says how many runs each tool's figures are the medians of.
func runsNote(r *Report) string {
	var enc, dec runRange
	refs := make([]runRange, len(references))
	for _, f := range r.Files {
		enc.add(f.Encode)
		dec.add(f.Decode)
		for i, p := range f.Refs {
			for _, m := range []*RefResult{p.Whole, p.Lines} {
				if m != nil {
					refs[i].add(m.Timing)
				}
			}
		}
	}
	parts := []string{"gemmatok " + enc.String() + " runs after a warm-up (decode " + dec.String() + ")"}
	for i, rr := range refs {
		if rr.n > 0 {
			parts = append(parts, references[i].name+" "+rr.String())
		}
	}
	return strings.Join(parts, ", ")
}

// runRange is the least and most runs over some timings.
type runRange struct{ n, lo, hi int }

func (r *runRange) add(t Timing) {
	if r.n == 0 || t.Runs < r.lo {
		r.lo = t.Runs
	}
	r.hi = max(r.hi, t.Runs)
	r.n++
}

func (r runRange) String() string {
	if r.lo == r.hi {
		return fmt.Sprint(r.lo)
	}
	return fmt.Sprintf("%d-%d", r.lo, r.hi)
}

// table writes a Markdown table padded to line up in a terminal; align
// has one letter per column: l, r or c.
func table(b *strings.Builder, header []string, align string, rows [][]string) {
	width := make([]int, len(header))
	for _, row := range append([][]string{header}, rows...) {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell), 3)
		}
	}
	line := func(cells []string) {
		b.WriteString("|")
		for i, cell := range cells {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if align[i] == 'r' {
				cell = pad + cell
			} else {
				cell += pad
			}
			b.WriteString(" " + cell + " |")
		}
		b.WriteString("\n")
	}
	line(header)
	rule := make([]string, len(header))
	for i := range rule {
		r := strings.Repeat("-", width[i])
		switch align[i] {
		case 'r':
			r = r[1:] + ":"
		case 'c':
			r = ":" + r[2:] + ":"
		}
		rule[i] = r
	}
	line(rule)
	for _, row := range rows {
		line(row)
	}
}

// num formats a rate with three significant digits or so.
func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func times(v float64) string { return num(v) + "×" }

func ms(sec float64) string { return num(sec*1e3) + " ms" }

func mb(bytes float64) string { return num(bytes/1e6) + " MB" }

func kb(bytes int) string { return fmt.Sprintf("%d KB", (bytes+500)/1000) }

// timingMBps is a Timing's MB/s, or - when it was not timed.
func timingMBps(t Timing) string {
	if t.Runs == 0 {
		return "-"
	}
	return num(t.MBps)
}

func refMBps(r *RefResult) string {
	if r == nil {
		return "-"
	}
	return num(r.MBps)
}

func ratio(ours Timing, r *RefResult) string {
	if r == nil {
		return "-"
	}
	return times(ours.MBps / r.MBps)
}

func same(r *RefResult) string {
	switch {
	case r == nil:
		return "-"
	case r.SameIDs:
		return "✓"
	default:
		return "✗"
	}
}

// writeCold writes the table of new processes on the small file, if any.
func writeCold(b *strings.Builder, l LoadResult) {
	if len(l.Cold) == 0 {
		return
	}
	fmt.Fprintf(b, "\n### A new process on a %d-byte file (each a new process, taking turns; medians)\n\n", l.RSSTextBytes)
	var rows [][]string
	for _, c := range l.Cold {
		rows = append(rows, []string{c.Command, ms(c.Timing.WallSeconds), ms(c.Timing.CPUSeconds),
			fmt.Sprintf("%.0f", c.Faults), mb(float64(c.RSS)), fmt.Sprint(c.Timing.Runs)})
	}
	table(b, []string{"command", "wall", "CPU", "minor faults", "peak RSS", "runs"}, "lrrrrr", rows)
}
