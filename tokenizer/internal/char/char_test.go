package char

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

// TestCorpus compares Encode with the C++'s character::Model on every corpus
// file, whole and line by line, and on a few cases.
func TestCorpus(t *testing.T) {
	modeltest.CheckCorpus(t, "char", []string{"<mask>", "a<mask>b", "abab", "aab", "<mas", "<s>", "</s>", "<unk>", "\x00"}, encode)
}

func TestBan(t *testing.T) {
	v := modeltest.LoadModel(t, "char")
	m := New(v)
	mask, _ := v.ID("<mask>")
	ban := make([]bool, v.Size())
	ban[mask] = true
	norm := []byte("x<mask>")
	if got := m.Encode(nil, norm, nil); len(got) != 2 || got[1] != (seg.Piece{ID: mask, Len: 6}) {
		t.Errorf("unbanned: %v", got)
	}
	got := m.Encode(nil, norm, ban)
	if len(got) != 7 || slices.ContainsFunc(got, func(p seg.Piece) bool { return p.ID == mask }) {
		t.Errorf("banned: %v", got)
	}
}

// TestSharedModel compares Encode with the C++ on the repository's char
// model, normalized by the oracle (nmt_nfkc).
func TestSharedModel(t *testing.T) {
	modeltest.CheckShared(t, "char", encode)
}
