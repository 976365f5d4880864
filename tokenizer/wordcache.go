package tokenizer

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"slices"
)

// wordCache remembers how words were segmented. Natural text repeats its
// words, so most words are found here instead of being merged again. Each
// scratch has its own cache, so it needs no locking; it lives as long as the
// scratch stays in the Tokenizer's pool, across calls.
//
// Words are stored with the pieces the model produced (id and length), before
// byte fallback, so that replaying them through the sink gives exactly what
// segmenting them would.
type wordCache struct {
	rules   *pieceRules // the rules the entries were made under
	slots   []uint32    // open addressing: index+1 into entries
	entries []cacheEntry
	keys    []byte
	pieces  []segPiece

	// When words are nearly all new (random strings, base64), looking them
	// up and storing them costs more than the few hits save. The cache
	// counts its hits over windows of lookups and, after a window with
	// few, takes part only for one word in sparseEvery, which is enough to
	// notice the hits coming back.
	tries, hits uint32 // in the current window
	sparse      bool
	skipped     uint32
}

const (
	hitWindow   = 256
	minHits     = hitWindow / 8 // below this a lookup costs more than hits save
	sparseEvery = 16
)

type cacheEntry struct {
	hash           uint32
	keyOff, valOff uint32
	keyLen, valLen uint16
}

const (
	cacheMinSlots   = 1 << 12 // a short text needs no more; the table grows
	cacheMaxSlots   = 1 << 18
	cacheMaxEntries = cacheMaxSlots / 2
	cacheMaxKeys    = 1 << 22
	cacheMaxWord    = 64 // longer words rarely repeat
)

var (
	cacheSeed = maphash.MakeSeed()
	// Keys for wordHash's mixing, random so that text cannot be made to
	// collide.
	hashKeys = [2]uint64{maphash.Comparable(cacheSeed, 1) | 1, maphash.Comparable(cacheSeed, 2) | 1}
)

// wordHash hashes w. Most words are short, and a call to maphash costs
// more than hashing them inline: up to 16 bytes are read as two words
// (overlapping) and mixed with one multiplication.
func wordHash(w []byte) uint64 {
	var a, b uint64
	switch n := len(w); {
	case n > 16:
		return maphash.Bytes(cacheSeed, w)
	case n >= 8:
		a, b = binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[n-8:])
	case n >= 4:
		a, b = uint64(binary.LittleEndian.Uint32(w)), uint64(binary.LittleEndian.Uint32(w[n-4:]))
	case n > 0:
		a, b = uint64(w[0])<<16|uint64(w[n>>1])<<8|uint64(w[n-1]), 0
	}
	hi, lo := bits.Mul64(a^hashKeys[0], b^hashKeys[1]^uint64(len(w)))
	return hi ^ lo
}

// use reports whether the next word should be looked up.
func (c *wordCache) use() bool {
	if !c.sparse {
		return true
	}
	c.skipped++
	return c.skipped%sparseEvery == 0
}

// record counts a lookup, and at the end of a window decides whether the
// cache should go sparse.
func (c *wordCache) record(hit bool) {
	c.tries++
	if hit {
		c.hits++
	}
	if c.tries == hitWindow {
		c.sparse = c.hits < minHits
		c.tries, c.hits = 0, 0
	}
}

// lookup returns the pieces of w, or nil.
func (c *wordCache) lookup(w []byte, r *pieceRules) ([]segPiece, uint64) {
	h := wordHash(w)
	if c.rules != r || c.slots == nil {
		return nil, h
	}
	mask := uint64(len(c.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := c.slots[i]
		if s == 0 {
			return nil, h
		}
		e := &c.entries[s-1]
		if e.hash == uint32(h) && string(c.keys[e.keyOff:e.keyOff+uint32(e.keyLen)]) == string(w) {
			return c.pieces[e.valOff : e.valOff+uint32(e.valLen)], h
		}
	}
}

// add records that w, whose hash is h, segments into pieces.
func (c *wordCache) add(w []byte, h uint64, r *pieceRules, pieces []segPiece) {
	if len(w) > cacheMaxWord || len(pieces) > len(w) {
		return
	}
	switch {
	case c.rules != r || c.slots == nil || len(c.entries) >= cacheMaxEntries || len(c.keys)+len(w) > cacheMaxKeys:
		c.reset(r)
	case 2*len(c.entries) >= len(c.slots):
		c.grow()
	}
	e := cacheEntry{
		hash:   uint32(h),
		keyOff: uint32(len(c.keys)), keyLen: uint16(len(w)),
		valOff: uint32(len(c.pieces)), valLen: uint16(len(pieces)),
	}
	c.keys = append(grow2(c.keys, len(w)), w...)
	c.pieces = append(grow2(c.pieces, len(pieces)), pieces...)
	c.entries = append(grow2(c.entries, 1), e)
	c.place(len(c.entries) - 1)
}

// grow2 makes room for n more elements in s, doubling its capacity when
// it must grow: append grows a large slice by a quarter, and a cache
// filling up would spend its time copying itself.
func grow2[S ~[]E, E any](s S, n int) S {
	if len(s)+n <= cap(s) {
		return s
	}
	return slices.Grow(s, max(n, cap(s)))
}

// place puts entry k into the slot table.
func (c *wordCache) place(k int) {
	mask := uint64(len(c.slots) - 1)
	i := uint64(c.entries[k].hash) & mask
	for c.slots[i] != 0 {
		i = (i + 1) & mask
	}
	c.slots[i] = uint32(k + 1)
}

// grow doubles the slot table.
func (c *wordCache) grow() {
	c.slots = make([]uint32, 2*len(c.slots))
	for k := range c.entries {
		c.place(k)
	}
}

func (c *wordCache) reset(r *pieceRules) {
	if c.slots == nil {
		c.slots = make([]uint32, cacheMinSlots)
	} else {
		clear(c.slots)
	}
	c.rules = r
	c.entries = c.entries[:0]
	c.keys = c.keys[:0]
	c.pieces = c.pieces[:0]
}

// pairCache remembers which piece, if any, two adjacent pieces make, so that
// merging asks the vocabulary only once per pair. It is direct-mapped:
// a pair that collides with another simply replaces it.
type pairCache struct {
	keys []uint64
	ids  []int32
}

const pairCacheBits = 14

func pairCacheKey(l, r int32) uint64 { return uint64(uint32(l))<<32 | uint64(uint32(r)) }

func pairCacheSlot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> (64 - pairCacheBits) }

// get returns the piece l and r make (or -1), and whether it is known.
func (c *pairCache) get(l, r int32) (int32, bool) {
	if c.keys == nil {
		return 0, false
	}
	k := pairCacheKey(l, r)
	i := pairCacheSlot(k)
	return c.ids[i], c.keys[i] == k
}

func (c *pairCache) put(l, r, id int32) {
	if c.keys == nil {
		c.keys = make([]uint64, 1<<pairCacheBits)
		c.ids = make([]int32, 1<<pairCacheBits)
		for i := range c.keys {
			c.keys[i] = ^uint64(0) // no pair of ids has this key
		}
	}
	k := pairCacheKey(l, r)
	i := pairCacheSlot(k)
	c.keys[i], c.ids[i] = k, id
}
