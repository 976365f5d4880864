package tokenizer_test

import (
	"fmt"
	"log"

	"github.com/gemmatok/gemmatok/tokenizer"
)

func ExampleDefault() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Encode("Hello, world!"))
	// Output: [4521 235269 2134 235341]
}

// Control ids such as <bos> (2) decode to nothing; an id outside the
// vocabulary is an error.
func ExampleTokenizer_Decode() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	text, err := tok.Decode([]int32{2, 4521, 235269, 2134, 235341})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", text)
	_, err = tok.Decode([]int32{4521, 300000})
	fmt.Println(err)
	// Output:
	// "Hello, world!"
	// tokenizer: id 300000 at index 1 is outside the vocabulary [0, 256000)
}

func ExampleTokenizer_Count() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Count("The quick brown fox jumps over the lazy dog."))
	// Output: 10
}

// Spaces appear as U+2581; user-defined pieces such as <start_of_turn> and
// runs of newlines are matched whole; a character missing from the
// vocabulary falls back to its UTF-8 bytes.
func ExampleTokenizer_EncodePieces() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", tok.EncodePieces("Hello  world\n\n<start_of_turn>𓀀"))
	// Output: ["Hello" "▁▁" "world" "\n\n" "<start_of_turn>" "<0xF0>" "<0x93>" "<0x80>" "<0x80>"]
}

// AppendEncode builds one sequence from several texts without allocating
// when the slice has room.
func ExampleTokenizer_AppendEncode() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	ids := make([]int32, 0, 64)
	ids = append(ids, tok.BOS())
	for _, s := range []string{"one", " two", " three"} {
		ids = tok.AppendEncode(ids, s)
	}
	fmt.Println(ids)
	// Output: [2 785 1378 2149]
}

// SafeCut finds where a growing text may be cut: the ids of the part
// before the cut are final, whatever follows.
func ExampleTokenizer_SafeCut() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	// Encode text[:n] now; the rest waits for what comes next.
	for _, text := range []string{
		"Streams arrive in parts. This one ends in the middle of a wor",
		"流式文本分段到达",
	} {
		n := tok.SafeCut(text)
		fmt.Printf("%q | %q\n", text[:n], text[n:])
	}
	// Output:
	// "Streams arrive in parts. This one ends in the middle of a" | " wor"
	// "流式文本分段" | "到达"
}

// Builtin finds a built-in model by name.
func ExampleBuiltin() {
	tok, err := tokenizer.Builtin("gemma3")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.VocabSize(), tok.Encode("Hello world"))
	// Output:
	// 262145 [9259 1902]
}
