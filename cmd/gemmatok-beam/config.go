package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"

	"github.com/gemmatok/gemmatok/tokenizer"
	"github.com/gemmatok/gemmatok/vocab"
)

// options are what a run is asked to do.
type options struct {
	Job       string   // "count" or "tokenize"
	Inputs    []string // glob patterns
	Output    string   // the output directory
	Model     string   // the model's path; "" for the embedded one
	Special   tokenizer.SpecialMode
	TextField string // the text's field in a JSON-lines record
	RangeSize int64  // the size a large file is split into ranges of
	LineDocs  bool   // tokenize: a line of a text file is a document
	BOS, EOS  bool   // tokenize: add BOS and EOS to each document
}

// The files a run writes in its output directory.
const (
	countsFile   = "counts.jsonl"
	failuresFile = "failures.jsonl"
	summaryFile  = "summary.json"
	shardsFile   = "shards.jsonl" // tokenize's list of shards, for the manifest
	manifestFile = "manifest.json"
	indexFile    = "index.bin"
	shardsDir    = "shards"
)

// A config is a run made ready: its inputs found and its model read.
type config struct {
	options
	files []File
	model Model
	width int // tokenize: the bytes of an id in the shards, 2 or 4
}

// Model names the model a pipeline's workers load. It travels in the
// DoFns: the workers read the file at Path (the embedded model when it is
// "") once each and check that it is the one the run was submitted with.
type Model struct {
	Name    string
	Path    string
	SHA256  string
	Special tokenizer.SpecialMode // how the workers encode special pieces
}

// File is one input file and its place among the run's inputs, which orders
// the shards of tokenize.
type File struct {
	Path  string
	Index int
}

// newConfig finds the inputs opts names and reads its model.
func newConfig(ctx context.Context, opts options) (*config, error) {
	cfg := &config{options: opts}
	cfg.Output = strings.TrimSuffix(cfg.Output, "/")
	if !strings.Contains(cfg.Output, "://") {
		// A local output that cannot be made would otherwise fail the
		// pipeline only when it writes, after all the work.
		if err := os.MkdirAll(cfg.Output, 0o777); err != nil {
			return nil, fmt.Errorf("--output: %w", err)
		}
	}
	data := vocab.DefaultModel()
	cfg.model = Model{Name: "embedded Gemma model", Special: opts.Special}
	if opts.Model != "" {
		var err error
		if data, err = readFile(ctx, opts.Model); err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
		cfg.model.Name, cfg.model.Path = opts.Model, opts.Model
	}
	sum := sha256.Sum256(data)
	cfg.model.SHA256 = hex.EncodeToString(sum[:])
	tok, err := tokenizer.Load(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", cfg.model.Name, err)
	}
	if opts.BOS && tok.BOS() < 0 || opts.EOS && tok.EOS() < 0 {
		return nil, fmt.Errorf("model %s has no BOS or EOS piece to add", cfg.model.Name)
	}
	cfg.width = 4
	if tok.VocabSize() <= 1<<16 {
		cfg.width = 2
	}
	paths, err := expand(ctx, opts.Inputs)
	if err != nil {
		return nil, err
	}
	for i, p := range paths {
		cfg.files = append(cfg.files, File{p, i})
	}
	return cfg, nil
}

// expand returns the files that patterns match, sorted and each once. A
// pattern that matches nothing is an error, as a mistyped one would be.
func expand(ctx context.Context, patterns []string) ([]string, error) {
	var paths []string
	for _, pat := range patterns {
		fs, err := filesystem.New(ctx, pat)
		if err != nil {
			return nil, err
		}
		m, err := fs.List(ctx, pat)
		fs.Close()
		if err != nil {
			return nil, fmt.Errorf("--input %s: %w", pat, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("--input %s: no file matches", pat)
		}
		paths = append(paths, m...)
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}

// out returns the path of name in the output directory.
func (c *config) out(name string) string { return c.Output + "/" + name }

// run runs the pipeline of c's job with runFn, then writes the summary or
// manifest from what the pipeline wrote and prints it to w. It returns the
// number of failures.
func (c *config) run(ctx context.Context, runFn func(context.Context, *beam.Pipeline) error, w io.Writer) (int, error) {
	// Outputs of an earlier run would be taken for this one's: textio
	// writes no file for an empty collection.
	for _, name := range []string{countsFile, failuresFile, summaryFile, shardsFile, manifestFile, indexFile} {
		if err := removeFile(ctx, c.out(name)); err != nil {
			return 0, err
		}
	}
	p, s := beam.NewPipelineWithRoot()
	if c.Job == "count" {
		c.countPipeline(s)
	} else {
		c.tokenizePipeline(s)
	}
	if err := runFn(ctx, p); err != nil {
		return 0, fmt.Errorf("pipeline: %w", err)
	}
	if c.Job == "count" {
		return c.summarize(ctx, w)
	}
	return c.manifest(ctx, w)
}

// readFile reads the file at path from any filesystem Beam knows.
func readFile(ctx context.Context, path string) ([]byte, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// writeFile writes data to the file at path.
func writeFile(ctx context.Context, path string, data []byte) error {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return err
	}
	defer fs.Close()
	wc, err := fs.OpenWrite(ctx, path)
	if err != nil {
		return err
	}
	if _, err := wc.Write(data); err != nil {
		wc.Close()
		return err
	}
	return wc.Close()
}

// exists reports whether the file at path exists. It lists rather than
// opens, since filesystems differ in the error a missing file is.
func exists(ctx context.Context, path string) (bool, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return false, err
	}
	defer fs.Close()
	m, err := fs.List(ctx, path)
	return slices.Contains(m, path), err
}

// removeFile removes the file at path if it exists.
func removeFile(ctx context.Context, path string) error {
	ok, err := exists(ctx, path)
	if err != nil || !ok {
		return err
	}
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return err
	}
	defer fs.Close()
	rm, ok := fs.(filesystem.Remover)
	if !ok {
		return fmt.Errorf("%s: cannot remove the output of an earlier run", path)
	}
	return rm.Remove(ctx, path)
}
