package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"

	"github.com/gemmatok/gemmatok/tokenizer"
	"github.com/gemmatok/gemmatok/vocab"
)

// Kinds of input file.
const (
	wholeText = iota // a text file, encoded as one text
	textLines        // a text file, each non-empty line a document (tokenize --docs line)
	jsonLines        // JSON lines, each record's text field a text
)

// kindOf returns the kind of the file at path: JSON lines by its extension
// (under a .gz), text otherwise.
func kindOf(path string, lineDocs bool) int {
	base := strings.TrimSuffix(path, ".gz")
	switch {
	case strings.HasSuffix(base, ".jsonl"), strings.HasSuffix(base, ".ndjson"):
		return jsonLines
	case lineDocs:
		return textLines
	}
	return wholeText
}

// A Part is one element of the work: the bytes [Start, End) of a file, or
// from Start to its end when End is negative. A file is split into parts
// only where encoding the parts separately gives the ids of the whole (or,
// for files of lines, after a newline), so the results of its parts add up
// to those of the file.
type Part struct {
	File       File
	Kind       int
	Seq, Parts int // the part's number in the file, and the file's number of parts
	Start, End int64
}

// worker is the state the DoFns share: the model's Tokenizers, found in
// Setup, and the reading of parts. Its exported fields travel with the
// DoFn.
type worker struct {
	Model     Model
	TextField string

	pool chan *tokenizer.Tokenizer // the process's Tokenizers of Model
	tok  *tokenizer.Tokenizer      // the one held for an element; see acquire
	buf  []byte
	// carry is the Carry of the text eachText reads, for a model whose
	// pieces of a text are encoded in order from it (a Unigram model's),
	// or nil.
	carry *tokenizer.Carry
}

// pools holds the Tokenizers of each model this process has loaded, so
// that a worker process reads a model once however many DoFns it runs.
var pools struct {
	sync.Mutex
	m map[Model]chan *tokenizer.Tokenizer
}

// setup readies w to encode with its model.
func (w *worker) setup(ctx context.Context) error {
	pools.Lock()
	defer pools.Unlock()
	key := Model{Path: w.Model.Path, SHA256: w.Model.SHA256}
	if p := pools.m[key]; p != nil {
		w.pool = p
		return nil
	}
	v, err := loadVocab(ctx, w.Model)
	if err != nil {
		return err
	}
	// One Tokenizer a CPU. Each keeps a word cache of up to about 12 MB
	// that warms over the texts it encodes, and its goroutines would
	// contend for adding words to it; a runner may run more bundles at
	// once than there are CPUs (prism up to 8), which then wait for a
	// Tokenizer rather than each warming a cache of its own. Building one
	// on a loaded vocabulary takes well under a millisecond.
	n := runtime.GOMAXPROCS(0)
	p := make(chan *tokenizer.Tokenizer, n)
	for range n {
		tok, err := tokenizer.New(v)
		if err != nil {
			return err
		}
		p <- tok
	}
	if pools.m == nil {
		pools.m = make(map[Model]chan *tokenizer.Tokenizer)
	}
	pools.m[key] = p
	w.pool = p
	return nil
}

// acquire takes a Tokenizer of the process for w to encode an element
// with, and returns the function that gives it back. A DoFn processes one
// element at a time, so w.tok is its own meanwhile. No DoFn that acquires
// one may be fused after another that holds one while it emits, which
// could then wait for itself: planFn gives its back before it emits, and
// the DoFns after countFn and tokenizeFn (a combiner, textio's writes)
// encode nothing.
func (w *worker) acquire() (release func()) {
	w.tok = <-w.pool
	return func() {
		w.pool <- w.tok
		w.tok = nil
	}
}

// loadVocab reads the vocabulary of m.
func loadVocab(ctx context.Context, m Model) (*vocab.Vocab, error) {
	data := vocab.DefaultModel()
	if m.Path != "" {
		var err error
		if data, err = readFile(ctx, m.Path); err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
	}
	// A worker that reads another file than the one the run was
	// submitted with would give other ids under the same manifest.
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, fmt.Errorf("model %s: sha256 %x, not the %s the job was submitted with", m.Path, sum, m.SHA256)
	}
	v, err := vocab.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", m.Name, err)
	}
	return v, nil
}

// options returns the options w encodes a part of a text under.
func (w *worker) options() tokenizer.EncodeOptions {
	return tokenizer.EncodeOptions{Special: w.Model.Special}
}

// textOptions returns the options w encodes a piece of a text file under,
// one that starts at byte at of the text and ends it or not: pieces are
// encoded as parts (see tokenizer.Tokenizer.SafeCutParts), so that only the
// whole text gets the normalizer's rules for the start and the end of a
// text, such as Llama-style models' dummy prefix.
func (w *worker) textOptions(at int64, end bool) tokenizer.EncodeOptions {
	opts := w.options()
	opts.AfterCut, opts.BeforeCut = at > 0, !end
	opts.Carry = w.carry
	return opts
}

// cutMargin is how far into a window a cut must be for SafeCutParts to have
// seen the whole of what precedes it: the window may begin inside a
// character, or, under SpecialReject, inside a special piece.
func (w *worker) cutMargin() int {
	const maxCharLen = 4
	m := maxCharLen
	if w.Model.Special == tokenizer.SpecialReject {
		for _, id := range w.tok.SpecialIDs() {
			m = max(m, len(w.tok.IDToPiece(id)))
		}
	}
	return m
}

// cutWindow is the bytes searched for a cut before each boundary of the
// ranges of a file.
const cutWindow = 64 << 10

// split returns the parts of f, of the given kind and size, read through
// ra: ranges of about rangeSize bytes. A boundary is moved back to the
// last cut in the window before it (SafeCutParts', or a newline's for a
// file of lines); a boundary without one is dropped, which makes that
// range longer, and a file without any is one part.
func (w *worker) split(f File, kind int, ra io.ReaderAt, size, rangeSize int64) ([]Part, error) {
	n := (size + rangeSize - 1) / rangeSize
	ends := make([]int64, 0, n)
	buf := make([]byte, cutWindow)
	margin := w.cutMargin()
	var start int64
	for i := int64(1); i < n; i++ {
		end := i * size / n
		from := max(end-cutWindow, start)
		m, err := ra.ReadAt(buf[:end-from], from)
		if err != nil && err != io.EOF {
			return nil, err
		}
		win := buf[:m]
		var c int
		if kind == wholeText {
			// SafeCutParts reads only the characters near a cut, so a
			// cut in the window is one in the file.
			if c = w.tok.SafeCutParts(view(win), w.options()); c <= margin {
				c = 0
			}
		} else {
			c = bytes.LastIndexByte(win, '\n') + 1
		}
		if c > 0 {
			start = from + int64(c)
			ends = append(ends, start)
		}
	}
	ends = append(ends, size)
	parts := make([]Part, len(ends))
	start = 0
	for i, end := range ends {
		parts[i] = Part{File: f, Kind: kind, Seq: i, Parts: len(ends), Start: start, End: end}
		start = end
	}
	return parts, nil
}

// open opens part p for reading its text, decompressed. The caller closes
// the ReadCloser.
func (w *worker) open(ctx context.Context, p Part) (io.ReadCloser, error) {
	fs, err := filesystem.New(ctx, p.File.Path)
	if err != nil {
		return nil, err
	}
	rc, err := fs.OpenRead(ctx, p.File.Path)
	fs.Close()
	if err != nil {
		return nil, err
	}
	var r io.Reader = rc
	if p.End >= 0 {
		ra, ok := rc.(io.ReaderAt)
		if !ok {
			// The planner splits only files it can read at an offset.
			rc.Close()
			return nil, errors.New("cannot read a range of this file")
		}
		r = io.NewSectionReader(ra, p.Start, p.End-p.Start)
	}
	if isGzip(p.File.Path) {
		zr, err := gzip.NewReader(bufio.NewReaderSize(r, 256<<10))
		if err != nil {
			rc.Close()
			if err == io.EOF {
				// gzip.NewReader's word for a file of 0 bytes, which
				// gunzip refuses too.
				err = errors.New("gzip: empty file")
			}
			return nil, err
		}
		return readCloser{zr, rc.Close}, nil
	}
	return readCloser{r, rc.Close}, nil
}

// isGzip reports whether the file at path is gzip-compressed, by its
// extension.
func isGzip(path string) bool { return strings.HasSuffix(path, ".gz") }

// readCloser is a Reader with the Close of what it reads from.
type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }

// An inputError is bad input: a part that cannot be read or encoded.
type inputError struct {
	offset int64 // in the file, decompressed
	line   int64 // 1-based, or 0 when unknown
	err    error
}

func (e *inputError) Error() string { return e.err.Error() }

// textChunk is how much of a text is read at a time.
const textChunk = 1 << 20

// eachText reads r, the text of a part that starts at byte start of its
// file, and calls fn with consecutive pieces of it, cut where SafeCutParts
// proves that their ids, joined, are those of the whole text when they are
// encoded as parts (see textOptions); last is set
// for the last piece, which always comes, empty for an empty text. The
// piece is valid only during the call. A failure to read, or one that fn
// returns, is an *inputError; a run that has no cut is read whole.
func (w *worker) eachText(r io.Reader, start int64, fn func(text string, at int64, last bool) error) error {
	if w.buf == nil {
		w.buf = make([]byte, 0, textChunk)
	}
	buf := w.buf[:0]
	at := start
	// A Unigram model's file is one part (split finds no cut without a
	// Carry): its pieces are cut and encoded in order with one.
	w.carry = nil
	if start == 0 && w.tok.CanCut(w.options()) == tokenizer.ErrCutsNeedCarry {
		w.carry = new(tokenizer.Carry)
	}
	for {
		n, err := fill(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		last := err == io.EOF
		if err != nil && !last {
			return &inputError{offset: at + int64(len(buf)), err: err}
		}
		cut := len(buf)
		if !last {
			opts := w.options()
			opts.Carry = w.carry
			cut = w.tok.SafeCutParts(view(buf), opts)
			if cut == 0 {
				// A run without a cut: read on, into a larger buffer.
				buf = append(buf, make([]byte, cap(buf))...)[:len(buf)]
				continue
			}
		}
		if err := fn(view(buf[:cut]), at, last); err != nil {
			return atOffset(err, at, 0)
		}
		if last {
			return nil
		}
		at += int64(cut)
		buf = buf[:copy(buf, buf[cut:])]
	}
}

// fill reads into b until it is full or r ends or fails; it returns
// io.EOF only at the end of r, so that a short read means a failure (a
// truncated gzip stream reports io.ErrUnexpectedEOF).
func fill(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// eachLine reads r, the text of a part of a file of lines that starts at
// byte start, and calls fn with each line, without its newline, with its
// offset in the file and its 1-based number when start is 0 (else 0, the
// number being unknown). A failure to read, or one that fn returns, is an
// *inputError; a last line cut short by a failure is not given to fn.
func (w *worker) eachLine(r io.Reader, start int64, fn func(line []byte, at, no int64) error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	at, no := start, int64(0)
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, line...)
			continue
		}
		if long != nil {
			line = append(long, line...)
			long = nil
		}
		if err != nil && err != io.EOF {
			return &inputError{offset: at, line: lineNo(start, no+1), err: err}
		}
		if len(line) > 0 {
			no++
			if e := fn(bytes.TrimSuffix(line, []byte("\n")), at, lineNo(start, no)); e != nil {
				return atOffset(e, at, lineNo(start, no))
			}
			at += int64(len(line))
		}
		if err == io.EOF {
			return nil
		}
	}
}

// lineNo returns the number of the no'th line of a part that starts at
// byte start, when it is known.
func lineNo(start, no int64) int64 {
	if start != 0 {
		return 0
	}
	return no
}

// atOffset returns err, from a text that starts at byte at and line line
// (when known) of a file, as an *inputError, with a special piece's offset
// made one in the file. It returns nil for nil.
func atOffset(err error, at, line int64) error {
	if err == nil {
		return nil
	}
	if ie, ok := errors.AsType[*inputError](err); ok {
		return ie
	}
	if se, ok := errors.AsType[*tokenizer.SpecialError](err); ok {
		return &inputError{offset: at + int64(se.Offset), line: line,
			err: fmt.Errorf("the text spells the special piece %q (--special reject)", se.Piece)}
	}
	return &inputError{offset: at, line: line, err: err}
}

// record returns the text of the JSON-lines record line, at byte at and
// line no of its file; a bad record is an *inputError.
func (w *worker) record(line []byte, at, no int64) (string, error) {
	text, err := recordText(line, w.TextField)
	if err != nil {
		return "", &inputError{offset: at, line: no, err: err}
	}
	return text, nil
}

// recordError returns err, from encoding the text of the record at byte at
// and line no of its file, as an *inputError. The offset of a special
// piece is one in the text, which JSON escapes may move in the file.
func (w *worker) recordError(err error, at, no int64) error {
	if err == nil {
		return nil
	}
	if se, ok := errors.AsType[*tokenizer.SpecialError](err); ok {
		err = fmt.Errorf("the text spells the special piece %q at its byte %d (--special reject)", se.Piece, se.Offset)
	}
	return &inputError{offset: at, line: no, err: err}
}

// recordText returns the text field of a JSON-lines record.
func recordText(line []byte, field string) (string, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(line, &rec); err != nil {
		return "", fmt.Errorf("malformed JSON: %v", err)
	}
	raw, ok := rec[field]
	if !ok {
		return "", fmt.Errorf("the record has no field %q", field)
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return "", fmt.Errorf("the field %q is not a string", field)
	}
	return text, nil
}

// isBlank reports whether line holds only white space; JSON-lines readers
// skip such lines, a trailing empty line above all.
func isBlank(line []byte) bool {
	return len(bytes.TrimSpace(line)) == 0
}

// view returns b as a string without copying it. The tokenizer reads the
// text only during the call that gets it, and b does not change until
// that call returns.
func view(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// A failure is a line of failures.jsonl: bad input, and where it is.
type failure struct {
	Path   string `json:"path"`
	Offset int64  `json:"offset"`         // in the file, decompressed
	Line   int64  `json:"line,omitempty"` // 1-based, when known
	Error  string `json:"error"`
	// File says that the whole file is left out of the results: a text
	// file is one text, and part of it has no counts or ids of its own.
	File bool `json:"file_failed,omitempty"`
}

// failureLine returns the JSON line that reports err, from reading or
// encoding a part of the file at path.
func failureLine(path string, err error, whole bool) string {
	f := failure{Path: path, Error: err.Error(), File: whole}
	if ie, ok := errors.AsType[*inputError](err); ok {
		f.Offset, f.Line = ie.offset, ie.line
	}
	b, _ := json.Marshal(f)
	return string(b)
}
