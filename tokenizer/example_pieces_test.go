package tokenizer_test

import (
	"fmt"
	"log"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// EncodePiecesWith shows the pieces of EncodeWith's ids: here with BOS, and
// with a user's "<start_of_turn>" kept as text.
func ExampleTokenizer_EncodePiecesWith() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	pieces, err := tok.EncodePiecesWith("<start_of_turn>hi", tokenizer.EncodeOptions{AddBOS: true, Special: tokenizer.SpecialText})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", pieces)
	// Output: ["<bos>" "<" "start" "_" "of" "_" "turn" ">" "hi"]
}

// The n best segmentations with their pieces: 株, missing from this model's
// vocabulary, shows as its text, which NFKC made of ㍿.
func ExampleTokenizer_EncodeNBestPieces() {
	tok, err := tokenizer.LoadFile("../testdata/models/unigram8k_nmt_nfkc.model")
	if err != nil {
		log.Fatal(err)
	}
	segs, err := tok.EncodeNBestPieces("㍿ x", 2)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range segs {
		fmt.Printf("%.4f %v %q\n", s.Score, s.IDs, s.Pieces)
	}
	// Output:
	// -62.4477 [3 0 2180 531 4548 731] ["▁" "株" "式" "会" "社" "▁x"]
	// -62.8920 [3 0 2180 531 4548 3 43] ["▁" "株" "式" "会" "社" "▁" "x"]
}
