package tokenizer

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/normalize"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// TruncateEnd returns text cut at the end to fit n tokens: the longest
// prefix of text that ends at a boundary between two of its tokens and
// whose own encoding has at most n tokens. It returns text itself when
// that fits, and never splits a character.
func (t *Tokenizer) TruncateEnd(text string, n int) string {
	s, _ := t.TruncateEndWith(text, n, EncodeOptions{})
	return s
}

// TruncateStart returns text cut at the start to fit n tokens: the longest
// suffix of text that starts at a boundary between two of its tokens and
// whose own encoding has at most n tokens. It returns text itself when
// that fits, and never splits a character.
//
// A suffix alone may encode to other tokens than it has in the whole text:
// a model whose normalizer adds a space at the start of a text
// (add_dummy_prefix) encodes the ".." of "aa.." alone as "▁..", one token
// where the whole has two. The suffix kept is the longest whose own
// encoding fits, which may hold more than n of the whole's tokens.
//
// Under a model whose suffixes' tokens are not known from the whole's (a
// Unigram model: its path scores are summed in float32 from the start of
// the text), each suffix tried is encoded alone, which takes time that
// grows with the square of the text's length: about 40 s of CPU for 100 KB
// of English under an 8k Unigram model. TruncateEnd reads a Unigram
// model's prefixes off one pass and takes linear time.
func (t *Tokenizer) TruncateStart(text string, n int) string {
	s, _ := t.TruncateStartWith(text, n, EncodeOptions{})
	return s
}

// TruncateEndWith is TruncateEnd for encoding under opts: the prefix
// encodes under opts to at most n tokens, the BOS and EOS ids that opts
// adds among them (so that when n leaves no room for text, it returns "").
// Its errors are those of EncodeWith, for the whole text. The text is
// taken as a whole text: opts' AfterCut and BeforeCut are left out.
func (t *Tokenizer) TruncateEndWith(text string, n int, opts EncodeOptions) (string, error) {
	toks, r, n, err := t.truncateTokens(text, n, opts)
	if err != nil || n <= 0 {
		return "", err
	}
	if len(toks) <= n {
		return text, nil
	}
	switch {
	case t.partsKeepTokens():
	case !t.modelKeepsParts() || t.norm.Suffix():
		// Nothing is known of how a prefix encodes alone: count each,
		// from one pass over the text where the model allows it.
		known := t.prefixCounts(text, r)
		for k := len(toks) - 1; k > 0; k-- {
			if !boundary(toks, k) {
				continue
			}
			cut := toks[k].Start
			c := -1
			if known != nil {
				c = int(known[k])
			}
			if c < 0 {
				c = t.count(text[:cut], r, normalize.Whole)
			}
			if c <= n {
				return text[:cut], nil
			}
		}
		return "", nil
	case t.norm.RemovesExtraSpaces():
		// A prefix normalizes alone as in the whole, but for the
		// whitespace at its end, which remove_extra_whitespaces drops: a
		// prefix that ends in whitespace encodes as the prefix without it.
		for k := len(toks) - 1; k > n; k-- {
			cut := toks[k].Start
			if !boundary(toks, k) {
				continue
			}
			bare := len(trimSpaces(text[:cut], t.norm.EscapesSpaces()))
			if bare == cut {
				if !t.mayEndInSpace(text[:cut]) {
					continue // its k tokens, as in the whole
				}
				// A character other than a space, such as a tab or
				// U+200B under nmt_nfkc, may have normalized to the
				// whitespace that the prefix alone drops.
				if t.count(text[:cut], r, normalize.Whole) <= n {
					return text[:cut], nil
				}
				continue
			}
			own := -1
			for j := k - 1; j > 0 && toks[j].Start >= bare; j-- {
				if toks[j].Start == bare && boundary(toks, j) {
					own = j // a prefix without whitespace at its end
				}
			}
			if own < 0 {
				own = t.count(text[:bare], r, normalize.Whole)
			}
			if own <= n {
				return text[:cut], nil
			}
		}
	}
	// The BPE merges of a prefix that ends at a boundary of the whole's
	// tokens are the whole's merges on its side: the pairs across the
	// boundary were never merged, so taking them away changes nothing.
	// Cutting before token n keeps n tokens, then; a byte piece that shares
	// its start with the one before is inside a character and no boundary.
	for k := n; k > 0; k-- {
		cut := toks[k].Start
		if boundary(toks, k) && t.count(text[:cut], r, normalize.Whole) <= n {
			return text[:cut], nil
		}
	}
	return "", nil
}

// TruncateStartWith is TruncateStart for encoding under opts, as
// TruncateEndWith is TruncateEnd.
func (t *Tokenizer) TruncateStartWith(text string, n int, opts EncodeOptions) (string, error) {
	toks, r, n, err := t.truncateTokens(text, n, opts)
	if err != nil || n <= 0 {
		return "", err
	}
	if len(toks) <= n {
		return text, nil
	}
	if t.partsKeepTokens() {
		// As for a prefix (TruncateEndWith), a suffix keeps its tokens.
		for k := len(toks) - n; k < len(toks); k++ {
			cut := toks[k].Start
			if boundary(toks, k) && t.count(text[cut:], r, normalize.Whole) <= n {
				return text[cut:], nil
			}
		}
		return "", nil
	}
	// The normalizer changes the start of a suffix alone: it adds a space,
	// or drops spaces. The suffix from token k on is tried for every k,
	// first to last, and the first that fits is kept, but most are ruled
	// out without encoding them: a suffix encodes as the part up to the
	// next word (token j, see syncToken) encoded alone, followed by the
	// whole's tokens from j on; and the part takes at least one token, and
	// under byte fallback at least one for every maxPiece solid bytes:
	// bytes other than spaces (no other byte normalizes to nothing, but
	// for a U+2581 written at the end, which remove_extra_whitespaces
	// drops). A character map may make nothing of separators, controls
	// and format characters (NBSP, U+2001, U+00AD under nmt_nfkc) and
	// fewer bytes of others (Ａ is A, e and U+0301 are é): under one, only
	// the first byte of a character that is none of these nor a mark is
	// solid.
	fallback := t.v.Trainer().ByteFallback
	cmap := t.norm.Charsmap()
	solidByte := func(i int) bool {
		b := text[i]
		if b == ' ' || t.norm.RemovesExtraSpaces() && strings.IndexByte(seg.SpaceSymbol, b) >= 0 {
			return false
		}
		if !cmap {
			return true
		}
		r, _ := utf8.DecodeRuneInString(text[i:])
		return utf8.RuneStart(b) && r != utf8.RuneError && !unicode.In(r, unicode.Z, unicode.C, unicode.M)
	}
	maxPiece := max(t.v.MaxPieceLen(), 1)
	j := 0
	solid, solidEnd := 0, 0 // solid bytes in text[c:end]
	c, end := 0, 0
	for k := 1; k < len(toks); k++ {
		if !boundary(toks, k) {
			continue
		}
		for ; c < toks[k].Start; c++ {
			if solidByte(c) {
				solid++
			}
		}
		if j <= k {
			for j = k + 1; j < len(toks) && !t.syncToken(text, toks, j); j++ {
			}
			e := len(text)
			if j < len(toks) {
				e = toks[j].Start
			}
			for ; end < e; end++ {
				if solidByte(end) {
					solidEnd++
				}
			}
		}
		least := 1
		if fallback {
			least = max(1, (solidEnd-solid+maxPiece-1)/maxPiece)
		}
		tail := len(toks) - j
		if least+tail > n {
			continue
		}
		if t.count(text[c:end], r, normalize.Whole)+tail <= n {
			return text[c:], nil
		}
	}
	return "", nil
}

// partsKeepTokens reports whether a prefix or suffix of a text that ends
// or starts at a boundary between two of its tokens encodes alone to the
// text's tokens on its side: the normalizer must map each character on
// its own, and the model have no unused pieces, whose resegmentation
// depends on the whole text.
func (t *Tokenizer) partsKeepTokens() bool {
	return t.norm.Identity() && t.modelKeepsParts()
}

// modelKeepsParts reports whether the model segments a prefix or suffix of
// a normalized text that ends or starts at a boundary between two of its
// pieces into the text's pieces on its side (seg.Cuts.PartsKeepPieces).
func (t *Tokenizer) modelKeepsParts() bool {
	return t.cut.model != nil && t.cut.model.PartsKeepPieces()
}

// mayEndInSpace reports whether s, which does not end in a space or an
// escaped one, may still normalize to text that ends in whitespace: a
// precompiled character map may make one of a separator, a control or
// format character (tab, CR, U+200B) or a malformed byte, but of no
// letter, mark, number, punctuation or symbol.
func (t *Tokenizer) mayEndInSpace(s string) bool {
	if !t.norm.Charsmap() {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == utf8.RuneError || unicode.In(r, unicode.Z, unicode.C)
}

// syncToken reports whether a suffix of text that starts before token j
// (but after the space before it) encodes alone as its part up to token j
// encoded alone, followed by the text's tokens from j on. It holds where
// token j starts at a space that follows another character, and the model
// cuts words before U+2581: the suffix normalizes alone to its part's
// normalized form followed by the text's from j on, whose scan for words
// and user-defined pieces looks only ahead and so, once both scans stand
// at the U+2581 of token j, does the same from there. That needs no
// user-defined piece to span from before that U+2581 into it, and, without
// byte fallback, token j not to be unknown, since a run of unknown pieces
// is one token.
func (t *Tokenizer) syncToken(text string, toks []Token, j int) bool {
	if t.cut.model == nil || !t.cut.model.SpaceStartsPieces() || !t.norm.EscapesSpaces() || t.norm.Suffix() {
		return false
	}
	q := toks[j].Start
	if !boundary(toks, j) || text[q] != ' ' || text[q-1] == ' ' {
		return false
	}
	// The part up to token j, alone, drops a U+2581 written at its end as
	// whitespace, where remove_extra_whitespaces is on.
	if t.norm.RemovesExtraSpaces() && strings.HasSuffix(text[:q], seg.SpaceSymbol) {
		return false
	}
	if !t.v.Trainer().ByteFallback && toks[j].ID == t.v.Unk() {
		return false
	}
	// The byte before the U+2581 is the last of the character before it,
	// or of U+FFFD when that is malformed.
	pairs := &t.cut.pairs
	return !pairs[text[q-1]][seg.SpaceSymbol[0]] && !pairs[t.norm.Last(text[:q])][seg.SpaceSymbol[0]]
}

// prefixModel is a model that segments every prefix of a normalized text
// alone in one pass over the text: LastPieces gives, for each offset, the
// last piece of the prefix that ends there (unigram.Model.LastPieces).
type prefixModel interface {
	LastPieces(sc seg.Scratch, s []byte, r seg.Rules) []seg.Piece
}

// prefixCounts returns, for each token k of text under r, how many tokens
// text[:Start of token k] encodes to alone, where one pass of a
// prefixModel tells it, and -1 where it does not; nil, without encoding
// anything, where the model is no prefixModel or the normalizer adds the
// space at the end (see below). It tells it where that
// prefix normalizes alone to the whole's normalized text up to token k: the
// normalizer allows a cut there (CutAt), which makes the prefix normalize
// as a part before a cut to the normalized bytes that come from it; those
// end where token k starts when the byte before the token comes from
// before the cut; and a whole text differs from a part before a cut only
// at its end, where remove_extra_whitespaces drops whitespace (the
// prefix must not end in it) and treat_whitespace_as_suffix adds a space
// (no prefix is read off then).
func (t *Tokenizer) prefixCounts(text string, r *pieceRules) []int32 {
	pm, ok := t.model.(prefixModel)
	if !ok || t.norm.Suffix() {
		return nil
	}
	sc := t.getScratch()
	defer t.putScratch(sc)
	t.runPart(sc, text, r, seg.Spans, normalize.Whole)
	known := make([]int32, len(sc.out.Spans))
	for k := range known {
		known[k] = -1
	}
	counts := sc.out.PrefixCounts(nil, pm.LastPieces(sc.model, sc.norm, r.model))
	for k := 1; k < len(known); k++ {
		p := sc.out.Spans[k].Start
		cut := int(sc.offs[p])
		if p == 0 || int(sc.offs[p-1]) >= cut {
			continue
		}
		if _, _, ok := t.norm.CutAt(text, cut); !ok {
			continue
		}
		if t.norm.RemovesExtraSpaces() && endsInSpace(sc.norm[:p]) {
			continue
		}
		known[k] = counts[p]
	}
	return known
}

// endsInSpace reports whether normalized text ends in a space, escaped or
// not: what trimSpaces would take off its end.
func endsInSpace(norm []byte) bool {
	return bytes.HasSuffix(norm, []byte{' '}) || bytes.HasSuffix(norm, []byte(seg.SpaceSymbol))
}

// boundary reports whether token k (k > 0) starts where token k-1 ends,
// rather than inside the same character (byte pieces).
func boundary(toks []Token, k int) bool {
	return toks[k].Start > toks[k-1].Start
}

// trimSpaces returns s without the spaces at its end, and with escaped
// spaces also U+2581, which remove_extra_whitespaces drops from the end of
// the normalized text.
func trimSpaces(s string, escaped bool) string {
	for {
		switch {
		case len(s) > 0 && s[len(s)-1] == ' ':
			s = s[:len(s)-1]
		case escaped && len(s) >= len(seg.SpaceSymbol) && s[len(s)-len(seg.SpaceSymbol):] == seg.SpaceSymbol:
			s = s[:len(s)-len(seg.SpaceSymbol)]
		default:
			return s
		}
	}
}

// truncateTokens checks text and opts for TruncateEndWith and
// TruncateStartWith. It returns the tokens of the text alone (BOS and EOS
// left out) when the text's budget, n less the ids that opts adds, is
// positive, the rules that encoded them, and the budget.
func (t *Tokenizer) truncateTokens(text string, n int, opts EncodeOptions) ([]Token, *pieceRules, int, error) {
	opts.AfterCut, opts.BeforeCut = false, false
	r, err := t.rulesFor(text, opts)
	if err != nil {
		return nil, nil, 0, err
	}
	if n -= opts.extra(); n <= 0 {
		return nil, r, n, nil
	}
	return t.appendOffsets(nil, text, r, EncodeOptions{}), r, n, nil
}
