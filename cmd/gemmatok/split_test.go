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
