package bpe

import (
	"slices"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/hitrate"
	"github.com/gemmatok/gemmatok/vocab"
)

// TestWholeGate checks that a fresh word gets the same pieces whether it
// is looked up as a whole piece first or, with the lookups standing aside
// (Scratch.whole, short words' and long words'), merged: for every piece
// of Gemma 3, whole pieces or not, and the piece with a character more,
// which is mostly no piece. (Gemma 2 has no merge table, and always looks
// words up.)
func TestWholeGate(t *testing.T) {
	g3, err := vocab.Gemma3()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*testModel{newTestModel(t, g3)} {
		looked, merged := new(Scratch), new(Scratch)
		for range hitrate.Window {
			merged.whole[0].Record(false)
			merged.whole[1].Record(false)
		}
		if !merged.whole[0].Sparse() || !merged.whole[1].Sparse() {
			t.Fatal("a window without whole pieces left the lookup in use")
		}
		words := 0
		for id := range int32(m.v.Size()) {
			p := m.v.Piece(id)
			for _, w := range []string{p, p + "a"} {
				want := m.freshWord(looked, []byte(w), true, m.rules, nil)
				got := m.freshWord(merged, []byte(w), true, m.rules, nil)
				if !slices.Equal(got, want) {
					t.Fatalf("%q: merged %v, looked up %v", w, got, want)
				}
				words++
			}
		}
		if words < 1000 {
			t.Fatalf("only %d words tried", words)
		}
	}
}
