package tokenizer

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/vocab"
)

// TestSpecialTextOracleGemma3 checks SpecialText on Gemma 3, whose special
// pieces include its image pieces, against the C++ on Gemma 3 with those
// pieces made control pieces, which SentencePiece neither matches in text
// nor makes by merging.
func TestSpecialTextOracleGemma3(t *testing.T) {
	getOracle(t)
	tok := gemma3Tokenizer(t)
	v := tok.Vocab()
	special := make([]bool, v.Size())
	for _, id := range tok.SpecialIDs() {
		special[id] = true
	}
	pieces := make([]vocab.Entry, v.Size())
	for id := range int32(v.Size()) {
		pieces[id] = vocab.Entry{Piece: v.Piece(id), Score: v.Score(id), Type: v.Type(id)}
		if special[id] && pieces[id].Type == vocab.UserDefined {
			pieces[id].Type = vocab.Control
		}
	}
	asControl, err := vocab.Build(pieces, v.Trainer(), v.Normalizer())
	if err != nil {
		t.Fatal(err)
	}
	o := oracleOf(t, asControl)

	var texts []string
	for i, text := range injections(tok) {
		if i%37 == 0 || strings.Contains(text, "image") || strings.Contains(text, "turn") {
			texts = append(texts, text)
		}
	}
	data, err := os.ReadFile("../testdata/corpus/adversarial/special_token_strings.txt")
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, strings.Split(string(data), "\n")...)
	texts = append(texts, "<start_of_image><image_soft_token><image_soft_token><end_of_image>", "a<bbox>b</bbox>", "[multimodal]x")
	differ := 0
	for _, text := range texts {
		want := o.encode(t, text)
		got, err := tok.EncodeWith(text, EncodeOptions{Special: SpecialText})
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%.60q: %v, want %v (err %v)", text, got, want, err)
		}
		if !slices.Equal(tok.Encode(text), want) {
			differ++
		}
	}
	t.Logf("%d of %d texts encode differently with special pieces as text", differ, len(texts))
	if differ < len(texts)/2 {
		t.Errorf("only %d of %d texts encode differently with special pieces as text", differ, len(texts))
	}
}
