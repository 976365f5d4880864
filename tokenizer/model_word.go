package tokenizer

import (
	"github.com/gemmatok/gemmatok/tokenizer/internal/word"
	"github.com/gemmatok/gemmatok/vocab"
)

func init() {
	models[vocab.Word] = func(v *vocab.Vocab) (model, error) {
		return &pieceModel{enc: word.New(v), typ: vocab.Word}, nil
	}
}
