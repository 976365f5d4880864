package main

import (
	"bytes"
	"io"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// A large file is counted by several workers at once, each taking a part
// that starts and ends at a safe cut. The cuts are looked for just before
// evenly spaced offsets, in a small window read with ReadAt. SafeCutParts
// is given the window, not all the text before it: its rules look only at
// the characters on either side of a cut (a space after a non-space, a
// newline before a non-newline, no user-defined piece across it; under a
// charsmap also the byte before them), under a word model back to the
// cut before it, at least 4 bytes into the window, and, under --special
// reject, at a special piece's length before it, so a cut that far into
// the window is one in the file. TestSplitFile checks this on the corpora,
// TestSplitFileDummyPrefix under other normalizers and models, and
// TestSplitFileSpecial on text full of special pieces. A Unigram model's
// cuts need a Carry, which parts that workers take at once cannot have:
// its file is one part.
const (
	partSize  = 2 << 20  // the bytes of one part, at most about
	cutWindow = 16 << 10 // the bytes searched for a cut at each boundary
)

// span is a byte range [start, end) of a file.
type span struct{ start, end int64 }

// splitFile returns consecutive spans that cover the size bytes of f, each
// at most about part bytes long, that end where cut, given the bytes
// before an evenly spaced offset, says: at its result counted from the
// window's start, or nowhere for 0. A boundary without a cut in its window
// is dropped, which makes that span longer.
func splitFile(f io.ReaderAt, size, part int64, cut func(window []byte) int) ([]span, error) {
	n := (size + part - 1) / part
	if n < 2 {
		return []span{{0, size}}, nil
	}
	spans := make([]span, 0, n)
	buf := make([]byte, cutWindow)
	var start int64
	for i := int64(1); i < n; i++ {
		end := i * size / n
		from := max(end-cutWindow, start)
		m, err := f.ReadAt(buf[:end-from], from)
		if err != nil && err != io.EOF {
			return nil, err
		}
		if c := cut(buf[:m]); c > 0 {
			spans = append(spans, span{start, from + int64(c)})
			start = from + int64(c)
		}
	}
	return append(spans, span{start, size}), nil
}

// safeCuts returns splitFile's cut for encoding under special: a safe cut,
// for parts encoded as parts (see partOptions).
func safeCuts(tok *tokenizer.Tokenizer, special tokenizer.SpecialMode) func([]byte) int {
	// The window may begin inside a character, or a special piece, which
	// SafeCutParts would misread near the window's start: a cut there is
	// not taken.
	const maxCharLen = 4
	margin := maxCharLen
	if special == tokenizer.SpecialReject {
		for _, id := range tok.SpecialIDs() {
			margin = max(margin, len(tok.IDToPiece(id)))
		}
	}
	return func(window []byte) int {
		if c := tok.SafeCutParts(stringView(window), tokenizer.EncodeOptions{Special: special}); c > margin {
			return c
		}
		return 0
	}
}

// lineCuts is splitFile's cut for counting lines: after the last newline.
func lineCuts(window []byte) int {
	return bytes.LastIndexByte(window, '\n') + 1
}
