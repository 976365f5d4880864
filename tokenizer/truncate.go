package tokenizer

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/normalize"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
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
// Where the text may be cut (SafeCutParts), each suffix tried is encoded
// only up to the first cut after its start, and the whole's tokens after
// it stand for the rest: the time is linear in the text's length. Under a
// Unigram model, whose parts' tokens depend on the path score they are
// encoded from, which a suffix does not share with the whole, the parts
// after the cut are counted from the suffix's own score, where rounding
// may not change them without encoding them again, and the fewest tokens
// the rest may take rule most suffixes out early: the time is linear too.
// A long stretch without a cut (a letter and a combining mark that
// nmt_nfkc joins, repeated without spaces) has no parts to count: there a
// suffix that no bound rules out is encoded whole. The bounds are the
// fewest tokens of the suffix's normalized text, which it shares with the
// whole but for its start: under Unigram, the fewest any path may take;
// under BPE and char, the fewest pieces it splits into (after a cheaper
// bound, bytes over the longest piece's length, while few suffixes are
// encoded). Where the model's tokens are about the fewest possible, only
// the suffixes near the one kept are encoded: 600 KB of such a run takes
// a fraction of a second to truncate to any n under the test models. A
// word model has no such bound (an unknown word may take any length), but
// a stretch without a space is one word to it.
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
	s, _, err := t.truncateEnd(text, n, opts)
	return s, err
}

// truncateEnd is TruncateEndWith; it also returns the truncation, whose
// count of bytes encoded the tests bound.
func (t *Tokenizer) truncateEnd(text string, n int, opts EncodeOptions) (string, *truncation, error) {
	tr, n, err := t.newTruncation(text, n, opts)
	if err != nil || n <= 0 {
		return "", tr, err
	}
	var known []int32
	if pm, ok := t.model.(prefixModel); ok && !t.partsKeepTokens(tr.r) && !t.norm.Suffix() {
		tr.toks, known = t.prefixTokens(pm, text, tr.r)
		tr.encoded += len(text)
	} else {
		tr.tokens()
	}
	toks := tr.toks
	if len(toks) <= n {
		return text, tr, nil
	}
	switch {
	case t.partsKeepTokens(tr.r):
	case !t.modelKeepsParts(tr.r) || t.norm.Suffix():
		// Nothing is known of how a prefix encodes alone: count each, off
		// one pass over the text where the model allows it, or from the
		// last cut before its end.
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
				c = tr.prefixCount(cut, n)
			}
			if c <= n {
				return text[:cut], tr, nil
			}
		}
		return "", tr, nil
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
				if tr.prefixCount(cut, n) <= n {
					return text[:cut], tr, nil
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
				own = tr.prefixCount(bare, n)
			}
			if own <= n {
				return text[:cut], tr, nil
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
		if boundary(toks, k) && tr.count(text[:cut], EncodeOptions{}) <= n {
			return text[:cut], tr, nil
		}
	}
	return "", tr, nil
}

// TruncateStartWith is TruncateStart for encoding under opts, as
// TruncateEndWith is TruncateEnd.
func (t *Tokenizer) TruncateStartWith(text string, n int, opts EncodeOptions) (string, error) {
	s, _, err := t.truncateStart(text, n, opts)
	return s, err
}

// truncateStart is TruncateStartWith; it also returns the truncation, as
// truncateEnd does.
func (t *Tokenizer) truncateStart(text string, n int, opts EncodeOptions) (string, *truncation, error) {
	tr, n, err := t.newTruncation(text, n, opts)
	if err != nil || n <= 0 {
		return "", tr, err
	}
	toks := tr.tokens()
	if len(toks) <= n {
		return text, tr, nil
	}
	if t.partsKeepTokens(tr.r) {
		// As for a prefix (TruncateEndWith), a suffix keeps its tokens.
		for k := len(toks) - n; k < len(toks); k++ {
			cut := toks[k].Start
			if boundary(toks, k) && tr.count(text[cut:], EncodeOptions{}) <= n {
				return text[cut:], tr, nil
			}
		}
		return "", tr, nil
	}
	p := tr.cuts()
	_, suffixes := t.model.(suffixModel)
	switch _, carries := t.model.(carrier); {
	case suffixes && p != nil:
		tr.study(p, len(p.start))
	case suffixes:
		// No cut: each suffix is encoded, but for those that the fewest
		// tokens after their start rule out.
		for k := 1; k < len(toks); k++ {
			c := toks[k].Start
			if boundary(toks, k) && tr.leastAfter(c) <= n && tr.count(text[c:], EncodeOptions{}) <= n {
				return text[c:], tr, nil
			}
		}
		return "", tr, nil
	case carries:
		p = nil
	}
	if p != nil {
		// The suffix from token k on is tried for every k, first to last,
		// and the first that fits is kept; most are ruled out by the
		// parts after the first cut in them (suffixCount).
		for k := 1; k < len(toks); k++ {
			if boundary(toks, k) && tr.suffixCount(p, toks[k].Start, n) <= n {
				return text[toks[k].Start:], tr, nil
			}
		}
		return "", tr, nil
	}
	return t.truncateStartWords(tr, n), tr, nil
}

// truncateStartWords is truncateStart for a text that is not cut: the
// suffixes are told apart by the words they start in.
func (t *Tokenizer) truncateStartWords(tr *truncation, n int) string {
	text, toks := tr.text, tr.toks
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
		least = max(least, tr.leastKnown(c, end))
		tail := len(toks) - j
		if least+tail > n {
			continue
		}
		if tr.count(text[c:end], EncodeOptions{})+tail <= n {
			return text[c:]
		}
	}
	return ""
}

// leastKnown returns a lower bound on the tokens of text[begin:end]
// encoded alone, under a model whose tokens are pieces (piecesOnly: BPE,
// char), where begin and end are where the normalizer starts steps, or
// end is the text's end (stepStart): the part then normalizes alone to the whole's normalized text between them,
// but for whitespace at either end (and the dummy prefix, which the
// first piece may take). Every token is a piece, or an unknown or byte
// piece for a character that is no piece of its own (solid). So the part
// takes at least its bytes of characters that are pieces over MaxPieceLen;
// and, once the suffixes tried have cost a few times the text, at least
// the fewest pieces its normalized text splits into (fewestPieces), worked
// out once for the whole, which rules out far more where pieces are
// short. It is 0 where it tells nothing, and under any other model.
func (tr *truncation) leastKnown(begin, end int) int {
	t := tr.t
	if m, ok := t.model.(piecesOnly); !ok || !m.TokensArePieces() {
		return 0
	}
	p, ok := tr.stepStart(begin)
	if !ok {
		return 0
	}
	p = skipNormSpaces(tr.norm, p)
	q := len(tr.norm)
	if end < len(tr.text) {
		if q, ok = tr.stepStart(end); !ok {
			return 0
		}
	}
	q = trimNormSpaces(tr.norm[:q])
	if q <= p {
		return 0
	}
	longest := max(t.v.MaxPieceLen(), 1)
	if tr.fewest == nil && tr.encoded > fewestAfter*len(tr.text) {
		tr.fewest = tr.fewestPieces()
	}
	if tr.fewest != nil {
		// The first token is a piece that ends at some e within a piece's
		// length of p, or an unknown or byte piece of characters that are
		// no pieces, which fewest counts as none; the rest split norm[e:q]
		// (or norm[p:q]), which takes at least fewest[e] less fewest[q],
		// since fewest[e] <= fewest(norm[e:q]) + fewest[q].
		least := 1 + int(tr.fewest[p]-tr.fewest[q])
		for e := p + 1; e <= min(q, p+longest); e++ {
			least = min(least, 1+int(tr.fewest[e]-tr.fewest[q]))
		}
		return least
	}
	if tr.known == nil {
		// known[i] is the bytes of characters of norm[:i] that are pieces
		// of their own, for every i where a character starts.
		tr.known = make([]int32, len(tr.norm)+1)
		for i := 0; i < len(tr.norm); {
			_, size := utf8.DecodeRune(tr.norm[i:])
			k := tr.known[i]
			if tr.solid(tr.norm[i : i+size]) {
				k += int32(size)
			}
			for range size {
				i++
				tr.known[i] = k
			}
		}
		tr.encoded += len(tr.text)
	}
	return (int(tr.known[q]-tr.known[p]) + longest - 1) / longest
}

// piecesOnly is a model that tells whether every token it gives is a
// piece of the vocabulary spelling the token's text, or an unknown or
// byte piece for characters that are no pieces of their own, as BPE's and
// char's are: a text then takes at least the fewest pieces it splits into
// (leastKnown). A word model's are not: an unknown word may hold any
// character.
type piecesOnly interface{ TokensArePieces() bool }

// fewestAfter is how many times the text truncateStartWords encodes
// before leastKnown works out fewestPieces, whose lookups, up to
// MaxPieceLen a byte, cost more than a few suffixes where few are tried.
// The tests set it to 0, so that every truncation they check takes the
// bound.
var fewestAfter = 4

// fewestPieces returns, for each offset i of the whole's normalized text,
// the fewest pieces that norm[i:] splits into, a character that is not
// solid (or a byte that is none of a character, at an offset inside one)
// counting none: it may join an unknown run.
func (tr *truncation) fewestPieces() []int32 {
	v, norm := tr.t.v, tr.norm
	longest := max(v.MaxPieceLen(), 1)
	fewest := make([]int32, len(norm)+1)
	for i := len(norm) - 1; i >= 0; i-- {
		_, size := utf8.DecodeRune(norm[i:])
		best := fewest[i+size] + 1
		if !tr.solid(norm[i : i+size]) {
			best = fewest[i+size]
		}
		for l := size + 1; l <= longest && i+l <= len(norm); l++ {
			if fewest[i+l]+1 < best && v.LookupBytes(norm[i:i+l]) >= 0 {
				best = fewest[i+l] + 1
			}
		}
		fewest[i] = best
	}
	tr.encoded += len(tr.text)
	return fewest
}

// solid reports whether the character c is a piece that the model
// outputs as it is, never as unknown: a normal or user-defined one (an
// unused one is resegmented, which a piece of one character cannot be),
// and not a special one under SpecialText, which bans those.
func (tr *truncation) solid(c []byte) bool {
	t := tr.t
	id := t.v.LookupBytes(c)
	if id < 0 || tr.special == SpecialText && t.IsSpecial(id) {
		return false
	}
	return t.v.Type(id) == vocab.Normal || t.v.Type(id) == vocab.UserDefined
}

// skipNormSpaces returns p moved past the spaces, escaped or not, at
// norm[p:]: whitespace that a text starting there drops.
func skipNormSpaces(norm []byte, p int) int {
	for p < len(norm) {
		switch {
		case norm[p] == ' ':
			p++
		case bytes.HasPrefix(norm[p:], []byte(seg.SpaceSymbol)):
			p += len(seg.SpaceSymbol)
		default:
			return p
		}
	}
	return p
}

// partsKeepTokens reports whether a prefix or suffix of a text that ends
// or starts at a boundary between two of its tokens encodes alone to the
// text's tokens on its side: the normalizer must map each character on
// its own, and the model have no unused pieces, whose resegmentation
// depends on the whole text, nor the rules r respell pieces so.
func (t *Tokenizer) partsKeepTokens(r *pieceRules) bool {
	return t.norm.Identity() && t.modelKeepsParts(r)
}

// modelKeepsParts reports whether the model segments a prefix or suffix of
// a normalized text that ends or starts at a boundary between two of its
// pieces into the text's pieces on its side (seg.Cuts.PartsKeepPieces)
// under the rules r.
func (t *Tokenizer) modelKeepsParts(r *pieceRules) bool {
	return t.cut.model != nil && t.cut.model.PartsKeepPieces() && rulesCutsErr(r) == nil
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

// prefixTokens returns the tokens of text under r, read off one pass of a
// prefixModel, and for each token k how many tokens text[:Start of token
// k] encodes to alone where that pass tells it, and -1 where it does not.
// It tells it where that prefix normalizes alone to the whole's
// normalized text up to token k: token k's first byte is the first of a
// normalizer step (the byte before it comes from before the token's
// start), so the prefix ends where the whole's steps meet and normalizes
// as they do before it (stepStart), but at its end, where
// remove_extra_whitespaces drops whitespace (the prefix must not end in
// it) and treat_whitespace_as_suffix adds a space (which the caller rules
// out). A cut the normalizer allows (CutAt) asks more: that the steps meet
// whatever follows, which a prefix alone need not.
func (t *Tokenizer) prefixTokens(pm prefixModel, text string, r *pieceRules) ([]Token, []int32) {
	sc := t.getScratch()
	defer t.putScratch(sc)
	t.normalize(sc, text, seg.Spans, normalize.Whole)
	last := pm.LastPieces(sc.model, sc.norm, r.model)
	// The whole's pieces are those of its longest prefix, itself.
	var path []seg.Piece
	for p := len(sc.norm); p > 0; p -= int(last[p].Len) {
		path = append(path, last[p])
	}
	slices.Reverse(path)
	sc.out.Reset(t.v, sc.norm, seg.Spans)
	sc.out.Replay(path, 0)
	toks := appendTokens(nil, sc)
	known := make([]int32, len(toks))
	for k := range known {
		known[k] = -1
	}
	counts := sc.out.PrefixCounts(nil, last)
	for k := 1; k < len(known); k++ {
		p := sc.out.Spans[k].Start
		cut := int(sc.offs[p])
		if p == 0 || int(sc.offs[p-1]) >= cut {
			continue
		}
		if t.norm.RemovesExtraSpaces() && endsInSpace(sc.norm[:p]) {
			continue
		}
		known[k] = counts[p]
	}
	return toks, known
}

// endsInSpace reports whether normalized text ends in a space, escaped or
// not: what trimSpaces would take off its end.
func endsInSpace(norm []byte) bool {
	return bytes.HasSuffix(norm, []byte{' '}) || bytes.HasSuffix(norm, []byte(seg.SpaceSymbol))
}

// trimNormSpaces returns the length of normalized text without the
// spaces, escaped or not, at its end (endsInSpace).
func trimNormSpaces(norm []byte) int {
	for {
		switch {
		case bytes.HasSuffix(norm, []byte{' '}):
			norm = norm[:len(norm)-1]
		case bytes.HasSuffix(norm, []byte(seg.SpaceSymbol)):
			norm = norm[:len(norm)-len(seg.SpaceSymbol)]
		default:
			return len(norm)
		}
	}
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

// truncation is a text being truncated under piece rules: its tokens,
// and the parts it is cut into (cuts), each worked out when first
// needed.
type truncation struct {
	t       *Tokenizer
	text    string
	r       *pieceRules
	special SpecialMode
	toks    []Token // the text's alone, BOS and EOS left out
	parts   *parts
	cut     bool // parts is worked out
	// cutterOK is the text's cutter, once cutterOnce.
	cutterOK   *cutter
	cutterOnce bool
	// The whole's normalized text and its offsets in the text
	// (normalized), and what FewestAfter and FewestBefore tell of them
	// (leastAfter, leastBefore).
	norm          []byte
	normOffs      []int32
	after, before []int32
	// known counts the whole's normalized bytes of characters that are
	// pieces, and fewest the fewest pieces after each offset (leastKnown).
	known, fewest []int32
	// encoded counts the bytes of text encoded, whole or in parts, which
	// the tests bound.
	encoded int
}

// newTruncation checks text and opts for TruncateEndWith and
// TruncateStartWith, and returns the text's truncation and its budget: n
// less the ids that opts adds: none left, not a budget wrapped around,
// for a negative n near math.MinInt.
func (t *Tokenizer) newTruncation(text string, n int, opts EncodeOptions) (*truncation, int, error) {
	r, err := t.rulesFor(text, opts)
	if err != nil {
		return nil, 0, err
	}
	return &truncation{t: t, text: text, r: r, special: opts.Special}, max(n, 0) - opts.extra(), nil
}

// tokens returns the text's tokens.
func (tr *truncation) tokens() []Token {
	if tr.toks == nil {
		tr.toks = tr.t.appendOffsets(nil, tr.text, tr.r, EncodeOptions{})
		tr.encoded += len(tr.text)
	}
	return tr.toks
}

// count returns the tokens of s, a part of the text that lies in it as
// opts says (AfterCut, BeforeCut), encoded from opts.Carry, which it
// advances to the end of s.
func (tr *truncation) count(s string, opts EncodeOptions) int {
	t := tr.t
	sc := t.getScratch()
	t.runWith(sc, s, tr.r, seg.Count, opts)
	n := sc.out.N
	t.putScratch(sc)
	tr.encoded += len(s)
	return n
}

// parts is a text cut wherever SafeCutParts may cut it, and what a
// Unigram model's suffixes need of the parts between the cuts.
//
// A prefix of the text (a suffix) is cut where the text is, but near its
// end (start), where a cut, which depends on the characters on either side
// of it (CutAt), must be checked again in the prefix (suffix) alone. Cut at
// a place that both allow, the prefix (suffix) encodes as the text's parts
// before (after) it, which give the whole's tokens there, followed (led)
// by the rest encoded as a part: the whole's tokens before (after) the
// place count among its tokens, all the more under a Unigram model, whose
// parts' tokens depend on the path score they are encoded from, which a
// prefix shares with the whole and a suffix does not. The whole's tokens
// before a place are those that start before it: the normalized bytes of
// the part before it come from the text before it.
type parts struct {
	start []int // where each part starts in the text: 0, then at cuts
	// For suffixes under a suffixModel: each part from studiedFrom on
	// studied, and the fewest tokens of the parts from each on (study).
	studied     []suffixPart
	least       []int
	studiedFrom int
}

// cuts returns the text's parts, worked out when first asked, without what
// a Unigram model's suffixes need of them; nil where the text has no cut,
// or the model or its normalizer never cuts a text.
func (tr *truncation) cuts() *parts {
	if tr.cut {
		return tr.parts
	}
	tr.cut = true
	c := tr.cutter()
	if c == nil {
		return nil
	}
	p := &parts{start: []int{0}}
	for i := 1; i < len(tr.text); i++ {
		if c.at(tr.text, i) {
			p.start = append(p.start, i)
		}
	}
	if len(p.start) > 1 {
		tr.parts = p
	}
	return tr.parts
}

// cutter returns the cutter that SafeCutParts would cut the text with,
// worked out when first asked; nil where the model or its normalizer
// never cuts a text.
func (tr *truncation) cutter() *cutter {
	if tr.cutterOnce {
		return tr.cutterOK
	}
	tr.cutterOnce = true
	opts := EncodeOptions{Special: tr.special, Carry: &Carry{}}
	if err := tr.t.CanCut(opts); err == nil || err == ErrCutsNeedParts {
		c := tr.t.cutter(opts)
		tr.cutterOK = &c
	}
	return tr.cutterOK
}

// cutBefore returns the last place before end where the text and
// text[:end] may both be cut, or 0 where there is none. It looks near end
// first, so as not to find every cut of the text (cuts) where it need not.
func (tr *truncation) cutBefore(end int) int {
	c, text := tr.cutter(), tr.text
	if c == nil || tr.cut && tr.parts == nil {
		return 0 // the text has no cut
	}
	for q := end - 1; q > max(0, end-nearCut); q-- {
		if c.at(text, q) && c.at(text[:end], q) {
			return q
		}
	}
	if p := tr.cuts(); p != nil {
		for j := sort.SearchInts(p.start, end) - 1; j > 0; j-- {
			if c.at(text[:end], p.start[j]) {
				return p.start[j]
			}
		}
	}
	return 0
}

// end returns where part j ends.
func (p *parts) end(j int, text string) int {
	if j+1 < len(p.start) {
		return p.start[j+1]
	}
	return len(text)
}

// tokensBefore returns how many of the whole's tokens start before i.
func (tr *truncation) tokensBefore(i int) int {
	return sort.Search(len(tr.toks), func(k int) bool { return tr.toks[k].Start >= i })
}

// suffixModel is a carrier that studies a part of a normalized text, cut
// where no piece crosses, for the suffixes of the text that hold it
// (unigram.Model.NewPart), and bounds the tokens of any text that ends
// with each suffix of a normalized one (unigram.Model.FewestAfter).
type suffixModel interface {
	StudyPart(s []byte, r seg.Rules, fallback bool) suffixPart
	FewestAfter(s []byte, r seg.Rules, fallback bool, longest int) []int32
}

// suffixPart is a part that a suffixModel studied.
type suffixPart interface {
	// Fewest returns the fewest tokens that the part encodes to from any
	// Carry.
	Fewest() int
	// From returns the tokens of the part encoded from the Carry score
	// from, the score at its end, and whether it was encoded to tell.
	From(from float32) (int, float32, bool)
}

// study studies parts j on of the text's parts p, those from p.studiedFrom
// on being studied already.
func (tr *truncation) study(p *parts, j int) {
	t, text := tr.t, tr.text
	if p.studied == nil {
		p.studied = make([]suffixPart, len(p.start))
		p.least = make([]int, len(p.start)+1)
		p.studiedFrom = len(p.start)
	}
	if j >= p.studiedFrom {
		return
	}
	sm := t.model.(suffixModel)
	fallback := t.v.Trainer().ByteFallback
	sc := t.getScratch()
	for ; p.studiedFrom > j; p.studiedFrom-- {
		i := p.studiedFrom - 1
		b := p.end(i, text)
		part := normalize.AfterCut
		if b < len(text) {
			part |= normalize.BeforeCut
		}
		t.normalize(sc, text[p.start[i]:b], seg.Count, part)
		p.studied[i] = sm.StudyPart(slices.Clone(sc.norm), tr.r.model, fallback)
		p.least[i] = p.least[i+1] + p.studied[i].Fewest()
		tr.encoded += b - p.start[i]
	}
	t.putScratch(sc)
}

// nearCut is how far from a place a cut is looked for before all the
// text's cuts are (cutBefore), or a place where the normalizer cuts
// (leastAfter); and, four times over, how far a suffix's first cut may be
// before leastAfter is asked first.
const nearCut = 64

// leastAfter returns a lower bound on the tokens of text[begin:] encoded
// alone under a suffixModel, off the fewest tokens of the paths through
// the whole's normalized text from each place on (unigram.Model.FewestAfter,
// worked out when first asked): the suffix normalizes, from the first
// place after begin where the normalizer cuts it and the text alike
// (CutAt), to the whole's normalized text from there. It is 0 where no
// such place is near.
func (tr *truncation) leastAfter(begin int) int {
	t, text := tr.t, tr.text
	if tr.after == nil {
		norm := tr.normalized()
		tr.after = t.model.(suffixModel).FewestAfter(norm, tr.r.model, t.v.Trainer().ByteFallback, t.v.MaxPieceLen())
		tr.encoded += len(text)
	}
	if p, ok := tr.stepStart(begin); ok {
		// The suffix alone normalizes to the whole's normalized text from
		// p on, but for the whitespace at its start, which it drops, or
		// takes a dummy prefix for.
		return int(tr.after[skipNormSpaces(tr.norm, p)])
	}
	for i := begin + 1; i < min(len(text), begin+nearCut); i++ {
		if tr.normCut(text[begin:], i-begin, i) {
			return int(tr.after[tr.normAt(i)])
		}
	}
	return 0
}

// leastBefore is leastAfter for text[:end] under a prefixBound model
// (unigram.Model.FewestBefore).
func (tr *truncation) leastBefore(pb prefixBound, end int) int {
	t, text := tr.t, tr.text
	if tr.before == nil {
		norm := tr.normalized()
		tr.before = pb.FewestBefore(norm, tr.r.model, t.v.Trainer().ByteFallback, t.v.MaxPieceLen())
		tr.encoded += len(text)
	}
	if p, ok := tr.stepStart(end); ok {
		// The prefix alone normalizes to the whole's normalized text up to
		// p, but for the whitespace at its end, which it may drop.
		return int(tr.before[trimNormSpaces(tr.norm[:p])])
	}
	for i := end - 1; i > max(0, end-nearCut); i-- {
		if tr.normCut(text[:end], i, i) {
			return int(tr.before[tr.normAt(i)])
		}
	}
	return 0
}

// stepStart reports whether the normalizer starts a step at i in the
// whole text: the C++'s NormalizePrefix, a user-defined piece, the longest
// key of the character map or one character, whose output is not empty.
// It then returns where that output starts in the whole's normalized text.
// A step depends on the text from its start on alone, and one that ends
// within a prefix is the prefix's step there too (the longest match of the
// keys that fit in the prefix is the whole's), so a suffix of the text
// that starts at i normalizes alone to the whole's steps from i on, and a
// prefix that ends at i to the whole's steps before i, but for the
// whitespace rules at a text's start and end. The normalized bytes' offsets (normOffs, the
// C++'s norm_to_orig) are those of their steps' starts.
func (tr *truncation) stepStart(i int) (int, bool) {
	tr.normalized()
	p := tr.normAt(i)
	return p, p < len(tr.norm) && int(tr.normOffs[p]) == i
}

// normalized returns the whole's normalized text, worked out when first
// asked with its offsets in the text (normOffs).
func (tr *truncation) normalized() []byte {
	if tr.normOffs == nil {
		t := tr.t
		sc := t.getScratch()
		t.normalize(sc, tr.text, seg.Spans, normalize.Whole)
		tr.norm, tr.normOffs = slices.Clone(sc.norm), slices.Clone(sc.offs)
		t.putScratch(sc)
	}
	return tr.norm
}

// normCut reports whether the normalizer cuts both part, a prefix or
// suffix of the text, at j and the text at the same place, i.
func (tr *truncation) normCut(part string, j, i int) bool {
	if _, _, ok := tr.t.norm.CutAt(part, j); !ok {
		return false
	}
	_, _, ok := tr.t.norm.CutAt(tr.text, i)
	return ok
}

// normAt returns where the whole's normalized text is cut where the
// normalizer cuts the text at i: its bytes from before i come from the
// text before it, and its offsets (the C++'s norm_to_orig) never decrease.
func (tr *truncation) normAt(i int) int {
	p, _ := slices.BinarySearch(tr.normOffs, int32(i))
	return p
}

// prefixBound is a model that bounds the tokens of any text that starts
// with each prefix of a normalized one (unigram.Model.FewestBefore).
type prefixBound interface {
	FewestBefore(s []byte, r seg.Rules, fallback bool, longest int) []int32
}

// prefixCount returns the number of tokens of text[:end] encoded alone,
// or a number above n that it has more than.
func (tr *truncation) prefixCount(end, n int) int {
	text := tr.text
	q := 0
	if end > 0 {
		q = tr.cutBefore(end)
	}
	if q == 0 {
		if pb, ok := tr.t.model.(prefixBound); ok {
			// No cut: the prefix is encoded, unless the fewest tokens
			// before its end rule it out.
			if least := tr.leastBefore(pb, end); least > n {
				return least
			}
		}
		return tr.count(text[:end], EncodeOptions{})
	}
	head := tr.tokensBefore(q)
	if head > n {
		return head
	}
	if _, ok := tr.t.model.(carrier); ok {
		// The rest is encoded from the whole's score at q, which encoding
		// the prefix whole works out as soon.
		return tr.count(text[:end], EncodeOptions{})
	}
	return head + tr.count(text[q:end], EncodeOptions{AfterCut: true})
}

// suffixCount returns the number of tokens of text[begin:] encoded alone,
// or a number above n that it has more than, from the text's parts p:
// the whole's tokens after the first cut in the suffix, or under a
// suffixModel the parts after it, studied.
func (tr *truncation) suffixCount(p *parts, begin, n int) int {
	text := tr.text
	// The first cut after begin that the suffix allows too.
	j := sort.SearchInts(p.start, begin+1)
	for j < len(p.start) && !tr.cutter().at(text[begin:], p.start[j]-begin) {
		j++
	}
	if j == len(p.start) {
		return tr.count(text[begin:], EncodeOptions{})
	}
	if p.studied == nil {
		tail := len(tr.toks) - tr.tokensBefore(p.start[j])
		if tail > n {
			return tail
		}
		return tail + tr.count(text[begin:p.start[j]], EncodeOptions{BeforeCut: true})
	}
	// Each part but the last takes a token at least: CutAt allows a cut
	// only before a character whose normalized form is not empty, which
	// the rules of a text's end alone may drop. The parts from j on are
	// studied only where there are few enough of them.
	if parts := len(p.start) - j - 1; parts > n {
		return parts
	}
	tr.study(p, j)
	// The parts from j on are encoded from other scores than in the
	// whole: each is counted from the score the suffix has there, until
	// those counted and the fewest of the rest are more than n.
	if p.least[j] > n {
		return p.least[j]
	}
	if p.start[j]-begin > 4*nearCut {
		// A long part to encode: first the bound of a text without cuts.
		if least := tr.leastAfter(begin); least > n {
			return least
		}
	}
	carry := Carry{}
	k := tr.count(text[begin:p.start[j]], EncodeOptions{BeforeCut: true, Carry: &carry})
	for ; j < len(p.start) && k+p.least[j] <= n; j++ {
		c, end, encoded := p.studied[j].From(carry.score)
		k += c
		carry.score = end
		if encoded {
			tr.encoded += p.end(j, text) - p.start[j]
		}
	}
	return k + p.least[j]
}
