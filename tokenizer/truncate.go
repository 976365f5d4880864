package tokenizer

// TruncateEnd returns text cut at the end to fit n tokens: the longest
// prefix of text that ends at a boundary between two of its tokens and
// encodes to at most n tokens. It returns text itself when that fits, and
// never splits a character.
func (t *Tokenizer) TruncateEnd(text string, n int) string {
	if n <= 0 {
		return ""
	}
	toks := t.EncodeOffsets(text)
	if len(toks) <= n {
		return text
	}
	// Cutting before token n keeps n tokens, unless the prefix encodes
	// differently alone; then earlier boundaries are tried. A byte piece
	// that shares its start with the one before is inside a character and
	// no boundary.
	for k := n; k > 0; k-- {
		cut := toks[k].Start
		if cut > toks[k-1].Start && t.Count(text[:cut]) <= n {
			return text[:cut]
		}
	}
	return ""
}

// TruncateStart returns text cut at the start to fit n tokens: the longest
// suffix of text that starts at a boundary between two of its tokens and
// encodes to at most n tokens. It returns text itself when that fits, and
// never splits a character.
func (t *Tokenizer) TruncateStart(text string, n int) string {
	if n <= 0 {
		return ""
	}
	toks := t.EncodeOffsets(text)
	if len(toks) <= n {
		return text
	}
	for k := len(toks) - n; k < len(toks); k++ {
		cut := toks[k].Start
		if cut > toks[k-1].Start && t.Count(text[cut:]) <= n {
			return text[cut:]
		}
	}
	return ""
}
