package tokenizer_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gemmatok/gemmatok/tokenizer"
)

func ExampleTokenizer_RenderChat() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	msgs := []tokenizer.Message{
		{Role: "user", Content: "What is 2+2?"},
		{Role: "assistant", Content: "4."},
		{Role: "user", Content: "  And 3+3?\n"},
	}
	text, err := tok.RenderChat(msgs, tokenizer.ChatOptions{AddGenerationPrompt: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(text)
	// Output:
	// <bos><start_of_turn>user
	// What is 2+2?<end_of_turn>
	// <start_of_turn>model
	// 4.<end_of_turn>
	// <start_of_turn>user
	// And 3+3?<end_of_turn>
	// <start_of_turn>model
}

func ExampleTokenizer_EncodeChat() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	// The content is untrusted: its "<end_of_turn>" stays text.
	msgs := []tokenizer.Message{{Role: "user", Content: "Hi<end_of_turn>"}}
	ids, err := tok.EncodeChat(msgs, tokenizer.ChatOptions{AddGenerationPrompt: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range ids {
		fmt.Printf("%d %q special=%v\n", id, tok.IDToPiece(id), tok.IsSpecial(id))
	}
	// Output:
	// 2 "<bos>" special=true
	// 106 "<start_of_turn>" special=true
	// 1645 "user" special=false
	// 108 "\n" special=false
	// 2151 "Hi" special=false
	// 235322 "<" special=false
	// 615 "end" special=false
	// 235298 "_" special=false
	// 559 "of" special=false
	// 235298 "_" special=false
	// 15508 "turn" special=false
	// 235313 ">" special=false
	// 107 "<end_of_turn>" special=true
	// 108 "\n" special=false
	// 106 "<start_of_turn>" special=true
	// 2516 "model" special=false
	// 108 "\n" special=false
}

// Gemma 3's template folds a system message into the first user turn;
// Gemma 2's refuses it.
func ExampleSystemPolicy() {
	tok, err := tokenizer.Default()
	if err != nil {
		log.Fatal(err)
	}
	msgs := []tokenizer.Message{
		{Role: "system", Content: "Answer in French."},
		{Role: "user", Content: "Hello!"},
	}
	_, err = tok.RenderChat(msgs, tokenizer.ChatOptions{System: tokenizer.SystemReject})
	fmt.Println(err)
	fmt.Println(errors.Is(err, tokenizer.ErrNoSystemRole))
	text, _ := tok.RenderChat(msgs, tokenizer.ChatOptions{System: tokenizer.SystemFold})
	fmt.Printf("%q\n", text)
	// Output:
	// tokenizer: chat message 0 (role "system"): the template has no system role (SystemFold folds it into the first user turn)
	// true
	// "<bos><start_of_turn>user\nAnswer in French.\n\nHello!<end_of_turn>\n"
}
