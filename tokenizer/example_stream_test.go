package tokenizer_test

import (
	"fmt"
	"log"

	"github.com/gemmatok/gemmatok/tokenizer"
)

func ExampleStreamDecoder() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	// "é" as the model might generate it: two byte pieces, then a word.
	ids := []int32{tok.Vocab().ByteID(0xC3), tok.Vocab().ByteID(0xA9)}
	ids = append(ids, tok.Encode(" ok")...)
	d := tok.NewStreamDecoder()
	for _, id := range ids {
		text, err := d.Add(id)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d -> %q\n", id, text)
	}
	fmt.Printf("end -> %q\n", d.Flush())
	// Output:
	// 412 -> ""
	// 386 -> "é"
	// 4634 -> " ok"
	// end -> ""
}

func ExampleTokenizer_DecodeWith() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	// A model's answer ends with <end_of_turn>, which generation loops drop.
	eot, _ := tok.Vocab().ID("<end_of_turn>")
	ids := append(tok.Encode("Hi!"), eot)
	all, _ := tok.Decode(ids)
	text, err := tok.DecodeWith(ids, tokenizer.DecodeOptions{SkipSpecial: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q %q\n", all, text)

	// The same, as the ids come.
	d := tok.NewStreamDecoderWith(tokenizer.DecodeOptions{SkipSpecial: true})
	for _, id := range ids {
		text, _ := d.Add(id)
		fmt.Printf("%d -> %q\n", id, text)
	}
	// Output:
	// "Hi!<end_of_turn>" "Hi!"
	// 2151 -> "Hi"
	// 235341 -> "!"
	// 107 -> ""
}
