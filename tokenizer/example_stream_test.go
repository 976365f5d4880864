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
