// Command gemmatok-beam counts and tokenizes a corpus with gemmatok on
// Apache Beam: locally on Beam's in-process runner, prism, or unchanged on
// Flink, Spark or Google Cloud Dataflow.
//
// Usage:
//
//	gemmatok-beam count    --input GLOB... --output DIR [flags]
//	gemmatok-beam tokenize --input GLOB... --output DIR [flags]
//
// count writes DIR/counts.jsonl (tokens, characters and bytes of each input
// file), DIR/failures.jsonl and DIR/summary.json; tokenize writes token
// shards under DIR/shards/, DIR/index.bin, DIR/failures.jsonl and
// DIR/manifest.json. See README.md for the layout and the runner flags.
//
// The exit status is 0 when every input was read and encoded, 1 when some
// input failed (each failure is a line of DIR/failures.jsonl) and 2 when
// the command line is wrong or the pipeline itself failed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// flags are the options the command line sets. Beam's own flags (--runner,
// --endpoint, --environment_type, --project and the rest) live on the same
// command line.
var flags = options{TextField: "text", RangeSize: 16 << 20}

// beamFlags are the flags that Beam's packages registered, which are
// initialized before this one.
var beamFlags = make(map[string]bool)

func init() {
	flag.VisitAll(func(f *flag.Flag) { beamFlags[f.Name] = true })
	f := &flags
	flag.Func("input", "read the files matching `GLOB` (repeatable); *.jsonl and *.ndjson are JSON lines, *.gz is gzip", func(s string) error {
		f.Inputs = append(f.Inputs, s)
		return nil
	})
	flag.StringVar(&f.Output, "output", "", "write the results to `DIR` (a local path or one Beam's filesystems know, such as gs://)")
	flag.StringVar(&f.Model, "model", "", "use the SentencePiece model at `PATH` instead of the embedded Gemma model; each worker reads it once")
	flag.Func("special", "treat text spelling a special piece as `pieces` (as SentencePiece, the default), text or reject", func(s string) error {
		for _, m := range []tokenizer.SpecialMode{tokenizer.SpecialPieces, tokenizer.SpecialText, tokenizer.SpecialReject} {
			if s == m.String() {
				f.Special = m
				return nil
			}
		}
		return errors.New("want pieces, text or reject")
	})
	flag.StringVar(&f.TextField, "text-field", f.TextField, "the `FIELD` of a JSON-lines record that holds its text")
	flag.Int64Var(&f.RangeSize, "range-size", f.RangeSize, "split an uncompressed file into ranges of about `BYTES`, cut where the ids provably do not change")
	flag.Func("docs", "tokenize: a document of a text file is the whole `file` (default), or each non-empty line", func(s string) error {
		switch s {
		case "file", "line":
			f.LineDocs = s == "line"
			return nil
		}
		return errors.New("want file or line")
	})
	flag.BoolVar(&f.BOS, "bos", false, "tokenize: start each document with the BOS id")
	flag.BoolVar(&f.EOS, "eos", false, "tokenize: end each document with the EOS id")
}

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // some input failed; the job's outputs say which
	exitUsage  = 2 // a wrong command line, or the pipeline did not run
)

const usage = `usage: gemmatok-beam count|tokenize --input GLOB [--input GLOB]... --output DIR [flags]

count writes the tokens, characters and bytes of each input file to
DIR/counts.jsonl and their total to DIR/summary.json; tokenize writes the ids
of each document as token shards with an index and DIR/manifest.json. Both
report input they could not read or encode in DIR/failures.jsonl and exit
with status 1 when there was any.

Flags:
`

func main() {
	err := parseArgs(os.Args[1:])
	// beam.Init turns this process into a worker when a runner started it
	// as one (with --worker); it then never returns. It must come after
	// the flags are parsed.
	beam.Init()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "gemmatok-beam: %v\nrun gemmatok-beam -h for help\n", err)
		}
		os.Exit(exitUsage)
	}
	os.Exit(run(context.Background(), flags, os.Stdout, os.Stderr))
}

// parseArgs parses the command line into flags: the job's name, then
// flags. A worker started by a runner has flags only.
func parseArgs(args []string) error {
	job := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		job, args = args[0], args[1:]
	}
	// The flags, Beam's among them, are parsed by a copy of the command
	// line's set that returns its errors rather than exiting, so that
	// beam.Init still runs; the command line's is then marked parsed, as
	// Beam expects.
	// Its errors are returned, not printed with the usage, which with
	// Beam's flags runs to some 150 lines and would bury them.
	fs := flag.NewFlagSet("gemmatok-beam", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	// The usage lists gemmatok-beam's flags apart from the many of Beam's
	// SDK and runners.
	own, beams := flag.NewFlagSet("", 0), flag.NewFlagSet("", 0)
	flag.VisitAll(func(f *flag.Flag) {
		fs.Var(f.Value, f.Name, f.Usage)
		set := own
		if beamFlags[f.Name] {
			set = beams
		}
		set.Var(f.Value, f.Name, f.Usage)
	})
	err := fs.Parse(args)
	flag.CommandLine.Parse(nil)
	if errors.Is(err, flag.ErrHelp) {
		w := flag.CommandLine.Output()
		fmt.Fprint(w, usage)
		for _, set := range []*flag.FlagSet{own, beams} {
			if set == beams {
				fmt.Fprint(w, "\nBeam's flags:\n")
			}
			set.SetOutput(w)
			set.PrintDefaults()
		}
	}
	if err != nil {
		return err
	}
	if job == "" && isWorker() {
		return nil
	}
	switch {
	case job != "count" && job != "tokenize":
		return fmt.Errorf("want a job, count or tokenize, not %q", job)
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q (inputs are given with --input)", fs.Arg(0))
	case len(flags.Inputs) == 0:
		return errors.New("no --input")
	case flags.Output == "":
		return errors.New("no --output")
	case flags.RangeSize < 1:
		return errors.New("--range-size must be positive")
	}
	if job == "count" {
		// count encodes a text file as one text; the planner would cut
		// a file of lines after newlines, whose parts' counts do not add
		// up to the file's.
		for _, name := range []string{"docs", "bos", "eos"} {
			if isSet(fs, name) {
				return fmt.Errorf("--%s is for tokenize", name)
			}
		}
	}
	flags.Job = job
	return nil
}

// isSet reports whether the command line parsed into fs set the flag name.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// isWorker reports whether a runner started this process as a worker.
func isWorker() bool {
	f := flag.Lookup("worker")
	return f != nil && f.Value.String() == "true"
}

// run runs the job opts describes and returns the exit status.
func run(ctx context.Context, opts options, stdout, stderr io.Writer) int {
	cfg, err := newConfig(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "gemmatok-beam: %v\n", err)
		return exitUsage
	}
	failures, err := cfg.run(ctx, beamx.Run, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "gemmatok-beam: %v\n", err)
		return exitUsage
	}
	if failures > 0 {
		fmt.Fprintf(stderr, "gemmatok-beam: %d failures, listed in %s\n", failures, cfg.out(failuresFile))
		return exitFailed
	}
	return exitOK
}
