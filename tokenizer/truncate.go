package tokenizer

import "github.com/gemmatok/gemmatok/tokenizer/internal/normalize"

// TruncateEnd returns text cut at the end to fit n tokens: the longest
// prefix of text that ends at a boundary between two of its tokens and
// encodes to at most n tokens. It returns text itself when that fits, and
// never splits a character.
func (t *Tokenizer) TruncateEnd(text string, n int) string {
	s, _ := t.TruncateEndWith(text, n, EncodeOptions{})
	return s
}

// TruncateStart returns text cut at the start to fit n tokens: the longest
// suffix of text that starts at a boundary between two of its tokens and
// encodes to at most n tokens. It returns text itself when that fits, and
// never splits a character.
func (t *Tokenizer) TruncateStart(text string, n int) string {
	s, _ := t.TruncateStartWith(text, n, EncodeOptions{})
	return s
}

// TruncateEndWith is TruncateEnd for encoding under opts: the prefix
// encodes under opts to at most n tokens, the BOS and EOS ids that opts
// adds among them (so that when n leaves no room for text, it returns "").
// Its errors are those of EncodeWith, for the whole text. With AfterCut
// or BeforeCut, text is a part of a longer text (see SafeCutParts), and
// the prefix is counted as a part that ends the text there.
func (t *Tokenizer) TruncateEndWith(text string, n int, opts EncodeOptions) (string, error) {
	toks, r, n, err := t.truncateTokens(text, n, opts)
	if err != nil || n <= 0 {
		return "", err
	}
	if len(toks) <= n {
		return text, nil
	}
	// Cutting before token n keeps n tokens, unless the prefix encodes
	// differently alone; then earlier boundaries are tried. A byte piece
	// that shares its start with the one before is inside a character and
	// no boundary.
	for k := n; k > 0; k-- {
		cut := toks[k].Start
		if cut > toks[k-1].Start && t.count(text[:cut], r, opts.part()&^normalize.BeforeCut) <= n {
			return text[:cut], nil
		}
	}
	return "", nil
}

// TruncateStartWith is TruncateStart for encoding under opts, as
// TruncateEndWith is TruncateEnd; the suffix is counted as a part that
// starts the text there.
func (t *Tokenizer) TruncateStartWith(text string, n int, opts EncodeOptions) (string, error) {
	toks, r, n, err := t.truncateTokens(text, n, opts)
	if err != nil || n <= 0 {
		return "", err
	}
	if len(toks) <= n {
		return text, nil
	}
	for k := len(toks) - n; k < len(toks); k++ {
		cut := toks[k].Start
		if cut > toks[k-1].Start && t.count(text[cut:], r, opts.part()&^normalize.AfterCut) <= n {
			return text[cut:], nil
		}
	}
	return "", nil
}

// truncateTokens checks text and opts for TruncateEndWith and
// TruncateStartWith. It returns the tokens of the text alone (BOS and EOS
// left out) when the text's budget, n less the ids that opts adds, is
// positive, the rules that encoded them, and the budget.
func (t *Tokenizer) truncateTokens(text string, n int, opts EncodeOptions) ([]Token, *pieceRules, int, error) {
	r, err := t.rulesFor(text, opts)
	if err != nil {
		return nil, nil, 0, err
	}
	if n -= opts.extra(); n <= 0 {
		return nil, r, n, nil
	}
	return t.appendOffsets(nil, text, r, opts.part()), r, n, nil
}
