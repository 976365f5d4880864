package bpe

import (
	"container/heap"
	"math/rand/v2"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/utf8x"
)

// Dropout segments the normalized text s under rules r, which NewRules
// made, with BPE-dropout, as bpe::Model::SampleEncode does, and hands the
// pieces to out: the merges are made as Encode makes them, best first over
// the whole text, except that each one the agenda offers is dropped, for
// good, with probability alpha (never for alpha <= 0, always for alpha >=
// 1), drawn from rng. With alpha 0 it gives Encode's pieces.
//
// It is the C++'s plain algorithm, without Encode's speed tricks: sampling
// is for training, where a text is drawn from many times.
func (b *Model) Dropout(s []byte, r seg.Rules, alpha float32, rng *rand.Rand, out *seg.Sink) {
	rules := r.(*Rules)
	if len(s) == 0 {
		return
	}
	// The symbols: user-defined pieces, frozen, and single characters, as
	// the C++'s PrefixMatcher splits the text.
	var syms []dropSym
	for i := 0; i < len(s); {
		l, k := rules.matcher.Match(utf8x.String(s[i:]))
		sy := dropSym{start: int32(i), id: -1, frozen: l > 0}
		if l > 0 {
			sy.id = rules.matched[k]
		} else {
			l = min(int(utf8x.CharLen[s[i]>>4]), len(s)-i)
		}
		i += l
		sy.end = int32(i)
		sy.prev, sy.next = int32(len(syms))-1, int32(len(syms))+1
		syms = append(syms, sy)
	}
	syms[len(syms)-1].next = -1

	var agenda dropAgenda
	rev := map[string][2]string{}
	// add offers the pair of symbols l and r, if it makes an allowed piece.
	add := func(l, r int32) {
		if l < 0 || r < 0 || syms[l].frozen || syms[r].frozen {
			return
		}
		p := s[syms[l].start:syms[r].end]
		id := b.v.LookupBytes(p)
		if !rules.allowed(id) {
			return
		}
		heap.Push(&agenda, dropPair{left: l, right: r, rank: b.rank(id), size: int32(len(p)), id: id})
		if b.resegments(id, rules) {
			rev[string(p)] = [2]string{string(s[syms[l].start:syms[l].end]), string(s[syms[r].start:syms[r].end])}
		}
	}
	for i := int32(1); i < int32(len(syms)); i++ {
		add(i-1, i)
	}
	for agenda.Len() > 0 {
		top := heap.Pop(&agenda).(dropPair)
		left, right := &syms[top.left], &syms[top.right]
		// A pair whose symbols changed since it was offered is gone.
		if left.start == left.end || right.start == right.end || (left.end-left.start)+(right.end-right.start) != top.size {
			continue
		}
		if alpha > 0 && (alpha >= 1 || rng.Float64() < float64(alpha)) {
			continue
		}
		left.end, left.id, left.next = right.end, top.id, right.next
		if right.next >= 0 {
			syms[right.next].prev = top.left
		}
		right.start = right.end // empty
		add(left.prev, top.left)
		add(top.left, left.next)
	}
	var pieces []seg.Piece
	for i := int32(0); i != -1; i = syms[i].next {
		sy := &syms[i]
		p := s[sy.start:sy.end]
		id := b.pieceID(p, sy.id)
		pieces = b.resegment(p, id, rules, rev, pieces)
	}
	out.Replay(pieces, 0)
}

// dropSym is a symbol of Dropout: a span of the text and the id it merged
// into (or -1).
type dropSym struct {
	start, end int32
	prev, next int32
	id         int32
	frozen     bool
}

// dropPair is a merge on Dropout's agenda.
type dropPair struct {
	left, right int32
	rank        float32
	size        int32
	id          int32
}

// dropAgenda orders merges as the C++'s SymbolPairComparator does: the
// highest score first, then the leftmost.
type dropAgenda []dropPair

func (a dropAgenda) Len() int { return len(a) }
func (a dropAgenda) Less(i, j int) bool {
	return a[i].rank > a[j].rank || a[i].rank == a[j].rank && a[i].left < a[j].left
}
func (a dropAgenda) Swap(i, j int) { a[i], a[j] = a[j], a[i] }
func (a *dropAgenda) Push(x any)   { *a = append(*a, x.(dropPair)) }
func (a *dropAgenda) Pop() any {
	old := *a
	x := old[len(old)-1]
	*a = old[:len(old)-1]
	return x
}
