package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
)

// tokenizeFn writes the ids of a part as a shard: NAME.bin holds the ids,
// little-endian, Width bytes each; NAME.idx the offsets, in ids, of the
// documents that start in the part, little-endian uint64. A shard's name
// comes from its file's and part's numbers, so that a bundle the runner
// retries overwrites its own shard.
type tokenizeFn struct {
	W        worker
	Out      string
	Width    int
	BOS, EOS bool

	ids []int32
}

func (f *tokenizeFn) Setup(ctx context.Context) error { return f.W.setup(ctx) }

// shardInfo is a line of shards.jsonl, which the pipeline writes for the
// manifest, and an entry of the manifest's shard list.
type shardInfo struct {
	Bin       string `json:"path"`  // the ids, under the output directory
	Idx       string `json:"index"` // the offsets of the documents starting in the shard
	Source    string `json:"source"`
	File      int    `json:"-"` // the source's number, which orders the shards
	Part      int    `json:"part"`
	Parts     int    `json:"parts"`
	Start     int64  `json:"start"` // the bytes of the source, [start, end)
	End       int64  `json:"end"`   // -1: to its end
	Tokens    int64  `json:"tokens"`
	Documents int64  `json:"documents"` // documents that start in the shard
	// Where the shard starts among the tokens and documents of the run,
	// in the order of the manifest.
	FirstToken    int64 `json:"first_token"`
	FirstDocument int64 `json:"first_document"`
}

// ProcessElement writes the shard of part p and emits its line of
// shards.jsonl, and a line of failures.jsonl for each failure. Bad input
// is reported, not an error of the pipeline; failing to write is one.
func (f *tokenizeFn) ProcessElement(ctx context.Context, p Part, shard func(string), fail func(string)) error {
	defer f.W.acquire()()
	name := fmt.Sprintf("%s/f%06d-p%05d", shardsDir, p.File.Index, p.Seq)
	sw, err := newShardWriter(ctx, f.Out+"/"+name, f.Width)
	if err != nil {
		return err
	}
	r, err := f.W.open(ctx, p)
	if err == nil {
		if p.Kind == wholeText {
			err = f.text(r, p, sw)
		} else {
			err = f.lines(r, p, sw, fail)
		}
		r.Close()
	}
	if err != nil {
		fail(failureLine(p.File.Path, err, p.Kind == wholeText))
	}
	if err := sw.close(); err != nil {
		return err
	}
	info := shardInfo{Bin: name + ".bin", Idx: name + ".idx", Source: p.File.Path, File: p.File.Index,
		Part: p.Seq, Parts: p.Parts, Start: p.Start, End: p.End, Tokens: sw.tokens, Documents: sw.docs}
	b, err := json.Marshal(shardLine{info, info.File})
	shard(string(b))
	return err
}

// shardLine is shardInfo with the source's number, which the manifest
// leaves out.
type shardLine struct {
	shardInfo
	File int `json:"file"`
}

// text writes a part of a text file that is one document, whose first
// part starts it with BOS and whose last ends it with EOS.
func (f *tokenizeFn) text(r io.Reader, p Part, sw *shardWriter) error {
	if p.Seq == 0 {
		sw.startDoc()
	}
	first := true
	return f.W.eachText(r, p.Start, func(text string, at int64, last bool) error {
		end := last && p.Seq == p.Parts-1
		opts := f.W.textOptions(at, end)
		opts.AddBOS = f.BOS && first && p.Seq == 0
		opts.AddEOS = f.EOS && end
		first = false
		ids, err := f.W.tok.AppendEncodeWith(f.ids[:0], text, opts)
		if err != nil {
			return err
		}
		f.ids = ids
		sw.write(ids)
		return nil
	})
}

// lines writes the documents of a part of a file of lines: its non-empty
// lines, or its JSON-lines records. A bad document is reported and left
// out; a failure to read ends the part.
func (f *tokenizeFn) lines(r io.Reader, p Part, sw *shardWriter, fail func(string)) error {
	opts := f.W.options()
	opts.AddBOS, opts.AddEOS = f.BOS, f.EOS
	return f.W.eachLine(r, p.Start, func(line []byte, at, no int64) error {
		var text string
		var err error
		switch {
		case p.Kind == textLines && len(line) == 0, p.Kind == jsonLines && isBlank(line):
			return nil
		case p.Kind == textLines:
			text = view(line)
		default:
			text, err = f.W.record(line, at, no)
		}
		var ids []int32
		if err == nil {
			ids, err = f.W.tok.AppendEncodeWith(f.ids[:0], text, opts)
			if p.Kind == textLines {
				err = atOffset(err, at, no)
			} else {
				err = f.W.recordError(err, at, no)
			}
		}
		if err != nil {
			fail(failureLine(p.File.Path, err, false))
			return nil
		}
		f.ids = ids
		sw.startDoc()
		sw.write(ids)
		return nil
	})
}

// A shardWriter writes a shard's two files.
type shardWriter struct {
	bin, idx     io.WriteCloser
	bw, iw       *bufio.Writer
	width        int
	tokens, docs int64
	buf          []byte
	err          error // the first failure to write
}

func newShardWriter(ctx context.Context, path string, width int) (*shardWriter, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	bin, err := fs.OpenWrite(ctx, path+".bin")
	if err != nil {
		return nil, err
	}
	idx, err := fs.OpenWrite(ctx, path+".idx")
	if err != nil {
		bin.Close()
		return nil, err
	}
	return &shardWriter{bin: bin, idx: idx, bw: bufio.NewWriterSize(bin, 1<<20), iw: bufio.NewWriter(idx), width: width}, nil
}

// startDoc records that a document starts at the next id.
func (s *shardWriter) startDoc() {
	s.docs++
	s.keep(s.iw.Write(binary.LittleEndian.AppendUint64(s.buf[:0], uint64(s.tokens))))
}

// write appends ids to the shard.
func (s *shardWriter) write(ids []int32) {
	b := s.buf[:0]
	for _, id := range ids {
		if s.width == 2 {
			b = binary.LittleEndian.AppendUint16(b, uint16(id))
		} else {
			b = binary.LittleEndian.AppendUint32(b, uint32(id))
		}
	}
	s.buf = b
	s.tokens += int64(len(ids))
	s.keep(s.bw.Write(b))
}

// keep records the first failure to write.
func (s *shardWriter) keep(_ int, err error) {
	if s.err == nil {
		s.err = err
	}
}

// close flushes and closes the shard's files and returns the first
// failure to write them.
func (s *shardWriter) close() error {
	for _, w := range []*bufio.Writer{s.bw, s.iw} {
		s.keep(0, w.Flush())
	}
	for _, c := range []io.Closer{s.bin, s.idx} {
		s.keep(0, c.Close())
	}
	return s.err
}

// tokenizePipeline adds the tokenize job to s.
func (c *config) tokenizePipeline(s beam.Scope) {
	parts := c.plan(s)
	fn := &tokenizeFn{W: c.worker(), Out: c.Output, Width: c.width, BOS: c.BOS, EOS: c.EOS}
	shards, fails := beam.ParDo2(s, fn, parts)
	textio.Write(s, c.out(shardsFile), shards)
	textio.Write(s, c.out(failuresFile), fails)
}

// manifestInfo is manifest.json, tokenize's result.
type manifestInfo struct {
	Job         string    `json:"job"`
	Model       modelInfo `json:"model"`
	Special     string    `json:"special"`
	Dtype       string    `json:"dtype"` // of an id in the shards, little-endian: uint16 or uint32
	Document    string    `json:"document"`
	BOS         bool      `json:"bos"`
	EOS         bool      `json:"eos"`
	Files       int       `json:"files"`        // input files
	FailedFiles int       `json:"failed_files"` // left out as a whole
	Documents   int64     `json:"documents"`
	Tokens      int64     `json:"tokens"`
	// Index holds documents+1 little-endian uint64 offsets, in tokens,
	// into the shards joined in the order of the list: where each
	// document starts, then the end of the last.
	Index    string      `json:"index"`
	Failures int         `json:"failures"` // lines of failures.jsonl
	FailPath string      `json:"failures_path"`
	Shards   []shardInfo `json:"shards,omitempty"`
}

// manifest reads what the tokenize pipeline wrote, leaves out the shards
// of files that failed as a whole, writes index.bin and manifest.json and
// prints the manifest, without its shard list, to w. It returns the
// number of failures.
func (c *config) manifest(ctx context.Context, w io.Writer) (int, error) {
	lines, err := c.readLines(ctx, shardsFile)
	if err != nil {
		return 0, err
	}
	fails, err := c.sortFailures(ctx)
	if err != nil {
		return 0, err
	}
	failed := make(map[string]bool)
	for _, f := range fails {
		if f.File {
			failed[f.Path] = true
		}
	}
	var shards []shardInfo
	for _, l := range lines {
		var sl shardLine
		if err := json.Unmarshal([]byte(l), &sl); err != nil {
			return 0, fmt.Errorf("%s: %w", shardsFile, err)
		}
		sh := sl.shardInfo
		sh.File = sl.File
		if failed[sh.Source] {
			// Part of a document is no document.
			for _, name := range []string{sh.Bin, sh.Idx} {
				if err := removeFile(ctx, c.out(name)); err != nil {
					return 0, err
				}
			}
			continue
		}
		shards = append(shards, sh)
	}
	slices.SortFunc(shards, func(a, b shardInfo) int { return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Part, b.Part)) })
	m := manifestInfo{Job: c.Job, Model: c.modelInfo(), Special: c.Special.String(), Dtype: fmt.Sprintf("uint%d", 8*c.width),
		Document: "a whole text file, or a JSON-lines record", BOS: c.BOS, EOS: c.EOS, Files: len(c.files),
		FailedFiles: len(failed), Index: indexFile, Failures: len(fails), FailPath: failuresFile, Shards: shards}
	if c.LineDocs {
		m.Document = "a non-empty line of a text file, or a JSON-lines record"
	}
	if err := c.writeIndex(ctx, &m); err != nil {
		return 0, err
	}
	out, _ := json.MarshalIndent(m, "", "  ")
	if err := writeFile(ctx, c.out(manifestFile), append(out, '\n')); err != nil {
		return 0, err
	}
	if err := removeFile(ctx, c.out(shardsFile)); err != nil {
		return 0, err
	}
	m.Shards = nil
	out, _ = json.MarshalIndent(m, "", "  ")
	_, err = fmt.Fprintf(w, "%s\n", out)
	return len(fails), err
}

// writeIndex sets where each of m's shards starts and m's totals, and
// writes index.bin from the shards' own indexes.
func (c *config) writeIndex(ctx context.Context, m *manifestInfo) error {
	fs, err := filesystem.New(ctx, c.Output)
	if err != nil {
		return err
	}
	defer fs.Close()
	wc, err := fs.OpenWrite(ctx, c.out(indexFile))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(wc)
	var b []byte
	for i := range m.Shards {
		sh := &m.Shards[i]
		sh.FirstToken, sh.FirstDocument = m.Tokens, m.Documents
		idx, err := readFile(ctx, c.out(sh.Idx))
		if err != nil {
			wc.Close()
			return err
		}
		if int64(len(idx)) != 8*sh.Documents {
			wc.Close()
			return fmt.Errorf("%s: %d bytes for %d documents", sh.Idx, len(idx), sh.Documents)
		}
		for off := 0; off < len(idx); off += 8 {
			b = binary.LittleEndian.AppendUint64(b[:0], uint64(m.Tokens)+binary.LittleEndian.Uint64(idx[off:]))
			bw.Write(b)
		}
		m.Tokens += sh.Tokens
		m.Documents += sh.Documents
	}
	bw.Write(binary.LittleEndian.AppendUint64(b[:0], uint64(m.Tokens)))
	if err := bw.Flush(); err != nil {
		wc.Close()
		return err
	}
	return wc.Close()
}
