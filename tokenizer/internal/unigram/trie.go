package unigram

import "slices"

// trie is a double-array trie over the pieces that segmentation may use, the
// counterpart of the Darts::DoubleArray that unigram::Model::BuildTrie
// builds. A state s moves on byte c to t = units[s].base + c when
// units[t].check&checkMask == s; the sign bit of units[t].check says that
// the path to t spells a piece, whose id and score units[t] also holds:
// the step that reaches a piece's end reads them from the same cache line
// (in a separate array they cost a second cache miss in a large
// vocabulary's trie).
//
// Where only one piece lies below a state, the rest of it is a tail (as in
// Darts' and MARISA's tails) rather than a chain of states: the state's
// base is ^o, negative, and tails[o] is the rest's length n, followed by
// its n bytes; units[s] holds that piece's id and score. Tails hold most of a large
// vocabulary's bytes, so they keep the units few (and the trie in cache)
// and spare the builder most placements.
//
// The trie enumerates the pieces that are prefixes of a text in order of
// length, as Darts' traverse and commonPrefixSearch do; Encode does not
// depend on that order, the lattice of NBest and Sample does.
type trie struct {
	units []unit
	tails []byte
}

type unit struct {
	base  int32
	check int32 // the parent state, with the sign bit set where a piece ends
	pieceInfo
}

// checkMask clears the piece bit of unit.check.
const checkMask = 0x7fffffff

// pieceInfo is the piece a state spells.
type pieceInfo struct {
	id    int32
	score float32
}

// trieKey is a piece to be put in the trie: its bytes are text[off:off+n]
// of the text the keys share, which holds no pointers for the garbage
// collector to scan and keeps the keys' bytes close together.
type trieKey struct {
	off, n int32
	id     int32
	score  float32
}

// newTrie builds the trie of keys, whose bytes are in text. Of equal keys the first is kept.
//
// Each state's keys are ordered by their byte at the state's depth as the
// state is built (a most-significant-digit radix sort, stable), which is
// cheaper than sorting the keys first.
func newTrie(keys []trieKey, text []byte) *trie {
	tmp := make([]trieKey, len(keys))
	at := make([]int16, len(keys))
	// Shared prefixes leave about four states per key (and a few free units) in a large
	// vocabulary's trie: the arrays rarely grow past that.
	size := 512 + 5*len(keys)
	b := &trieBuilder{
		units: make([]unit, 0, size),
		links: make([]link, 0, size),
		fails: make([]uint8, 0, size),
	}
	b.grow(256 + 1)
	b.units[0].check = 0 // the root is its own parent, so no child claims it
	b.use(0)
	type job struct {
		state  int32
		depth  int
		lo, hi int
	}
	stack := []job{{0, 0, 0, len(keys)}}
	var labels []byte
	var starts []int
	for len(stack) > 0 {
		j := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if j.lo == j.hi {
			continue // no keys at all
		}
		if j.hi-j.lo == 1 && j.state != 0 {
			// The rest of a lone key is a tail, after a chain of states
			// with one child each for what a tail's length byte cannot
			// hold.
			k := keys[j.lo]
			key := text[k.off : k.off+k.n]
			s, d := j.state, j.depth
			for ; len(key)-d > maxTail; d++ {
				labels = append(labels[:0], key[d])
				base := b.place(labels)
				b.units[s].base = base
				t := base + int32(key[d])
				b.units[t].check = s
				b.use(t)
				s = t
			}
			if d < len(key) {
				b.units[s].base = ^int32(len(b.tails))
				b.tails = append(b.tails, byte(len(key)-d))
				b.tails = append(b.tails, key[d:]...)
			} else {
				b.units[s].check |= -1 << 31
			}
			b.units[s].pieceInfo = pieceInfo{k.id, k.score}
			continue
		}
		// labels are the bytes at depth, starts where each one's keys
		// start (and the end), after the keys that end here.
		labels, starts = sortAt(keys[j.lo:j.hi], tmp[j.lo:j.hi], at[j.lo:j.hi], text, j.depth, labels[:0], starts[:0])
		if starts[0] > 0 {
			k := keys[j.lo]
			b.units[j.state].check |= -1 << 31
			b.units[j.state].pieceInfo = pieceInfo{k.id, k.score}
		}
		if len(labels) == 0 {
			continue
		}
		base := b.place(labels)
		b.units[j.state].base = base
		for _, c := range labels {
			t := base + int32(c)
			b.units[t].check = j.state
			b.use(t)
		}
		// Children in reverse so that the stack builds them in key order,
		// which keeps related states close together.
		for k := len(labels) - 1; k >= 0; k-- {
			stack = append(stack, job{base + int32(labels[k]), j.depth + 1, j.lo + starts[k], j.lo + starts[k+1]})
		}
	}
	// Every transition from a state of the trie lands inside the array.
	need := 0
	for s := range b.units {
		if b.used(int32(s)) && int(b.units[s].base)+256 > need {
			need = int(b.units[s].base) + 256
		}
	}
	b.grow(need)
	return &trie{units: b.units, tails: b.tails}
}

// maxTail is the longest tail.
const maxTail = 255

// prefixes calls yield with the end and the piece of each piece that
// text[start:] starts with, shortest first.
func (t *trie) prefixes(text []byte, start int, yield func(end int, info pieceInfo)) {
	s := int32(0)
	for end := start; end < len(text); {
		u := t.units[s].base + int32(text[end])
		c := t.units[u].check
		if c&checkMask != s {
			return
		}
		s = u
		end++
		info := t.units[u].pieceInfo
		info.id &^= userBit
		if c < 0 {
			yield(end, info)
		} else if b := t.units[u].base; b < 0 {
			if n := t.tail(^b, text[end:]); n > 0 {
				yield(end+n, info)
			}
			return
		}
	}
}

// tail returns the length of the tail at o (a tail state's ^base) if text
// starts with it, or 0.
func (t *trie) tail(o int32, text []byte) int {
	n := int(t.tails[o])
	if len(text) < n || string(text[:n]) != string(t.tails[o+1:int(o)+1+n]) {
		return 0
	}
	return n
}

// byteAt is the sort key of k, whose bytes are in text, at depth: its byte
// there, or -1 where it ends.
func byteAt(text []byte, k trieKey, depth int) int {
	if int(k.n) == depth {
		return -1
	}
	return int(text[int(k.off)+depth])
}

// sortAt sorts keys, whose bytes are in text, stably by their byte at
// depth, keys that end there first; every key is at least depth bytes long.
// tmp and at are scratch of the same length. It appends to labels the
// bytes at depth, in order, and to starts the index of the first key with
// each, then len(keys): starts[0] is the number of keys that end at depth.
//
// Each key's byte is read once into at, since reading it is a cache miss
// more often than not.
func sortAt(keys, tmp []trieKey, at []int16, text []byte, depth int, labels []byte, starts []int) ([]byte, []int) {
	for i, k := range keys {
		at[i] = int16(byteAt(text, k, depth))
	}
	if len(keys) <= 32 {
		for i := 1; i < len(keys); i++ {
			k, c := keys[i], at[i]
			j := i
			for j > 0 && at[j-1] > c {
				keys[j], at[j] = keys[j-1], at[j-1]
				j--
			}
			keys[j], at[j] = k, c
		}
		last := int16(-1)
		for i, c := range at {
			if c != last {
				labels = append(labels, byte(c))
				starts = append(starts, i)
				last = c
			}
		}
		return labels, append(starts, len(keys))
	}
	var count [257]int
	for _, c := range at {
		count[c+1]++
	}
	sum := 0
	for c, n := range count {
		if c > 0 && n > 0 {
			labels = append(labels, byte(c-1))
			starts = append(starts, sum)
		}
		count[c] = sum
		sum += n
	}
	for i, k := range keys {
		c := at[i] + 1
		tmp[count[c]] = k
		count[c]++
	}
	copy(keys, tmp)
	return labels, append(starts, len(keys))
}

type trieBuilder struct {
	units []unit
	tails []byte
	// The free units form a list in increasing order (links, -1 at the
	// ends). place searches it from head, which skips free units that
	// failed too often: those stay free for good, as in Darts.
	links      []link
	fails      []uint8
	head, tail int32
}

// link is a free unit's neighbours in the free list.
type link struct{ next, prev int32 }

// used reports whether unit i is a state: a free unit's check is
// checkMask, the root's is 0 and every other state's is its parent.
func (b *trieBuilder) used(i int32) bool {
	return b.units[i].check != checkMask
}

// maxFails is how many placements may fail on a free unit before the
// search stops starting there; unlisted marks such a unit once it has left
// the list.
const (
	maxFails = 16
	unlisted = 255
)

func (b *trieBuilder) grow(n int) {
	if len(b.units) == 0 {
		b.head, b.tail = -1, -1
	}
	old := len(b.units)
	if n <= old {
		return
	}
	// Room for a quarter more at least, so that growing a block at a
	// time costs amortized constant time per unit.
	if n > cap(b.units) {
		c := max(n, cap(b.units)+cap(b.units)/4)
		b.units = slices.Grow(b.units, c-old)
		b.fails = slices.Grow(b.fails, c-old)
		b.links = slices.Grow(b.links, c-old)
	}
	b.units = b.units[:n]
	b.fails, b.links = b.fails[:n], b.links[:n]
	for i := int32(old); i < int32(n); i++ {
		b.units[i].check = checkMask
		// Append i to the free list.
		b.links[i] = link{-1, b.tail}
		if b.tail >= 0 {
			b.links[b.tail].next = i
		} else {
			b.head = i
		}
		b.tail = i
	}
}

// use takes unit i off the free list.
func (b *trieBuilder) use(i int32) {
	if b.fails[i] == unlisted {
		return
	}
	p, n := b.links[i].prev, b.links[i].next
	if p >= 0 {
		b.links[p].next = n
	} else {
		b.head = n
	}
	if n >= 0 {
		b.links[n].prev = p
	} else {
		b.tail = p
	}
}

// place finds a base at which every label lands on a free unit, trying the
// free units in order for the first label.
func (b *trieBuilder) place(labels []byte) int32 {
	for b.head >= 0 && b.fails[b.head] >= maxFails {
		i := b.head
		b.fails[i] = unlisted
		b.head = b.links[i].next
		if b.head >= 0 {
			b.links[b.head].prev = -1
		} else {
			b.tail = -1
		}
	}
	first := int32(labels[0])
	f := b.head
	for {
		if f < 0 {
			// Every free unit failed: open new ones.
			f = int32(len(b.units))
			b.grow(len(b.units) + 256)
		}
		base := f - first
		if base >= 1 {
			b.grow(int(base) + 256)
			ok := true
			for _, c := range labels[1:] {
				if b.used(base + int32(c)) {
					ok = false
					break
				}
			}
			if ok {
				return base
			}
		}
		if b.fails[f] < maxFails {
			b.fails[f]++
		}
		f = b.links[f].next
	}
}
