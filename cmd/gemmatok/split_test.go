package main

import (
	"os"
	"strings"
	"testing"
)

// TestSplitFile splits corpus files, and the larger shared corpus when it
// is there, into parts of several sizes and checks that the parts are
// contiguous and that their token counts add up to that of the whole.
func TestSplitFile(t *testing.T) {
	tok := defaultTok(t)
	files := corpusFiles(t)
	if shared, err := os.ReadDir("../../../shared/corpus"); err == nil && !testing.Short() {
		for _, e := range shared {
			if strings.HasSuffix(e.Name(), ".txt") {
				files = append(files, "../../../shared/corpus/"+e.Name())
			}
		}
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		data := readFile(t, path)
		whole := tok.Count(data)
		for _, part := range []int64{1000, 64 << 10, partSize} {
			spans, err := splitFile(tok, f, fi.Size(), part)
			if err != nil {
				t.Fatal(err)
			}
			var next int64
			count := 0
			for _, s := range spans {
				if s.start != next || s.end <= s.start {
					t.Fatalf("%s, part %d: spans %v are not contiguous", path, part, spans)
				}
				next = s.end
				if len(spans) > 1 { // a text without cuts is slow to count again
					count += tok.Count(data[s.start:s.end])
				}
			}
			if next != fi.Size() {
				t.Fatalf("%s, part %d: spans end at %d of %d", path, part, next, fi.Size())
			}
			if len(spans) > 1 && count != whole {
				t.Errorf("%s cut in %d parts of about %d bytes: %d tokens, whole %d", path, len(spans), part, count, whole)
			}
		}
		f.Close()
	}
}

// TestSplitFileParts checks that text with a cut at every word is split
// into parts about as long as asked or shorter: a file of 2.5 parts in 3,
// not 2 of 1.25, which would leave one worker counting a long last part
// alone. Cuts are looked for before each boundary, so the last part may
// be longer by a word.
func TestSplitFileParts(t *testing.T) {
	tok := defaultTok(t)
	const part int64 = 4 << 10
	for _, tc := range []struct {
		size  int64
		parts int
	}{{part / 2, 1}, {part, 1}, {part + 100, 2}, {5 * part / 2, 3}, {4 * part, 4}} {
		text := strings.Repeat("word ", int(tc.size)/5+1)[:tc.size]
		spans, err := splitFile(tok, strings.NewReader(text), int64(len(text)), part)
		if err != nil {
			t.Fatal(err)
		}
		if len(spans) != tc.parts {
			t.Errorf("%d bytes in parts of %d: %d spans, want %d", tc.size, part, len(spans), tc.parts)
		}
		for _, s := range spans {
			if s.end-s.start > part+int64(len("word ")) {
				t.Errorf("%d bytes in parts of %d: span %v is longer", tc.size, part, s)
			}
		}
	}
}
