package bpe

import (
	"slices"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/normalize"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// TestBanRespells checks rules that ban normal pieces: none comes out,
// and Encode's segmentation of the whole text is Dropout's without drops,
// the C++'s plain algorithm, which respells them its own way. Texts are
// cut at 4 KiB (a character may be split: the test models encode
// malformed UTF-8 as the C++ does).
func TestBanRespells(t *testing.T) {
	texts := testmodel.GeneralTexts(t)
	// Gemma, and its variant with unused pieces, which the C++ respells
	// too; the tokenizer's tests cover the other model types.
	i := slices.IndexFunc(testmodel.Variants, func(v testmodel.Variant) bool { return v.Name == "unused pieces" })
	unused := newTestModel(t, testmodel.Variants[i].Vocab(t))
	for _, m := range []*testModel{gemma(t), unused} {
		banned := make([]bool, m.v.Size())
		for id := range int32(m.v.Size()) {
			if m.v.Type(id) == vocab.Normal && id%97 == 0 {
				banned[id] = true
			}
		}
		for _, p := range []string{"▁the", "ing", "▁and", "er", "▁a", "e", "▁"} {
			if id := m.v.Lookup(p); id >= 0 && m.v.Type(id) == vocab.Normal {
				banned[id] = true
			}
		}
		r := m.banRules(m.rules.matcher, banned)
		if r.respell == nil || r.CutsErr() == nil {
			t.Fatal("no piece respelled")
		}
		sc := new(Scratch)
		var enc, drop seg.Sink
		for _, nt := range texts {
			norm := m.norm.Normalize(nil, nil, nt.Text[:min(len(nt.Text), 4<<10)], normalize.Whole)
			enc.Reset(m.v, norm, seg.IDs)
			m.Encode(sc, norm, r, &enc)
			drop.Reset(m.v, norm, seg.IDs)
			m.Dropout(norm, r, 0, nil, &drop)
			if !slices.Equal(enc.IDs, drop.IDs) {
				t.Fatalf("%s: Encode and Dropout without drops differ", nt.Name)
			}
			for _, id := range enc.IDs {
				if banned[id] {
					t.Fatalf("%s: banned %q came out", nt.Name, m.v.Piece(id))
				}
			}
		}
	}
}
