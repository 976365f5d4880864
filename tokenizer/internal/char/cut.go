package char

import (
	"errors"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// cuts is what a char model tells about where its output decomposes: the
// model steps through the text a character at a time, or a user-defined
// piece at a time (Encode), so its pieces part between two characters
// unless a user-defined piece holds both side by side.
type cuts struct {
	m *Model
	// together holds the pairs of characters that stand side by side in
	// some user-defined piece.
	together map[[2]rune]bool
}

var errBytePieces = errors.New("the char model has a user-defined piece that is not UTF-8, which its steps may match inside a character")

// Cuts returns where the model's output decomposes, or an error that says
// why it never does.
func (m *Model) Cuts() (seg.Cuts, error) {
	c := &cuts{m: m, together: map[[2]rune]bool{}}
	for _, us := range m.user {
		for _, u := range us {
			if !utf8.Valid(u.text) {
				return nil, errBytePieces
			}
			prev := rune(-1)
			for _, r := range string(u.text) {
				if prev >= 0 {
					c.together[[2]rune{prev, r}] = true
				}
				prev = r
			}
		}
	}
	return c, nil
}

// SpaceStartsPieces is false: a user-defined piece may hold U+2581 anywhere
// (Together tells where none does).
func (c *cuts) SpaceStartsPieces() bool { return false }

// UserPiecesApart is true: a step takes the longest user-defined piece
// where one starts, and the next step starts after it.
func (c *cuts) UserPiecesApart() bool { return true }

// Together reports whether some user-defined piece holds a followed by b:
// between characters that none does, a step ends.
func (c *cuts) Together(a, b rune) bool { return c.together[[2]rune{a, b}] }

// Known reports whether the character ch is a normal piece, which no
// banned set of special pieces makes unknown.
func (c *cuts) Known(ch []byte) bool {
	id, ok := c.m.v.IDBytes(ch)
	return ok && c.m.v.Type(id) == vocab.Normal
}

// PartsKeepPieces is true: the steps from a boundary between two pieces on
// are the text's.
func (c *cuts) PartsKeepPieces() bool { return true }
