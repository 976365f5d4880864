package unigram

// trie is a double-array trie over the pieces that segmentation may use, the
// counterpart of the Darts::DoubleArray that unigram::Model::BuildTrie
// builds. A state s moves on byte c to t = units[s].base + c when
// units[t].check&checkMask == s; the sign bit of units[t].check says that
// the path to t spells a piece, whose id and score are info[t]. The units
// are 8 bytes so that more of a large vocabulary's trie stays in cache;
// info is read only where a piece ends.
//
// The trie enumerates the pieces that are prefixes of a text in order of
// length, as Darts' traverse and commonPrefixSearch do; Encode does not
// depend on that order, the lattice of NBest and Sample does.
type trie struct {
	units []unit
	info  []pieceInfo
}

type unit struct {
	base  int32
	check int32 // the parent state, with the sign bit set where a piece ends
}

// checkMask clears the piece bit of unit.check.
const checkMask = 0x7fffffff

// pieceInfo is the piece a state spells.
type pieceInfo struct {
	id    int32
	score float32
}

// trieKey is a piece to be put in the trie.
type trieKey struct {
	key   string
	id    int32
	score float32
}

// newTrie builds the trie of keys. Of equal keys the first is kept.
//
// Each state's keys are ordered by their byte at the state's depth as the
// state is built (a most-significant-digit radix sort, stable), which is
// cheaper than sorting the keys first.
func newTrie(keys []trieKey) *trie {
	tmp := make([]trieKey, len(keys))
	// A state per key byte at most, and the room transitions need: the
	// arrays rarely grow past that.
	size := 512
	for _, k := range keys {
		size += len(k.key)
	}
	b := &trieBuilder{
		units: make([]unit, 0, size),
		info:  make([]pieceInfo, 0, size),
		used:  make([]bool, 0, size),
		next:  make([]int32, 0, size),
		prev:  make([]int32, 0, size),
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
	for len(stack) > 0 {
		j := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if j.lo == j.hi {
			continue // no keys at all
		}
		sortAt(keys[j.lo:j.hi], tmp[j.lo:j.hi], j.depth)
		lo := j.lo
		if len(keys[lo].key) == j.depth {
			b.units[j.state].check |= -1 << 31
			b.info[j.state] = pieceInfo{keys[lo].id, keys[lo].score}
			for lo < j.hi && len(keys[lo].key) == j.depth {
				lo++
			}
		}
		if lo == j.hi {
			continue
		}
		labels = labels[:0]
		for i := lo; i < j.hi; i++ {
			c := keys[i].key[j.depth]
			if len(labels) == 0 || labels[len(labels)-1] != c {
				labels = append(labels, c)
			}
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
		hi := j.hi
		for k := len(labels) - 1; k >= 0; k-- {
			c := labels[k]
			start := hi
			for start > lo && keys[start-1].key[j.depth] == c {
				start--
			}
			stack = append(stack, job{base + int32(c), j.depth + 1, start, hi})
			hi = start
		}
	}
	// Every transition from a state of the trie lands inside the array.
	need := 0
	for s := range b.units {
		if b.used[s] && int(b.units[s].base)+256 > need {
			need = int(b.units[s].base) + 256
		}
	}
	b.grow(need)
	return &trie{units: b.units, info: b.info}
}

// byteAt is the sort key of k at depth: its byte there, or -1 where it
// ends.
func byteAt(k trieKey, depth int) int {
	if len(k.key) == depth {
		return -1
	}
	return int(k.key[depth])
}

// sortAt sorts keys stably by their byte at depth, keys that end there
// first; every key is at least depth bytes long. tmp is scratch of the
// same length.
func sortAt(keys, tmp []trieKey, depth int) {
	if len(keys) <= 32 {
		for i := 1; i < len(keys); i++ {
			k := keys[i]
			c := byteAt(k, depth)
			j := i
			for j > 0 && byteAt(keys[j-1], depth) > c {
				keys[j] = keys[j-1]
				j--
			}
			keys[j] = k
		}
		return
	}
	var count [257]int
	for _, k := range keys {
		count[byteAt(k, depth)+1]++
	}
	sum := 0
	for c, n := range count {
		count[c] = sum
		sum += n
	}
	for _, k := range keys {
		c := byteAt(k, depth) + 1
		tmp[count[c]] = k
		count[c]++
	}
	copy(keys, tmp)
}

type trieBuilder struct {
	units []unit
	info  []pieceInfo
	used  []bool
	// The free units form a list in increasing order (next and prev, -1
	// at the ends). place searches it from head, which skips free units
	// that failed too often: those stay free for good, as in Darts.
	next, prev []int32
	fails      []uint8
	head, tail int32
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
	b.units = append(b.units, make([]unit, n-old)...)
	b.info = append(b.info, make([]pieceInfo, n-old)...)
	b.used = append(b.used, make([]bool, n-old)...)
	b.fails = append(b.fails, make([]uint8, n-old)...)
	b.next = append(b.next, make([]int32, n-old)...)
	b.prev = append(b.prev, make([]int32, n-old)...)
	for i := int32(old); i < int32(n); i++ {
		b.units[i].check = checkMask
		b.info[i].id = -1
		// Append i to the free list.
		b.next[i] = -1
		b.prev[i] = b.tail
		if b.tail >= 0 {
			b.next[b.tail] = i
		} else {
			b.head = i
		}
		b.tail = i
	}
}

// use takes unit i off the free list.
func (b *trieBuilder) use(i int32) {
	b.used[i] = true
	if b.fails[i] == unlisted {
		return
	}
	p, n := b.prev[i], b.next[i]
	if p >= 0 {
		b.next[p] = n
	} else {
		b.head = n
	}
	if n >= 0 {
		b.prev[n] = p
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
		b.head = b.next[i]
		if b.head >= 0 {
			b.prev[b.head] = -1
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
				if b.used[base+int32(c)] {
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
		f = b.next[f]
	}
}
