package main

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/gemmatok/gemmatok/bench/internal/refrun"
)

// The references run in child processes, one at a time, while this process
// waits: go-sentencepiece in bench/gosp, Google's C++ SentencePiece through
// its Python binding in bench/cppref.py. Both time encoding inside their
// process, model load and start-up excluded, and report digests of the ids
// (see package refrun).

// A reference is a way to start a runner.
type reference struct {
	name  string // as reports and checks call it
	short string // for table headers
	// command returns the runner's command line without its arguments,
	// and a function to call when done with it.
	command func() ([]string, func(), error)
}

var references = []reference{
	{"go-sentencepiece", "go-sp", goSPCommand},
	{"C++ SentencePiece", "C++", cppCommand},
}

// goSPCommand builds bench/gosp into a temporary directory.
func goSPCommand() ([]string, func(), error) {
	dir, err := os.MkdirTemp("", "gemmatok-bench")
	if err != nil {
		return nil, nil, err
	}
	done := func() { os.RemoveAll(dir) }
	bin := filepath.Join(dir, "gosp")
	if out, err := exec.Command("go", "build", "-o", bin, "./bench/gosp").CombinedOutput(); err != nil {
		done()
		return nil, nil, fmt.Errorf("building bench/gosp: %v: %s", err, out)
	}
	return []string{bin}, done, nil
}

//go:embed cppref.py
var cppScript string

// cppCommand runs bench/cppref.py, embedded so that the harness runs from
// anywhere, with an interpreter that can import sentencepiece. Debian's
// python3-sentencepiece is installed for /usr/bin/python3, which need not
// be the python3 first on PATH.
func cppCommand() ([]string, func(), error) {
	cands := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		cands = append(cands, p)
	}
	for _, p := range cands {
		if exec.Command(p, "-c", "import sentencepiece").Run() == nil {
			return []string{p, "-c", cppScript}, func() {}, nil
		}
	}
	return nil, nil, errors.New("no python3 can import sentencepiece (apt-get install python3-sentencepiece)")
}

// run times the reference on the files.
func (ref reference) run(modelPath string, budget time.Duration, paths []string) (*refrun.Output, error) {
	argv, done, err := ref.command()
	if err != nil {
		return nil, err
	}
	defer done()
	p := refrun.RefPolicy(budget)
	args := slices.Concat(argv[1:],
		[]string{modelPath, strconv.FormatFloat(p.Budget.Seconds(), 'f', 3, 64), strconv.Itoa(p.MaxRuns)}, paths)
	cmd := exec.Command(argv[0], args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("runner: %v", err)
	}
	var res refrun.Output
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("runner output: %v", err)
	}
	if len(res.Files) != len(paths) {
		return nil, fmt.Errorf("runner timed %d files, want %d", len(res.Files), len(paths))
	}
	return &res, nil
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
