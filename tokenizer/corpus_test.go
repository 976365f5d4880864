package tokenizer

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden.json from the oracle's ids")

const goldenPath = "../testdata/golden.json"

// corpusFiles returns the test corpus: every text under testdata/corpus.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("../testdata/corpus", func(path string, d os.DirEntry, err error) error {
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

func corpusName(path string) string {
	rel, _ := filepath.Rel("../testdata/corpus", path)
	return filepath.ToSlash(rel)
}

func defaultTokenizer(t testing.TB) *Tokenizer {
	t.Helper()
	tok, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// firstDiff describes where two id sequences part.
func firstDiff(got, want []int32) (int, string) {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo, hi := max(0, i-3), i+4
	return i, "got " + idsString(got[lo:min(hi, len(got))]) + " want " + idsString(want[lo:min(hi, len(want))])
}

func idsString(ids []int32) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// TestOracleCorpus compares Encode and Decode with the C++ over every
// corpus file, encoded whole and line by line.
func TestOracleCorpus(t *testing.T) {
	o := getOracle(t)
	tok := defaultTokenizer(t)
	golden := map[string]goldenEntry{}
	for _, path := range corpusFiles(t) {
		name := corpusName(path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		t.Run(name, func(t *testing.T) {
			want := o.encode(t, text)
			got := tok.Encode(text)
			if !slices.Equal(got, want) {
				i, d := firstDiff(got, want)
				t.Errorf("whole: ids differ at %d of %d: %s", i, len(want), d)
			}
			if n := tok.Count(text); n != len(want) {
				t.Errorf("whole: Count = %d, want %d", n, len(want))
			}
			wantText := o.decode(t, want)
			if gotText, err := tok.Decode(want); err != nil || gotText != wantText {
				t.Errorf("whole: Decode of the oracle's ids differs (err %v)", err)
			}

			lines := strings.Split(text, "\n")
			wantLines := o.encodeLines(t, text)
			if len(wantLines) != len(lines) {
				t.Fatalf("oracle returned %d lines, want %d", len(wantLines), len(lines))
			}
			bad := 0
			for i, line := range lines {
				if got := tok.Encode(line); !slices.Equal(got, wantLines[i]) {
					if bad++; bad <= 3 {
						j, d := firstDiff(got, wantLines[i])
						t.Errorf("line %d: ids differ at %d: %s", i+1, j, d)
					}
				}
			}
			wantTexts := o.decodeMany(t, wantLines)
			for i, ids := range wantLines {
				if got, err := tok.Decode(ids); err != nil || got != wantTexts[i] {
					if bad++; bad <= 6 {
						t.Errorf("line %d: Decode differs: %q, want %q (err %v)", i+1, got, wantTexts[i], err)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d lines differ", bad, len(lines))
			}
			golden[name] = goldenEntry{Whole: hashIDs(want), Lines: hashLines(wantLines)}
		})
	}
	if *updateGolden && !t.Failed() {
		b, _ := json.MarshalIndent(golden, "", "  ")
		if err := os.WriteFile(goldenPath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runTexts returns lines of runs of one to four characters, repeated from
// a few times to some thousand, odd and even, after and before other text:
// the texts that segmentRuns merges as blocks. With short, the lines fit in
// a few kilobytes.
func runTexts(short bool) string {
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

// TestOracleRuns compares Encode with the C++ on runTexts, line by line
// and whole.
func TestOracleRuns(t *testing.T) {
	o := getOracle(t)
	tok := defaultTokenizer(t)
	text := runTexts(false)
	if got, want := tok.Encode(text), o.encode(t, text); !slices.Equal(got, want) {
		i, d := firstDiff(got, want)
		t.Errorf("whole: ids differ at %d of %d: %s", i, len(want), d)
	}
	lines := strings.Split(text, "\n")
	for i, want := range o.encodeLines(t, text) {
		if got := tok.Encode(lines[i]); !slices.Equal(got, want) {
			j, d := firstDiff(got, want)
			t.Errorf("line %d (%.40q): ids differ at %d of %d: %s", i+1, lines[i], j, len(want), d)
		}
	}
	t.Logf("%d lines of runs, %d bytes, compared with the C++", len(lines), len(text))
}

type goldenHash struct {
	Count  int    `json:"count"`
	SHA256 string `json:"sha256"`
}

type goldenEntry struct {
	Whole goldenHash `json:"whole"`
	Lines goldenHash `json:"lines"`
}

// hashIDs hashes ids as little-endian int32s.
func hashIDs(ids []int32) goldenHash {
	h := sha256.New()
	var b [4]byte
	for _, id := range ids {
		binary.LittleEndian.PutUint32(b[:], uint32(id))
		h.Write(b[:])
	}
	return goldenHash{Count: len(ids), SHA256: hex.EncodeToString(h.Sum(nil))}
}

// hashLines hashes per-line ids, each line's ids followed by -1.
func hashLines(lines [][]int32) goldenHash {
	var all []int32
	n := 0
	for _, ids := range lines {
		all = append(all, ids...)
		all = append(all, -1)
		n += len(ids)
	}
	g := hashIDs(all)
	g.Count = n
	return g
}

// TestGolden checks Encode against the committed hashes of the oracle's ids,
// so that exactness is checked where the oracle is not installed.
func TestGolden(t *testing.T) {
	data, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var golden map[string]goldenEntry
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	tok := defaultTokenizer(t)
	files := corpusFiles(t)
	if len(golden) != len(files) {
		t.Errorf("golden.json has %d files, the corpus %d", len(golden), len(files))
	}
	for _, path := range files {
		name := corpusName(path)
		want, ok := golden[name]
		if !ok {
			t.Errorf("%s: no golden hash", name)
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if got := hashIDs(tok.Encode(text)); got != want.Whole {
			t.Errorf("%s whole: got %+v, want %+v", name, got, want.Whole)
		}
		var lines [][]int32
		for _, line := range strings.Split(text, "\n") {
			lines = append(lines, tok.Encode(line))
		}
		if got := hashLines(lines); got != want.Lines {
			t.Errorf("%s lines: got %+v, want %+v", name, got, want.Lines)
		}
	}
}
