package tokenizer

import (
	"math/rand/v2"
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

// TestEncodeNBestPieces checks that the n best segmentations' pieces are
// the C++'s NBestEncodeAsPieces, an unknown run as its normalized text,
// and that the ids and scores are EncodeNBest's.
func TestEncodeNBestPieces(t *testing.T) {
	tok, err := LoadFile("../testdata/models/unigram8k_nmt_nfkc.model")
	if err != nil {
		t.Fatal(err)
	}
	const text = "㍿ x"
	got, err := tok.EncodeNBestPieces(text, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"▁", "株", "式", "会", "社", "▁x"}, {"▁", "株", "式", "会", "社", "▁", "x"}}
	segs, _ := tok.EncodeNBest(text, 2)
	if len(got) != len(want) || len(segs) != len(want) {
		t.Fatalf("EncodeNBestPieces(%q, 2) = %+v, EncodeNBest %+v; want %q", text, got, segs, want)
	}
	for i := range want {
		if !slices.Equal(got[i].Pieces, want[i]) || !slices.Equal(got[i].IDs, segs[i].IDs) || got[i].Score != segs[i].Score || segs[i].Pieces != nil {
			t.Errorf("segmentation %d: %+v, EncodeNBest's %+v; want pieces %q", i, got[i], segs[i], want[i])
		}
	}
}

// TestSampleEncodePieces checks that with the same draws the sampled
// pieces are those of SampleEncode's ids, an unknown run as its
// normalized text, for a Unigram and a BPE model.
func TestSampleEncodePieces(t *testing.T) {
	for _, name := range []string{"unigram8k_nmt_nfkc", "bpe_nmt_nfkc"} {
		tok, err := LoadFile("../testdata/models/" + name + ".model")
		if err != nil {
			t.Fatal(err)
		}
		const text = "㍿ x ㍿ quick brown fox"
		opts := SampleOptions{Alpha: 0.2, NBestSize: -1}
		for seed := range uint64(20) {
			ids, err := tok.SampleEncode(text, opts, rand.New(rand.NewPCG(seed, 0)))
			if err != nil {
				t.Fatal(err)
			}
			pieces, err := tok.SampleEncodePieces(text, opts, rand.New(rand.NewPCG(seed, 0)))
			if err != nil || len(pieces) != len(ids) {
				t.Fatalf("%s: seed %d: pieces %q, %v; ids %v", name, seed, pieces, err, ids)
			}
			for i, id := range ids {
				want := tok.IDToPiece(id)
				if id == tok.Unk() {
					want = "株"
				}
				if pieces[i] != want {
					t.Errorf("%s: seed %d: piece %d is %q, want %q (ids %v)", name, seed, i, pieces[i], want, ids)
				}
			}
		}
	}
	char, err := LoadFile("../testdata/models/char.model")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := char.SampleEncodePieces("x", SampleOptions{}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("SampleEncodePieces under a char model: no error")
	}
}
