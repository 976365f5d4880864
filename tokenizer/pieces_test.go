package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

// TestEncodePiecesWith checks that the pieces agree with the ids under
// every option: one piece an id, an unknown run shown as its normalized
// text (㍿ is NFKC 株式会社, of which 株 is unknown; the C++ reports "株",
// not the input's "㍿"), BOS and EOS as their pieces, and the errors of
// EncodeWith.
func TestEncodePiecesWith(t *testing.T) {
	tok, err := LoadFile("../testdata/models/unigram8k_nmt_nfkc.model")
	if err != nil {
		t.Fatal(err)
	}
	const text = "㍿ ｱ x"
	got, err := tok.EncodePiecesWith(text, EncodeOptions{AddBOS: true, AddEOS: true})
	want := []string{"<s>", "▁", "株", "式", "会", "社", "▁", "ア", "▁x", "</s>"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("EncodePiecesWith(%q, BOS and EOS) = %q, %v; want %q", text, got, err, want)
	}

	gemma, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	const chat = "<start_of_turn>user Hi 𓀀"
	for _, opts := range []EncodeOptions{
		{}, {AddBOS: true}, {AddEOS: true}, {Special: SpecialText}, {Special: SpecialReject},
	} {
		ids, idErr := gemma.EncodeWith(chat, opts)
		pieces, err := gemma.EncodePiecesWith(chat, opts)
		if (err == nil) != (idErr == nil) || err != nil && err.Error() != idErr.Error() {
			t.Errorf("%+v: error %v, EncodeWith's %v", opts, err, idErr)
			continue
		}
		if len(pieces) != len(ids) {
			t.Errorf("%+v: %d pieces for %d ids", opts, len(pieces), len(ids))
			continue
		}
		for i, id := range ids {
			if pieces[i] != gemma.IDToPiece(id) {
				t.Errorf("%+v: piece %d is %q, id %d's is %q", opts, i, pieces[i], id, gemma.IDToPiece(id))
			}
		}
	}

	// Parts encoded in order with a Carry give the pieces of the whole.
	long := strings.Repeat("㍿ ｱ x. ", 50)
	var joined []string
	carry := new(Carry)
	parts := 0
	for start := 0; start < len(long); parts++ {
		end := len(long)
		if start+40 < len(long) {
			if n := tok.SafeCutParts(long[start:start+40], EncodeOptions{Carry: carry}); n > 0 {
				end = start + n
			}
		}
		p, err := tok.EncodePiecesWith(long[start:end], EncodeOptions{AfterCut: start > 0, BeforeCut: end < len(long), Carry: carry})
		if err != nil {
			t.Fatal(err)
		}
		joined = append(joined, p...)
		start = end
	}
	if whole := tok.EncodePieces(long); parts < 2 || !slices.Equal(joined, whole) {
		t.Errorf("the pieces of %d parts %q, of the whole %q", parts, joined, whole)
	}
}
