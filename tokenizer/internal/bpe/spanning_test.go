package bpe

import (
	"slices"
	"testing"

	"github.com/gemmatok/gemmatok/vocab"
)

// TestSpanningGemma3 checks that Gemma 3, whose piece ">▁</" holds U+2581
// after its start, is still cut into words, with that piece spanning, and
// that its generated tables say what a scan of the vocabulary finds.
func TestSpanningGemma3(t *testing.T) {
	v, err := vocab.Gemma3()
	if err != nil {
		t.Fatal(err)
	}
	b := New(v)
	want := []spanningPiece{{">▁</", 1}}
	if b.split != splitBefore || !slices.Equal(b.spanning, want) || b.SpaceStartsPieces() {
		t.Errorf("split %v, spanning %v, SpaceStartsPieces %v; want before, %v, false", b.split, b.spanning, b.SpaceStartsPieces(), want)
	}
	scan := newModel(v, nil)
	if scan.split != b.split || !slices.Equal(scan.spanning, b.spanning) {
		t.Errorf("from a scan: split %v, spanning %v", scan.split, scan.spanning)
	}
	for _, tc := range []struct {
		text string
		at   int
		want bool
	}{{"a>▁</b", 2, true}, {"a>▁<b", 2, false}, {"ab▁</b", 2, false}, {">▁</", 1, true}, {"▁</", 0, false}, {"a>▁", 2, false}} {
		if got := b.spans([]byte(tc.text), tc.at); got != tc.want {
			t.Errorf("spans(%q, %d) = %v", tc.text, tc.at, got)
		}
	}
}
