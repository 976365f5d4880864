package tokenizer

import (
	"slices"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

// TestUserPieceInsideSpace gives a user-defined piece the first two bytes
// of U+2581: the C++ matches it on the normalized text, inside the U+2581
// a space became, and the byte left over is unknown, which byte fallback
// spells (issue 20). With the identity normalizer that is Gemma's, also
// under the general normalizer that such a piece needs.
func TestUserPieceInsideSpace(t *testing.T) {
	m := testmodel.GemmaProto(t)
	l := testmodel.PieceList(t, m)
	const at = 97 + 7 // <unused97>
	if testmodel.PieceText(t, l.Get(at).Message()) != "<unused97>" {
		t.Fatalf("piece %d is not <unused97>", at)
	}
	testmodel.SetField(t, l.Get(at).Message(), "\xe2\x96", "piece")
	tok := loadModel(t, m)
	v := tok.Vocab()
	a, b, x81, spaces := v.Lookup("a"), v.Lookup("b"), v.ByteID(0x81), v.Lookup("▁▁")
	for _, tc := range []struct {
		text string
		want []int32
	}{
		{"a b", []int32{a, at, x81, b}},
		{"a  b", []int32{a, spaces, b}}, // the longest piece wins
		{" ", []int32{at, x81}},
		{"a\xe2\x96b", []int32{a, at, b}}, // the piece matches in the input, too
	} {
		if got := tok.Encode(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Encode(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
