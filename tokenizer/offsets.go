package tokenizer

import (
	"slices"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// A Token is a token id and the bytes of the input it stands for.
type Token struct {
	ID int32
	// The token came from text[Start:End]. The span is what SentencePiece
	// reports as begin and end: a character split into byte pieces has all
	// its bytes but the last at the empty span [Start, Start), and the last
	// spans the whole character.
	Start, End int
}

// EncodeOffsets returns the tokens of text with their byte spans in text.
// Its ids are those of Encode.
func (t *Tokenizer) EncodeOffsets(text string) []Token {
	toks, _ := t.EncodeOffsetsWith(text, EncodeOptions{})
	return toks
}

// EncodeOffsetsWith is EncodeOffsets under opts; its errors are those of
// EncodeWith. A BOS token has the empty span at the start of the text and an
// EOS token the empty span at its end (the C++ leaves both at 0).
func (t *Tokenizer) EncodeOffsetsWith(text string, opts EncodeOptions) ([]Token, error) {
	r, err := t.rulesFor(text, opts)
	if err != nil {
		return nil, err
	}
	var toks []Token
	if opts.AddBOS {
		toks = append(toks, Token{ID: t.v.BOS()})
	}
	toks = t.appendOffsets(toks, text, r, opts)
	if opts.AddEOS {
		toks = append(toks, Token{ID: t.v.EOS(), Start: len(text), End: len(text)})
	}
	return toks, nil
}

// appendOffsets appends the tokens of text, which lies in a longer one as
// opts says (with its Carry), under the piece rules r to dst.
func (t *Tokenizer) appendOffsets(dst []Token, text string, r *pieceRules, opts EncodeOptions) []Token {
	sc := t.getScratch()
	t.runWith(sc, text, r, seg.Spans, opts)
	dst = appendTokens(dst, sc)
	t.putScratch(sc)
	return dst
}

// appendTokens appends to dst the tokens that sc holds, encoded with
// seg.Spans.
func appendTokens(dst []Token, sc *scratch) []Token {
	dst = slices.Grow(dst, len(sc.out.IDs)+1) // and room for an EOS
	for i, id := range sc.out.IDs {
		sp := sc.out.Spans[i]
		// sc.offs maps normalized offsets to input offsets, as the C++'s
		// norm_to_orig does.
		dst = append(dst, Token{ID: id, Start: int(sc.offs[sp.Start]), End: int(sc.offs[sp.End])})
	}
	return dst
}
