package vocab

import (
	"slices"
	"testing"

	"github.com/gemmatok/gemmatok/vocab/internal/spmpb"
)

// TestFacts checks what a Vocab tells about its pieces as a whole: which
// built-in model it is, whether it has unused pieces, and which id
// PieceToId prefers for the text of each piece.
func TestFacts(t *testing.T) {
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Builtin(); got != "gemma2" || !slices.Contains(Builtins(), got) {
		t.Errorf("Builtin = %q; Builtins = %q", got, Builtins())
	}
	if v.HasUnused() {
		t.Error("the embedded model has unused pieces")
	}
	for id := range int32(v.Size()) {
		if p := v.Preferred(id); p != id {
			t.Fatalf("Preferred(%d) = %d in the embedded model", id, p)
		}
	}

	// A normal piece "<s>" shadowed by the control piece, and an unused
	// piece.
	data := editedModel(t, func(m *spmpb.ModelProto) {
		addPiece(m, "<s>", spmpb.ModelProto_SentencePiece_NORMAL)
		addPiece(m, "ba", spmpb.ModelProto_SentencePiece_UNUSED)
	})
	small, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if small.Builtin() != "" || !small.HasUnused() {
		t.Errorf("small model: Builtin %q, HasUnused %v", small.Builtin(), small.HasUnused())
	}
	control, normal := int32(1), int32(small.Size()-2)
	for id := range int32(small.Size()) {
		want := id
		if id == normal {
			want = control
		}
		if got := small.Preferred(id); got != want {
			t.Errorf("small model: Preferred(%d %q) = %d, want %d", id, small.Piece(id), got, want)
		}
	}
}
