package unigram

import (
	"math"
	"slices"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// A suffix of a text, cut where no piece of the lattice crosses, segments
// its parts after the cut as the whole does only from the path score that
// it has there, not the whole's (see EncodeFrom): under the C++'s float32
// sums, rounding may decide otherwise. A Part holds what a suffix needs to
// count a part's tokens from any score without a Viterbi, most of the
// time: the part's best path in exact arithmetic and the margin by which
// each decision on it is won, which bound where rounding may change it, as
// the word cache bounds it (see word.safe); and, to rule suffixes out,
// the fewest tokens that any path gives.

// Part is a part of a normalized text, studied for the suffixes of the
// text that hold it (NewPart).
type Part struct {
	m        *Model
	norm     []byte
	ban      []bool
	fallback bool
	fewest   int
	// The best path in exact arithmetic, and its pieces' scores as forward
	// adds them.
	path   []seg.Piece
	scores []float64
	tokens int     // the path's
	margin float64 // the least margin of a decision on the path
	mag    float64 // bounds the magnitude of the part's scores
}

// NewPart studies norm, a part of a normalized text that starts and ends
// where no piece of the lattice crosses, with the pieces ban forbids left
// out, its tokens counted as the processor counts them with byte fallback
// or not: a piece is a token, an unknown character a token for each of its
// bytes under byte fallback and otherwise one with the unknown characters
// right before it. The Part keeps norm and ban.
func (m *Model) NewPart(norm []byte, ban []bool, fallback bool) *Part {
	p := &Part{m: m, norm: norm, ban: ban, fallback: fallback, margin: math.Inf(1)}
	// At each offset: the best candidate in exact arithmetic (float64
	// sums of a part's few scores are exact but for far less than the
	// margins needed), and the best of the others.
	type node struct {
		best, second float64
		piece        seg.Piece // the best's
		score        float64   // its score
	}
	nodes := make([]node, len(norm)+1)
	for i := range nodes {
		nodes[i] = node{best: math.Inf(-1), second: math.Inf(-1), piece: seg.Piece{Len: -1}}
	}
	nodes[0].best = 0
	few := m.newTally(len(norm), fallback)
	m.walk(norm, ban, func(start, end int, id int32, score float64) {
		few.add(start, end, id)
		cand := nodes[start].best + score
		p.mag = max(p.mag, math.Abs(cand), math.Abs(score))
		n := &nodes[end]
		// The first of equal candidates wins, as in forward.
		if n.piece.Len < 0 || cand > n.best {
			n.second = max(n.second, n.best)
			n.best, n.piece, n.score = cand, seg.Piece{ID: id, Len: int32(end - start)}, score
		} else {
			n.second = max(n.second, cand)
		}
	})
	p.fewest = int(few.at(len(norm)))
	for end := len(norm); end > 0; end -= int(nodes[end].piece.Len) {
		n := &nodes[end]
		p.path = append(p.path, n.piece)
		p.scores = append(p.scores, n.score)
		p.margin = min(p.margin, n.best-n.second)
	}
	slices.Reverse(p.path)
	slices.Reverse(p.scores)
	p.tokens = p.count(p.path)
	return p
}

// walk calls visit for each node of the lattice of norm, with the pieces
// ban forbids left out, as forward visits them: by start, the pieces
// shortest first, then an unknown character (the id m.unk) where no piece
// of one character starts; score is what forward adds for the node.
func (m *Model) walk(norm []byte, ban []bool, visit func(start, end int, id int32, score float64)) {
	for start := 0; start < len(norm); start += min(OneCharLen(norm[start]), len(norm)-start) {
		m.walkAt(norm, ban, start, visit)
	}
}

// walkAt calls visit for each node of the lattice of norm that starts at
// start, a place where forward steps, as walk does.
func (m *Model) walkAt(norm []byte, ban []bool, start int, visit func(start, end int, id int32, score float64)) {
	mblen := min(OneCharLen(norm[start]), len(norm)-start)
	single := false
	m.trie.prefixes(norm, start, func(end int, info pieceInfo) {
		if banned(ban, info.id) {
			return
		}
		score := float64(info.score)
		if m.user != nil && m.user[info.id] {
			score = float64(float32(float32(end-start)*m.maxScore)) - 0.1
		}
		visit(start, end, info.id, score)
		if end-start == mblen {
			single = true
		}
	})
	if !single {
		visit(start, start+mblen, m.unk, float64(m.unkScore))
	}
}

// tally is the fewest tokens of the paths of a lattice from its start to
// each offset whose last piece is known or unknown, counted as NewPart
// counts them, its nodes added in forward's order.
type tally struct {
	known, unk []int32
	unkID      int32
	fallback   bool
}

// inf is a tally of no path: room to add to.
const inf = math.MaxInt32 / 2

func (m *Model) newTally(n int, fallback bool) *tally {
	t := &tally{known: make([]int32, n+1), unk: make([]int32, n+1), unkID: m.unk, fallback: fallback}
	for i := range t.known {
		t.known[i], t.unk[i] = inf, inf
	}
	t.known[0] = 0
	return t
}

// add adds the node of id from start to end.
func (t *tally) add(start, end int, id int32) {
	k, u := t.known[start], t.unk[start]
	switch {
	case id != t.unkID:
		t.known[end] = min(t.known[end], min(k, u)+1)
	case t.fallback:
		t.unk[end] = min(t.unk[end], min(k, u)+int32(end-start))
	default:
		// A run of unknown characters is one token.
		t.unk[end] = min(t.unk[end], k+1, u)
	}
}

// at returns the fewest tokens of a path to p.
func (t *tally) at(p int) int32 { return min(t.known[p], t.unk[p]) }

// count returns the tokens of pieces of the part, as NewPart counts them.
func (p *Part) count(pieces []seg.Piece) int {
	n := 0
	for i, pc := range pieces {
		switch {
		case pc.ID != p.m.unk:
			n++
		case p.fallback:
			n += int(pc.Len)
		case i == 0 || pieces[i-1].ID != p.m.unk:
			n++
		}
	}
	return n
}

// Fewest returns the fewest tokens that any path through the part's
// lattice gives: whatever score the part is encoded from, it has no
// fewer.
func (p *Part) Fewest() int { return p.fewest }

// From returns the tokens of the part encoded from the path score from
// (EncodeFrom) and the score at its end, and whether it had to encode it:
// it need not where the decisions on the exact best path are won by more
// than rounding at from can change (wins, the bound of the word cache), and then
// adds the path's scores to from as forward does.
func (p *Part) From(from float32) (int, float32, bool) {
	if wins(p.margin, p.mag, from, len(p.norm)) {
		for i, pc := range p.path {
			if pc.ID == p.m.unk {
				from += p.m.unkScore // a float sum, as forward's
			} else {
				from = float32(p.scores[i] + float64(from))
			}
		}
		return p.tokens, from, false
	}
	pieces, end := p.m.EncodeFrom(nil, p.norm, p.ban, from)
	return p.count(pieces), end, true
}

// FewestAfter returns least, with least[p], for each offset p of norm, a
// lower bound on the tokens of any text whose normalized form ends with
// norm[p:], p a place where a character starts in both: its path through
// the lattice has a first piece that starts at p or after, before the
// piece across p ends (no further on than longest, the longest piece of
// the vocabulary, or 4 bytes for an unknown character), and the pieces
// from there on are a path of norm's lattice from there, which has no
// fewer tokens than the fewest such path takes, counted as NewPart counts
// them but for an unknown character at its start, which may join one
// before it. ban and fallback are as for NewPart.
func (m *Model) FewestAfter(norm []byte, ban []bool, fallback bool, longest int) []int32 {
	// steps marks where forward steps; after[r] and afterUnk[r] are the
	// fewest tokens of a path of norm[r:] after a known piece and after
	// an unknown character.
	steps := make([]bool, len(norm)+1)
	for start := 0; start < len(norm); start += min(OneCharLen(norm[start]), len(norm)-start) {
		steps[start] = true
	}
	steps[len(norm)] = true
	after := make([]int32, len(norm)+1)
	afterUnk := make([]int32, len(norm)+1)
	for r := len(norm) - 1; r >= 0; r-- {
		after[r], afterUnk[r] = inf, inf
		if !steps[r] {
			continue
		}
		m.walkAt(norm, ban, r, func(_, end int, id int32, _ float64) {
			switch {
			case id != m.unk:
				if steps[end] {
					after[r] = min(after[r], 1+after[end])
					afterUnk[r] = min(afterUnk[r], 1+after[end])
				}
			case fallback:
				after[r] = min(after[r], int32(end-r)+afterUnk[end])
				afterUnk[r] = after[r]
			default:
				after[r] = min(after[r], 1+afterUnk[end])
				afterUnk[r] = min(afterUnk[r], afterUnk[end])
			}
		})
	}
	return leastOf(afterUnk, 0, max(longest, utf8.UTFMax))
}

// FewestBefore returns least, with least[p], for each offset p of norm, a
// lower bound on the tokens of any text whose normalized form starts with
// norm[:p], p a place where a character starts in both: the pieces of its
// path that end at p or before are a path of norm's lattice to where the
// last of them ends, less than the longest piece (longest, as for
// FewestAfter) before p, which has no fewer tokens than the fewest such
// path takes, counted as NewPart counts them. ban and fallback are as for
// NewPart.
func (m *Model) FewestBefore(norm []byte, ban []bool, fallback bool, longest int) []int32 {
	few := m.newTally(len(norm), fallback)
	m.walk(norm, ban, func(start, end int, id int32, _ float64) { few.add(start, end, id) })
	to := make([]int32, len(norm)+1)
	for p := range to {
		to[p] = few.at(p)
	}
	return leastOf(to, max(longest, utf8.UTFMax), 0)
}

// leastOf returns least, with least[p] the least of v over p-before to
// p+after (those of them in v), by a sliding window's minimum: a queue of
// offsets whose values increase.
func leastOf(v []int32, before, after int) []int32 {
	least := make([]int32, len(v))
	var queue []int
	next := 0 // the next offset to enter the window
	for p := range v {
		for ; next < len(v) && next <= p+after; next++ {
			for len(queue) > 0 && v[queue[len(queue)-1]] >= v[next] {
				queue = queue[:len(queue)-1]
			}
			queue = append(queue, next)
		}
		for queue[0] < p-before {
			queue = queue[1:]
		}
		least[p] = v[queue[0]]
	}
	return least
}
