package normalize

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// TestNormalizeIdentityAgrees checks the identity normalizer's fast path
// against the general one, on the corpus and on random bytes full of
// spaces, multibyte characters, truncated ones and stray bytes.
func TestNormalizeIdentityAgrees(t *testing.T) {
	v, err := vocab.Default()
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(v.Normalizer(), false, matcher.New(nil))
	if err != nil {
		t.Fatal(err)
	}
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
