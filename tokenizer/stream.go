package tokenizer

import (
	"errors"
	"unicode/utf8"
)

var errZeroStream = errors.New("tokenizer: StreamDecoder not made by NewStreamDecoder")

// A StreamDecoder decodes ids as a model generates them. Each call to Add
// returns the text that is complete so far: a character whose UTF-8 bytes
// come as several byte pieces is held back until it is whole, and bytes
// that can never start a valid character are given out as U+FFFD, the way
// Decode writes them. The texts Add and Flush return, joined, are Decode of
// all the ids. For a model with a denormalizer, whose rules apply to the
// whole decoded text, Add returns nothing and Flush all of it.
//
// Make one with NewStreamDecoder. A StreamDecoder is not safe for
// concurrent use; use one per sequence.
type StreamDecoder struct {
	d decoder
}

// NewStreamDecoder returns a StreamDecoder for a new sequence.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder {
	return t.NewStreamDecoderWith(DecodeOptions{})
}

// NewStreamDecoderWith returns a StreamDecoder for a new sequence that
// decodes under opts, as DecodeWith does.
func (t *Tokenizer) NewStreamDecoderWith(opts DecodeOptions) *StreamDecoder {
	return &StreamDecoder{d: decoder{t: t, bosWS: true, skipSpecial: opts.SkipSpecial}}
}

// Add decodes ids and returns the text they complete. An id outside the
// vocabulary is an *IDError (its Index counts within this call) and leaves
// the decoder as it was.
func (s *StreamDecoder) Add(ids ...int32) (string, error) {
	if s.d.t == nil {
		return "", errZeroStream
	}
	v := s.d.t.v
	for i, id := range ids {
		if !v.Contains(id) {
			return "", &IDError{Index: i, ID: id, Size: v.Size()}
		}
	}
	for _, id := range ids {
		s.d.add(id)
	}
	s.completeBytes()
	if s.d.t.denorm != nil {
		// The denormalizer's rules may span pieces and it treats the
		// start and end of the text apart: the text waits for Flush.
		return "", nil
	}
	return s.take(), nil
}

// Flush returns the text still held back, with each byte of an unfinished
// character as U+FFFD as Decode writes it, and readies the decoder for a
// new sequence.
func (s *StreamDecoder) Flush() string {
	s.d.flushBytes()
	s.d.denormalize()
	text := s.take()
	s.Reset()
	return text
}

// Reset discards anything held back and readies the decoder for a new
// sequence.
func (s *StreamDecoder) Reset() {
	s.d = decoder{t: s.d.t, out: s.d.out[:0], bytes: s.d.bytes[:0], bosWS: true, skipSpecial: s.d.skipSpecial}
}

// completeBytes moves the pending byte pieces that make whole characters,
// or bytes no later byte can make valid, to the output, holding back an
// unfinished character at the end. How a byte run decodes up to its last
// whole character does not depend on the bytes after it, so this writes
// what Decode writes.
func (s *StreamDecoder) completeBytes() {
	d := &s.d
	b := d.bytes
	n := 0
	for n < len(b) && utf8.FullRune(b[n:]) {
		_, size := utf8.DecodeRune(b[n:])
		n += size
	}
	d.bytes = b[:n]
	d.flushBytes()
	d.bytes = append(b[:0], b[n:]...)
}

// take returns the decoded text not yet returned.
func (s *StreamDecoder) take() string {
	d := &s.d
	if len(d.out) == 0 {
		return ""
	}
	text := string(d.out)
	d.out = d.out[:0]
	// The decoder drops a leading space only before any text; having given
	// text out, make it remember that there was some.
	d.bosWS = false
	return text
}
