package normalize

import (
	"bytes"
	"fmt"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/charsmap"
	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// gemmaNormalizer returns the normalizer of the embedded Gemma 2 model,
// the identity.
func gemmaNormalizer(t *testing.T) *Normalizer {
	v, err := vocab.Default()
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(v.Normalizer(), false, matcher.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNormalizeIdentityAgrees checks the identity normalizer's fast path
// against the general one, on the corpus and on random bytes full of
// spaces, multibyte characters, truncated ones and stray bytes.
func TestNormalizeIdentityAgrees(t *testing.T) {
	n := gemmaNormalizer(t)
	if !n.identity {
		t.Fatal("the Gemma model's normalizer is not the identity")
	}
	texts := []string{""}
	for _, tx := range testmodel.GeneralTexts(t) {
		texts = append(texts, tx.Text)
	}
	rng := rand.New(rand.NewSource(3))
	parts := []string{" ", "  ", "a", "word", "\n", "é", "語", "😀", "\u2581", "\uFFFD", "\xe8\xaa", "\xff", "\x80"}
	const valid = 10 // parts[:valid] are valid UTF-8
	for k := range 2009 {
		// The last few are long enough to cross the fast path's blocks:
		// some malformed throughout, some valid throughout (its blocks
		// then end inside characters), some valid but for one byte.
		n, choice := rng.Intn(40), len(parts)
		if k >= 2000 {
			n = 20000
		}
		if k >= 2003 {
			choice = valid
		}
		var b strings.Builder
		for range n {
			b.WriteString(parts[rng.Intn(choice)])
		}
		text := b.String()
		if k >= 2006 {
			at := 16<<10 - 2 + rng.Intn(5)
			text = text[:at] + "\xff" + text[at:]
		}
		texts = append(texts, text)
	}
	for _, text := range texts {
		fast := n.NormalizeIdentity([]byte("x"), text)
		general := n.Normalize([]byte("x"), nil, text, Whole)
		if !bytes.Equal(fast, general) {
			t.Fatalf("normalizing %q: the identity path gives %q, the general %q", text, fast, general)
		}
	}
}

// slowNormalizer returns n with runs that copy nothing and no class for
// appendASCII, so that Normalize takes every step through normalizePrefix,
// as normalizer.cc does.
func slowNormalizer(n *Normalizer) *Normalizer {
	slow := *n
	cm := n.cmap
	if cm == nil {
		cm = new(charsmap.Map)
	}
	var all [256]bool
	for c := range all {
		all[c] = true
	}
	slow.runs = cm.Runs(&all, n.spec.EscapeWhitespaces, n.spec.RemoveExtraWhitespaces)
	slow.ascii = [256]uint8{}
	return &slow
}

// runsNormalizers returns the normalizer of every test model, with and
// without added user-defined pieces, each with its slow twin.
func runsNormalizers(t testing.TB) (fast, slow []*Normalizer, names []string) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "models", "*.model"))
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	for _, path := range files {
		for _, pieces := range [][]string{nil, {"@@", "<s>", "e\u0301", "a b", "\xe3\x82", " x"}} {
			n := modelNormalizer(t, filepath.Base(path), pieces...)
			fast, slow = append(fast, n), append(slow, slowNormalizer(n))
			names = append(names, fmt.Sprintf("%s %q", filepath.Base(path), pieces))
		}
	}
	return fast, slow, names
}

// checkRuns compares Normalize with its slow twin on text, as every Part,
// with offsets and without.
func checkRuns(t *testing.T, fast, slow *Normalizer, name, text string) {
	for _, part := range []Part{Whole, AfterCut, BeforeCut, AfterCut | BeforeCut} {
		var fo, so []int32
		f := fast.Normalize([]byte("x"), &fo, text, part)
		s := slow.Normalize([]byte("x"), &so, text, part)
		if !bytes.Equal(f, s) || !slices.Equal(fo, so) {
			t.Fatalf("%s, part %d: Normalize(%q) = %q %v; step by step %q %v", name, part, text, f, fo, s, so)
		}
		if f := fast.Normalize([]byte("x"), nil, text, part); !bytes.Equal(f, s) {
			t.Fatalf("%s, part %d: without offsets, Normalize(%q) = %q; step by step %q", name, part, text, f, s)
		}
	}
}

// TestNormalizeRuns checks Normalize, which copies what the charsmap
// leaves as it is in runs (charsmap.Runs) and takes short ASCII texts in
// one loop (appendASCII), against the same taking every
// step through normalizePrefix, for every test model with and without
// user-defined pieces, on the corpus and random texts.
func TestNormalizeRuns(t *testing.T) {
	fast, slow, names := runsNormalizers(t)
	var texts []string
	for _, tx := range testmodel.GeneralTexts(t) {
		texts = append(texts, tx.Text[:min(len(tx.Text), 4<<10)])
	}
	rng := rand.New(rand.NewSource(5))
	alphabet := slices.Concat(cutAlphabet, []string{"word ", "   ", "Straße ", "слово ", "ภาษา", "\U0001F600", "x\u0301 "})
	for range 300 {
		texts = append(texts, testmodel.RandomText(rng, alphabet, 40))
	}
	// Short ASCII texts, which appendASCII takes, but for the odd byte.
	ascii := []string{"a", "f", "fi", "-", "1", "23", " ", "  ", "\t", "\n", "\x00", "\x7f", "@@", "<s>", "x y", "é"}
	for k := range 600 {
		texts = append(texts, testmodel.RandomText(rng, ascii[:len(ascii)-k%2], 1+k%8))
	}
	for i := range fast {
		for _, text := range texts {
			checkRuns(t, fast[i], slow[i], names[i], text)
		}
	}
}

// FuzzNormalizeRuns is TestNormalizeRuns on fuzzed texts:
// go test -run=^$ -fuzz=FuzzNormalizeRuns ./tokenizer/internal/normalize
func FuzzNormalizeRuns(f *testing.F) {
	for _, s := range []string{"", " a  b ", "x\u0301y", "ภาษา ไทย", "@@<s>", "\xff\xe3\x82", "Straße  слово"} {
		f.Add(s)
	}
	fast, slow, names := runsNormalizers(f)
	f.Fuzz(func(t *testing.T, text string) {
		for i := range fast {
			checkRuns(t, fast[i], slow[i], names[i], text)
		}
	})
}
