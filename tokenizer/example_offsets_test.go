package tokenizer_test

import (
	"fmt"
	"log"

	"github.com/gemmatok/gemmatok/tokenizer"
)

func ExampleTokenizer_EncodeOffsets() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	text := "Grüße, 𝄞!"
	for _, t := range tok.EncodeOffsets(text) {
		fmt.Printf("[%2d,%2d) %-8q %d\n", t.Start, t.End, text[t.Start:t.End], t.ID)
	}
	// Output:
	// [ 0, 7) "Grüße"  42411
	// [ 7, 8) ","      235269
	// [ 8, 9) " "      235248
	// [ 9, 9) ""       457
	// [ 9, 9) ""       374
	// [ 9, 9) ""       349
	// [ 9,13) "𝄞"      375
	// [13,14) "!"      235341
}

func ExampleTokenizer_EncodeBatch() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	texts := []string{"first", "second text", "third"}
	batch, err := tok.EncodeBatch(texts, tokenizer.EncodeOptions{AddBOS: true}, 2)
	if err != nil {
		log.Fatal(err)
	}
	for i, ids := range batch {
		fmt.Println(texts[i], ids)
	}
	// Output:
	// first [2 4878]
	// second text [2 9200 2793]
	// third [2 23635]
}

func ExampleTokenizer_TruncateEnd() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	text := "The quick brown fox jumps over the lazy dog."
	fmt.Printf("%q\n", tok.TruncateEnd(text, 4))
	fmt.Printf("%q\n", tok.TruncateStart(text, 4))
	// Output:
	// "The quick brown fox"
	// " the lazy dog."
}
