package vocab

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"
)

// builtinModel is a model embedded in this package. Tables derived from it
// may be generated for it (see Vocab.Builtin), among them its index
// (index.go).
type builtinModel struct {
	name string
	data []byte

	once  sync.Once
	vocab *Vocab
	err   error
}

// builtins are the embedded models. A new one is a line here and its
// generated files (go generate writes its index).
var builtins = []*builtinModel{
	{name: "gemma2", data: gemma2Model},
	{name: "gemma3", data: gemma3Model},
}

// Builtins returns the names of the embedded models.
func Builtins() []string {
	names := make([]string, len(builtins))
	for i, b := range builtins {
		names[i] = b.name
	}
	return names
}

// Builtin returns the built-in vocabulary of a name (see Builtins):
// "gemma2" (Default) or "gemma3" (Gemma3). It is parsed once; later calls
// return the same Vocab.
func Builtin(name string) (*Vocab, error) {
	for _, b := range builtins {
		if b.name == name {
			b.once.Do(func() { b.vocab, b.err = b.parse() })
			return b.vocab, b.err
		}
	}
	return nil, fmt.Errorf("vocab: no built-in model %q (there are %s)", name, strings.Join(Builtins(), ", "))
}

// BuiltinModel returns the bytes of the embedded model proto called name,
// or nil. The caller must not modify them.
func BuiltinModel(name string) []byte {
	for _, b := range builtins {
		if b.name == name {
			return b.data
		}
	}
	return nil
}

// string returns the model's bytes as a string, without a copy: they are
// never written.
func (b *builtinModel) string() string { return unsafe.String(unsafe.SliceData(b.data), len(b.data)) }

// builtinOf returns the embedded model whose bytes data are, or nil. Only
// a model of a built-in's length is compared, and its own bytes are
// recognized without being read.
func builtinOf(data string) *builtinModel {
	for _, b := range builtins {
		if len(data) == len(b.data) && (unsafe.StringData(data) == unsafe.SliceData(b.data) || data == b.string()) {
			return b
		}
	}
	return nil
}

// parse decodes the model with its prebuilt index, when it has one.
func (b *builtinModel) parse() (*Vocab, error) {
	v, err := parseWith(b.string(), b.index())
	if err != nil {
		return nil, err
	}
	v.builtin = b.name
	return v, nil
}
