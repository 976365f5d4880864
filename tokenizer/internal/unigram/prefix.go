package unigram

import "github.com/gemmatok/gemmatok/tokenizer/internal/seg"

// LastPieces returns last, reused if large enough, with last[p] the last
// piece of Encode's segmentation of norm[:p] alone, for every offset p of
// norm, 0 < p <= len(norm), where a character ends (a zero piece where
// none does, and at 0). Following the pieces back from p gives that
// segmentation.
//
// It costs one Viterbi pass over norm: the best path to p over norm is the
// best path of norm[:p], since every candidate ending by p starts before p
// and is scored in the same order from the same float32 path scores, as
// unigram::Model::EncodeOptimized would score it over norm[:p].
func (m *Model) LastPieces(last []seg.Piece, norm []byte, ban []bool) []seg.Piece {
	if cap(last) < len(norm)+1 {
		last = make([]seg.Piece, len(norm)+1)
	}
	last = last[:len(norm)+1]
	sc := m.get()
	m.forward(&sc.viterbi, norm, 0, len(norm), ban, 0, nil)
	for p, n := range sc.nodes {
		last[p] = seg.Piece{ID: n.id, Len: n.len} // no path leaves a zero piece
	}
	m.put(sc)
	return last
}
