package word

import "github.com/gemmatok/gemmatok/tokenizer/internal/seg"

// cuts is what a word model tells about where its output decomposes: a
// piece is a word, which ends before each U+2581 (Encode).
type cuts struct{}

// Cuts returns where the model's output decomposes: before each U+2581.
func (m *Model) Cuts() (seg.Cuts, error) { return cuts{}, nil }

// SpaceStartsPieces is false, though no piece spans the start of a U+2581:
// the piece there is a word, which may be unknown, so that it does not
// part from the word before it when both are (Known).
func (cuts) SpaceStartsPieces() bool { return false }

// UserPiecesApart is false: the model does not look for user-defined
// pieces.
func (cuts) UserPiecesApart() bool { return false }

// Together reports whether a piece may hold a followed by b: unless b is
// U+2581, the word goes on.
func (cuts) Together(_, b rune) bool { return b != seg.SpaceRune }

// Known is false: whether a piece is known depends on its whole word, not
// on one character. The caller looks at the word before a cut (see
// Words).
func (cuts) Known([]byte) bool { return false }

// PartsKeepPieces is true: the words of a prefix or suffix that ends or
// starts before a U+2581 are the text's.
func (cuts) PartsKeepPieces() bool { return true }

// Words is true: the pieces are whole words.
func (cuts) Words() bool { return true }
