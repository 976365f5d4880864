package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"unsafe"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// Text is streamed: read in chunks and handed on in parts that end where
// Tokenizer.SafeCutParts says that cutting does not change the ids, so that
// encoding the parts one by one, as parts, gives the ids of the whole text
// while memory stays bounded by the chunk size.
const chunkSize = 1 << 20 // bytes read at a time

// defaultMaxRun is the default of --max-run, which bounds the text held
// while no safe cut is in sight, and so the memory: a run without cuts is
// encoded whole, as the library does, in up to runMemory bytes a byte.
// Runs that the vocabulary's pieces cover throughout have no cut (one
// letter repeated, DNA without line breaks), and so has all text under a
// model for which CanCut allows no cut.
const defaultMaxRun = 16 << 20

// A longRunError reports text that has no safe cut within the bound.
type longRunError struct{ bound int64 }

func (e longRunError) Error() string {
	return fmt.Sprintf("more than %s of text without a place to cut it into parts; encoding it whole would take over %d MB of memory (--max-run %s bounds it; raise it to encode the run)",
		formatSize(e.bound), runMemory*e.bound/1e6, formatSize(e.bound))
}

// A splitter cuts streams of text into parts that encode separately. It
// keeps its buffer from one stream to the next.
type splitter struct {
	tok     *tokenizer.Tokenizer
	special tokenizer.SpecialMode // the parts' encoding's
	chunk   int                   // bytes read at a time; chunkSize when 0
	maxRun  int64                 // the most text held without a cut; defaultMaxRun when 0
	mem     *memoryLimit          // taken while fn gets a long run, when not nil
	lines   bool                  // cut after newlines and count line by line
	// whole has parts cut only where they encode as whole texts
	// (SafeCutWith), for callers that hand a part to the library as one.
	whole bool
	buf   []byte
	// carry is the Carry of the stream's parts, for a model whose parts
	// are encoded in order from it (a Unigram model's), or nil; nil too
	// until the stream's first cut, when one part may be all of it.
	carry *tokenizer.Carry
}

// needsCarry reports whether s's parts are cut only if they are encoded in
// order with a Carry: under a Unigram model, and unless s.lines or
// s.whole have the parts encoded as whole texts. Such parts must not be
// encoded at once.
func (s *splitter) needsCarry() bool {
	return !s.lines && !s.whole && s.tok.CanCut(tokenizer.EncodeOptions{Special: s.special}) == tokenizer.ErrCutsNeedCarry
}

// each reads r to its end and calls fn with consecutive parts of its text
// whose encodings, joined, are the encoding of the whole text (each
// encoded under partOptions, unless s.whole), and the
// offset in the text that each starts at. The part is valid only during
// the call. The last call, and only it, has last set; it always comes,
// with an empty part for an empty stream, unless reading or fn fails.
func (s *splitter) each(r io.Reader, fn func(part []byte, at int64, last bool) error) error {
	if s.buf == nil {
		s.buf = make([]byte, 0, cmp.Or(s.chunk, chunkSize))
	}
	buf := s.buf[:0]
	defer func() {
		// A buffer grown for a long run is not kept.
		if cap(buf) == cap(s.buf) {
			s.buf = buf[:0]
		}
	}()
	long := false // buf was grown for a run without cuts
	at := int64(0)
	// The Carry is settled at the first cut, not before: asking needsCarry
	// builds the normalizer's cut tables (about 0.1 s for a large Unigram
	// model), which a stream of one part, encoded whole, never needs.
	s.carry = nil
	settled := false
	emit := func(part []byte, last bool) error {
		if long {
			defer s.mem.longRun(len(part))()
			long = false
		}
		defer func() { at += int64(len(part)) }()
		return fn(part, at, last)
	}
	for {
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return emit(buf, true)
		default:
			return err
		}
		if !settled {
			settled = true
			if s.needsCarry() {
				s.carry = new(tokenizer.Carry)
			}
		}
		cut := s.cut(buf)
		if cut == 0 {
			maxRun := cmp.Or(s.maxRun, defaultMaxRun)
			if int64(len(buf)) > maxRun {
				return longRunError{maxRun}
			}
			// Reading one byte past maxRun tells a run that ends there
			// from a longer one.
			limit := int(maxRun + 1)
			buf = slices.Grow(buf, min(len(buf), limit-len(buf)))
			buf = buf[:len(buf):min(cap(buf), limit)]
			long = true
			continue
		}
		if err := emit(buf[:cut], false); err != nil {
			return err
		}
		buf = buf[:copy(buf, buf[cut:])]
	}
}

// cut returns where each cuts buf, or 0 for nowhere: at the last safe cut,
// or after the last newline for s.lines.
func (s *splitter) cut(buf []byte) int {
	switch {
	case s.lines:
		return lineCuts(buf)
	case s.whole:
		return s.tok.SafeCutWith(stringView(buf), s.options())
	}
	return s.tok.SafeCutParts(stringView(buf), s.options())
}

// options returns the options that the parts are encoded, and cut, under,
// but for where each lies in the text: see partOptions.
func (s *splitter) options() tokenizer.EncodeOptions {
	return tokenizer.EncodeOptions{Special: s.special, Carry: s.carry}
}

// partOptions returns opts for the part of a text that starts at offset at
// and is its last part or not: parts are encoded as parts (see
// Tokenizer.SafeCutParts), so that only the whole text gets its
// normalizer's rules for the start and the end of a text, such as
// Llama-style models' dummy prefix; only the first gets the BOS id, and
// the last the EOS id. Only the first part starts at 0: the others are
// not empty.
func partOptions(opts tokenizer.EncodeOptions, at int64, last bool) tokenizer.EncodeOptions {
	opts.AfterCut, opts.BeforeCut = at > 0, !last
	opts.AddBOS = opts.AddBOS && at == 0
	opts.AddEOS = opts.AddEOS && last
	return opts
}

// count returns the tokens of part, which starts at offset at of the text
// and is its last part or not, under s.special; a special piece it rejects
// is placed in the text. For s.lines it returns the sum of the tokens of
// its lines, each without its newline and encoded alone, as spm_encode
// counts them.
func (s *splitter) count(part []byte, at int64, last bool) (int, error) {
	if !s.lines {
		opts := s.options()
		if !s.whole {
			opts = partOptions(opts, at, last)
		}
		k, err := s.tok.CountWith(stringView(part), opts)
		return k, atOffset(err, at)
	}
	n := 0
	for len(part) > 0 {
		line, rest, _ := bytes.Cut(part, []byte{'\n'})
		k, err := s.tok.CountWith(stringView(line), s.options())
		if err != nil {
			return n, atOffset(err, at)
		}
		n += k
		at += int64(len(part) - len(rest))
		part = rest
	}
	return n, nil
}

// stringView returns b as a string without copying it. The tokenizer reads
// the text only during the call it gets it in, and gemmatok does not change
// b until that call returns; copying every chunk would double the bytes
// touched for nothing.
func stringView(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
