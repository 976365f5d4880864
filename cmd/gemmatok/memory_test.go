package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// maxRSS is the memory bound of counting a large input.
const maxRSS = 100 << 20

// repeatedBlock returns the corpus texts joined, which may be repeated
// without changing their tokens: the count of k copies is k times theirs.
// They are varied enough to fill the tokenizer's caches as real text does.
func repeatedBlock(t *testing.T) (string, int64) {
	t.Helper()
	// Ending in a single line break, the text can be cut after it.
	block := strings.TrimRightFunc(readFile(t, bigCorpusFile(t)), unicode.IsSpace) + "\n"
	n := defaultTok(t).Count(block)
	if defaultTok(t).Count(block+block) != 2*n {
		t.Fatal("the block's tokens change when it is repeated")
	}
	return block, int64(n)
}

// TestCountLargeFile counts a generated 200 MB file, split between the
// workers, within the memory bound.
func TestCountLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("counts 200 MB")
	}
	block, n := repeatedBlock(t)
	copies := 200_000_000 / len(block)
	path := filepath.Join(t.TempDir(), "large.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for range copies {
		w.WriteString(block)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	r, rss := runMeasured(t, command("count", "-j", "2", path))
	// Nothing but the count, and no progress bar on a stderr that is no
	// terminal.
	if want := fmt.Sprintf("%d %s\n", n*int64(copies), path); r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Errorf("count of %d copies: exit %d, %q, stderr %q; want %q and nothing on stderr", copies, r.code, r.stdout, r.stderr, want)
	}
	t.Logf("peak RSS %d MB counting %d MB", rss>>20, copies*len(block)>>20)
	if rss > maxRSS {
		t.Errorf("peak RSS %d MB, want at most %d MB", rss>>20, maxRSS>>20)
	}
}

// TestCountStdinStream counts a long stream on stdin, which is never read
// whole, within the memory bound.
func TestCountStdinStream(t *testing.T) {
	if testing.Short() {
		t.Skip("counts 64 MB")
	}
	block, n := repeatedBlock(t)
	copies := 64_000_000 / len(block)
	cmd := command("count")
	cmd.Stdin = io.MultiReader(repeatReaders(block, copies)...)
	r, rss := runMeasured(t, cmd)
	if want := fmt.Sprintf("%d\n", n*int64(copies)); r.code != 0 || r.stdout != want {
		t.Errorf("count of %d copies on stdin: exit %d, %q, want %q", copies, r.code, r.stdout, want)
	}
	if rss > maxRSS {
		t.Errorf("peak RSS %d MB, want at most %d MB", rss>>20, maxRSS>>20)
	}
}

// repeatReaders returns k readers of s.
func repeatReaders(s string, k int) []io.Reader {
	rs := make([]io.Reader, k)
	for i := range rs {
		rs[i] = strings.NewReader(s)
	}
	return rs
}
