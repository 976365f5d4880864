package tokenizer

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/gemmatok/gemmatok/tokenizer/internal/normalize"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// nbestModel is a model that can give the n best segmentations of a text,
// as the C++'s models whose IsNBestEncodeAvailable is true (Unigram).
type nbestModel interface {
	// NBest calls emit with each of the n best segmentations of the
	// normalized text s under rules r, best first, and its score.
	NBest(s []byte, r seg.Rules, n int, emit func(pieces []seg.Piece, score float32))
}

// sampleModel is a model that can draw a segmentation of a text at random,
// as the C++'s models whose IsSampleEncodeAvailable is true (Unigram, BPE).
type sampleModel interface {
	// Sample draws a segmentation of the normalized text s under rules r
	// with the draws of rng, as SentencePieceProcessor::SampleEncode does
	// for the model, and writes it into out.
	Sample(sc seg.Scratch, s []byte, r seg.Rules, opts SampleOptions, rng *rand.Rand, out *seg.Sink) error
}

const maxSampleNBest = 512

var errSampleNBest = fmt.Errorf("tokenizer: SampleOptions.NBestSize must be at most %d", maxSampleNBest)

// ErrNoNBest is returned by EncodeNBest for a model that has no n-best
// encoding: only Unigram models have one.
var ErrNoNBest = errors.New("tokenizer: n-best encoding is available for Unigram models only")

// ErrNoSampling is returned by SampleEncode for a model that cannot
// sample: Unigram and BPE models can.
var ErrNoSampling = errors.New("tokenizer: sampling is available for Unigram and BPE models only")

// Segmentation is one of the segmentations EncodeNBest and
// EncodeNBestPieces return: the ids of the text and its score, the sum of
// its pieces' scores.
type Segmentation struct {
	IDs    []int32
	Score  float32
	Pieces []string // the pieces of IDs, from EncodeNBestPieces only
}

// EncodeNBest returns the n best segmentations of text, best first, with
// their scores, as SentencePiece's NBestEncode does: the same ids, in the
// same order, with the same scores. n is clamped to [1, 1024]; fewer than n
// segmentations come back when the text has fewer. It returns ErrNoNBest
// for a model that is not Unigram.
func (t *Tokenizer) EncodeNBest(text string, n int) ([]Segmentation, error) {
	return t.nbest(text, n, seg.IDs)
}

// nbest is EncodeNBest, with the pieces too when mode is seg.Spans.
func (t *Tokenizer) nbest(text string, n int, mode seg.Mode) ([]Segmentation, error) {
	nb, ok := t.model.(nbestModel)
	if !ok {
		return nil, fmt.Errorf("%w (this one is %v)", ErrNoNBest, t.v.Trainer().Model)
	}
	sc := t.getScratch()
	defer t.putScratch(sc)
	t.normalize(sc, text, mode, normalize.Whole)
	var segs []Segmentation
	nb.NBest(sc.norm, t.rules.model, n, func(pieces []seg.Piece, score float32) {
		sc.out.Reset(t.v, sc.norm, mode)
		sc.out.Replay(pieces, 0)
		s := Segmentation{IDs: append([]int32{}, sc.out.IDs...), Score: score}
		if mode == seg.Spans {
			s.Pieces = t.appendPieces(nil, sc)
		}
		segs = append(segs, s)
	})
	return segs, nil
}

// SampleOptions says how SampleEncode draws a segmentation.
type SampleOptions struct {
	// Alpha is, for a Unigram model, the smoothing of the distribution:
	// a segmentation is drawn with probability proportional to
	// exp(Alpha*score). For a BPE model it is the probability that a merge
	// is dropped (BPE-dropout): 0 never, 1 always.
	Alpha float32
	// NBestSize is, for a Unigram model, what the draw is among: every
	// segmentation when it is negative (forward-filtering and
	// backward-sampling over the lattice), none when it is 0 or 1 (the
	// best one is returned), and the NBestSize best otherwise. It must be
	// at most 512. BPE models ignore it.
	NBestSize int
}

// SampleEncode returns the ids of a segmentation of text drawn at random
// under opts, as SentencePiece's SampleEncode draws one (subword
// regularization). The draws come from rng, so that a seed reproduces a
// run; they are not the C++'s draws, only from the same distribution.
// Every segmentation decodes to what Encode's ids decode to. It returns
// ErrNoSampling for a char or word model.
func (t *Tokenizer) SampleEncode(text string, opts SampleOptions, rng *rand.Rand) ([]int32, error) {
	sc, err := t.sample(text, opts, rng, seg.IDs)
	if err != nil {
		return nil, err
	}
	defer t.putScratch(sc)
	return append([]int32{}, sc.out.IDs...), nil
}

// sample draws as SampleEncode does, keeping what mode says, and returns
// the scratch that holds the draw, for the caller to put back.
func (t *Tokenizer) sample(text string, opts SampleOptions, rng *rand.Rand, mode seg.Mode) (*scratch, error) {
	sm, ok := t.model.(sampleModel)
	if !ok {
		return nil, fmt.Errorf("%w (this one is %v)", ErrNoSampling, t.v.Trainer().Model)
	}
	// The C++ checks this for every model type.
	if opts.NBestSize > maxSampleNBest {
		return nil, errSampleNBest
	}
	sc := t.getScratch()
	t.normalize(sc, text, mode, normalize.Whole)
	sc.out.Reset(t.v, sc.norm, mode)
	if err := sm.Sample(sc.model, sc.norm, t.rules.model, opts, rng, &sc.out); err != nil {
		t.putScratch(sc)
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return sc, nil
}
