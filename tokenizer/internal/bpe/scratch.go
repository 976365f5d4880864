package bpe

import (
	"github.com/gemmatok/gemmatok/tokenizer/internal/hitrate"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// Scratch holds the model's buffers for one encoding at a time; the
// processor keeps them between calls, so that encoding allocates nothing
// it does not return.
type Scratch struct {
	syms  []symbol
	short shortSyms // segmentShort's symbols
	// segmentRuns' blocks and patterns, those of its next level, and its
	// sweeps' symbols
	blocks, blocksNext []symBlock
	pats, patsNext     []patSym
	runTmp             [3][]patSym
	agenda             agenda
	cuts               [partCuts]int32 // blockCuts' part ends
	pieces             []seg.Piece     // the model's output for the current word
	memo               []seg.Piece     // the same, while filling the whole-piece memo
	uses               [2]cacheUse     // of SentencePiece's rules' cache, and of others'
	// whole says whether looking a fresh word up as a whole piece pays, in
	// a model with a merge table, for words of fewer than longWord bytes
	// and for longer ones: in most scripts but Latin few long words are
	// pieces (2% of Thai's, 6% of Telugu's), in many languages at once few
	// short ones (11% of the multilingual file's), and each lookup misses
	// the processor's cache.
	whole [2]hitrate.Gate
	pairs pairCache
}

// cacheFor returns the word cache of rules r, and this scratch's use of
// it. SentencePiece's rules and those with banned pieces (special pieces as
// text) have a use each, so that a server mixing the two does not keep
// taking one's hit rate for the other's.
func (sc *Scratch) cacheFor(r *Rules) (*wordCache, *cacheUse) {
	if r.banned != nil {
		return &r.cache, &sc.uses[1]
	}
	return &r.cache, &sc.uses[0]
}

// Trim drops the buffers that an unusually long segment made big, rather
// than pinning them. Only a long segment, a run that no cut splits, makes
// many symbols, and the agenda grows with them.
func (sc *Scratch) Trim() {
	if seg.TooBig(sc.syms) || seg.TooBig(sc.pieces) {
		sc.syms, sc.agenda, sc.pieces = nil, agenda{}, nil
	}
}
