package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"unsafe"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// Text is streamed: read in chunks and handed on in parts that end where
// Tokenizer.SafeCut says that cutting does not change the ids, so that
// encoding the parts one by one gives the ids of the whole text while memory
// stays bounded by the chunk size.
const (
	chunkSize = 1 << 20 // bytes read at a time

	// maxRun bounds the text held while no safe cut is in sight. Only runs
	// that the vocabulary's pieces cover throughout have none, such as one
	// letter repeated: text without spaces can still be cut between
	// characters that no piece joins. Encoding such a run whole takes
	// about runMemory bytes a byte, 48 MiB for 1 MiB, far past what ordinary
	// text needs; beyond maxRun gemmatok gives up on the input rather than
	// grow further.
	maxRun = 1 << 20
)

// errLongRun reports text that has no safe cut within maxRun bytes.
var errLongRun = fmt.Errorf("more than %d MiB of text without a place to cut it into parts (a run that the pieces cover throughout, such as one letter repeated); not encoded, to keep memory bounded", maxRun>>20)

// A splitter cuts streams of text into parts that encode separately. It
// keeps its buffer from one stream to the next.
type splitter struct {
	tok     *tokenizer.Tokenizer
	special tokenizer.SpecialMode // the parts' encoding's
	chunk   int                   // bytes read at a time; chunkSize when 0
	mem     *memoryLimit          // taken while fn gets a long run, when not nil
	buf     []byte
}

// each reads r to its end and calls fn with consecutive parts of its text
// whose encodings, joined, are the encoding of the whole text, and the
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
		cut := s.tok.SafeCutWith(stringView(buf), s.options())
		if cut == 0 {
			if len(buf) > maxRun {
				return errLongRun
			}
			// Reading one byte past maxRun tells a run that ends there
			// from a longer one.
			const limit = maxRun + 1
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

// options returns the options that the parts are encoded, and cut, under.
func (s *splitter) options() tokenizer.EncodeOptions {
	return tokenizer.EncodeOptions{Special: s.special}
}

// count returns the tokens of part, which starts at offset at of the
// text, under s.special; a special piece it rejects is placed in the text.
func (s *splitter) count(part []byte, at int64) (int, error) {
	k, err := s.tok.CountWith(stringView(part), s.options())
	return k, atOffset(err, at)
}

// stringView returns b as a string without copying it. The tokenizer reads
// the text only during the call it gets it in, and gemmatok does not change
// b until that call returns; copying every chunk would double the bytes
// touched for nothing.
func stringView(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
