package tokenizer

import (
	"fmt"
	"math/rand/v2"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/unigram"
	"github.com/gemmatok/gemmatok/vocab"
)

func init() {
	models[vocab.Unigram] = func(v *vocab.Vocab) (model, error) {
		m, err := unigram.New(v)
		if err != nil {
			// Errors say which package found the problem; unigram's
			// start with its own name, internal to this one.
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
		return &unigramModel{pieceModel{enc: m, typ: vocab.Unigram}, m, unigram.NewCuts(v)}, nil
	}
}

// unigramModel is a Unigram model, which can also give the n best
// segmentations and sample one.
type unigramModel struct {
	pieceModel
	m    *unigram.Model
	cuts *unigram.Cuts
}

// Cuts returns where the model's output decomposes, for parts encoded in
// order, each from the Carry of the one before (see carrier).
func (u *unigramModel) Cuts() (seg.Cuts, error) { return u.cuts, nil }

// CutsErr returns why the model's output never decomposes, or nil: it is
// worked out when first asked, not at load.
func (u *unigramModel) CutsErr() error { return u.cuts.Err() }

// unigramScratch is a unigramModel's buffers: a pieceModel's, and the
// buffers and word cache of Encode.
type unigramScratch struct {
	pieceScratch
	enc *unigram.Scratch
}

func (s *unigramScratch) Trim() {
	s.pieceScratch.Trim()
	s.enc.Trim()
}

func (u *unigramModel) NewScratch() seg.Scratch {
	return &unigramScratch{enc: u.m.NewScratch()}
}

// Encode segments s into out in parts (see unigram.Model.EncodeTo), so
// that a long text's pieces are not all held at once.
func (u *unigramModel) Encode(sc seg.Scratch, s []byte, r seg.Rules, out *seg.Sink) {
	us := sc.(*unigramScratch)
	if want := min(len(s)/3+16, 2*unigram.PartPieces); cap(us.pieces) < want {
		us.pieces = make([]seg.Piece, 0, want)
	}
	us.pieces = u.m.EncodeTo(us.enc, us.pieces, s, r.([]bool), out)
}

// EncodeFrom is Encode for a part of a text, from the path score from
// that the part before it ended with; it returns the score at its end.
func (u *unigramModel) EncodeFrom(sc seg.Scratch, s []byte, r seg.Rules, out *seg.Sink, from float32) float32 {
	ps := &sc.(*unigramScratch).pieceScratch
	ps.pieces, from = u.m.EncodeFrom(ps.pieces[:0], s, r.([]bool), from)
	out.Replay(ps.pieces, 0)
	return from
}

func (u *unigramModel) NBest(s []byte, r seg.Rules, n int, emit func([]seg.Piece, float32)) {
	for _, p := range u.m.NBest(s, n, r.([]bool)) {
		emit(p.Pieces, p.Score)
	}
}

// LastPieces makes u a prefixModel, for truncation.
func (u *unigramModel) LastPieces(sc seg.Scratch, s []byte, r seg.Rules) []seg.Piece {
	ps := &sc.(*unigramScratch).pieceScratch
	ps.pieces = u.m.LastPieces(ps.pieces, s, r.([]bool))
	return ps.pieces
}

func (u *unigramModel) Sample(sc seg.Scratch, s []byte, r seg.Rules, opts SampleOptions, rng *rand.Rand, out *seg.Sink) error {
	ps := &sc.(*unigramScratch).pieceScratch
	var err error
	ps.pieces, err = u.m.Sample(ps.pieces[:0], s, opts.Alpha, opts.NBestSize, rng, r.([]bool))
	if err != nil {
		return err
	}
	out.Replay(ps.pieces, 0)
	return nil
}

// StudyPart makes u a suffixModel, for truncation.
func (u *unigramModel) StudyPart(s []byte, r seg.Rules, fallback bool) suffixPart {
	return u.m.NewPart(s, r.([]bool), fallback)
}

// FewestAfter makes u a suffixModel, with StudyPart.
func (u *unigramModel) FewestAfter(s []byte, r seg.Rules, fallback bool, longest int) []int32 {
	return u.m.FewestAfter(s, r.([]bool), fallback, longest)
}

// FewestBefore makes u a prefixBound, for truncation.
func (u *unigramModel) FewestBefore(s []byte, r seg.Rules, fallback bool, longest int) []int32 {
	return u.m.FewestBefore(s, r.([]bool), fallback, longest)
}
