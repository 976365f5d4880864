package vocab_test

import (
	"fmt"
	"log"

	"github.com/gemmatok/gemmatok/vocab"
)

func ExampleDefault() {
	v, err := vocab.Default()
	if err != nil {
		log.Fatal(err)
	}
	tr := v.Trainer()
	fmt.Println(v.Size(), tr.Model, "byte fallback:", tr.ByteFallback)
	fmt.Println("bos", v.BOS(), "eos", v.EOS(), "pad", v.Pad(), "unk", v.Unk())
	// Output:
	// 256000 BPE byte fallback: true
	// bos 2 eos 1 pad 0 unk 3
}

// ID finds any piece, including control pieces; a piece that is not in the
// vocabulary gives the unknown id and false.
func ExampleVocab_ID() {
	v, err := vocab.Default()
	if err != nil {
		log.Fatal(err)
	}
	for _, piece := range []string{"▁hello", "<start_of_turn>", "<bos>", "no such piece"} {
		id, ok := v.ID(piece)
		fmt.Printf("%q %d %v\n", piece, id, ok)
	}
	// Output:
	// "▁hello" 25612 true
	// "<start_of_turn>" 106 true
	// "<bos>" 2 true
	// "no such piece" 3 false
}

// Pieces write a space as U+2581; an id outside the vocabulary has no piece.
func ExampleVocab_Piece() {
	v, err := vocab.Default()
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range []int32{2, 106, 108, 235248, 256000} {
		fmt.Printf("%d %q\n", id, v.Piece(id))
	}
	// Output:
	// 2 "<bos>"
	// 106 "<start_of_turn>"
	// 108 "\n"
	// 235248 "▁"
	// 256000 ""
}

func ExampleVocab_Type() {
	v, err := vocab.Default()
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range []int32{0, 3, 106, 217, 1000} {
		fmt.Printf("%d %q %v\n", id, v.Piece(id), v.Type(id))
	}
	// Output:
	// 0 "<pad>" control
	// 3 "<unk>" unknown
	// 106 "<start_of_turn>" user-defined
	// 217 "<0x00>" byte
	// 1000 "ew" normal
}

// Build makes a vocabulary from pieces; MarshalBinary writes it as a
// .model file that SentencePiece loads.
func ExampleBuild() {
	pieces := []vocab.Entry{
		{Piece: "<unk>", Type: vocab.Unknown},
		{Piece: "<s>", Type: vocab.Control},
		{Piece: "</s>", Type: vocab.Control},
		{Piece: "▁", Score: -1},
		{Piece: "a", Score: -2},
		{Piece: "▁a", Score: -3},
	}
	v, err := vocab.Build(pieces, vocab.TrainerSpec{Model: vocab.BPE, UnkSurface: " ⁇ "},
		vocab.NormalizerSpec{AddDummyPrefix: true, EscapeWhitespaces: true})
	if err != nil {
		log.Fatal(err)
	}
	model, err := v.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	w, err := vocab.Parse(model)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(w.Size(), w.Trainer().Model, w.BOS(), w.EOS(), w.Lookup("▁a"))
	// Output:
	// 6 BPE 1 2 5
}
