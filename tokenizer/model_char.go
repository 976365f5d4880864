package tokenizer

import (
	"github.com/gemmatok/gemmatok/tokenizer/internal/char"
	"github.com/gemmatok/gemmatok/vocab"
)

func init() {
	models[vocab.Char] = func(v *vocab.Vocab) (model, error) {
		return &pieceModel{enc: char.New(v), typ: vocab.Char}, nil
	}
}
