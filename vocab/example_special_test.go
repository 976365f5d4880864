package vocab_test

import (
	"fmt"
	"log"

	"github.com/gemmatok/gemmatok/vocab"
)

func ExampleVocab_Special() {
	v, err := vocab.Default()
	if err != nil {
		log.Fatal(err)
	}
	ids := v.Special()
	fmt.Println(len(ids), "special pieces, among them:")
	for _, id := range ids {
		switch p := v.Piece(id); p {
		case "<bos>", "<start_of_turn>", "<end_of_turn>", "<unused0>":
			fmt.Println(id, p, v.Type(id))
		}
	}
	// Output:
	// 109 special pieces, among them:
	// 2 <bos> control
	// 7 <unused0> user-defined
	// 106 <start_of_turn> user-defined
	// 107 <end_of_turn> user-defined
}
