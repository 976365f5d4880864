package word

import (
	"slices"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// encode is Encode as modeltest's checks take it.
func encode(v *vocab.Vocab, norm []byte) (ids, lens []int32) {
	return modeltest.Split(New(v).Encode(nil, norm, nil))
}

// TestCorpus compares Encode with the C++'s word::Model on every corpus
// file, whole and line by line, and on a few cases.
func TestCorpus(t *testing.T) {
	modeltest.CheckCorpus(t, "word", []string{"▁", "▁▁", "a▁", "▁a▁▁b", "<mask>", "ab", "▁ab", "<s>"}, encode)
}

func TestBan(t *testing.T) {
	v := modeltest.LoadModel(t, "word")
	m := New(v)
	ab, _ := v.ID("ab")
	ban := make([]bool, v.Size())
	ban[ab] = true
	norm := []byte("ab")
	if got := m.Encode(nil, norm, nil); !slices.Equal(got, []seg.Piece{{ID: ab, Len: 2}}) {
		t.Errorf("unbanned: %v", got)
	}
	if got := m.Encode(nil, norm, ban); !slices.Equal(got, []seg.Piece{{ID: v.Unk(), Len: 2}}) {
		t.Errorf("banned: %v", got)
	}
}

// TestStepByLeadByte checks that words are cut where the C++ looks for
// U+2581, stepping by the length each lead byte claims: a U+2581 inside a
// claimed sequence does not start a word.
func TestStepByLeadByte(t *testing.T) {
	m := New(modeltest.LoadModel(t, "word"))
	for _, c := range []struct {
		norm string
		lens []int32
	}{
		{"\xf0▁▁", []int32{4, 3}},
		{"\xe2▁x", []int32{5}},
		{"a\xe2\x96▁▁", []int32{6, 3}},
		{"▁▁a", []int32{3, 4}},
	} {
		var lens []int32
		for _, p := range m.Encode(nil, []byte(c.norm), nil) {
			lens = append(lens, p.Len)
		}
		if !slices.Equal(lens, c.lens) {
			t.Errorf("%q: lengths %v, want %v", c.norm, lens, c.lens)
		}
	}
}

// TestSharedModel compares Encode with the C++ on the repository's word
// model, normalized by the oracle (nmt_nfkc).
func TestSharedModel(t *testing.T) {
	modeltest.CheckShared(t, "word", encode)
}
