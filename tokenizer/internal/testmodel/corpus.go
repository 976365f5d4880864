package testmodel

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// corpusDir is testdata/corpus of the module, wherever the test runs.
var corpusDir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "corpus")
}()

// generalTextLen is how much of each corpus file the variants are compared
// on: 8 KiB of each of the 28 files is about 220 KiB a model.
const generalTextLen = 8 << 10

// CorpusFiles returns the test corpus: every text under testdata/corpus.
func CorpusFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".txt") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 28 {
		t.Fatalf("found %d corpus files, want at least 28", len(files))
	}
	sort.Strings(files)
	return files
}

// CorpusName returns the name of a corpus file: its path under testdata/corpus.
func CorpusName(path string) string {
	rel, _ := filepath.Rel(corpusDir, path)
	return filepath.ToSlash(rel)
}

// RunTexts returns lines of runs of one to four characters, repeated from
// a few times to some thousand, odd and even, after and before other text:
// the texts that segmentRuns merges as blocks. With short, the lines fit in
// a few kilobytes.
func RunTexts(short bool) string {
	patterns := []string{"a", "=", "-=", "ab", "aab", "abc", "xyz=", "é", "中文", "🙂", "ก", "\u2581", "\U0010FFFD", " a"}
	counts := []int{3, 129, 256, 257, 700, 1501}
	if short {
		counts = []int{3, 90, 91}
	}
	var b strings.Builder
	for _, p := range patterns {
		for _, n := range counts {
			for _, around := range [][2]string{{"", ""}, {"x", "y"}, {"the ", "."}} {
				if short && around[0] == "the " {
					continue
				}
				b.WriteString(around[0] + strings.Repeat(p, n) + around[1] + "\n")
			}
		}
	}
	return b.String()
}

// NamedText is a test text and its name.
type NamedText struct{ Name, Text string }

// GeneralTexts returns the start of every corpus file, and short lines of
// runs.
func GeneralTexts(t testing.TB) []NamedText {
	var texts []NamedText
	for _, path := range CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, NamedText{CorpusName(path), string(data[:min(len(data), generalTextLen)])})
	}
	texts = append(texts, NamedText{"runs", RunTexts(true)})
	return texts
}

// DiffAt describes where two sequences part.
func DiffAt[T comparable](got, want []T) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-3)
	return fmt.Sprintf("differ at %d of %d: got %#v, want %#v", i, len(want),
		got[lo:min(i+4, len(got))], want[lo:min(i+4, len(want))])
}
