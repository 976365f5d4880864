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
//
// A lookup costs what its cache misses cost, so the table's slots hold the
// entries themselves, and a slot holds a word of up to 8 bytes and a single
// piece in itself: most lookups of natural text read one cache line.
type wordCache struct {
	rules  *pieceRules // the rules the entries were made under
	slots  []cacheSlot // open addressing
	used   int
	keys   []byte     // words longer than 8 bytes
	pieces []segPiece // the pieces of words of more than one
	one    [1]segPiece

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

// cacheSlot is one word and its pieces, or empty when meta is 0.
type cacheSlot struct {
	key  uint64 // the word, up to 8 bytes, as wordKey reads it; or its offset in keys
	meta uint32 // hash bits (16), number of pieces (8), length of the word (8)
	val  uint32 // the id of a single piece, or the offset of the pieces in pieces
}

const (
	cacheMinSlots  = 1 << 12 // a short text needs no more; the table grows
	cacheMaxSlots  = 1 << 18
	cacheMaxUsed   = cacheMaxSlots / 2
	cacheMaxKeys   = 1 << 22
	cacheMaxPieces = 1 << 19 // 4 MiB: words that split into many pieces are rare
	cacheMaxWord   = 64      // longer words rarely repeat; a length fits in 8 bits
	inlineWord     = 8       // words up to this long are kept in their slot
)

var (
	cacheSeed = maphash.MakeSeed()
	// Keys for wordKey's mixing, random so that text cannot be made to
	// collide.
	hashKeys = [2]uint64{maphash.Comparable(cacheSeed, 1) | 1, maphash.Comparable(cacheSeed, 2) | 1}
)

// cacheKey is what the cache knows a word by: its hash and, for a word of
// at most inlineWord bytes, the word itself as a little-endian word, zero
// above its bytes.
type cacheKey struct{ h, inline uint64 }

// wordKey returns the key of w. A call to maphash costs more than hashing
// a short word inline: up to 16 bytes are read as two words (overlapping)
// and mixed with one multiplication.
func wordKey(w []byte) cacheKey {
	var a, b uint64
	switch n := len(w); {
	case n > 16:
		return cacheKey{h: maphash.Bytes(cacheSeed, w)}
	case n > inlineWord:
		a, b = binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[n-8:])
	case n >= 4:
		// The two halves overlap where they hold the same bytes.
		a = uint64(binary.LittleEndian.Uint32(w)) | uint64(binary.LittleEndian.Uint32(w[n-4:]))<<(8*(n-4))
	case n > 0:
		a = uint64(w[0]) | uint64(w[n>>1])<<(8*(n>>1)) | uint64(w[n-1])<<(8*(n-1))
	}
	hi, lo := bits.Mul64(a^hashKeys[0], b^hashKeys[1]^uint64(len(w)))
	return cacheKey{hi ^ lo, a}
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

// lookup returns the pieces of w, or nil, and w's key. The pieces are the
// cache's own: read them before the cache changes.
func (c *wordCache) lookup(w []byte, r *pieceRules) ([]segPiece, cacheKey) {
	k := wordKey(w)
	h := k.h
	if c.rules != r || c.slots == nil {
		return nil, k
	}
	want := uint32(h>>48)<<16 | uint32(len(w))
	mask := uint64(len(c.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &c.slots[i]
		if s.meta == 0 {
			return nil, k
		}
		if s.meta&^0xFF00 != want {
			continue
		}
		if len(w) <= inlineWord && s.key == k.inline || len(w) > inlineWord && string(c.keys[s.key:s.key+uint64(len(w))]) == string(w) {
			if n := s.meta >> 8 & 0xFF; n > 1 {
				return c.pieces[s.val : s.val+n], k
			}
			c.one[0] = segPiece{int32(s.val), int32(len(w))}
			return c.one[:], k
		}
	}
}

// add records that w, whose key is k, segments into pieces.
func (c *wordCache) add(w []byte, k cacheKey, r *pieceRules, pieces []segPiece) {
	h := k.h
	if len(w) > cacheMaxWord || len(pieces) > len(w) {
		return
	}
	switch {
	case c.rules != r || c.slots == nil || c.used >= cacheMaxUsed || len(c.keys)+len(w) > cacheMaxKeys || len(c.pieces)+len(pieces) > cacheMaxPieces:
		c.reset(r)
	case 2*c.used >= len(c.slots):
		c.grow()
	}
	s := cacheSlot{meta: uint32(h>>48)<<16 | uint32(len(pieces))<<8 | uint32(len(w))}
	if len(w) <= inlineWord {
		s.key = k.inline
	} else {
		s.key = uint64(len(c.keys))
		c.keys = append(grow2(c.keys, len(w)), w...)
	}
	if len(pieces) == 1 {
		s.val = uint32(pieces[0].id)
	} else {
		s.val = uint32(len(c.pieces))
		c.pieces = append(grow2(c.pieces, len(pieces)), pieces...)
	}
	c.place(s, h)
	c.used++
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

// place puts s, of a word whose hash is h, into the first free slot.
func (c *wordCache) place(s cacheSlot, h uint64) {
	mask := uint64(len(c.slots) - 1)
	i := h & mask
	for c.slots[i].meta != 0 {
		i = (i + 1) & mask
	}
	c.slots[i] = s
}

// grow doubles the slot table. The hash a slot keeps is not the one that
// placed it, so every word is hashed again.
func (c *wordCache) grow() {
	old := c.slots
	c.slots = make([]cacheSlot, 2*len(old))
	for _, s := range old {
		if s.meta != 0 {
			c.place(s, c.rehash(s))
		}
	}
}

// rehash returns the hash of the word of slot s.
func (c *wordCache) rehash(s cacheSlot) uint64 {
	n := int(s.meta & 0xFF)
	if n <= inlineWord {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], s.key)
		return wordKey(b[:n]).h
	}
	return wordKey(c.keys[s.key : s.key+uint64(n)]).h
}

func (c *wordCache) reset(r *pieceRules) {
	if c.slots == nil {
		c.slots = make([]cacheSlot, cacheMinSlots)
	} else {
		clear(c.slots)
	}
	c.rules = r
	c.used = 0
	c.keys = c.keys[:0]
	c.pieces = c.pieces[:0]
}

// pairCache remembers which piece, if any, two adjacent pieces make, so that
// merging asks the vocabulary only once per pair. It is direct-mapped:
// a pair that collides with another simply replaces it. A slot packs the
// pair and the answer into one word, so that a lookup reads one cache
// line; vocabularies too large for that go without.
type pairCache struct {
	slots []uint64
}

const (
	pairCacheBits = 14
	pairIDBits    = 21 // bits of a piece id in a slot
	pairIDMask    = 1<<pairIDBits - 1
	pairNone      = ^uint64(0) // an empty slot: real slots have the top bit clear
)

// pairCacheKey is the slot of pair l, r without the answer, or false when
// an id needs more than pairIDBits.
func pairCacheKey(l, r int32) (uint64, bool) {
	return (uint64(l)<<pairIDBits | uint64(r)) << pairIDBits, uint32(l|r) <= pairIDMask
}

func pairCacheSlot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> (64 - pairCacheBits) }

// get returns the piece l and r make (or -1), and whether it is known.
func (c *pairCache) get(l, r int32) (int32, bool) {
	k, ok := pairCacheKey(l, r)
	if c.slots == nil || !ok {
		return 0, false
	}
	e := c.slots[pairCacheSlot(k)]
	return int32(e&pairIDMask) - 1, e&^pairIDMask == k
}

func (c *pairCache) put(l, r, id int32) {
	k, ok := pairCacheKey(l, r)
	if !ok || uint32(id+1) > pairIDMask {
		return
	}
	if c.slots == nil {
		c.slots = make([]uint64, 1<<pairCacheBits)
		for i := range c.slots {
			c.slots[i] = pairNone
		}
	}
	c.slots[pairCacheSlot(k)] = k | uint64(id+1)
}
