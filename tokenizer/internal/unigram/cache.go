package unigram

import (
	"hash/maphash"
	"math"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// The word cache. Where no piece holds U+2581 but at its start, every
// segmentation has a piece boundary before each U+2581, so Encode can
// segment the words between them one by one, each from the score of the
// path up to it. The C++ accumulates that score in float32 over the whole
// text, so a word's segmentation depends on it through rounding: a cached
// segmentation of a word, found with the path score 0, is used only when
// every decision on its path was won by a margin that the rounding at the
// current score cannot close. Each cached piece's score is then added to
// the path score as the C++ adds it, so the score stays exact.
//
// The bound: the best score at a byte q of the word, computed from a path
// score L, differs from L plus its exact value by at most one rounding per
// piece on the way, each at most half an ulp of |L| + mag, where mag bounds
// the word's own values. A decision compares two candidates, and the
// stored float of one; it falls the same way at L as at 0 when the margin
// at 0 exceeds (4c + 2) half-ulps, with c the number of roundings (at most
// the word's length in bytes, plus one). Only the decisions at the ends of
// the path's pieces choose the path; elsewhere a near tie changes which
// predecessor a byte keeps, but its score by no more than the rounding the
// bound counts.

// maxWord is the longest word the cache holds, in bytes.
const maxWord = 64

// maxWords bounds the number of words a cache holds; a full cache starts
// afresh.
const maxWords = 1 << 15

// seenSlots is the size of the table of words met once.
const seenSlots = 1 << 12

// scratch is the buffers of one encoding and a word cache, kept by the
// Model between encodings (see Model.get).
type scratch struct {
	nodes []best
	tr    tracker
	words map[string]*word
	// seen holds, direct-mapped, hashes of words met once: a word is
	// learnt the second time, so that words met once cost little more
	// than without the cache.
	seen [seenSlots]uint64
	seed maphash.Seed
}

func newScratch() *scratch {
	return &scratch{seed: maphash.MakeSeed()}
}

// word is a cached segmentation of a word.
type word struct {
	pieces []seg.Piece
	scores []float64 // each piece's score, as the candidate sums add it
	margin float64   // the smallest margin of a decision on the path
	mag    float64   // bounds the magnitude of the word's own scores
}

// tracker records, while forward runs from the score 0, the winning and
// the best losing candidate at each byte, and the winner's piece score.
type tracker struct {
	win, lose, score []float64
	mag              float64
}

func (tr *tracker) reset(n int) {
	if cap(tr.win) < n {
		tr.win = make([]float64, n)
		tr.lose = make([]float64, n)
		tr.score = make([]float64, n)
	}
	tr.win, tr.lose, tr.score = tr.win[:n], tr.lose[:n], tr.score[:n]
	for i := range n {
		tr.win[i] = math.Inf(-1)
		tr.lose[i] = math.Inf(-1)
	}
	tr.mag = 0
}

// see records a candidate at byte q.
func (tr *tracker) see(q int, cand, score float64, won bool) {
	tr.mag = max(tr.mag, math.Abs(cand), math.Abs(score))
	if won {
		tr.lose[q] = max(tr.lose[q], tr.win[q])
		tr.win[q] = cand
		tr.score[q] = score
	} else {
		tr.lose[q] = max(tr.lose[q], cand)
	}
}

// learn segments w from the score 0 and returns its cache entry.
func (m *Model) learn(sc *scratch, w []byte) *word {
	sc.nodes = m.forward(sc.nodes, w, nil, 0, &sc.tr)
	e := &word{margin: math.Inf(1), mag: sc.tr.mag}
	e.pieces = backtrack(nil, sc.nodes)
	e.scores = make([]float64, len(e.pieces))
	end := len(w)
	for i := len(e.pieces) - 1; i >= 0; i-- {
		e.scores[i] = sc.tr.score[end]
		e.margin = min(e.margin, sc.tr.win[end]-sc.tr.lose[end])
		end -= int(e.pieces[i].Len)
	}
	return e
}

// safe reports whether e's segmentation holds from the path score from.
func (e *word) safe(from float32, n int) bool {
	// Twice the magnitude, so that the ulp bounds that of every value
	// on the way, some of which may reach the next power of two.
	x := float32(2 * (math.Abs(float64(from)) + e.mag))
	ulp := float64(math.Nextafter32(x, float32(math.Inf(1))) - x)
	return e.margin > float64(4*(n+1)+2)*ulp
}

// encodeWords is Encode where m.cuts holds: word by word, from the cache
// where it may, and with one Viterbi over each run of other words.
func (m *Model) encodeWords(sc *scratch, dst []seg.Piece, norm []byte) []seg.Piece {
	from := float32(0)
	run := -1 // the start of the words not yet segmented, or -1
	flush := func(end int) {
		if run >= 0 {
			sc.nodes = m.forward(sc.nodes, norm[run:end], nil, from, nil)
			dst = backtrack(dst, sc.nodes)
			from = sc.nodes[end-run].score
			run = -1
		}
	}
	for p := 0; p < len(norm); {
		q := nextSpace(norm, p)
		if e := m.lookup(sc, norm[p:q]); e != nil {
			flush(p)
			if e.safe(from, q-p) {
				dst = append(dst, e.pieces...)
				for _, s := range e.scores {
					from = float32(s + float64(from))
				}
				p = q
				continue
			}
		}
		if run < 0 {
			run = p
		}
		p = q
	}
	flush(len(norm))
	return dst
}

// lookup returns the cached segmentation of w, learning it if w was met
// before, or nil.
func (m *Model) lookup(sc *scratch, w []byte) *word {
	if len(w) > maxWord {
		return nil
	}
	if e := sc.words[string(w)]; e != nil {
		return e
	}
	h := maphash.Bytes(sc.seed, w)
	if i := h % seenSlots; sc.seen[i] != h {
		sc.seen[i] = h
		return nil
	}
	if sc.words == nil || len(sc.words) >= maxWords {
		sc.words = make(map[string]*word)
	}
	e := m.learn(sc, w)
	sc.words[string(w)] = e
	return e
}

// nextSpace returns the position of the first U+2581 after the character
// at p that starts a character, stepping as the C++ does, or len(norm).
func nextSpace(norm []byte, p int) int {
	i := p + min(OneCharLen(norm[p]), len(norm)-p)
	for i < len(norm) {
		if norm[i] == 0xe2 && i+2 < len(norm) && norm[i+1] == 0x96 && norm[i+2] == 0x81 {
			return i
		}
		i += min(OneCharLen(norm[i]), len(norm)-i)
	}
	return len(norm)
}
