// Package word segments normalized text with a SentencePiece word model as
// SentencePiece 0.1.97's word::Model does: the text is split into words
// before each U+2581 (SplitIntoWords with its defaults) and each word is a
// piece, or unknown.
package word

import (
	"bytes"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/unigram"
	"github.com/gemmatok/gemmatok/vocab"
)

// Model is a word segmentation model. It is safe for concurrent use.
type Model struct {
	v *vocab.Vocab
}

// New builds the model of v.
func New(v *vocab.Vocab) *Model {
	return &Model{v: v}
}

// Encode appends to dst the pieces of norm and returns the extended slice:
// one per word, with the id PieceToId gives its text (the unknown id when it
// has none, or when that id is set in ban, which may be nil).
//
// A word starts at the start of the text and at each U+2581, as
// SplitIntoWords does with treat_ws_as_suffix and allow_ws_only_pieces
// false: U+2581 always starts a word, whatever precedes it.
func (m *Model) Encode(dst []seg.Piece, norm []byte, ban []bool) []seg.Piece {
	for len(norm) > 0 {
		// The word runs to the next U+2581 after its first character. The
		// C++ steps by OneCharLen, so a U+2581 whose bytes follow a lead
		// byte's claimed length is not seen: step the same way.
		n := 0
		for n < len(norm) {
			if n > 0 && bytes.HasPrefix(norm[n:], []byte(seg.SpaceSymbol)) {
				break
			}
			n += min(unigram.OneCharLen(norm[n]), len(norm)-n)
		}
		dst = append(dst, seg.Piece{ID: unigram.PieceID(m.v, norm[:n], ban), Len: int32(n)})
		norm = norm[n:]
	}
	return dst
}
