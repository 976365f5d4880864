package bpe

import (
	"errors"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// The methods here make a Model what the processor needs of a model.

// NewRules is banRules for the processor.
func (b *Model) NewRules(m *matcher.Matcher, banned []bool) seg.Rules { return b.banRules(m, banned) }

// NewScratch returns buffers for one encoding at a time.
func (b *Model) NewScratch() seg.Scratch { return new(Scratch) }

// Encode segments the normalized text s under rules r, which NewRules
// made, with the buffers sc, which NewScratch made, and hands every piece
// to out.
func (b *Model) Encode(sc seg.Scratch, s []byte, r seg.Rules, out *seg.Sink) {
	if len(s) > 0 {
		b.encode(sc.(*Scratch), s, r.(*Rules), out)
	}
}

var errUnused = errors.New("the model has unused pieces, which the C++ resegments by what the whole text merged")

// Cuts returns where the model's output decomposes, or an error that says
// why it never does.
func (b *Model) Cuts() (seg.Cuts, error) {
	if b.unused {
		return nil, errUnused
	}
	return b, nil
}

// SpaceStartsPieces reports whether every piece that holds U+2581 holds
// it at its start, so that the model segments the text word by word.
func (b *Model) SpaceStartsPieces() bool { return b.split == splitBefore && b.spanning == nil }

// UserPiecesApart is true: user-defined pieces are cut out first and never
// merged.
func (b *Model) UserPiecesApart() bool { return true }

// Together reports whether some piece holds characters x and y side by
// side: between two that none does, no merge ever happens (see pairSet).
func (b *Model) Together(x, y rune) bool { return b.pairSet().has(x, y) }

// Known reports whether the single character c is a piece.
func (b *Model) Known(c []byte) bool { return b.charID(c) >= 0 }

// PartsKeepPieces is true: the merges of a prefix that ends at a boundary
// of the text's pieces are the text's merges on its side, since the pairs
// across the boundary were never merged; and so for a suffix.
func (b *Model) PartsKeepPieces() bool { return true }
