package normalize

import (
	"bytes"
	"strings"
	"testing"
	"unsafe"

	"github.com/gemmatok/gemmatok/tokenizer/internal/pageend"
)

// TestIdentityAtPageEnd normalizes texts that end where readable memory
// ends, with an inaccessible page after them, through the identity
// normalizer's fast path, which reads sixteen and eight bytes at a time by
// pointer: no read may pass the text's end (it would fault here), and the
// output must be what the general path gives.
func TestIdentityAtPageEnd(t *testing.T) {
	pl := pageend.New(t)
	n := gemmaNormalizer(t)
	var texts []string
	for _, unit := range []string{"a", " ", "a b", "語", "é ", "\xff", "\xe8\xaa", "\u2581"} {
		for k := 1; k <= 40; k++ {
			texts = append(texts, strings.Repeat(unit, k), "x"+strings.Repeat(unit, k), strings.Repeat(unit, k)+" ")
		}
	}
	for _, text := range texts {
		edge := pl.Place(text)
		at := unsafe.String(unsafe.SliceData(edge), len(edge))
		want := n.Normalize(nil, nil, text, Whole)
		if got := n.NormalizeIdentity(nil, at); !bytes.Equal(got, want) {
			t.Fatalf("%q at a page's end: %q, want %q", text, got, want)
		}
	}
}
