package tokenizer

import (
	"sync"

	"github.com/gemmatok/gemmatok/vocab"
)

var (
	gemma3Once sync.Once
	gemma3Tok  *Tokenizer
	gemma3Err  error
)

// Gemma3 returns the Tokenizer of the embedded Gemma 3 model (262,145
// pieces), the vocabulary of Gemma 3 and its siblings. It is built once
// and shared.
func Gemma3() (*Tokenizer, error) {
	gemma3Once.Do(func() {
		v, err := vocab.Gemma3()
		if err != nil {
			gemma3Err = err
			return
		}
		gemma3Tok, gemma3Err = New(v)
	})
	return gemma3Tok, gemma3Err
}

// Builtin returns the Tokenizer of a built-in model by name: "gemma2"
// (Default) or "gemma3" (Gemma3).
func Builtin(name string) (*Tokenizer, error) {
	switch name {
	case "gemma2":
		return Default()
	case "gemma3":
		return Gemma3()
	}
	_, err := vocab.Builtin(name) // says which names there are
	return nil, err
}
