package unigram

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// trie is a double-array trie over the pieces that segmentation may use, the
// counterpart of the Darts::DoubleArray that unigram::Model::BuildTrie
// builds. A state s moves on byte c to t = units[s].base&offMask + c when
// units[t].label == c: no two states share a base, so the label tells a
// child of s from a child of another state, as in Darts. The piece flag of
// units[t].base says that the path to t spells a piece, whose id and score
// units[t] also holds: the step that reaches a piece's end reads them from
// the same cache line (in a separate array they cost more cache misses
// than the denser steps save). A step that meets no piece thus compares
// the byte it read and carries one base: it is the Viterbi's innermost
// loop.
//
// Where only one piece lies below a state, the rest of it is a tail (as in
// Darts' and MARISA's tails) rather than a chain of states: the state's
// base is o with the tail flag, and tails[o] is the rest's length n,
// followed by its n bytes; units[s] holds that piece's id and score. Tails hold most of a large
// vocabulary's bytes, so they keep the units few (and the trie in cache)
// and spare the builder most placements.
//
// The trie enumerates the pieces that are prefixes of a text in order of
// length, as Darts' traverse and commonPrefixSearch do; Encode does not
// depend on that order, the lattice of NBest and Sample does.
type trie struct {
	units []unit
	tails []byte
	// heads holds, for each character of one to three bytes, the unit
	// of the state its bytes lead to from the root where that state is
	// a piece's end (and no tail's start) and no state before it is, or
	// else 0: where the character alone is no piece, or its walk goes a
	// byte at a time.
	heads *[headsLen]uint32
}

type unit struct {
	base  uint32 // the children's base or the tail's offset, and the flags
	label int32  // the byte that leads to the state, free if it is none
	pieceInfo
}

// The flags of unit.base: a piece ends at the state, or the state's base
// is a tail's offset (never both). offMask clears them.
const (
	pieceFlag = 1 << 30
	tailFlag  = 1 << 31
	offMask   = pieceFlag - 1
)

// free is the label of a unit that is no state, rootLabel the root's.
const (
	free      = -1
	rootLabel = 256
)

// pieceInfo is the piece a state spells.
type pieceInfo struct {
	id    int32
	score float32
}

// trieKey is a piece to be put in the trie: its bytes are text[off:off+n]
// of the text the keys share, which holds no pointers for the garbage
// collector to scan and keeps the keys' bytes close together.
type trieKey struct {
	off   uint32
	n     int32
	id    int32
	score float32
}

// newTrie builds the trie of keys, whose bytes are in text. Of equal keys
// the first is kept. No key holds a NUL byte: Darts' keys are C strings.
//
// Each state's keys are ordered by their byte at the state's depth as the
// state is built (a most-significant-digit radix sort, stable), which is
// cheaper than sorting the keys first. A state's keys are in bufs[0] or
// bufs[1], whichever the sort of its parent's left them in. Below a state
// with few keys, small sorts them whole once instead.
func newTrie(keys []trieKey, text []byte) *trie {
	bufs := [2][]trieKey{keys, make([]trieKey, len(keys))}
	at := make([]byte, len(keys))
	// With tails, a large vocabulary's trie has fewer than two units per
	// key (131,072 keys take 218,249); what is allocated past them is
	// cleared for nothing.
	size := 512 + 2*len(keys)
	b := &trieBuilder{
		units: make([]unit, 0, size),
		fails: make([]uint8, 0, size),
		// The tails hold about three bytes per key (390,820 for 131,072).
		tails: make([]byte, 0, 4*len(keys)),
		end:   256 + 1,
		text:  text,
	}
	b.grow(size)
	b.units[0].label = rootLabel
	b.use(0)
	// Jobs are written and read a field at a time: a job copied whole is
	// loaded 16 bytes at a time just after its fields were stored one by
	// one, and such a load waits until the stores reach the cache.
	//
	// A job's keys are sorted by their byte at depth already where it has
	// groups, pairs.groups[from:to]: the bytes and where their keys start.
	type job struct {
		lo, hi                      int
		state, depth, buf, from, to int32
	}
	stack := []job{{0, len(keys), 0, 0, 0, 0, 0}}
	var labels [256]byte
	var starts [257]int
	var pairs *pairSorter
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		j := job{lo: top.lo, hi: top.hi, state: top.state, depth: top.depth, buf: top.buf, from: top.from, to: top.to}
		stack = stack[:len(stack)-1]
		if j.lo == j.hi {
			continue // no keys at all
		}
		if n := j.hi - j.lo; n > 1 && n <= smallKeys {
			b.small(bufs[j.buf][j.lo:j.hi], bufs[1-j.buf][j.lo:j.hi], j.state, int(j.depth))
			continue
		}
		if j.to-j.from == 1 && j.hi-j.lo > 1 {
			// One group: the keys share their byte.
			if c := pairs.groups[j.from].label; c != 0 {
				j.state, j.depth, j.to = b.child(j.state, c), j.depth+1, j.from
			}
		}
		// Where all the keys go on with the same byte, the state has one
		// child, built at once: about half the states with several keys.
		for j.to == j.from && (j.hi-j.lo > 1 || j.state == 0) {
			c, ok := sharedByte(bufs[j.buf][j.lo:j.hi], text, int(j.depth))
			if !ok {
				break
			}
			j.state, j.depth = b.child(j.state, c), j.depth+1
		}
		if j.hi-j.lo == 1 && j.state != 0 {
			b.lone(bufs[j.buf][j.lo], j.state, int(j.depth))
			continue
		}
		// labels are the bytes at depth, starts where each one's keys
		// start (and the end), after the keys that end here.
		var n int
		sub := -1 // the children's first in pairs.child, if sorted by pairs
		switch {
		case j.to != j.from:
			n = pairs.labels(j.from, j.to, j.lo, j.hi, &labels, &starts)
		case j.hi-j.lo >= pairKeys:
			if pairs == nil {
				pairs = &pairSorter{pairs: make([]uint16, len(keys)), count: make([]int32, 1<<16)}
			}
			sub = len(pairs.child)
			n = pairs.sort(bufs[j.buf][j.lo:j.hi], bufs[1-j.buf][j.lo:j.hi], text, int(j.depth), j.lo, &labels, &starts)
			j.buf = 1 - j.buf
		default:
			n = sortAt(bufs[j.buf][j.lo:j.hi], bufs[1-j.buf][j.lo:j.hi], at[j.lo:j.hi], text, int(j.depth), &labels, &starts)
			j.buf = 1 - j.buf
		}
		if starts[0] > 0 {
			k := bufs[j.buf][j.lo]
			b.units[j.state].base = pieceFlag
			b.units[j.state].pieceInfo = pieceInfo{k.id, k.score}
		}
		if n == 0 {
			continue
		}
		base := b.children(j.state, labels[:n])
		// Children in reverse so that the stack builds them in key order,
		// which keeps related states close together.
		for k := n - 1; k >= 0; k-- {
			stack = append(stack, job{})
			c := &stack[len(stack)-1]
			c.lo, c.hi, c.state, c.depth, c.buf = j.lo+starts[k], j.lo+starts[k+1], base+int32(labels[k]), j.depth+1, j.buf
			if sub >= 0 {
				c.from, c.to = pairs.child[sub+k], pairs.child[sub+k+1]
			}
		}
	}
	// Every transition from a state of the trie lands inside the array.
	end := max(b.end, int(b.maxBase)+256)
	b.grow(end)
	// Eight bytes past the tails, so that run may read a word from where
	// any tail starts.
	t := &trie{units: b.units[:end], tails: append(b.tails, make([]byte, 8)...)}
	t.heads = t.newHeads()
	return t
}

// smallKeys is the most keys below a state that small builds: for 8 to 16
// it costs about as much, for 32 more.
const smallKeys = 16

// small builds the state s at depth and the states below it, where keys,
// two to smallKeys, lie: it sorts them whole into dst, of the same length,
// then builds the states from the common prefixes of neighbours, in the
// order that newTrie's loop would, which sorts the keys a byte at a time.
func (b *trieBuilder) small(keys, dst []trieKey, s int32, depth int) {
	// The keys are compared by their next 8 bytes (word), big-endian,
	// zeros past the end, and by the rest only where those are equal:
	// sorted by the words first, in a loop that calls nothing, then, if
	// two are equal, again by the rest. They are sorted by their indices,
	// then moved once, into dst.
	text := b.text
	var w [smallKeys]uint64
	var ix [smallKeys]uint8
	for i, k := range keys {
		w[i], ix[i] = keyWord(text, k, depth), uint8(i)
	}
	equal := false
	for i := 1; i < len(keys); i++ {
		x, k := w[i], ix[i]
		j := i
		for ; j > 0 && w[j-1] > x; j-- {
			w[j], ix[j] = w[j-1], ix[j-1]
		}
		w[j], ix[j] = x, k
		equal = equal || j > 0 && w[j-1] == x
	}
	if equal {
		// Keys of the same word, in their order so far, by the rest.
		for i := 1; i < len(keys); i++ {
			k := ix[i]
			j := i
			for ; j > 0 && w[j-1] == w[i] && b.after(keys[ix[j-1]], keys[k], depth+8); j-- {
				ix[j] = ix[j-1]
			}
			ix[j] = k
		}
	}
	dst = dst[:len(keys)]
	for i, k := range ix[:len(keys)] {
		dst[i] = keys[k]
	}
	keys = dst
	var lcp [smallKeys]int32
	for i := 1; i < len(keys); i++ {
		if x := w[i-1] ^ w[i]; x != 0 {
			lcp[i] = int32(depth + bits.LeadingZeros64(x)/8)
		} else if a, c := keys[i-1], keys[i]; int(c.n) <= depth+8 {
			lcp[i] = c.n // equal keys
		} else {
			lcp[i] = int32(depth + 8 + commonPrefix(text[int(a.off)+depth+8:a.off+uint32(a.n)], text[int(c.off)+depth+8:c.off+uint32(c.n)]))
		}
	}
	b.sorted(keys, lcp[:len(keys)], s, depth)
}

// after reports whether key a comes after key c, whose bytes before depth
// are equal.
func (b *trieBuilder) after(a, c trieKey, depth int) bool {
	if int(a.n) <= depth || int(c.n) <= depth {
		return int(a.n) > int(c.n)
	}
	return string(b.text[int(a.off)+depth:a.off+uint32(a.n)]) > string(b.text[int(c.off)+depth:c.off+uint32(c.n)])
}

// keyWord returns the 8 bytes of k from depth on, big-endian, zeros past
// its end.
func keyWord(text []byte, k trieKey, depth int) uint64 {
	n := min(int(k.n)-depth, 8)
	i := int(k.off) + depth
	var x uint64
	if i+8 <= len(text) {
		x = binary.BigEndian.Uint64(text[i:])
	} else {
		for j := range n {
			x |= uint64(text[i+j]) << (56 - 8*j)
		}
	}
	return x &^ (^uint64(0) >> (8 * n))
}

// sorted builds the state s at depth and the states below it, where
// keys, sorted, at least two, lie; lcp[i] is the length of the common
// prefix of keys[i-1] and keys[i].
func (b *trieBuilder) sorted(keys []trieKey, lcp []int32, s int32, depth int) {
	// The keys' common prefix ends at the least common prefix of
	// neighbours; states with one child each lead there.
	shared := lcp[1]
	for _, n := range lcp[2:] {
		shared = min(shared, n)
	}
	text := b.text
	k := keys[0]
	for ; depth < int(shared); depth++ {
		s = b.child(s, text[int(k.off)+depth])
	}
	// The keys that end here come first, all equal: the first is kept.
	i := 0
	if int(k.n) == depth {
		b.units[s].base = pieceFlag
		b.units[s].pieceInfo = pieceInfo{k.id, k.score}
		for i = 1; i < len(keys) && int(keys[i].n) == depth; i++ {
		}
		if i == len(keys) {
			return
		}
	}
	// The children's keys start at i and wherever the common prefix with
	// the key before is no longer.
	var starts [smallKeys + 1]int8
	var labels [smallKeys]byte
	starts[0], labels[0] = int8(i), text[int(keys[i].off)+depth]
	n := 1
	for i++; i < len(keys); i++ {
		if int(lcp[i]) == depth {
			starts[n] = int8(i)
			labels[n] = text[int(keys[i].off)+depth]
			n++
		}
	}
	starts[n] = int8(len(keys))
	base := b.children(s, labels[:n])
	for c := range n {
		lo, hi, t := int(starts[c]), int(starts[c+1]), base+int32(labels[c])
		if hi-lo == 1 {
			b.lone(keys[lo], t, depth+1)
		} else {
			b.sorted(keys[lo:hi], lcp[lo:hi], t, depth+1)
		}
	}
}

// commonPrefix returns the length of the common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for ; i < n && a[i] == b[i]; i++ {
	}
	return i
}

// children places the children of state s, on labels, and returns their
// base.
func (b *trieBuilder) children(s int32, labels []byte) int32 {
	base := b.place(labels)
	// In locals, b's fields are not loaded again after each store.
	units, listed := b.units, b.listed
	units[s].base |= uint32(base)
	for _, c := range labels {
		t := base + int32(c)
		units[t].label = int32(c)
		unlist(listed, t)
	}
	return base
}

// child places the only child of state s, on c, and returns it: children
// for one label, written out, since calling children here (it is too big
// to inline) costs New on the big model 0.9% more instructions.
func (b *trieBuilder) child(s int32, c byte) int32 {
	b.one[0] = c
	base := b.place(b.one[:])
	b.units[s].base = uint32(base)
	t := base + int32(c)
	b.units[t].label = int32(c)
	b.use(t)
	return t
}

// lone builds the state s at depth, below which lies k alone: the rest of
// k is a tail, after a chain of states with one child each for what a
// tail's length byte cannot hold.
func (b *trieBuilder) lone(k trieKey, s int32, depth int) {
	text, n := b.text, int(k.n)
	for ; n-depth > maxTail; depth++ {
		s = b.child(s, text[int(k.off)+depth])
	}
	// The unit is written before the tail, so that little is live across
	// the copy.
	u := &b.units[s]
	u.pieceInfo = pieceInfo{k.id, k.score}
	if depth == n {
		u.base = pieceFlag
		return
	}
	tails, t, i, m := b.tails, len(b.tails), int(k.off)+depth, n-depth
	u.base = uint32(t) | tailFlag
	if m <= 16 && i+16 <= len(text) && t+17 <= cap(tails) {
		// Most tails are short: their bytes are copied as two words,
		// without a call, into the tails' spare capacity, where the
		// next tail or the padding overwrites what lies past them.
		w := tails[t : t+17]
		w[0] = byte(m)
		binary.LittleEndian.PutUint64(w[1:], binary.LittleEndian.Uint64(text[i:]))
		binary.LittleEndian.PutUint64(w[9:], binary.LittleEndian.Uint64(text[i+8:]))
		b.tails = tails[:t+1+m]
		return
	}
	b.tails = append(append(tails, byte(m)), text[i:i+m]...)
}

// The heads of three-byte characters come first, by head3, then those of
// two-byte characters, by their 11 bits, then those of ASCII characters.
const (
	heads3   = 1 << 16
	heads2   = heads3 + 1<<11
	heads1   = heads2 + 1<<7
	headsLen = heads1
)

// head3 returns the index in trie.heads of the three-byte character whose
// bytes, first lowest, are x: its 16 bits gathered by one multiplication
// (a multiplier found by search, under which the 65,536 characters get
// distinct indices), which costs run fewer instructions than shifting
// them in place.
func head3(x uint32) uint16 {
	return uint16(uint64(x&0x3f3f0f) * head3Mul >> 48)
}

// head3Mul is head3's multiplier, head3Step the growth of its product
// with a character's last byte.
const (
	head3Mul  = 1<<56 | 1<<46 | 1<<42
	head3Step = head3Mul << 16 & (1<<64 - 1)
)

// newHeads returns the trie's heads.
func (t *trie) newHeads() *[headsLen]uint32 {
	heads := new([headsLen]uint32)
	units := t.units
	// child returns the state that state s, neither a piece's end nor a
	// tail's start, leads to on c, or 0.
	child := func(s uint32, c uint32) uint32 {
		if u := units[s].base + c; units[u].label == int32(c) {
			return u
		}
		return 0
	}
	// walks reports whether the walk through s goes a byte at a time:
	// s is a piece's end or a tail's start.
	walks := func(s uint32) bool { return units[s].base >= pieceFlag }
	// head returns s if it is a piece's end and no tail's start, or 0.
	head := func(s uint32) uint32 {
		if units[s].base&^offMask != pieceFlag {
			return 0
		}
		return s
	}
	for c0 := uint32(1); c0 < 0x80; c0++ {
		heads[heads2+c0] = head(child(0, c0))
	}
	for c0 := uint32(0xc0); c0 < 0xf0; c0++ {
		s0 := child(0, c0)
		if s0 == 0 || walks(s0) {
			continue
		}
		if c0 < 0xe0 {
			lo := heads3 | (c0&0x1f)<<6
			for c1 := uint32(0x80); c1 < 0xc0; c1++ {
				heads[lo|c1&0x3f] = head(child(s0, c1))
			}
			continue
		}
		for c1 := uint32(0x80); c1 < 0xc0; c1++ {
			s1 := child(s0, c1)
			if s1 == 0 || walks(s1) {
				continue
			}
			// head3 of c0, c1, c2 in turn: the product grows by the
			// multiplier << 16 with each c2.
			p := uint64(c0&0x0f|(c1&0x3f)<<8) * head3Mul
			for c2 := uint32(0x80); c2 < 0xc0; c2++ {
				heads[uint16(p>>48)] = head(child(s1, c2))
				p += head3Step
			}
		}
	}
	return heads
}

// maxTail is the longest tail.
const maxTail = 255

// prefixes calls yield with the end and the piece of each piece that
// text[start:] starts with, shortest first, as Darts' traverse finds them
// a byte at a time. (Model.forward walks the trie the same way, fused
// with its Viterbi.)
func (t *trie) prefixes(text []byte, start int, yield func(end int, info pieceInfo)) {
	units := t.units
	base := units[0].base
	for end := start; end < len(text); {
		b := text[end]
		u := base + uint32(b)
		if units[u].label != int32(b) {
			return
		}
		base = units[u].base
		end++
		if base < pieceFlag {
			continue
		}
		info := units[u].pieceInfo
		info.id &^= userBit
		if base&tailFlag != 0 {
			// A tail: its piece is the last one here.
			if k := t.tail(base&offMask, text[end:]); k > 0 {
				yield(end+k, info)
			}
			return
		}
		base &= offMask
		yield(end, info)
	}
}

// tail returns the length of the tail at o if text starts with it, or 0.
func (t *trie) tail(o uint32, text []byte) int {
	n := int(t.tails[o])
	if len(text) < n || string(text[:n]) != string(t.tails[o+1:int(o)+1+n]) {
		return 0
	}
	return n
}

// sharedByte returns the byte at depth of keys, whose bytes are in text,
// if they all have the same one there.
func sharedByte(keys []trieKey, text []byte, depth int) (byte, bool) {
	c := byteAt(text, keys[0], depth)
	if c == 0 {
		return 0, false
	}
	for _, k := range keys[1:] {
		if byteAt(text, k, depth) != c {
			return 0, false
		}
	}
	return c, true
}

// byteAt is the sort key of k, whose bytes are in text, at depth: its byte
// there, or 0 where it ends (keys hold no NUL byte).
func byteAt(text []byte, k trieKey, depth int) byte {
	if int(k.n) == depth {
		return 0
	}
	return text[int(k.off)+depth]
}

// sortAt sorts keys, whose bytes are in text, stably by their byte at
// depth, keys that end there first; every key is at least depth bytes long.
// It leaves them in dst; at is scratch of the same length. It writes to
// labels the bytes at depth, in order, and to starts the index of the
// first key with each, then len(keys), and returns how many bytes there
// are: starts[0] is the number of keys that end at depth.
//
// Each key's byte is read once into at, since reading it is a cache miss
// more often than not. The counts are a local array, not one passed in:
// its loops then test no pointer for nil and clear nothing after them.
// Nor does sortAt call anything (appending to labels and starts would),
// which would keep its values out of registers.
func sortAt(keys, dst []trieKey, at, text []byte, depth int, labels *[256]byte, starts *[257]int) int {
	dst, at = dst[:len(keys)], at[:len(keys)]
	// A counting sort, over the bytes present only (seen, by bit).
	var seen [4]uint64
	var count [256]int32
	for i, k := range keys {
		c := byteAt(text, k, depth)
		at[i] = c
		if count[c] == 0 {
			seen[c>>6] |= 1 << (c & 63)
		}
		count[c]++
	}
	sum, n := int32(0), 0
	for w, set := range seen {
		for set != 0 {
			c := w<<6 + bits.TrailingZeros64(set)
			set &= set - 1
			if c > 0 {
				labels[n&255] = byte(c)
				starts[n&255] = int(sum)
				n++
			}
			count[c], sum = sum, sum+count[c]
		}
	}
	for i, k := range keys {
		c := at[i]
		dst[count[c]] = k
		count[c]++
	}
	starts[n] = len(keys)
	return n
}

// pairKeys is the fewest keys below a state that newTrie sorts by their
// next two bytes at once (pairSorter): the states below a state with
// that many mostly have many keys too, which sortAt would sort again.
const pairKeys = 4096

// A pairSorter sorts keys by the two bytes at a depth, with a count of
// each pair, and keeps the groups of the keys below each child.
type pairSorter struct {
	pairs []uint16 // scratch: each key's pair
	count []int32  // by pair, all zero between sorts
	seen  [1 << 16 / 64]uint64
	// groups holds, for the children of the states sorted, the bytes
	// after the children's and where their keys start (the keys that
	// end at a child, with 0); child[i] is where the groups of the i-th
	// child start, and where those of the one before end.
	groups []group
	child  []int32
}

type group struct {
	label byte
	start int32
}

// sort is sortAt, sorting keys (keys[lo:] of newTrie's) by the byte at
// depth and then the one after. It appends to child where the groups of
// each of the n children it returns start, then where the last one's end.
func (p *pairSorter) sort(keys, dst []trieKey, text []byte, depth, lo int, labels *[256]byte, starts *[257]int) int {
	dst = dst[:len(keys)]
	pairs, count, seen := p.pairs[:len(keys)], p.count[:1<<16], &p.seen
	for i, k := range keys {
		var c uint16
		if r, at := int(k.n)-depth, int(k.off)+depth; r >= 2 {
			c = binary.BigEndian.Uint16(text[at:])
		} else if r == 1 {
			c = uint16(text[at]) << 8
		}
		pairs[i] = c
		if count[c] == 0 {
			seen[c>>6] |= 1 << (c & 63)
		}
		count[c]++
	}
	sum, n, last := int32(0), 0, 0
	for w, set := range seen {
		for set != 0 {
			c := w<<6 + bits.TrailingZeros64(set)
			set &= set - 1
			if c>>8 != 0 {
				if c>>8 != last {
					last = c >> 8
					labels[n&255] = byte(last)
					starts[n&255] = int(sum)
					n++
					p.child = append(p.child, int32(len(p.groups)))
				}
				p.groups = append(p.groups, group{byte(c), int32(lo) + sum})
			}
			count[c], sum = sum, sum+count[c]
		}
	}
	p.child = append(p.child, int32(len(p.groups)))
	for i, k := range keys {
		c := pairs[i]
		dst[count[c]] = k
		count[c]++
	}
	// The counts are cleared for the next sort.
	for w, set := range seen {
		for set != 0 {
			count[w<<6+bits.TrailingZeros64(set)] = 0
			set &= set - 1
		}
		seen[w] = 0
	}
	starts[n] = len(keys)
	return n
}

// labels is sortAt for the keys lo to hi of groups[from:to].
func (p *pairSorter) labels(from, to int32, lo, hi int, labels *[256]byte, starts *[257]int) int {
	n := 0
	for _, g := range p.groups[from:to] {
		if g.label != 0 {
			labels[n&255] = g.label
			starts[n&255] = int(g.start) - lo
			n++
		}
	}
	starts[n] = hi - lo
	return n
}

type trieBuilder struct {
	units []unit
	tails []byte
	text  []byte // the keys' bytes
	one   [1]byte
	// listed holds a bit for each free unit that place may still try for
	// a first label: place tries them in increasing order, from head, the
	// lowest. A unit at head that failed too often leaves for good: it
	// stays free, as in Darts. Bitmaps touch less memory than a free list
	// of links would.
	listed []uint64
	fails  []uint8
	head   int32
	// taken holds a bit for each base a state has: no two may share one.
	taken   []uint64
	maxBase int32 // the largest base taken
	// end is the number of units the trie has opened, as if it opened
	// them as it needs them; the array runs past it, its units free and
	// listed, and grows a block at a time.
	end int
}

// maxFails is how many placements may fail on a free unit before the
// search stops starting there.
const maxFails = 16

// grow makes the array n units long at least.
func (b *trieBuilder) grow(n int) {
	old := len(b.units)
	if n <= old {
		return
	}
	// A quarter more at least, so that growing costs amortized constant
	// time per unit.
	n = max(n, old+old/4)
	b.units = slices.Grow(b.units, n-old)[:n]
	b.fails = slices.Grow(b.fails, n-old)[:n]
	// The new units are free: the first is written, then copied in
	// blocks that double.
	fresh := b.units[old:n]
	fresh[0] = unit{label: free}
	for k := 1; k < len(fresh); k *= 2 {
		copy(fresh[k:], fresh[:k])
	}
	words := (n + 63) / 64
	b.listed = append(b.listed, make([]uint64, words-len(b.listed))...)
	b.taken = append(b.taken, make([]uint64, words-len(b.taken))...)
	for i := uint(old); i < uint(n); {
		// The bits of units i up to n in i's word.
		w, lo := i/64, i%64
		hi := min(64, uint(n)-w*64)
		b.listed[w] |= (1<<(hi-lo) - 1) << lo
		i = w*64 + hi
	}
}

// use takes unit i off the list.
func (b *trieBuilder) use(i int32) { unlist(b.listed, i) }

// unlist clears the bit of unit i in listed.
func unlist(listed []uint64, i int32) {
	listed[uint32(i)/64] &^= 1 << (uint32(i) % 64)
}

// next returns the first listed unit from i on, or -1.
func (b *trieBuilder) next(i int32) int32 {
	listed := b.listed
	w := uint(i) / 64
	if w >= uint(len(listed)) {
		return -1
	}
	set := listed[w] >> (uint(i) % 64) << (uint(i) % 64)
	for set == 0 {
		if w++; w >= uint(len(listed)) {
			return -1
		}
		set = listed[w]
	}
	return int32(w*64 + uint(bits.TrailingZeros64(set)))
}

// place finds a base that no state has yet, at which every label lands on
// a free unit, trying the listed units in order for the first label.
func (b *trieBuilder) place(labels []byte) int32 {
	h := b.next(b.head)
	for h >= 0 && b.fails[h] >= maxFails {
		b.use(h)
		h = b.next(h)
	}
	b.head = h
	first := int32(labels[0])
	units, fails, taken := b.units, b.fails, b.taken
	for f := h; ; f = b.next(f + 1) {
		if f < 0 {
			// Every unit of the array failed: lengthen it.
			f = int32(len(units))
			b.grow(len(units) + 256)
			units, fails, taken = b.units, b.fails, b.taken
		}
		if int(f) >= b.end {
			// Every unit opened failed: open new ones.
			b.end = int(f) + 256
		}
		if base := f - first; base >= 1 {
			if int(base)+256 > b.end {
				b.end = int(base) + 256
				if b.end > len(units) {
					b.grow(b.end)
					units, fails, taken = b.units, b.fails, b.taken
				}
			}
			if taken[uint32(base)/64]&(1<<(uint32(base)%64)) == 0 {
				i := 1
				for i < len(labels) && units[base+int32(labels[i])].label == free {
					i++
				}
				if i == len(labels) {
					taken[uint32(base)/64] |= 1 << (uint32(base) % 64)
					b.maxBase = max(b.maxBase, base)
					return base
				}
			}
		}
		if fails[f] < maxFails {
			fails[f]++
		}
	}
}
