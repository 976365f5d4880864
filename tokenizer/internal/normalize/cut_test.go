package normalize

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// modelNormalizer returns the normalizer of a test model, with its
// user-defined pieces, as the tokenizer makes it.
func modelNormalizer(t testing.TB, name string, extra ...string) *Normalizer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "models", name))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vocab.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var ud []string
	for _, id := range v.UserDefined() {
		ud = append(ud, v.Piece(id))
	}
	for _, p := range extra {
		if !slices.Contains(ud, p) {
			ud = append(ud, p)
		}
	}
	n, err := New(v.Normalizer(), v.Trainer().TreatWhitespaceAsSuffix, matcher.New(ud))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// cutAlphabet is what the texts of the cut tests are made of: characters
// that charsmap keys join (a letter and a combining mark, kana and a
// voicing mark, Hangul jamo, the rule TSV's "ffi", "--" and "123"),
// characters that normalize to a space or to nothing, U+2581, malformed and
// truncated bytes, and plain text.
var cutAlphabet = []string{
	"a", "e", "f", "i", "fi", "-", "1", "2", "3", " ", "  ", "\t", "\n", "\u3000",
	"\u0301", "\u0308", "\u30AB", "\u3099", "\u309A", "\u1100", "\u1161", "\u11A8",
	"\u200B", "\u00AD", "\u2581", "\uFF76", "\uFF9E", "\u2122", "\uFB01", "x\u0338",
	"\u0915\u093C", "\u0B47\u0B3E", "\xff", "\xe3\x82", "\uFFFD", "語", "@@", "<s>",
	"\u0E01", "\u3041",
}

// checkCuts checks every cut of text that n.CutAt allows, with the text
// going on by each of follows: the parts normalize, as parts, to the
// whole's normalized form, and a and b are the characters on either side of
// the cut in it (b unless the whole's trailing whitespace went). It returns the number of cuts.
func checkCuts(t *testing.T, n *Normalizer, name, text string, follows []string) int {
	t.Helper()
	cuts := 0
	for i := 1; i < len(text); i++ {
		a, b, ok := n.CutAt(text, i)
		if !ok {
			continue
		}
		cuts++
		for _, f := range follows {
			whole := string(n.Normalize(nil, nil, text+f, Whole))
			left := string(n.Normalize(nil, nil, text[:i], BeforeCut))
			right := string(n.Normalize(nil, nil, text[i:]+f, AfterCut))
			if left+right != whole {
				t.Fatalf("%s: cut %q at %d, then %q: parts %q + %q, whole %q", name, text, i, f, left, right, whole)
			}
			// The whole's trailing whitespace may take all of right.
			la, _ := utf8.DecodeLastRuneInString(left)
			fb, _ := utf8.DecodeRuneInString(right)
			if la != a || right != "" && fb != b {
				t.Fatalf("%s: cut %q at %d, then %q: CutAt says %q | %q, the parts have %q | %q", name, text, i, f, a, b, la, fb)
			}
		}
	}
	return cuts
}

// describe tells normalizers apart by their rules' name and settings.
func (n *Normalizer) describe() string {
	s := n.spec
	return fmt.Sprint(s.Name, s.AddDummyPrefix, s.RemoveExtraWhitespaces, s.EscapeWhitespaces, n.suffix, n.matcher.Pieces)
}

// TestCutAtCharsmap checks CutAt under every test model's normalizer, and
// with user-defined pieces added, on random texts that charsmap keys,
// whitespace rules and pieces would cross, and on corpus lines.
func TestCutAtCharsmap(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "models", "*.model"))
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	var lines []string
	for _, tx := range testmodel.GeneralTexts(t) {
		for _, l := range strings.SplitN(tx.Text, "\n", 20) {
			lines = append(lines, l[:min(len(l), 120)])
		}
	}
	follows := []string{"", " ", "\u0301", "\u3099", "\u1161", "fi", "-", "23", "@", "\x82\xab", "\u3000"}
	seen := map[string]bool{} // the normalizers tested
	for _, path := range files {
		name := filepath.Base(path)
		key := modelNormalizer(t, name).describe()
		if seen[key] {
			continue
		}
		seen[key] = true
		for _, pieces := range [][]string{nil, {"@@", "<s>", "e\u0301", "a b", "\xe3\x82"}} {
			n := modelNormalizer(t, name, pieces...)
			if err := n.Cuts(); err != nil {
				t.Fatalf("%s: Cuts = %v", name, err)
			}
			rng := rand.New(rand.NewSource(7))
			cuts := 0
			for range 300 {
				cuts += checkCuts(t, n, name, testmodel.RandomText(rng, cutAlphabet, 12), follows)
			}
			for _, line := range lines {
				cuts += checkCuts(t, n, name, line, follows[:2])
			}
			if cuts < 1000 {
				t.Errorf("%s, pieces %q: only %d cuts", name, pieces, cuts)
			}
		}
	}
}

// TestCutAtLastByteOfSpace checks that CutAt allows a cut after a
// character that ends with U+2581's last byte (ก, ぁ) under every test
// model's normalizer, extra whitespace removal among them: such a
// character is no space, and refusing its cuts leaves long runs of it
// without one (which truncation then encodes over and over).
func TestCutAtLastByteOfSpace(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "models", "*.model"))
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	for _, path := range files {
		n := modelNormalizer(t, filepath.Base(path))
		for _, text := range []string{"\u0E01\u0E01\u0E01", "\u3041\u3041\u3041"} {
			if _, _, ok := n.CutAt(text, 3); !ok {
				t.Errorf("%s: no cut in %q", filepath.Base(path), text)
			}
		}
	}
}

// FuzzCutAt checks the cuts that CutAt allows under the nmt_nfkc and the
// rule TSV normalizers, with user-defined pieces, on any text.
func FuzzCutAt(f *testing.F) {
	for _, s := range cutAlphabet {
		f.Add(s+"a"+s, "\u0301")
	}
	ns := []*Normalizer{
		modelNormalizer(f, "bpe_nmt_nfkc.model", "@@", "e\u0301", "a b"),
		modelNormalizer(f, "unigram_rule_tsv.model", "@@", "\xe3\x82"),
		modelNormalizer(f, "unigram_nfkc_cf_bytefb_suffix.model"),
		modelNormalizer(f, "unigram_noprefix_noescape.model"),
		modelNormalizer(f, "bpe_identity_rmws.model", "a b"),
	}
	f.Fuzz(func(t *testing.T, text, follow string) {
		if len(text) > 64 {
			return
		}
		for _, n := range ns {
			if err := n.Cuts(); err != nil {
				t.Fatal(err)
			}
			checkCuts(t, n, "fuzz", text, []string{"", follow})
		}
	})
}
