package tokenizer

import "unicode/utf8"

// cutRules holds what SafeCut needs to know about a model; see newCutRules.
type cutRules struct {
	ok          bool // the model allows cuts at all
	beforeSpace bool // a cut before a space that follows a non-space is safe
	afterLF     bool // a cut after a newline that a non-newline follows is safe
	// A cut between two characters that no piece holds side by side is
	// safe, unless both are unknown and unknown pieces merge.
	unknownsMerge bool
	// pairs marks the byte pairs that occur inside some user-defined piece;
	// a cut between two such bytes could split a piece. It is set for
	// every model (TruncateStart reads it too).
	pairs [256][256]bool
}

// newCutRules works out where a text may be cut. The normalizer must be a
// plain character map, so that normalizing the parts gives the parts of the
// normalized text, and the model must have no unused pieces, whose
// resegmentation depends on the whole text.
func newCutRules(t *Tokenizer) *cutRules {
	c := &cutRules{}
	for _, id := range t.v.UserDefined() {
		p := t.v.Piece(id)
		for i := 0; i+1 < len(p); i++ {
			c.pairs[p[i]][p[i+1]] = true
		}
	}
	if !t.norm.identity || t.model.unused {
		return c
	}
	c.ok = true
	// Before U+2581 no normal piece spans, and the piece there starts with
	// U+2581, which is never unknown, so runs of unknown pieces are not
	// merged across the cut.
	c.beforeSpace = t.model.split == splitBefore && t.model.spanning == nil && t.norm.spec.EscapeWhitespaces && t.v.Lookup(spaceSymbol) >= 0
	c.afterLF = cutsNewline(t.rules.matcher)
	// Between two characters that no piece holds side by side BPE merges
	// nothing (see pairSet) and no user-defined piece spans; with byte
	// fallback no unknown pieces are merged either.
	c.unknownsMerge = !t.v.Trainer().ByteFallback
	return c
}

// cutsNewline reports whether m, the user-defined pieces of some rules,
// has the newline: it is then cut out whole and never merged with what
// follows, so a cut after it is safe.
func cutsNewline(m *matcher) bool {
	l, _ := m.match("\n")
	return l == 1
}

// normFirst and normLast return the first and last byte of the normalized
// form of the character at the start or end of s.
func normFirst(s string) byte {
	switch r, size := utf8.DecodeRuneInString(s); {
	case s[0] == ' ':
		return spaceSymbol[0]
	case r == utf8.RuneError && size == 1:
		return 0xEF // U+FFFD
	}
	return s[0]
}

func normLast(s string) byte {
	switch r, size := utf8.DecodeLastRuneInString(s); {
	case s[len(s)-1] == ' ':
		return spaceSymbol[2]
	case r == utf8.RuneError && size == 1:
		return 0xBD // U+FFFD
	}
	return s[len(s)-1]
}

// SafeCut returns the largest n < len(text) such that, whatever follows
// text, encoding text[:n] and the rest separately gives the same ids as
// encoding them together; it returns 0 when it knows of no such n. It lets
// a stream be encoded in parts.
//
// For Gemma's model the cuts are before a space that follows a non-space,
// after a newline that a character other than a newline follows, and
// between two characters that no piece of the vocabulary holds side by
// side, which most text without spaces has: only runs that the pieces
// cover throughout, like one letter repeated, have no cut.
func (t *Tokenizer) SafeCut(text string) int {
	return t.SafeCutWith(text, EncodeOptions{})
}

// SafeCutWith is SafeCut for encoding under opts: the parts encode under
// opts.Special to the ids of the whole (give AddBOS to the first part
// only, and AddEOS to the last). Under SpecialReject no special piece
// spans the cut either, so that the whole text spells one exactly when a
// part does, and the first part that does reports the text's first.
func (t *Tokenizer) SafeCutWith(text string, opts EncodeOptions) int {
	c := t.cut
	if !c.ok {
		return 0
	}
	afterLF := c.afterLF
	var reject *specialSet
	switch opts.Special {
	case SpecialPieces:
	case SpecialText:
		afterLF = t.specials().afterLF
	case SpecialReject:
		reject = t.specials()
	default:
		return 0
	}
	for n := len(text) - 1; n > 0; n-- {
		var ok bool
		switch {
		case c.beforeSpace && text[n] == ' ' && text[n-1] != ' ',
			afterLF && text[n-1] == '\n' && text[n] != '\n':
			ok = !c.pairs[normLast(text[:n])][normFirst(text[n:])]
		default:
			ok = t.pairCut(text, n)
		}
		if ok && (reject == nil || !reject.spans(text, n)) {
			return n
		}
	}
	return 0
}

// pairCut reports whether text may be cut at n because no piece holds the
// characters before and after n side by side.
func (t *Tokenizer) pairCut(text string, n int) bool {
	// A continuation byte at n belongs to the character before it, or is
	// malformed on its own: either way n is not where two characters meet
	// for certain.
	if !utf8.RuneStart(text[n]) {
		return false
	}
	// The character at n must be whole: the bytes after text could
	// otherwise complete it into another.
	if !utf8.FullRuneInString(text[n:]) {
		return false
	}
	a, _ := utf8.DecodeLastRuneInString(text[:n])
	b, _ := utf8.DecodeRuneInString(text[n:])
	a, b = t.normRune(a), t.normRune(b)
	if t.model.pairSet().has(a, b) {
		return false
	}
	if t.cut.unknownsMerge {
		var buf [2 * utf8.UTFMax]byte
		la := utf8.EncodeRune(buf[:], a)
		lb := utf8.EncodeRune(buf[la:], b)
		if t.model.charID(buf[:la]) < 0 && t.model.charID(buf[la:la+lb]) < 0 {
			return false
		}
	}
	return true
}

// normRune returns what the identity normalizer makes of character r: a
// space becomes U+2581 if spaces are escaped, malformed bytes (decoded as
// utf8.RuneError) become U+FFFD, which is utf8.RuneError too.
func (t *Tokenizer) normRune(r rune) rune {
	if r == ' ' && t.norm.spec.EscapeWhitespaces {
		return spaceRune
	}
	return r
}
