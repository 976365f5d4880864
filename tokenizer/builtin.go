package tokenizer

import (
	"sync"

	"github.com/gemmatok/gemmatok/vocab"
)

// builtin is the Tokenizer of a built-in model, built once.
type builtin struct {
	once sync.Once
	tok  *Tokenizer
	err  error
}

// builtins holds one entry for each of vocab.Builtins, by name.
var builtins = func() map[string]*builtin {
	m := make(map[string]*builtin)
	for _, name := range vocab.Builtins() {
		m[name] = new(builtin)
	}
	return m
}()

// Gemma3 returns the Tokenizer of the embedded Gemma 3 model (262,145
// pieces), the vocabulary of Gemma 3 and its siblings. It is built once
// and shared.
func Gemma3() (*Tokenizer, error) { return Builtin("gemma3") }

// Builtin returns the Tokenizer of a built-in model by name (see
// vocab.Builtins): "gemma2" (Default) or "gemma3" (Gemma3). It is built
// once and shared.
func Builtin(name string) (*Tokenizer, error) {
	b, ok := builtins[name]
	if !ok {
		_, err := vocab.Builtin(name) // says which names there are
		return nil, err
	}
	b.once.Do(func() {
		v, err := vocab.Builtin(name)
		if err != nil {
			b.err = err
			return
		}
		b.tok, b.err = New(v)
	})
	return b.tok, b.err
}
