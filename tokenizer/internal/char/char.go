// Package char segments normalized text with a SentencePiece char model as
// SentencePiece 0.1.97's character::Model does: each character is a piece,
// or unknown, except where a user-defined piece starts, which is taken whole
// (the longest one, as PrefixMatcher::PrefixMatch finds it).
package char

import (
	"bytes"
	"slices"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/unigram"
	"github.com/gemmatok/gemmatok/vocab"
)

// Model is a char segmentation model. It is safe for concurrent use.
type Model struct {
	v *vocab.Vocab
	// user holds the user-defined pieces by first byte, longest first.
	user [256][]userPiece
}

type userPiece struct {
	text []byte
	id   int32
}

// New builds the model of v.
func New(v *vocab.Vocab) *Model {
	m := &Model{v: v}
	for _, id := range v.UserDefined() {
		p := []byte(v.Piece(id))
		// PrefixMatcher's Darts trie takes its keys as C strings.
		if i := bytes.IndexByte(p, 0); i >= 0 {
			p = p[:i]
		}
		if len(p) > 0 {
			m.user[p[0]] = append(m.user[p[0]], userPiece{p, id})
		}
	}
	for i := range m.user {
		slices.SortStableFunc(m.user[i], func(a, b userPiece) int { return len(b.text) - len(a.text) })
	}
	return m
}

// TokensArePieces is true: each token is a character's piece, a
// user-defined piece, or the unknown piece of a character that is none.
func (m *Model) TokensArePieces() bool { return true }

// Encode appends to dst the pieces of norm and returns the extended slice:
// one per character, or per user-defined piece, with the id PieceToId gives
// its text (the unknown id when it has none). A piece whose id is set in
// ban (nil, or indexed by id) is treated as if it were not in the
// vocabulary: it is neither matched as a user-defined piece nor given as an
// id.
func (m *Model) Encode(dst []seg.Piece, norm []byte, ban []bool) []seg.Piece {
	for len(norm) > 0 {
		n := m.prefix(norm, ban)
		dst = append(dst, seg.Piece{ID: unigram.PieceID(m.v, norm[:n], ban), Len: int32(n)})
		norm = norm[n:]
	}
	return dst
}

// prefix returns the length of the piece at the start of norm, as
// PrefixMatcher::PrefixMatch does: the longest user-defined piece, or one
// character.
func (m *Model) prefix(norm []byte, ban []bool) int {
	for _, u := range m.user[norm[0]] {
		if bytes.HasPrefix(norm, u.text) && !(int(u.id) < len(ban) && ban[u.id]) {
			return len(u.text)
		}
	}
	return min(unigram.OneCharLen(norm[0]), len(norm))
}
