package tokenizer

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden.json from the oracle's ids")

const goldenPath = "../testdata/golden.json"

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
	for _, path := range testmodel.CorpusFiles(t) {
		name := testmodel.CorpusName(path)
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

// TestOracleRuns compares Encode with the C++ on testmodel.RunTexts, line by line
// and whole.
func TestOracleRuns(t *testing.T) {
	o := getOracle(t)
	tok := defaultTokenizer(t)
	text := testmodel.RunTexts(false)
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
	files := testmodel.CorpusFiles(t)
	if len(golden) != len(files) {
		t.Errorf("golden.json has %d files, the corpus %d", len(golden), len(files))
	}
	for _, path := range files {
		name := testmodel.CorpusName(path)
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
