package unigram

import (
	"math"
	"slices"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// lattice is the C++'s unigram::Lattice: every piece that may start at each
// character position, for n-best search and sampling. Positions count
// characters as OneCharLen delimits them, not bytes.
type lattice struct {
	surface []int32 // byte offset of each position, and of the end
	nodes   []lnode // nodes[bos] and nodes[eos], then in insertion order
	// begin and end list the nodes starting and ending at each position,
	// in insertion order: positions p's are list[at[p]:at[p+1]].
	beginAt, beginList []int32
	endAt, endList     []int32
}

// Indices of the begin- and end-of-sentence nodes.
const (
	bos = 0
	eos = 1
)

type lnode struct {
	pos, length int32 // in characters
	id          int32
	score       float32
	backtrace   float32 // the best path score from BOS up to and with the node
	prev        int32   // the node before it on that path, or -1
}

// size is the number of characters.
func (l *lattice) size() int { return len(l.surface) - 1 }

func (l *lattice) begins(pos int32) []int32 { return l.beginList[l.beginAt[pos]:l.beginAt[pos+1]] }
func (l *lattice) ends(pos int32) []int32   { return l.endList[l.endAt[pos]:l.endAt[pos+1]] }

// newLattice builds the lattice of norm, as Lattice::SetSentence and
// Model::PopulateNodes do.
func (m *Model) newLattice(norm []byte, ban []bool) *lattice {
	l := &lattice{}
	for i := 0; i < len(norm); i += min(OneCharLen(norm[i]), len(norm)-i) {
		l.surface = append(l.surface, int32(i))
	}
	l.surface = append(l.surface, int32(len(norm)))
	n := int32(l.size())
	l.nodes = append(l.nodes,
		lnode{pos: 0, id: -1, prev: -1},
		lnode{pos: n, id: -1, prev: -1})

	for pos := int32(0); pos < n; pos++ {
		single := false
		chars := int32(0) // characters started before the end of the match
		m.trie.prefixes(norm, int(l.surface[pos]), func(end int, info pieceInfo) {
			// PopulateNodes' get_chars_length: a match ending inside a
			// character takes the whole character.
			for pos+chars < n && int(l.surface[pos+chars]) < end {
				chars++
			}
			if banned(ban, info.id) {
				return
			}
			id, score := info.id, info.score
			if m.user != nil && m.user[id] {
				// An int times a float, then a double, stored as a float.
				score = float32(float64(float32(float32(chars)*m.maxScore)) - 0.1)
			}
			l.nodes = append(l.nodes, lnode{pos: pos, length: chars, id: id, score: score, prev: -1})
			if chars == 1 {
				single = true
			}
		})
		if !single {
			l.nodes = append(l.nodes, lnode{pos: pos, length: 1, id: m.unk, score: m.unkScore, prev: -1})
		}
	}
	l.index()
	return l
}

// index fills the begin and end lists: EOS begins at the last position and
// BOS ends at the first, ahead of the others, as SetSentence puts them.
func (l *lattice) index() {
	n := l.size()
	l.beginAt = make([]int32, n+2)
	l.endAt = make([]int32, n+2)
	for i := range l.nodes {
		nd := &l.nodes[i]
		switch i {
		case bos:
			l.endAt[1]++
		case eos:
			l.beginAt[n+1]++
		default:
			l.beginAt[nd.pos+1]++
			l.endAt[nd.pos+nd.length+1]++
		}
	}
	for p := 1; p <= n+1; p++ {
		l.beginAt[p] += l.beginAt[p-1]
		l.endAt[p] += l.endAt[p-1]
	}
	l.beginList = make([]int32, len(l.nodes))
	l.endList = make([]int32, len(l.nodes))
	bfill := append([]int32(nil), l.beginAt[:n+1]...)
	efill := append([]int32(nil), l.endAt[:n+1]...)
	for i := range l.nodes {
		nd := &l.nodes[i]
		b, e := nd.pos, nd.pos+nd.length
		switch i {
		case bos:
			b = -1
			e = 0
		case eos:
			e = -1
		}
		if b >= 0 {
			l.beginList[bfill[b]] = int32(i)
			bfill[b]++
		}
		if e >= 0 {
			l.endList[efill[e]] = int32(i)
			efill[e]++
		}
	}
}

// viterbi fills each node's backtrace score and predecessor, as
// Lattice::Viterbi does, and returns the best path and its score.
func (l *lattice) viterbi() ([]int32, float32) {
	n := int32(l.size())
	for pos := int32(0); pos <= n; pos++ {
		for _, r := range l.begins(pos) {
			rn := &l.nodes[r]
			rn.prev = -1
			best, bestScore := int32(-1), float32(0)
			for _, k := range l.ends(pos) {
				score := l.nodes[k].backtrace + rn.score
				if best < 0 || score > bestScore {
					best, bestScore = k, score
				}
			}
			rn.prev = best
			rn.backtrace = bestScore
		}
	}
	var path []int32
	for k := l.nodes[eos].prev; l.nodes[k].prev >= 0; k = l.nodes[k].prev {
		path = append(path, k)
	}
	slices.Reverse(path)
	return path, l.nodes[eos].backtrace
}

// pieces appends the pieces of a path of nodes to dst.
func (l *lattice) pieces(dst []seg.Piece, path []int32) []seg.Piece {
	for _, k := range path {
		nd := &l.nodes[k]
		dst = append(dst, seg.Piece{ID: nd.id, Len: l.surface[nd.pos+nd.length] - l.surface[nd.pos]})
	}
	return dst
}

// logSumExp is the C++'s LogSumExp: log(exp(x) + exp(y)), or y in init
// mode, in float with a double logarithm.
func logSumExp(x, y float32, init bool) float32 {
	if init {
		return y
	}
	vmin, vmax := min(x, y), max(x, y)
	if vmax > vmin+50 {
		return vmax
	}
	return float32(float64(vmax) + math.Log(math.Exp(float64(vmin-vmax))+1))
}

// forward returns the forward log-probabilities of the nodes with scores
// scaled by invTheta, as Lattice::ForwardAlgorithm computes them.
func (l *lattice) forward(invTheta float32) []float32 {
	alpha := make([]float32, len(l.nodes))
	n := int32(l.size())
	for pos := int32(0); pos <= n; pos++ {
		ends := l.ends(pos)
		for _, r := range l.begins(pos) {
			for i, k := range ends {
				// The product is rounded to float before the sum, as the
				// C++ (without fused multiply-add) rounds it.
				alpha[r] = logSumExp(alpha[r], float32(invTheta*l.nodes[k].score)+alpha[k], i == 0)
			}
		}
	}
	return alpha
}
