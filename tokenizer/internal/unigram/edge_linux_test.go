package unigram

import (
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/pageend"
)

// TestTextAtPageEnd encodes texts, of ASCII and of other scripts, that
// end where readable memory ends, with an inaccessible page after them:
// the walk and the word cache's hits read words several bytes at a time,
// and none of those reads may pass the text's end (a read past it would
// fault here). Each text is encoded several times, so that its words are
// cache hits too, and must give what a copy of it in ordinary memory
// gives.
func TestTextAtPageEnd(t *testing.T) {
	pl := pageend.New(t)
	var texts []string
	for n := 1; n <= 40; n++ {
		word := strings.Repeat("abcdefghij", 4)[:n]
		texts = append(texts, "▁"+word, "▁the▁"+word, "▁x▁the▁quick▁brown▁"+word, strings.Repeat("▁"+word, 3))
	}
	// Words of characters of two, three and four bytes, ending the text
	// with U+2581 or without.
	for _, run := range []string{"ภาษาไทยเป็นภาษาที่มีระดับเสียง", "తెలుగుభాషద్రావిడ", "中文是汉藏语系中最大", "приветмир", "😀😃😄😁"} {
		chars := []rune(run)
		for n := 1; n <= len(chars); n++ {
			word := string(chars[:n])
			texts = append(texts, word, "▁"+word, "▁the▁"+word+"▁", strings.Repeat("▁"+word, 3))
		}
	}
	for _, name := range unigramModels {
		m, _ := newModel(t, name)
		for _, text := range texts {
			want := m.Encode(nil, []byte(text), nil)
			edge := pl.Place(text)
			for range 3 {
				if got := m.Encode(nil, edge, nil); !slices.Equal(got, want) {
					t.Fatalf("%s: %q at a page's end: %v, want %v", name, text, got, want)
				}
			}
		}
	}
}
