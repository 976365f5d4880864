package normalize

import (
	"errors"
	"unicode/utf8"
)

// ErrNoCuts is what Cuts returns for a normalizer that allows no cut.
var ErrNoCuts = errors.New("the normalizer has a precompiled charsmap, whose rules may span any place")

// Cuts returns nil when CutAt may allow cuts, or ErrNoCuts when it never
// does: a precompiled charsmap maps strings of several characters at once
// and normalizes some characters differently after a space, so no place
// is provably safe without its rules' analysis, which is not done.
func (n *Normalizer) Cuts() error {
	if n.cmap != nil {
		return ErrNoCuts
	}
	return nil
}

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
// normalized whole, and the characters on either side normalize as Rune
// says. Where user-defined pieces span i is for the caller to check.
//
// A normalizer whose characters normalize alone may be cut before any
// character: with a dummy prefix too, since only the part at the start
// gets it. Removing extra whitespace collapses runs of spaces, which a cut
// after a space could break up: those cuts are refused. A normalizer that
// maps strings of several characters at once (a precompiled charsmap) must
// refuse a cut where a string it maps could span i, and allow one only
// before a character whose normalization does not depend on what precedes.
func (n *Normalizer) CutAt(text string, i int) bool {
	if n.cmap != nil {
		return false
	}
	// A continuation byte at i belongs to the character before it, or is
	// malformed on its own: either way i is not where two characters meet
	// for certain.
	if !utf8.RuneStart(text[i]) {
		return false
	}
	return !n.spec.RemoveExtraWhitespaces || text[i-1] != ' '
}

// Rune returns what the normalizer makes of character r, taken alone where
// CutAt allows a cut next to it: a space becomes U+2581 if spaces are
// escaped, malformed bytes (decoded as utf8.RuneError) become U+FFFD,
// which is utf8.RuneError too.
func (n *Normalizer) Rune(r rune) rune {
	if r == ' ' && n.spec.EscapeWhitespaces {
		return '\u2581'
	}
	return r
}

// First and Last return the first and last byte of the normalized form of
// the character at the start or end of s, as Rune gives it.
func (n *Normalizer) First(s string) byte {
	switch r, size := utf8.DecodeRuneInString(s); {
	case s[0] == ' ' && n.spec.EscapeWhitespaces:
		return spaceSymbol[0]
	case r == utf8.RuneError && size == 1:
		return 0xEF // U+FFFD
	}
	return s[0]
}

func (n *Normalizer) Last(s string) byte {
	switch r, size := utf8.DecodeLastRuneInString(s); {
	case s[len(s)-1] == ' ' && n.spec.EscapeWhitespaces:
		return spaceSymbol[2]
	case r == utf8.RuneError && size == 1:
		return 0xBD // U+FFFD
	}
	return s[len(s)-1]
}
