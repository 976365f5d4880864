package unigram

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// A Unigram segmentation decomposes where no piece of the lattice crosses:
// every path passes through such a node, so the best path of the whole
// text is the best path to the node followed by the best path from it.
// But the C++'s EncodeOptimized sums the path scores in float32 over the
// whole text, so the best path from the node is the one that a Viterbi
// started there from the score the whole's best path has at the node
// finds (forward's from), not in general the one started from 0: a part
// after a cut is segmented by EncodeFrom, from the score that the part
// before it ended with.

// Cuts is what a Unigram model tells about where its output decomposes,
// for encoding a text in parts one after the other, each from the score
// of the one before (Model.EncodeFrom).
type Cuts struct {
	v    *vocab.Vocab
	once sync.Once
	err  error
	// pairs holds, sorted, the pairs of characters that stand side by
	// side in a piece of the lattice, each as a<<32 | b.
	pairs []uint64
}

// NewCuts returns the cut facts of the Unigram model of v. The pairs of
// characters of its pieces are gathered when first asked for (Err).
func NewCuts(v *vocab.Vocab) *Cuts { return &Cuts{v: v} }

var errBytePieces = errors.New("unigram: a piece is not UTF-8, and may be matched inside a character")

// Err returns nil when the model's output decomposes somewhere, or an
// error that says why it never does: a piece that is not UTF-8.
func (c *Cuts) Err() error {
	c.once.Do(c.load)
	return c.err
}

// load gathers c.pairs from the pieces that the lattice matches: the
// normal and the user-defined ones (see New), as Darts keys.
func (c *Cuts) load() {
	for id := range int32(c.v.Size()) {
		if t := c.v.Type(id); t != vocab.Normal && t != vocab.UserDefined {
			continue
		}
		key := c.v.Piece(id)
		if i := strings.IndexByte(key, 0); i >= 0 {
			key = key[:i]
		}
		if !utf8.ValidString(key) {
			c.pairs, c.err = nil, errBytePieces
			return
		}
		prev := rune(-1)
		for _, r := range key {
			if prev >= 0 {
				c.pairs = append(c.pairs, uint64(prev)<<32|uint64(r))
			}
			prev = r
		}
	}
	slices.Sort(c.pairs)
	c.pairs = slices.Compact(c.pairs)
}

// SpaceStartsPieces is false: Together tells where U+2581 starts pieces.
func (c *Cuts) SpaceStartsPieces() bool { return false }

// UserPiecesApart is false: user-defined pieces are scored in the lattice
// with the others.
func (c *Cuts) UserPiecesApart() bool { return false }

// Together reports whether some piece holds a followed by b: between two
// characters that none does, no node of the lattice crosses (an unknown
// node holds one character). It must be asked only when Err returns nil.
func (c *Cuts) Together(a, b rune) bool {
	_, found := slices.BinarySearch(c.pairs, uint64(a)<<32|uint64(b))
	return found
}

// Known reports whether the character ch is a normal piece: where it
// stands, the lattice has no unknown node, and no banned set of special
// pieces takes it out.
func (c *Cuts) Known(ch []byte) bool {
	id, ok := c.v.IDBytes(ch)
	return ok && c.v.Type(id) == vocab.Normal
}

// PartsKeepPieces is false: a part segmented alone starts from the score
// 0, and rounding may then decide otherwise (see EncodeFrom).
func (c *Cuts) PartsKeepPieces() bool { return false }

// EncodeFrom is Encode for a part of a text that starts at a node that
// every path of the whole text's lattice passes through, from the score
// from that the best path has there, and returns the score of the best
// path at the part's end, where the next part starts: the parts'
// segmentations, joined, are the whole's.
func (m *Model) EncodeFrom(dst []seg.Piece, norm []byte, ban []bool, from float32) ([]seg.Piece, float32) {
	if len(norm) == 0 {
		return dst, from
	}
	sc := m.get()
	dst, end := m.segment(sc, dst, norm, 0, len(norm), ban, from)
	m.put(sc)
	return dst, end
}
