package normalize

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// cutFacts is what CutAt needs to know of the rules, worked out when
// first asked (see Cuts): for a precompiled charsmap that walks its trie.
type cutFacts struct {
	once sync.Once
	err  error
	// inner holds the characters that may stand after the first
	// character of a charsmap key (charsmap.Map.Inner); nil without one.
	inner map[rune]bool
	// pairs marks the byte pairs that occur inside some user-defined
	// piece: only across such a pair can a piece's match span a place.
	pairs [256][256]bool
}

// load works out c for n.
func (c *cutFacts) load(n *Normalizer) {
	if n.cmap != nil {
		if c.inner, c.err = n.cmap.Inner(); c.err != nil {
			c.err = fmt.Errorf("the normalizer's precompiled charsmap allows no cut: %w", c.err)
			return
		}
	}
	for _, p := range n.matcher.Pieces {
		for i := 0; i+1 < len(p); i++ {
			c.pairs[p[i]][p[i+1]] = true
		}
	}
}

// Cuts returns nil when CutAt may allow cuts, or an error that says why it
// never does: a precompiled charsmap whose keys are not UTF-8, which
// spm_train never builds.
func (n *Normalizer) Cuts() error {
	n.cuts.once.Do(func() { n.cuts.load(n) })
	return n.cuts.err
}

// Charsmap reports whether the normalizer has a precompiled charsmap, under
// which characters other than a space may normalize to one.
func (n *Normalizer) Charsmap() bool { return n.cmap != nil }

// Identity reports whether normalization is a plain character map: each
// character, or user-defined piece, normalizes alone wherever it stands,
// and a Part changes nothing.
func (n *Normalizer) Identity() bool { return n.identity }

// EscapesSpaces reports whether spaces become U+2581.
func (n *Normalizer) EscapesSpaces() bool { return n.spec.EscapeWhitespaces }

// RemovesExtraSpaces reports whether runs of spaces collapse into one and
// spaces at the start and end of a text go (remove_extra_whitespaces).
func (n *Normalizer) RemovesExtraSpaces() bool { return n.spec.RemoveExtraWhitespaces }

// Suffix reports whether the dummy space goes at the end of the text
// (treat_whitespace_as_suffix).
func (n *Normalizer) Suffix() bool { return n.suffix }

// CutAt reports whether text may be cut at i, 0 < i < len(text), as far as
// normalization goes: whatever follows text, normalizing text[:i] as a
// part BeforeCut and the rest as a part AfterCut gives, joined, the
// normalized whole. It then returns the characters of the normalized
// whole on either side of the cut, a and b (b unless the whole's trailing
// whitespace takes all that follows). Where user-defined pieces span the
// cut in the normalized text, for a model that matches them there, is for
// the caller to check.
//
// The C++'s Normalize goes through the text in steps (NormalizePrefix): a
// user-defined piece, else the longest key of the precompiled charsmap,
// else one UTF-8 character or one malformed byte. A step's output depends
// on its input alone; the whitespace rules then see the outputs.
//
// Without a charsmap, and with user-defined pieces that are UTF-8, each
// character is a step, or a piece whose output is its characters'. A cut
// before any whole character that no piece spans is safe: with a dummy
// prefix too, since only the part at the start gets it. Removing extra
// whitespace collapses runs of spaces, which a cut after a space could
// break up, and drops U+2581 at the end of the text, that of a space or
// not, which a cut after U+2581 could keep: those cuts are refused.
//
// With a charsmap, or pieces that are not UTF-8, a cut is allowed where
// the character before it and the character after it are steps of their
// own, whose outputs are not empty (so that a and b are theirs): see
// stepCut.
func (n *Normalizer) CutAt(text string, i int) (a, b rune, ok bool) {
	// A continuation byte at i belongs to the character before it, or is
	// malformed on its own: either way i is not where two characters meet
	// for certain. And the character at i must be whole: the bytes after
	// text could otherwise complete it into another.
	if !utf8.RuneStart(text[i]) || !utf8.FullRuneInString(text[i:]) {
		return 0, 0, false
	}
	if n.Cuts() != nil {
		return 0, 0, false
	}
	if n.cmap != nil || !n.matcher.ValidUTF8 {
		return n.stepCut(text, i)
	}
	if n.cuts.pairs[text[i-1]][text[i]] {
		return 0, 0, false
	}
	// U+2581 whole, not its last byte, which other characters (ก, ぁ) end
	// with too: refusing their cuts left long runs of them without one.
	if n.spec.RemoveExtraWhitespaces && (text[i-1] == ' ' || n.spec.EscapeWhitespaces && strings.HasSuffix(text[:i], spaceSymbol)) {
		return 0, 0, false
	}
	a, _ = utf8.DecodeLastRuneInString(text[:i])
	b, _ = utf8.DecodeRuneInString(text[i:])
	return n.Rune(a), n.Rune(b), true
}

// stepCut is CutAt under a precompiled charsmap or pieces that are not
// UTF-8. No step reaches from before i past it where the character at i
// stands after the first in no charsmap key and no user-defined piece
// holds the bytes on either side of i (stepsAt): then i, and likewise the
// starts of the characters just before and after it, start steps in any
// text that goes on from text. Normalizing text[:i] and text[i:] then takes the whole's
// steps. Their outputs join into the whole's unless the whitespace rules
// differ: removing extra whitespace carries whether the last output ended
// with a space across the cut, and drops spaces, or U+2581, at the end of
// the text; so the step before i must output something whose last byte is
// neither a space nor U+2581's last. Then the whole's run of spaces at its
// start ends before i, and that at its end starts after i.
func (n *Normalizer) stepCut(text string, i int) (a, b rune, ok bool) {
	_, sa := utf8.DecodeLastRuneInString(text[:i])
	_, sb := utf8.DecodeRuneInString(text[i:])
	j, k := i-sa, i+sb
	if k >= len(text) || !n.stepsAt(text, j) || !n.stepsAt(text, i) || !n.stepsAt(text, k) {
		return 0, 0, false
	}
	pa, l := n.normalizePrefix(text[j:i])
	if l != sa || pa == "" {
		return 0, 0, false
	}
	pb, l := n.normalizePrefix(text[i:k])
	if l != sb || pb == "" {
		return 0, 0, false
	}
	if n.spec.RemoveExtraWhitespaces && (strings.HasSuffix(pa, " ") || n.spec.EscapeWhitespaces && strings.HasSuffix(pa, spaceSymbol)) {
		return 0, 0, false
	}
	a, sa = utf8.DecodeLastRuneInString(pa)
	b, sb = utf8.DecodeRuneInString(pb)
	if a == utf8.RuneError && sa == 1 || b == utf8.RuneError && sb == 1 {
		return 0, 0, false // a rule's output that is not UTF-8
	}
	return n.Rune(a), n.Rune(b), true
}

// stepsAt reports whether a step of the C++'s Normalize starts at j in
// every text that goes on from text: no step reaches from before j past
// it (see stepCut). The start of the text is one.
func (n *Normalizer) stepsAt(text string, j int) bool {
	if j == 0 {
		return true
	}
	c := n.cuts
	if !utf8.RuneStart(text[j]) || !utf8.FullRuneInString(text[j:]) || c.pairs[text[j-1]][text[j]] {
		return false
	}
	// A key is UTF-8 (Cuts checked), so it matches no malformed byte.
	r, size := utf8.DecodeRuneInString(text[j:])
	return r == utf8.RuneError && size == 1 || !c.inner[r]
}

// Rune returns what the normalizer makes of character r, taken alone where
// CutAt allows a cut next to it, or of the last or first character of a
// charsmap's output: a space becomes U+2581 if spaces are escaped,
// malformed bytes (decoded as utf8.RuneError) become U+FFFD, which is
// utf8.RuneError too.
func (n *Normalizer) Rune(r rune) rune {
	if r == ' ' && n.spec.EscapeWhitespaces {
		return '\u2581'
	}
	return r
}

// Last returns the last byte of the normalized form of the character at
// the end of s, as Rune gives it.
func (n *Normalizer) Last(s string) byte {
	switch r, size := utf8.DecodeLastRuneInString(s); {
	case s[len(s)-1] == ' ' && n.spec.EscapeWhitespaces:
		return spaceSymbol[2]
	case r == utf8.RuneError && size == 1:
		return 0xBD // U+FFFD
	}
	return s[len(s)-1]
}
