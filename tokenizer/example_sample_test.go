package tokenizer_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"strings"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// A Unigram model, trained by spm_train with the default nmt_nfkc
// normalizer, gives its n best segmentations with their scores.
func ExampleTokenizer_EncodeNBest() {
	tok, err := tokenizer.LoadFile("../testdata/models/unigram8k_nmt_nfkc.model")
	if err != nil {
		log.Fatal(err)
	}
	segs, err := tok.EncodeNBest("Hello world", 3)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range segs {
		fmt.Printf("%.4f %s\n", s.Score, pieces(tok, s.IDs))
	}
	// Output:
	// -47.2683 ▁He ll o ▁wo r l d
	// -47.5692 ▁He l lo ▁wo r l d
	// -48.1107 ▁He ll o ▁w or l d
}

// Subword regularization: SampleEncode draws a segmentation at random; a
// seeded source reproduces the draws. Every segmentation decodes to the
// same text.
func ExampleTokenizer_SampleEncode() {
	tok, err := tokenizer.LoadFile("../testdata/models/unigram8k_nmt_nfkc.model")
	if err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3 {
		ids, err := tok.SampleEncode("Hello world", tokenizer.SampleOptions{Alpha: 0.1, NBestSize: -1}, rng)
		if err != nil {
			log.Fatal(err)
		}
		text, _ := tok.Decode(ids)
		fmt.Printf("%s %q\n", pieces(tok, ids), text)
	}
	// BPE models sample with BPE-dropout: Alpha is the probability that a
	// merge is dropped.
	bpe, err := tokenizer.LoadFile("../testdata/models/bpe_llama.model")
	if err != nil {
		log.Fatal(err)
	}
	ids, err := bpe.SampleEncode("Hello world", tokenizer.SampleOptions{Alpha: 0.3}, rng)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pieces(bpe, bpe.Encode("Hello world")))
	fmt.Println(pieces(bpe, ids))
	// Output:
	// ▁He l lo ▁ wo r l d "Hello world"
	// ▁ H e l l o ▁wo r l d "Hello world"
	// ▁H e ll o ▁wo r l d "Hello world"
	// ▁ H e l l o ▁w or l d
	// ▁ H e l l o ▁ w or l d
}

// pieces returns the pieces of ids, joined by spaces.
func pieces(tok *tokenizer.Tokenizer, ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = tok.IDToPiece(id)
	}
	return strings.Join(s, " ")
}
