package unigram

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// MaxSampleNBest is the largest n-best size Sample accepts, the bound
// SentencePieceProcessor::SampleEncode checks.
const MaxSampleNBest = 512

// ErrSampleNBest is returned by Sample for an n-best size above
// MaxSampleNBest.
var ErrSampleNBest = errors.New("unigram: nbest_size must be nbest_size <= 512")

// Sample appends to dst a segmentation of norm drawn at random as
// SentencePieceProcessor::SampleEncode draws one from a Unigram model, and
// returns the extended slice:
//
//   - nbestSize < 0: from every segmentation of the lattice, with
//     probability proportional to exp(alpha * score), by forward filtering
//     and backward sampling (Lattice::Sample with inv_theta = alpha);
//   - nbestSize 0 or 1: no sampling, Encode's path;
//   - nbestSize > 1: among NBest(norm, nbestSize), the i-th with probability
//     proportional to exp(alpha * score_i) (float32, as the C++ computes it).
//
// The draws come from rng, so that a seed reproduces a run; they are not
// the C++'s draws (its std::mt19937 and std::discrete_distribution), only
// from the same distribution. ban is as for Encode.
func (m *Model) Sample(dst []seg.Piece, norm []byte, alpha float32, nbestSize int, rng *rand.Rand, ban []bool) ([]seg.Piece, error) {
	switch {
	case nbestSize > MaxSampleNBest:
		return dst, ErrSampleNBest
	case len(norm) == 0:
		return dst, nil
	case nbestSize < 0:
		l := m.newLattice(norm, ban)
		return l.pieces(dst, l.sample(alpha, rng)), nil
	case nbestSize <= 1:
		return m.Encode(dst, norm, ban), nil
	}
	paths := m.NBest(norm, nbestSize, ban)
	probs := make([]float64, len(paths))
	for i, p := range paths {
		probs[i] = float64(float32(math.Exp(float64(alpha * p.Score))))
	}
	return append(dst, paths[discrete(probs, rng)].Pieces...), nil
}

// sample is Lattice::Sample: walking back from EOS, each node's predecessor
// is drawn with probability proportional to exp(alpha[prev] + invTheta *
// score[prev] - alpha[node]), the forward log-probabilities in float as the
// C++ computes them.
func (l *lattice) sample(invTheta float32, rng *rand.Rand) []int32 {
	alpha := l.forward(invTheta)
	var path []int32
	var probs []float64
	z := alpha[eos]
	node := int32(eos)
	for {
		ends := l.ends(l.nodes[node].pos)
		probs = probs[:0]
		for _, k := range ends {
			x := alpha[k] + float32(invTheta*l.nodes[k].score) - z
			probs = append(probs, math.Exp(float64(x)))
		}
		node = ends[discrete(probs, rng)]
		if node == bos {
			break
		}
		z = alpha[node]
		path = append(path, node)
	}
	slices.Reverse(path)
	return path
}

// discrete draws an index with probability proportional to its weight, as
// std::discrete_distribution does.
func discrete(weights []float64, rng *rand.Rand) int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	u := rng.Float64() * sum
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	// Rounding left u at or above the last weight: take the last index
	// with a weight, as the C++'s cumulative search would.
	for i := len(weights) - 1; i > 0; i-- {
		if weights[i] > 0 {
			return i
		}
	}
	return 0
}
