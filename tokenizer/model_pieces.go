package tokenizer

import (
	"fmt"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// pieceEncoder is a model package that segments normalized text into a
// slice of pieces, which Unigram, char and word models all do alike.
type pieceEncoder interface {
	Encode(dst []seg.Piece, norm []byte, ban []bool) []seg.Piece
}

// pieceModel adapts a pieceEncoder to the model interface. It finds the
// user-defined pieces in the vocabulary itself, as these models do in the
// C++ (the Unigram lattice scores them, char and word models match them),
// so its rules are only the ban set.
type pieceModel struct {
	enc pieceEncoder
	typ vocab.ModelType
}

// pieceScratch is a pieceModel's buffers.
type pieceScratch struct{ pieces []seg.Piece }

func (s *pieceScratch) Trim() {
	if seg.TooBig(s.pieces) {
		s.pieces = nil
	}
}

func (p *pieceModel) NewRules(_ *matcher.Matcher, banned []bool) seg.Rules { return banned }

func (p *pieceModel) NewScratch() seg.Scratch { return new(pieceScratch) }

func (p *pieceModel) Encode(sc seg.Scratch, s []byte, r seg.Rules, out *seg.Sink) {
	ps := sc.(*pieceScratch)
	// A Unigram or word piece takes three normalized bytes or more but in
	// a few texts: room for them at once spares the garbage of growing the
	// slice. A char model's pieces, a character each, grow it once more.
	if want := len(s)/3 + 16; cap(ps.pieces) < want {
		ps.pieces = make([]seg.Piece, 0, want)
	}
	ps.pieces = p.enc.Encode(ps.pieces[:0], s, r.([]bool))
	out.Replay(ps.pieces, 0)
}

// TokensArePieces reports whether the model's package says that each token
// is a piece or an unknown one for a character that is none
// (char.Model.TokensArePieces; see piecesOnly).
func (p *pieceModel) TokensArePieces() bool {
	m, ok := p.enc.(piecesOnly)
	return ok && m.TokensArePieces()
}

// Cuts returns where the output of the model decomposes, when its package
// tells (char.Model.Cuts, word.Model.Cuts), or an error that says it never
// does.
func (p *pieceModel) Cuts() (seg.Cuts, error) {
	if c, ok := p.enc.(interface{ Cuts() (seg.Cuts, error) }); ok {
		return c.Cuts()
	}
	return nil, fmt.Errorf("the %v model's cuts are not worked out", p.typ)
}
