package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

// TestSplitterEach streams corpus texts in small chunks, which cuts them
// many times and makes the carried text grow over long runs, and checks
// that the parts join into the text and that their token counts add up to
// that of the whole.
func TestSplitterEach(t *testing.T) {
	tok := defaultTok(t)
	texts := []string{"", "a", "no newline at the end", strings.Repeat("word ", 3000), strings.Repeat("x", 5000) + " tail\n"}
	for _, f := range corpusFiles(t) {
		if text := readFile(t, f); len(text) < 1<<20 {
			texts = append(texts, text)
		}
	}
	for _, text := range texts {
		for _, chunk := range []int{64, 1000, 4096} {
			s := splitter{tok: tok, chunk: chunk}
			var joined bytes.Buffer
			count, parts, lasts := 0, 0, 0
			// OneByteReader makes reads short, as pipes do.
			err := s.each(iotest.OneByteReader(strings.NewReader(text)), func(p []byte, at int64, last bool) error {
				if at != int64(joined.Len()) {
					t.Fatalf("chunk %d: a part at %d after %d bytes", chunk, at, joined.Len())
				}
				joined.Write(p)
				count += tok.Count(string(p))
				parts++
				if last {
					lasts++
				}
				return nil
			})
			if err != nil {
				t.Fatalf("chunk %d: %v", chunk, err)
			}
			if joined.String() != text || lasts != 1 {
				t.Fatalf("chunk %d: parts do not join into the text, or %d last parts", chunk, lasts)
			}
			if want := tok.Count(text); count != want {
				t.Errorf("chunk %d, text %.40q...: %d parts count %d tokens, whole %d", chunk, text, parts, count, want)
			}
		}
	}
}

// TestSplitterCuts checks that text with cuts everywhere is handed on in
// parts of about the chunk size, not grown into one.
func TestSplitterCuts(t *testing.T) {
	s := splitter{tok: defaultTok(t), chunk: 64}
	text := strings.Repeat("word ", 3000)
	parts := 0
	s.each(strings.NewReader(text), func(p []byte, _ int64, _ bool) error {
		if len(p) > 64 {
			t.Errorf("a part of %d bytes", len(p))
		}
		parts++
		return nil
	})
	if parts < len(text)/64 {
		t.Errorf("%d bytes cut in %d parts", len(text), parts)
	}
}

func TestSplitterErrors(t *testing.T) {
	tok := defaultTok(t)
	const maxRun = 1 << 20
	s := splitter{tok: tok, maxRun: maxRun}
	if err := s.each(strings.NewReader(strings.Repeat("a", maxRun+1)), func([]byte, int64, bool) error { return nil }); err != (longRunError{maxRun}) {
		t.Errorf("a run of maxRun+1 bytes: %v, want a longRunError", err)
	}
	count := 0
	if err := s.each(strings.NewReader(strings.Repeat("b", maxRun)), func(p []byte, _ int64, _ bool) error { count += len(p); return nil }); err != nil || count != maxRun {
		t.Errorf("a run of maxRun bytes: %v, %d bytes, want them all", err, count)
	}
	broken := errors.New("broken")
	if err := s.each(iotest.ErrReader(broken), func([]byte, int64, bool) error { return nil }); err != broken {
		t.Errorf("a failing reader: %v, want its error", err)
	}
	stop := errors.New("stop")
	if err := s.each(strings.NewReader(strings.Repeat("more words ", 1<<18)), func([]byte, int64, bool) error { return stop }); err != stop {
		t.Errorf("a failing fn: %v, want its error", err)
	}
}
