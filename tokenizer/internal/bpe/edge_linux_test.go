package bpe

import (
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/pageend"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// TestTextAtPageEnd encodes normalized texts, valid UTF-8, that end where readable
// memory ends, with an inaccessible page after them: the word scan,
// blockCuts, partEnd, userPiece and segmentShort read the text by pointer
// or several bytes at a time, and none of those reads may pass the text's
// end (a read past it would fault here). Each text is encoded several
// times, so that its words are cache hits too, and must give what a copy
// of it in ordinary memory gives.
func TestTextAtPageEnd(t *testing.T) {
	pl := pageend.New(t)
	const (
		thai    = "ภาษาไทยเป็นภาษาที่มีระดับเสียงของคำแน่นอนหรือวรรณยุกต์เช่นเดียวกับภาษาจีน"
		telugu  = "తెలుగుభాషద్రావిడభాషలలోఒకటి"
		chinese = "中文是汉藏语系中最大的一支语言"
	)
	runs := []string{thai, telugu, chinese, strings.Repeat("ก", 70), strings.Repeat("กา", 35), strings.Repeat("abcdefghij", 7), "привет", "😀😃😄😁"}
	ends := []string{"", "▁", "▁▁", "\n", "\n\n", "\t", "<start_of_turn>", "<end_of_turn>\n", "a", "ก", "▁a", "▁ก", "▁\n", "\uFFFD", "é"}
	var texts []string
	for _, run := range runs {
		chars := []rune(run)
		for n := 1; n <= len(chars); n++ {
			for _, end := range ends {
				w := string(chars[:n]) + end
				texts = append(texts, w, "▁"+w, "▁the▁"+w, ">▁</"+w)
			}
		}
	}
	for _, c := range []string{"▁", "\n", "a", "ก", "é", "\uFFFD"} {
		for n := 1; n <= 70; n++ {
			texts = append(texts, strings.Repeat(c, n))
		}
	}
	g3, err := vocab.Gemma3()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*testModel{gemma(t), newTestModel(t, g3)} {
		var sc Scratch
		banned := make([]bool, m.v.Size())
		for _, id := range m.v.UserDefined() {
			banned[id] = true
		}
		banned[m.v.Unk()] = true
		for _, r := range []*Rules{m.rules, m.banRules(m.rules.matcher, banned)} {
			for _, text := range texts {
				want := m.encodeNorm(&sc, []byte(text), r)
				edge := pl.Place(text)
				for range 3 {
					if got := m.encodeNorm(&sc, edge, r); !slices.Equal(got, want) {
						t.Fatalf("%s: %q at a page's end: %v, want %v", m.v.Builtin(), text, got, want)
					}
				}
			}
		}
	}
}

// encodeNorm returns the ids of norm, a normalized text, under r.
func (m *testModel) encodeNorm(sc *Scratch, norm []byte, r *Rules) []int32 {
	var out seg.Sink
	out.Reset(m.v, norm, seg.IDs)
	m.Encode(sc, norm, r, &out)
	return slices.Clone(out.IDs)
}
