package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gemmatok/gemmatok/internal/pyfind"

	sentencepiece "github.com/eliben/go-sentencepiece"

	"github.com/gemmatok/gemmatok/bench/internal/refrun"
)

// The references are timed one at a time, after everything else, and
// report their figures as a refrun.Output. go-sentencepiece runs in this
// process, like gemmatok; Google's C++ SentencePiece runs through its
// Python binding in a child process (bench/cppref.py) while this process
// waits. Both time encoding alone, model load excluded, and digest the ids
// for comparison with gemmatok's (see package refrun).

// A reference is another tokenizer that the harness times.
type reference struct {
	name  string // as reports and checks call it
	short string // for table headers
	// time loads the model and times encoding every file, whole text and
	// line by line, each mode within about budget.
	time func(modelPath string, budget time.Duration, files []corpusFile) (*refrun.Output, error)
}

var references = []reference{
	{"go-sentencepiece", "go-sp", timeGoSP},
	{"C++ SentencePiece", "C++", timeCpp},
}

// goSPModule is go-sentencepiece's module path, for its version.
const goSPModule = "github.com/eliben/go-sentencepiece"

// timeGoSP times go-sentencepiece in this process. Every run starts after a
// garbage collection, as gemmatok's do, so that no run pays for the
// garbage of what ran before it. A panic in go-sentencepiece, which
// supports fewer models than gemmatok, is returned as an error.
func timeGoSP(modelPath string, budget time.Duration, files []corpusFile) (out *refrun.Output, err error) {
	defer func() {
		if e := recover(); e != nil {
			out, err = nil, fmt.Errorf("panic: %v", e)
		}
	}()
	out = &refrun.Output{Version: moduleVersion(goSPModule)}
	var proc *sentencepiece.Processor
	loads := refrun.Policy{MinRuns: 3, MaxRuns: 3, Budget: time.Minute, Limit: time.Minute}
	out.Load = refrun.NewTimes(loads.Time(func() {
		proc, err = sentencepiece.NewProcessorFromPath(modelPath)
	}))
	if err != nil {
		return nil, err
	}
	encode := func(text string) []int32 {
		toks := proc.Encode(text)
		ids := make([]int32, len(toks))
		for i, t := range toks {
			ids[i] = int32(t.ID)
		}
		return ids
	}

	p := refrun.RefPolicy(budget)
	for _, f := range files {
		whole, lines, wholeIDs, lineIDs := timeModes(p, runtime.GC, encode, f.text)
		out.Files = append(out.Files, refrun.File{Path: f.path,
			Whole: refrun.Mode{Times: refrun.NewTimes(whole), Digest: wholeIDs},
			Lines: refrun.Mode{Times: refrun.NewTimes(lines), Digest: lineIDs}})
	}
	return out, nil
}

// moduleVersion returns the version of module path this binary was built
// with.
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "unknown version"
}

//go:embed cppref.py
var cppScript string

// timeCpp runs bench/cppref.py, embedded so that the harness runs from
// anywhere, with an interpreter that can import sentencepiece. Its
// arguments and output are described in package refrun.
func timeCpp(modelPath string, budget time.Duration, files []corpusFile) (*refrun.Output, error) {
	python, err := pyfind.Python("sentencepiece")
	if err != nil {
		return nil, fmt.Errorf("%v (apt-get install python3-sentencepiece)", err)
	}
	p := refrun.RefPolicy(budget)
	args := []string{"-c", cppScript, modelPath, strconv.FormatFloat(p.Budget.Seconds(), 'f', 3, 64), strconv.Itoa(p.MaxRuns)}
	for _, f := range files {
		args = append(args, f.path)
	}
	cmd := exec.Command(python, args...)
	cmd.Stderr = os.Stderr
	data, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("runner: %v", err)
	}
	var out refrun.Output
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("runner output: %v", err)
	}
	if len(out.Files) != len(files) {
		return nil, fmt.Errorf("runner timed %d files, want %d", len(out.Files), len(files))
	}
	return &out, nil
}

// A RefPair is one reference's figures on one file, whole text and line by
// line; both nil when the reference did not run.
type RefPair struct {
	Name  string     `json:"name"`
	Whole *RefResult `json:"whole,omitempty"`
	Lines *RefResult `json:"lines,omitempty"`
}

// best returns the faster mode, nil when the reference did not run.
func (p RefPair) best() *RefResult {
	if p.Whole == nil || p.Lines == nil {
		return p.Whole
	}
	if p.Lines.MBps > p.Whole.MBps {
		return p.Lines
	}
	return p.Whole
}

// A RefResult is a reference's encode throughput on one file in one mode,
// and whether its ids equal gemmatok's.
type RefResult struct {
	Timing
	SameIDs bool   `json:"same_ids"`
	Diff    string `json:"diff,omitempty"` // how the ids differ, when they do
}

// result compares one mode of a runner's figures with want, gemmatok's
// digest of the same mode.
func result(m refrun.Mode, size int, want refrun.Digest) *RefResult {
	r := &RefResult{Timing: newTiming(m.Samples(), size, m.Count)}
	r.SameIDs = m.Digest == want
	if !r.SameIDs {
		r.Diff = fmt.Sprintf("%d ids vs gemmatok's %d, SHA-256 %.12s vs %.12s", m.Count, want.Count, m.SHA256, want.SHA256)
	}
	return r
}
