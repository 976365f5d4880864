package bpe

import (
	"slices"
)

// agenda orders the pairs that segment may merge, best first. A pair's key
// is scoreKey(score)<<32 | left symbol, so that equal scores go leftmost
// first as in the C++ queue, and a symbol has one key at most: that of the
// pair it now makes with the next symbol. The C++ leaves the pairs that
// merges made stale in its queue and skips them; holding only live pairs
// pops them in the same order.
//
// Short segments use a 4-ary heap. Long ones use a levelQueue: when every
// merge makes pairs that score below the one merged, as in any model the
// SentencePiece trainer makes (a piece is learnt after its parts), it
// takes the pairs score by score, each score's left to right, in constant
// time a pair and sequential memory, where a heap of a million keys misses
// the cache at every level. Should a pair come that the sweep has passed,
// the live keys move to the heap, which takes any order.
type agenda struct {
	heap      pairHeap
	levels    levelQueue
	useLevels bool
}

// levelMin is the number of symbols from which the levelQueue is used; a
// variable so that tests can make every segment use it.
var levelMin = 1024

func (a *agenda) reset(symbols int) {
	a.useLevels = symbols >= levelMin
	if a.useLevels {
		a.levels.reset(symbols)
	} else {
		a.heap.reset(symbols)
	}
}

// set gives key's symbol that key.
func (a *agenda) set(key uint64) {
	if !a.useLevels {
		a.heap.set(key)
		return
	}
	if a.levels.push(key) {
		return
	}
	a.useLevels = false
	a.heap.reset(len(a.levels.cur))
	for sym := range a.levels.cur {
		if k, ok := a.levels.key(int32(sym)); ok {
			a.heap.set(k)
		}
	}
	a.heap.set(key)
}

// remove takes symbol sym's key away, if it has one.
func (a *agenda) remove(sym int32) {
	if a.useLevels {
		a.levels.cur[sym] = noLevel
	} else {
		a.heap.remove(sym)
	}
}

// best returns the symbol whose key is the smallest, or -1 when no symbol
// has one. The caller then sets or removes that symbol's key.
func (a *agenda) best() int32 {
	if a.useLevels {
		return a.levels.pop()
	}
	if len(a.heap.keys) == 0 {
		return -1
	}
	return int32(uint32(a.heap.keys[0]))
}

// levelQueue is a monotone priority queue of the symbols' keys. It sweeps
// the pairs of one score, its level, left to right, then the next best
// score's, which waited in a list of their own; a pair of the level being
// swept or a better one cannot be taken.
//
// Lists are not searched when a symbol's key changes: the symbol is listed
// again under its new score, and an entry whose symbol's key is no longer
// of its level is dropped when it comes up.
type levelQueue struct {
	swept   bool   // level and at are set
	level   uint32 // the score key swept
	run     []int32
	at      int      // run[at:] are still to come
	cur     []uint32 // by symbol: the level of its key, or noLevel
	waiting []uint32 // a binary heap of the score keys that have lists
	lists   levelLists
}

// noLevel marks a symbol without a key in cur. A key of that level, which
// only a NaN score gives, goes to the heap.
const noLevel = ^uint32(0)

func (q *levelQueue) reset(symbols int) {
	q.swept, q.run, q.at = false, q.run[:0], 0
	q.cur = slices.Grow(q.cur[:0], symbols)[:symbols]
	for i := range q.cur {
		q.cur[i] = noLevel
	}
	q.waiting = q.waiting[:0]
	q.lists.reset()
}

// key returns symbol sym's key and whether it has one.
func (q *levelQueue) key(sym int32) (uint64, bool) {
	l := q.cur[sym]
	return uint64(l)<<32 | uint64(uint32(sym)), l != noLevel
}

// push gives key's symbol that key, or reports false if the sweep has
// passed key, which the queue then cannot hold.
func (q *levelQueue) push(key uint64) bool {
	level, sym := uint32(key>>32), int32(uint32(key))
	if k, ok := q.key(sym); ok && k == key {
		return true
	}
	// The run being swept is sorted and partly gone: a key of its level
	// cannot join it.
	if q.swept && level <= q.level || level == noLevel {
		return false
	}
	q.cur[sym] = level
	if q.lists.add(level, sym) {
		q.wait(level)
	}
	return true
}

// pop takes the smallest key off and returns its symbol, or -1.
func (q *levelQueue) pop() int32 {
	for {
		for q.at < len(q.run) {
			sym := q.run[q.at]
			q.at++
			if q.cur[sym] == q.level {
				q.cur[sym] = noLevel
				return sym
			}
		}
		if len(q.waiting) == 0 {
			return -1
		}
		q.level = q.next()
		q.lists.recycle(q.run)
		q.run, q.at, q.swept = q.lists.take(q.level), 0, true
		// Merging sweeps left to right, so lists are mostly in order
		// already.
		slices.Sort(q.run)
	}
}

// wait puts level on the waiting heap.
func (q *levelQueue) wait(level uint32) {
	h := append(q.waiting, level)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p] <= h[i] {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	q.waiting = h
}

// next takes the best level off the waiting heap.
func (q *levelQueue) next() uint32 {
	h := q.waiting
	level := h[0]
	h[0] = h[len(h)-1]
	h = h[:len(h)-1]
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && h[c+1] < h[c] {
			c++
		}
		if h[i] <= h[c] {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	q.waiting = h
	return level
}

// levelLists holds a list of symbols for each waiting level, and spent
// lists for reuse.
type levelLists struct {
	index map[uint32]int // level -> index in lists
	lists [][]int32
	spare [][]int32
}

func (m *levelLists) reset() {
	if m.index == nil {
		m.index = make(map[uint32]int)
	}
	clear(m.index)
	for _, l := range m.lists {
		m.recycle(l)
	}
	m.lists = m.lists[:0]
}

// add appends sym to level's list, and reports whether it made the list.
func (m *levelLists) add(level uint32, sym int32) bool {
	if k, ok := m.index[level]; ok {
		m.lists[k] = append(m.lists[k], sym)
		return false
	}
	var l []int32
	if n := len(m.spare); n > 0 {
		l, m.spare = m.spare[n-1], m.spare[:n-1]
	}
	m.index[level] = len(m.lists)
	m.lists = append(m.lists, append(l, sym))
	return true
}

// take removes level's list and returns it.
func (m *levelLists) take(level uint32) []int32 {
	k := m.index[level]
	delete(m.index, level)
	l := m.lists[k]
	m.lists[k] = nil
	return l
}

func (m *levelLists) recycle(l []int32) {
	if cap(l) > 0 {
		m.spare = append(m.spare, l[:0])
	}
}

// pairHeap is a 4-ary heap of keys that knows where each symbol's key is:
// four children side by side cost fewer cache misses than two levels of a
// binary heap.
type pairHeap struct {
	keys []uint64
	pos  []int32 // by symbol: index in keys, or -1
}

func (h *pairHeap) reset(symbols int) {
	h.keys = slices.Grow(h.keys[:0], symbols)
	h.pos = slices.Grow(h.pos[:0], symbols)[:symbols]
	for i := range h.pos {
		h.pos[i] = -1
	}
}

// set puts key on the heap, replacing its symbol's key if it has one.
func (h *pairHeap) set(key uint64) {
	sym := int32(uint32(key))
	i := h.pos[sym]
	if i < 0 {
		h.keys = append(h.keys, key)
		h.up(len(h.keys)-1, key)
		return
	}
	if key < h.keys[i] {
		h.up(int(i), key)
	} else {
		h.down(int(i), key)
	}
}

// remove takes symbol sym's key off the heap, if it is there.
func (h *pairHeap) remove(sym int32) {
	i := h.pos[sym]
	if i < 0 {
		return
	}
	h.pos[sym] = -1
	last := h.keys[len(h.keys)-1]
	h.keys = h.keys[:len(h.keys)-1]
	if int(i) == len(h.keys) {
		return
	}
	if last < h.keys[i] {
		h.up(int(i), last)
	} else {
		h.down(int(i), last)
	}
}

// up places key at index i or above it.
func (h *pairHeap) up(i int, key uint64) {
	for i > 0 {
		parent := (i - 1) / 4
		if h.keys[parent] <= key {
			break
		}
		h.place(i, h.keys[parent])
		i = parent
	}
	h.place(i, key)
}

// down places key at index i or below it.
func (h *pairHeap) down(i int, key uint64) {
	n := len(h.keys)
	for {
		first := 4*i + 1
		if first >= n {
			break
		}
		best := first
		for c := first + 1; c < min(first+4, n); c++ {
			if h.keys[c] < h.keys[best] {
				best = c
			}
		}
		if h.keys[best] >= key {
			break
		}
		h.place(i, h.keys[best])
		i = best
	}
	h.place(i, key)
}

func (h *pairHeap) place(i int, key uint64) {
	h.keys[i] = key
	h.pos[int32(uint32(key))] = int32(i)
}
