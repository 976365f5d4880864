package unigram

import "github.com/gemmatok/gemmatok/tokenizer/internal/seg"

// Path is one segmentation of an n-best list and its score: the sum of its
// pieces' scores as the C++'s A* search accumulates it.
type Path struct {
	Pieces []seg.Piece
	Score  float32
}

// The C++'s bounds on n-best search (Model::NBestEncode, Lattice::NBest).
const (
	maxNBest      = 1024
	maxAgendaSize = 10000
	minAgendaSize = 512
)

// NBest returns the n best segmentations of norm, best first, as
// unigram::Model::NBestEncode does: n is clamped to [1, 1024]; for n = 1 it
// is Encode's path with score 0; otherwise the A* search of Lattice::NBest
// over the lattice, which may find fewer than n paths. Ties fall as in the
// C++, whose agenda is a std::priority_queue: the agenda here is a binary
// heap that moves its entries exactly as libstdc++'s push_heap and pop_heap
// do, and is cut back to its best min(512, 10n) entries whenever it reaches
// 10,000, as the C++'s is. For an empty norm NBest returns one empty path.
// ban is as for Encode.
func (m *Model) NBest(norm []byte, n int, ban []bool) []Path {
	if len(norm) == 0 {
		return []Path{{}}
	}
	n = max(1, min(n, maxNBest))
	if n == 1 {
		return []Path{{Pieces: m.Encode(nil, norm, ban)}}
	}
	l := m.newLattice(norm, ban)
	var out []Path
	for _, p := range l.nbest(n) {
		out = append(out, Path{Pieces: l.pieces(nil, p.nodes), Score: p.score})
	}
	return out
}

// hypothesis is a partial path of the A* search, from a node to EOS.
type hypothesis struct {
	node int32
	next int32   // the hypothesis of the next node towards EOS, or -1
	fx   float32 // the priority: gx plus the best score from BOS to node
	gx   float32 // the score from node (included) to EOS
}

type nodePath struct {
	nodes []int32
	score float32
}

// nbest is Lattice::NBest without sampling.
func (l *lattice) nbest(n int) []nodePath {
	l.viterbi()
	hyps := []hypothesis{{node: eos, next: -1, fx: l.nodes[eos].backtrace}}
	agenda := heap{hyps: &hyps}
	agenda.push(0)
	var out []nodePath
	for len(agenda.items) > 0 {
		top := agenda.pop()
		h := hyps[top]
		if h.node == bos {
			var p nodePath
			for k := h.next; hyps[k].next >= 0; k = hyps[k].next {
				p.nodes = append(p.nodes, hyps[k].node)
			}
			p.score = h.fx
			out = append(out, p)
			if len(out) == n {
				break
			}
			continue
		}
		for _, k := range l.ends(l.nodes[h.node].pos) {
			nd := &l.nodes[k]
			hyps = append(hyps, hypothesis{node: k, next: top, gx: nd.score + h.gx, fx: nd.backtrace + h.gx})
			agenda.push(int32(len(hyps) - 1))
		}
		if len(agenda.items) >= maxAgendaSize {
			// Keep the best entries, popped in order and pushed again, as
			// the C++ builds its new agenda.
			keep := min(minAgendaSize, n*10)
			next := heap{hyps: &hyps}
			for range keep {
				next.push(agenda.pop())
			}
			agenda = next
		}
	}
	return out
}

// heap is a max-heap of hypotheses by fx whose every move is that of
// libstdc++'s std::push_heap and std::pop_heap, so that hypotheses of equal
// fx leave it in the C++'s order.
type heap struct {
	hyps  *[]hypothesis
	items []int32
}

func (h *heap) less(a, b int32) bool { return (*h.hyps)[a].fx < (*h.hyps)[b].fx }

// push is std::push_heap after a push_back (libstdc++'s __push_heap).
func (h *heap) push(x int32) {
	h.items = append(h.items, x)
	h.siftUp(len(h.items)-1, 0, x)
}

// siftUp is libstdc++'s __push_heap: the hole moves up while its parent is
// less than x.
func (h *heap) siftUp(hole, top int, x int32) {
	parent := (hole - 1) / 2
	for hole > top && h.less(h.items[parent], x) {
		h.items[hole] = h.items[parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	h.items[hole] = x
}

// pop is std::pop_heap and a pop_back: the last item fills the hole that
// libstdc++'s __adjust_heap walks down from the root to a leaf, choosing
// the right child unless it is less than the left, and is then sifted up.
func (h *heap) pop() int32 {
	top := h.items[0]
	last := len(h.items) - 1
	if last > 0 {
		x := h.items[last]
		h.items[last] = top
		n := last // the heap's length once the top is out
		hole, child := 0, 0
		for child < (n-1)/2 {
			child = 2 * (child + 1)
			if h.less(h.items[child], h.items[child-1]) {
				child--
			}
			h.items[hole] = h.items[child]
			hole = child
		}
		if n&1 == 0 && child == (n-2)/2 {
			child = 2 * (child + 1)
			h.items[hole] = h.items[child-1]
			hole = child - 1
		}
		h.siftUp(hole, 0, x)
	}
	h.items = h.items[:last]
	return top
}
