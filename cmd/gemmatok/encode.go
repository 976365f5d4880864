package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// encodeFlags are the options of gemmatok encode.
type encodeFlags struct {
	format   string
	json     bool // --json, short for --format json, as count and info take it
	bos, eos bool
	workers  int
	special  specialFlag
	maxRun   sizeFlag
	text     optionalString
	seg      sampleFlags
}

func (a *app) encodeCommand() *cobra.Command {
	var f encodeFlags
	cmd := &cobra.Command{
		Use:   "encode [FILE|-]...",
		Short: "Print the tokens of texts",
		Long: `encode prints the tokens of the whole content of each FILE (stdin when there
is none, or for "-"), or of the STRING of --text, each encoded as one text,
bytes as they are. The formats are

  ids     the token ids in decimal, separated by single spaces, on one line
  pieces  the pieces of the ids, the same way (spaces are U+2581; a piece
          with a space, a control character or a backslash is Go-quoted;
          an unknown run shows as its normalized text, as in spm_encode)
  json    an array of {"id", "piece", "start", "end"}, one a line, where
          start and end are the byte offsets of the text the token stands for
          (an unknown run's piece is the unknown piece, such as <unk>)

With several files, each has its line, or array, in order.

--bos and --eos add the model's BOS and EOS ids around the text. A large
text is read in parts cut where cutting provably leaves the ids unchanged,
which the workers encode side by side.

` + specialHelp + `

On a failure, encode writes the tokens of the text before it (under reject,
the text before the special piece) as encoding that text alone would, but
without --eos, and nothing when there are none; then it stops, with exit
status 1, leaving any later files unread.

` + maxRunHelp + `

` + sampleHelp,
		Example: `  gemmatok encode prompt.txt
  gemmatok encode --text 'Hello, world'
  gemmatok encode --format pieces a.txt b.txt
  echo -n 'Hello, world' | gemmatok encode --bos
  gemmatok encode --format json notes.md | jq '.[] | .piece'`,
		RunE: a.runE(func(args []string) error {
			return a.encode(args, &f)
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "ids", "output `FORMAT`: ids, pieces or json")
	fl.BoolVar(&f.json, "json", false, "the same as --format json")
	fl.Var(&f.text, "text", "encode `STRING` instead of files")
	fl.BoolVar(&f.bos, "bos", false, "start with the BOS id")
	fl.BoolVar(&f.eos, "eos", false, "end with the EOS id")
	fl.IntVarP(&f.workers, "workers", "j", 0, "encode on `N` workers (default: one a CPU)")
	addSpecialFlag(fl, &f.special)
	addMaxRunFlag(fl, &f.maxRun)
	fl.IntVar(&f.seg.nbest, "nbest", 0, "print the `N` best segmentations (Unigram), or sample among them")
	fl.BoolVar(&f.seg.sample, "sample", false, "print a segmentation drawn at random (Unigram, BPE)")
	fl.Float64Var(&f.seg.alpha, "alpha", 0.1, "sampling smoothing `A` (Unigram) or merge dropout probability (BPE)")
	fl.Var(&f.seg.seed, "seed", "seed `S` of --sample's draws (default: random)")
	cmd.MarkFlagsMutuallyExclusive("json", "format")
	return cmd
}

func (a *app) encode(args []string, f *encodeFlags) error {
	if f.json {
		f.format = "json"
	}
	switch f.format {
	case "ids", "pieces", "json":
	default:
		return usagef("unknown --format %q: want ids, pieces or json", f.format)
	}
	var err error
	if f.workers, err = workerCount(f.workers); err != nil {
		return err
	}
	if f.seg.seed.set && !f.seg.sample {
		return usagef("--seed seeds --sample's draws: give --sample too")
	}
	if f.seg.nbest != 0 || f.seg.sample {
		if f.format == "json" {
			return usagef("--nbest and --sample print ids or pieces, not json")
		}
		if f.seg.nbest < 0 {
			return usagef("--nbest must not be negative")
		}
		if math.IsNaN(f.seg.alpha) || math.IsInf(f.seg.alpha, 0) {
			return usagef("--alpha must be a finite number")
		}
		if f.special.mode() == tokenizer.SpecialText {
			// The library's n-best and sampling have no special-piece policy.
			return usagef("--nbest and --sample encode special pieces as SentencePiece does: --special text is not available with them")
		}
		return a.withInputs(args, &f.text, func(tok *tokenizer.Tokenizer, r io.Reader, w *bufio.Writer) error {
			return encodeSegmentations(tok, r, f, w)
		})
	}
	var s *splitter // kept from one input to the next, with its buffer
	return a.withInputs(args, &f.text, func(tok *tokenizer.Tokenizer, r io.Reader, w *bufio.Writer) error {
		if s == nil {
			s = &splitter{tok: tok, chunk: encodeChunk, maxRun: int64(f.maxRun), mem: newMemoryLimit(f.workers)}
		}
		out := &tokenWriter{w: w, format: f.format}
		err := encodeParts(s, r, f, out)
		if err == nil {
			// Text without tokens has its line, or array, too.
			out.begin()
		}
		out.end()
		return err
	})
}

// encodeChunk is the bytes encode reads at a time. Smaller than count's: a
// part's tokens are held formatted until their turn to be written, and in
// JSON they take about ten times the part's size.
const encodeChunk = 128 << 10

// encodeParts reads r in the parts that s cuts for f.special, encodes
// them on f.workers goroutines and writes their tokens to out in order.
// With one worker it encodes each part as it comes.
func encodeParts(s *splitter, r io.Reader, f *encodeFlags, out *tokenWriter) error {
	s.special = f.special.mode()
	optsAt := func(at int64, last bool) tokenizer.EncodeOptions {
		return partOptions(tokenizer.EncodeOptions{AddBOS: f.bos, AddEOS: f.eos, Special: s.special, Carry: s.carry}, at, last)
	}
	if f.workers < 2 || s.needsCarry() {
		fm := formatter{tok: s.tok, format: f.format}
		var buf []byte
		return s.each(r, func(p []byte, at int64, last bool) error {
			b, n, err := fm.part(buf[:0], stringView(p), int(at), optsAt(at, last))
			buf = b
			out.write(b, n)
			return err
		})
	}

	// A job is a part in flight. Jobs are reused, with their buffers, so
	// that memory stays at the few parts held at once.
	type job struct {
		text []byte // a copy: the splitter reuses its buffer
		out  []byte
		n    int
		err  error
		base int
		opts tokenizer.EncodeOptions
		done chan struct{}
	}
	held := 2*f.workers + 1
	free := make(chan *job, held)
	jobs := make(chan *job)
	inOrder := make(chan *job, f.workers) // with the jobs being encoded, bounds those held
	for range f.workers {
		go func() {
			fm := formatter{tok: s.tok, format: f.format}
			for j := range jobs {
				j.out, j.n, j.err = fm.part(j.out[:0], stringView(j.text), j.base, j.opts)
				j.done <- struct{}{}
			}
		}()
	}
	written := make(chan error)
	var failed atomic.Bool // a part failed: read no further
	go func() {
		var err error
		for j := range inOrder {
			<-j.done
			if err == nil {
				out.write(j.out, j.n)
				err = j.err
				failed.Store(err != nil)
			}
			free <- j
		}
		written <- err
	}()
	err := s.each(r, func(p []byte, at int64, last bool) error {
		if failed.Load() {
			return errEnough
		}
		var j *job
		select {
		case j = <-free:
		default:
			j = &job{done: make(chan struct{}, 1)}
		}
		j.text = append(j.text[:0], p...)
		j.base, j.opts = int(at), optsAt(at, last)
		inOrder <- j
		jobs <- j
		return nil
	})
	close(jobs)
	close(inOrder)
	// A part's failure comes before any failure to read further.
	if werr := <-written; werr != nil || err == errEnough {
		err = werr
	}
	return err
}

// A tokenWriter writes the tokens of the parts of a text in a format.
type tokenWriter struct {
	w      *bufio.Writer
	format string
	n      int  // tokens written
	begun  bool // the output is begun
}

// begin starts the output, once.
func (t *tokenWriter) begin() {
	if !t.begun && t.format == "json" {
		t.w.WriteString("[\n")
	}
	t.begun = true
}

// end ends the output, if it is begun.
func (t *tokenWriter) end() {
	if !t.begun {
		return
	}
	if t.format == "json" {
		if t.n > 0 {
			t.w.WriteByte('\n')
		}
		t.w.WriteByte(']')
	}
	t.w.WriteByte('\n')
}

// write writes a part's n tokens, formatted in b.
func (t *tokenWriter) write(b []byte, n int) {
	if n == 0 {
		return
	}
	t.begin()
	if t.n > 0 {
		t.w.WriteString(separator(t.format))
	}
	t.w.Write(b)
	t.n += n
}

// separator returns what stands between two tokens in format.
func separator(format string) string {
	if format == "json" {
		return ",\n"
	}
	return " "
}

// A formatter formats the tokens of parts of a text; each worker has one.
type formatter struct {
	tok    *tokenizer.Tokenizer
	format string
	ids    []int32

	// forms holds each piece met as the format writes it, quoted or not,
	// and form[id] is 1 + its index there: a text repeats few pieces many
	// times.
	form    []int32
	forms   []string
	jsonBuf bytes.Buffer
	jsonEnc *json.Encoder // writes to jsonBuf
}

// part appends to dst the tokens of text, a part of the text that starts
// at offset base, separated, and returns them and their number. When the
// part spells a special piece that opts reject, it returns the tokens of
// the text before the piece, without EOS, and the error.
func (f *formatter) part(dst []byte, text string, base int, opts tokenizer.EncodeOptions) ([]byte, int, error) {
	sep := separator(f.format)
	if f.format != "json" {
		var carried tokenizer.Carry // where the part starts, to encode it again
		if opts.Carry != nil {
			carried = *opts.Carry
		}
		ids, err := f.tok.AppendEncodeWith(f.ids[:0], text, opts)
		if err != nil {
			return f.before(dst, text, base, opts, err)
		}
		f.ids = ids
		// An unknown run shows as its normalized text, as SentencePiece
		// shows it, which only EncodePiecesWith gives; texts rarely have one.
		var pieces []string
		if f.format == "pieces" && slices.Contains(ids, f.tok.Unk()) {
			if opts.Carry != nil {
				*opts.Carry = carried
			}
			pieces, _ = f.tok.EncodePiecesWith(text, opts)
		}
		for i, id := range ids {
			if i > 0 {
				dst = append(dst, sep...)
			}
			switch {
			case f.format == "ids":
				dst = strconv.AppendInt(dst, int64(id), 10)
			case pieces != nil && id == f.tok.Unk():
				dst = append(dst, pieceText(pieces[i])...)
			default:
				dst = append(dst, f.show(id)...)
			}
		}
		return dst, len(ids), nil
	}
	toks, err := f.tok.EncodeOffsetsWith(text, opts)
	if err != nil {
		return f.before(dst, text, base, opts, err)
	}
	for i, t := range toks {
		if i > 0 {
			dst = append(dst, sep...)
		}
		dst = strconv.AppendInt(append(dst, `{"id":`...), int64(t.ID), 10)
		dst = append(append(dst, `,"piece":`...), f.show(t.ID)...)
		dst = strconv.AppendInt(append(dst, `,"start":`...), int64(base+t.Start), 10)
		dst = strconv.AppendInt(append(dst, `,"end":`...), int64(base+t.End), 10)
		dst = append(dst, '}')
	}
	return dst, len(toks), nil
}

// before returns what part does for text when encoding it failed with err:
// the tokens of the text before a rejected special piece, and err placed
// in the input.
func (f *formatter) before(dst []byte, text string, base int, opts tokenizer.EncodeOptions, err error) ([]byte, int, error) {
	n := 0
	if se, ok := errors.AsType[*tokenizer.SpecialError](err); ok {
		// The text before the piece ends the text written.
		opts.AddEOS, opts.BeforeCut = false, false
		dst, n, _ = f.part(dst, text[:se.Offset], base, opts)
	}
	return dst, n, atOffset(err, int64(base))
}

// show returns the piece of id as the format writes it.
func (f *formatter) show(id int32) string {
	if f.form == nil {
		f.form = make([]int32, f.tok.VocabSize())
	}
	if i := f.form[id]; i > 0 {
		return f.forms[i-1]
	}
	piece := f.tok.IDToPiece(id)
	var s string
	if f.format == "json" {
		s = f.jsonString(piece)
	} else {
		s = pieceText(piece)
	}
	f.forms = append(f.forms, s)
	f.form[id] = int32(len(f.forms))
	return s
}

// jsonString returns s as a JSON string.
func (f *formatter) jsonString(s string) string {
	if f.jsonEnc == nil {
		f.jsonEnc = json.NewEncoder(&f.jsonBuf)
		f.jsonEnc.SetEscapeHTML(false) // pieces such as <bos> stay readable
	}
	f.jsonBuf.Reset()
	f.jsonEnc.Encode(s)
	return string(bytes.TrimSuffix(f.jsonBuf.Bytes(), []byte("\n")))
}

// pieceText returns piece, Go-quoted when it holds a space, a character
// that does not print, a backslash or malformed UTF-8, so that the pieces
// of a line stay apart and visible.
func pieceText(piece string) string {
	plain := utf8.ValidString(piece) && !strings.ContainsFunc(piece, func(r rune) bool {
		return r == '\\' || unicode.IsSpace(r) || !unicode.IsPrint(r)
	})
	if plain {
		return piece
	}
	return strconv.Quote(piece)
}
