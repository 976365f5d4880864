// Package hforacle runs Hugging Face tokenizers (the npm package
// tokenizers@0.23.2, a native Rust binding) under Node as a second
// reference for the tests and the benchmark harness: one long-lived
// process, testdata/hf_oracle.js, spoken to in JSON lines.
//
// The package is installed, not committed, under testdata/hf/node_modules
// (see .ci/run).
package hforacle

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gemmatok/gemmatok/internal/lineproc"
)

// Version is the version of the tokenizers package the oracle runs.
const Version = "0.23.2"

// An Oracle is a running oracle process. Its methods are safe for
// concurrent use; calls are answered one at a time.
type Oracle struct{ p *lineproc.Proc }

// ModulesDir returns the node_modules directory of the oracle under the
// repository's root.
func ModulesDir(root string) string { return filepath.Join(root, "testdata", "hf", "node_modules") }

// Start starts the oracle of the repository at root, or says why it cannot:
// no node, or the package not installed.
func Start(root string) (*Oracle, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("hforacle: no node: %v", err)
	}
	mods := ModulesDir(root)
	if _, err := os.Stat(filepath.Join(mods, "tokenizers", "package.json")); err != nil {
		return nil, fmt.Errorf("hforacle: tokenizers@%s not installed in %s (bash .ci/run installs it)", Version, mods)
	}
	cmd := exec.Command(node, filepath.Join(root, "testdata", "hf_oracle.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	p, err := lineproc.Start("hforacle", cmd)
	if err != nil {
		return nil, err
	}
	return &Oracle{p}, nil
}

var (
	sharedOnce sync.Once
	shared     *Oracle
	sharedErr  error
)

// Shared returns the oracle of the repository at root, started on the
// first call and shared by the process's tests, or skips tb when it cannot
// start, unless GEMMATOK_REQUIRE_ORACLE=1, when tb fails.
func Shared(tb testing.TB, root string) *Oracle {
	tb.Helper()
	sharedOnce.Do(func() { shared, sharedErr = Start(root) })
	if sharedErr != nil {
		if os.Getenv("GEMMATOK_REQUIRE_ORACLE") == "1" {
			tb.Fatalf("HF oracle required but unavailable: %v", sharedErr)
		}
		tb.Skipf("HF oracle unavailable: %v", sharedErr)
	}
	return shared
}

// Close ends the process.
func (o *Oracle) Close() error { return o.p.Close() }

func (o *Oracle) call(req map[string]any, res any) error { return o.p.Call(req, res) }

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// Load loads a tokenizer.json and returns its vocabulary size, added
// tokens included.
func (o *Oracle) Load(path string) (int, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, err
	}
	var res struct{ Size int }
	err = o.call(map[string]any{"op": "load", "path": abs}, &res)
	return res.Size, err
}

// Encode returns the ids of text, without special tokens added. Text that
// is not UTF-8 is read with U+FFFD for each bad byte.
func (o *Oracle) Encode(text string) ([]int32, error) {
	var res struct{ IDs []int32 }
	err := o.call(map[string]any{"op": "encode", "text": b64(text)}, &res)
	return res.IDs, err
}

// EncodeLines returns the ids of each line of text, split at "\n".
func (o *Oracle) EncodeLines(text string) ([][]int32, error) {
	var res struct{ IDs [][]int32 }
	err := o.call(map[string]any{"op": "encode_lines", "text": b64(text)}, &res)
	return res.IDs, err
}

// UTF8 returns text as the oracle reads it: with U+FFFD for each
// maximal invalid sequence, as the WHATWG decoder does.
func (o *Oracle) UTF8(text string) (string, error) {
	var res struct{ Text string }
	if err := o.call(map[string]any{"op": "utf8", "text": b64(text)}, &res); err != nil {
		return "", err
	}
	b, err := base64.StdEncoding.DecodeString(res.Text)
	return string(b), err
}

// Decode returns the text of ids.
func (o *Oracle) Decode(ids []int32) (string, error) { return o.decode(ids, false) }

// DecodeSkipSpecial returns the text of ids without the special tokens,
// as decode with skip_special_tokens does.
func (o *Oracle) DecodeSkipSpecial(ids []int32) (string, error) { return o.decode(ids, true) }

func (o *Oracle) decode(ids []int32, skipSpecial bool) (string, error) {
	if ids == nil {
		ids = []int32{}
	}
	var res struct{ Text string }
	if err := o.call(map[string]any{"op": "decode", "ids": ids, "skip_special": skipSpecial}, &res); err != nil {
		return "", err
	}
	b, err := base64.StdEncoding.DecodeString(res.Text)
	return string(b), err
}

// A Timing is what Time measures: the wall and CPU time (of the oracle
// process) of each repetition, and the number of ids of one.
type Timing struct {
	Wall, CPU []time.Duration
	IDs       int
}

// Time encodes text reps times in mode "whole", "lines" or "chunks" (10 KB,
// cut at line ends), timed inside the oracle process.
func (o *Oracle) Time(text, mode string, reps int) (Timing, error) {
	var res struct {
		NS    []int64
		CPUNS []int64 `json:"cpu_ns"`
		IDs   int
	}
	err := o.call(map[string]any{"op": "time", "text": b64(text), "mode": mode, "reps": reps}, &res)
	t := Timing{IDs: res.IDs}
	for i := range res.NS {
		t.Wall = append(t.Wall, time.Duration(res.NS[i]))
		t.CPU = append(t.CPU, time.Duration(res.CPUNS[i]))
	}
	return t, err
}
