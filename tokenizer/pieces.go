package tokenizer

import (
	"math/rand/v2"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// EncodePiecesWith is EncodePieces under opts; its errors are those of
// EncodeWith. BOS and EOS show as their pieces. An unknown run shows as
// its normalized text, as in the C++'s PopulateSentencePieceText, not as
// the input bytes it came from, which EncodeOffsetsWith gives.
func (t *Tokenizer) EncodePiecesWith(text string, opts EncodeOptions) ([]string, error) {
	r, err := t.rulesFor(text, opts)
	if err != nil {
		return nil, err
	}
	sc := t.getScratch()
	t.runWith(sc, text, r, seg.Spans, opts)
	pieces := make([]string, 0, len(sc.out.IDs)+opts.extra())
	if opts.AddBOS {
		pieces = append(pieces, t.v.Piece(t.v.BOS()))
	}
	pieces = t.appendPieces(pieces, sc)
	t.putScratch(sc)
	if opts.AddEOS {
		pieces = append(pieces, t.v.Piece(t.v.EOS()))
	}
	return pieces, nil
}

// EncodeNBestPieces is EncodeNBest with each segmentation's Pieces set, as
// EncodePieces reports them (the C++'s NBestEncodeAsPieces).
func (t *Tokenizer) EncodeNBestPieces(text string, n int) ([]Segmentation, error) {
	return t.nbest(text, n, seg.Spans)
}

// SampleEncodePieces is SampleEncode giving the pieces of the ids it
// draws, as EncodePieces reports them (the C++'s SampleEncodeAsPieces):
// with rng in the same state, they are the pieces of SampleEncode's ids.
func (t *Tokenizer) SampleEncodePieces(text string, opts SampleOptions, rng *rand.Rand) ([]string, error) {
	sc, err := t.sample(text, opts, rng, seg.Spans)
	if err != nil {
		return nil, err
	}
	defer t.putScratch(sc)
	return t.appendPieces(nil, sc), nil
}

// appendPieces appends the pieces of the tokens in sc.out, kept with
// seg.Spans, to dst: an unknown run as its text in sc.norm.
func (t *Tokenizer) appendPieces(dst []string, sc *scratch) []string {
	for i, id := range sc.out.IDs {
		if id == t.v.Unk() {
			sp := sc.out.Spans[i]
			dst = append(dst, string(sc.norm[sp.Start:sp.End]))
		} else {
			dst = append(dst, t.v.Piece(id))
		}
	}
	return dst
}
