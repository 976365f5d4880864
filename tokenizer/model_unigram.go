package tokenizer

import (
	"github.com/gemmatok/gemmatok/tokenizer/internal/unigram"
	"github.com/gemmatok/gemmatok/vocab"
)

func init() {
	models[vocab.Unigram] = func(v *vocab.Vocab) (model, error) {
		m, err := unigram.New(v)
		if err != nil {
			return nil, err
		}
		return &unigramModel{pieceModel{enc: m, typ: vocab.Unigram}, m}, nil
	}
}

// unigramModel is a Unigram model, which can also give the n best
// segmentations and sample one.
type unigramModel struct {
	pieceModel
	m *unigram.Model
}
