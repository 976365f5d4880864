package vocab_test

import (
	"bytes"
	"testing"

	"github.com/gemmatok/gemmatok/vocab"
)

func TestGemma3(t *testing.T) {
	v, err := vocab.Gemma3()
	if err != nil {
		t.Fatal(err)
	}
	if v.Size() != 262145 || v.Trainer().Model != vocab.BPE || !v.Trainer().ByteFallback || v.Normalizer().AddDummyPrefix {
		t.Errorf("%d pieces, %+v, %+v", v.Size(), v.Trainer(), v.Normalizer())
	}
	if v.IsDefault() {
		t.Errorf("Gemma 3 says it is the default model")
	}
	for _, name := range vocab.Builtins() {
		if _, err := vocab.Builtin(name); err != nil {
			t.Errorf("Builtin(%q): %v", name, err)
		}
	}
	if _, err := vocab.Builtin("gemma4"); err == nil {
		t.Errorf("Builtin(gemma4) did not fail")
	}
}

// TestGemma3Generated checks gemma3.model against what gemma3_gen.go makes
// of the shared tokenizer.json.
func TestGemma3Generated(t *testing.T) {
	v, err := vocab.ParseJSON(gemma3JSON(t))
	if err != nil {
		t.Fatal(err)
	}
	model, err := v.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(model, vocab.Gemma3Model()) {
		t.Errorf("gemma3.model is not what gemma3_gen.go writes: run go generate ./vocab")
	}
}
