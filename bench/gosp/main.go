// Command gosp is the benchmark harness's runner for go-sentencepiece
// (see package refrun for its arguments and output).
//
// It is a process of its own because go-sentencepiece and gemmatok's vocab
// package both register "sentencepiece_model.proto" with the protobuf
// registry, which panics when one binary links both.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	sentencepiece "github.com/eliben/go-sentencepiece"

	"github.com/gemmatok/gemmatok/bench/internal/refrun"
)

const module = "github.com/eliben/go-sentencepiece"

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: gosp MODEL BUDGET_SECONDS MAX_RUNS FILE...")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3], os.Args[4:]); err != nil {
		fmt.Fprintln(os.Stderr, "gosp:", err)
		os.Exit(1)
	}
}

func run(model, budgetArg, maxRunsArg string, paths []string) error {
	budget, err := strconv.ParseFloat(budgetArg, 64)
	if err != nil {
		return err
	}
	maxRuns, err := strconv.Atoi(maxRunsArg)
	if err != nil {
		return err
	}
	p := refrun.RefPolicy(time.Duration(budget * float64(time.Second)))
	p.MaxRuns = maxRuns

	out := refrun.Output{Version: version()}
	var proc *sentencepiece.Processor
	loads := refrun.Policy{MinRuns: 3, MaxRuns: 3, Budget: time.Minute, Limit: time.Minute}
	out.Load = refrun.NewTimes(loads.Time(func() {
		proc, err = sentencepiece.NewProcessorFromPath(model)
	}))
	if err != nil {
		return err
	}
	encode := func(text string) []int32 {
		toks := proc.Encode(text)
		ids := make([]int32, len(toks))
		for i, t := range toks {
			ids[i] = int32(t.ID)
		}
		return ids
	}

	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(data)
		f := refrun.File{Path: path}

		var ids []int32
		f.Whole.Times = refrun.NewTimes(p.Time(func() { ids = encode(text) }))
		f.Whole.Digest = refrun.DigestIDs(ids)

		lines := strings.Split(text, "\n")
		perLine := make([][]int32, len(lines))
		f.Lines.Times = refrun.NewTimes(p.Time(func() {
			for i, l := range lines {
				perLine[i] = encode(l)
			}
		}))
		f.Lines.Digest = refrun.DigestLines(perLine)
		out.Files = append(out.Files, f)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// version returns go-sentencepiece's module version as built.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == module {
				return d.Version
			}
		}
	}
	return "unknown version"
}
