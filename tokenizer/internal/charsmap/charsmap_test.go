package charsmap

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPrefixRules checks Prefix on the custom rules of
// testdata/models/rule.tsv, compiled by spm_train into unigram_rule_tsv.model.
func TestPrefixRules(t *testing.T) {
	m := mustNew(t, "unigram_rule_tsv.model")
	for _, tc := range []struct {
		in       string
		norm     string
		consumed int
	}{
		{"Abc", "a", 1},
		{"abc", "a", 1},
		{"fix", "FI", 2},
		{"ffix", "\uFB03", 3}, // ffi beats fi: the longest key wins
		{"ffx", "f", 1},       // no key ff: one character
		{"f", "f", 1},
		{"\u00ADx", "", 2},   // soft hyphen deleted
		{"\u200B", "", 3},    // zero width space deleted
		{"1234", "", 3},      // 123 deleted
		{"124", "1", 1},      // 12 is no key
		{"---", "\u2014", 2}, // -- to an em dash
		{"\u3000x", " ", 3},  // ideographic space
		{"\tx", " ", 1},      // tab
		{"\uFF01", "!", 3},   // fullwidth !
		{"\u00E9t\u00E9", "e\u0301", 2},
		{"\u2122", "TM", 3},
		{"\u30AB\u3099", "\u30AC", 6}, // two code points to one
		{"\u30AB", "\u30AB", 3},       // only the first of them
		{"\U0001F600!", ":)", 4},
		{"\U0001F601", "\U0001F601", 4},
		{"日本", "日", 3},
		{"\xff", "\uFFFD", 1},         // malformed: one byte to U+FFFD
		{"\xe6\x97", "\uFFFD", 1},     // truncated
		{"\xed\xa0\x80", "\uFFFD", 1}, // surrogate
		{"\xc0\xaf", "\uFFFD", 1},     // overlong
		{"\uFFFD", "\uFFFD", 3},       // a real U+FFFD is three bytes
		{"\x00a", "\x00", 1},          // NUL is an ordinary byte
		{"", "", 0},
	} {
		norm, n := m.Prefix(tc.in)
		if norm != tc.norm || n != tc.consumed {
			t.Errorf("Prefix(%q) = %q, %d; want %q, %d", tc.in, norm, n, tc.norm, tc.consumed)
		}
	}
}

// TestDecompileRuleTSV checks the reader against the rules it was built
// from: the dictionary in the trie is exactly rule.tsv.
func TestDecompileRuleTSV(t *testing.T) {
	want := readTSV(t, filepath.Join(modelsDir, "rule.tsv"))
	got := decompile(t, mustNew(t, "unigram_rule_tsv.model")).rules
	if len(got) != len(want) {
		t.Errorf("%d rules in the trie, %d in rule.tsv", len(got), len(want))
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("rule %q: trie has %q (%v), rule.tsv %q", k, g, ok, v)
		}
	}
	denorm := readModel(t, filepath.Join(modelsDir, "unigram_rule_tsv.model")).denormCharsmap
	d, err := New(denorm)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Runs(nil, false, false).apply("a\u2014b--"), "a--b--"; got != want {
		t.Errorf("denormalizer: %q, want %q", got, want)
	}
}

// readTSV reads a normalization rule TSV as builder.cc's LoadCharsMap does:
// source code points, a tab, replacement code points (absent: deletion).
func readTSV(t testing.TB, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cps := func(field string) string {
		var s strings.Builder
		for _, h := range strings.Fields(field) {
			r, err := strconv.ParseUint(strings.TrimPrefix(h, "U+"), 16, 32)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			s.WriteRune(rune(r))
		}
		return s.String()
	}
	rules := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		f := strings.Split(line, "\t")
		f = append(f, "")
		rules[cps(f[0])] = cps(f[1])
	}
	return rules
}

func TestNewErrors(t *testing.T) {
	header := func(size uint32, rest ...byte) []byte {
		return append(binary.LittleEndian.AppendUint32(nil, size), rest...)
	}
	for _, tc := range []struct {
		name string
		blob []byte
		want string
	}{
		{"one byte", []byte{1}, "too short"},
		{"header only", header(0), "too short"},
		{"trie larger than blob", header(8, 1, 2, 3, 4), "does not fit"},
		{"trie size overflows", header(0xFFFFFFFF, 1), "does not fit"},
		{"no units", header(3, 1, 2, 3, 0), "no units"},
		{"empty trie", header(0, 'a', 0), "no units"},
	} {
		m, err := New(tc.blob)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, %v; want an error with %q", tc.name, m, err, tc.want)
		}
	}
}

// TestNoRules checks the Map of an empty blob and the zero Map: every
// character maps to itself, malformed bytes to U+FFFD.
func TestNoRules(t *testing.T) {
	empty, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Map{empty, new(Map)} {
		in := "a\u00E9\xff日\U0001F600"
		if got, want := m.Runs(nil, false, false).apply(in), "a\u00E9\uFFFD日\U0001F600"; got != want {
			t.Errorf("apply(%q) = %q, want %q", in, got, want)
		}
		var out Run
		if n := m.Runs(nil, false, false).Apply(&out, in); n != len(in) {
			t.Errorf("Apply(%q) consumed %d, want all", in, n)
		}
	}
}

// TestRunsDictionary checks Runs.Apply against the dictionary over a
// sample of every corpus file: what it writes is the concatenation of the
// dictionary's steps.
func TestRunsDictionary(t *testing.T) {
	for _, model := range []string{"unigram8k_nmt_nfkc.model", "unigram_rule_tsv.model"} {
		m, d := modelDict(t, model)
		runs := m.Runs(nil, false, false)
		for _, f := range corpusFiles(t) {
			in := readCorpus(t, f, sampleBytes)
			var want []byte
			for i := 0; i < len(in); {
				s, l := d.prefix(in[i:])
				want = append(want, s...)
				i += l
			}
			if got := runs.apply(in); got != string(want) {
				t.Fatalf("%s %s: Apply differs from the dictionary at %s", model, f, firstDiff(got, string(want)))
			}
		}
	}
}

// TestPrefixMatchesDictionary compares Prefix with the brute-force longest
// match over the decompiled dictionary at every byte offset of a sample of
// every corpus file, for the committed models' charsmaps.
func TestPrefixMatchesDictionary(t *testing.T) {
	files := corpusFiles(t)
	for _, model := range []string{"unigram8k_nmt_nfkc.model", "unigram_nfkc_cf_bytefb_suffix.model", "unigram_rule_tsv.model"} {
		m, d := modelDict(t, model)
		positions := 0
		for _, f := range files {
			in := readCorpus(t, f, sampleBytes)
			for i := range len(in) {
				// Cap the window: no key is longer than d.maxKey.
				s := in[i:min(len(in), i+d.maxKey+4)]
				gs, gn := m.Prefix(s)
				ws, wn := d.prefix(s)
				if gs != ws || gn != wn {
					t.Fatalf("%s %s@%d: Prefix(%q) = %q, %d; dictionary %q, %d", model, f, i, s, gs, gn, ws, wn)
				}
			}
			positions += len(in)
		}
		t.Logf("%s: %d rules, longest key %d bytes, %d positions", model, len(d.rules), d.maxKey, positions)
	}
}
