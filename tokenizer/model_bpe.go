package tokenizer

import (
	"github.com/gemmatok/gemmatok/tokenizer/internal/bpe"
	"github.com/gemmatok/gemmatok/vocab"
)

func init() {
	models[vocab.BPE] = func(v *vocab.Vocab) (model, error) { return bpe.New(v), nil }
}
