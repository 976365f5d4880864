package tokenizer

import (
	"math/rand/v2"

	"github.com/gemmatok/gemmatok/tokenizer/internal/bpe"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

func init() {
	models[vocab.BPE] = func(v *vocab.Vocab) (model, error) { return bpeModel{bpe.New(v)}, nil }
}

// bpeModel is a BPE model, which can also sample with BPE-dropout.
type bpeModel struct{ *bpe.Model }

// TokensArePieces is true: a BPE token is a piece, or an unknown or byte
// piece for a character that is no piece (see piecesOnly).
func (bpeModel) TokensArePieces() bool { return true }

// Sample is BPE-dropout with opts.Alpha as the probability of dropping a
// merge; the C++'s BPE SampleEncode has no use for opts.NBestSize either.
func (b bpeModel) Sample(_ seg.Scratch, s []byte, r seg.Rules, opts SampleOptions, rng *rand.Rand, out *seg.Sink) error {
	b.Dropout(s, r, opts.Alpha, rng, out)
	return nil
}
