package tokenizer

import "github.com/gemmatok/gemmatok/tokenizer/internal/seg"

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
	for i, id := range sc.out.IDs {
		if id == t.v.Unk() {
			sp := sc.out.Spans[i]
			pieces = append(pieces, string(sc.norm[sp.Start:sp.End]))
		} else {
			pieces = append(pieces, t.v.Piece(id))
		}
	}
	t.putScratch(sc)
	if opts.AddEOS {
		pieces = append(pieces, t.v.Piece(t.v.EOS()))
	}
	return pieces, nil
}
