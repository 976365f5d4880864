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
