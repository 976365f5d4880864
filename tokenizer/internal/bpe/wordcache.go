package bpe

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/gemmatok/gemmatok/tokenizer/internal/hitrate"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// wordCache remembers how words were segmented. Natural text repeats its
// words, so most words are found here instead of being merged again. A
// Tokenizer has one for each set of piece rules, shared by all the
// goroutines that encode with it: each word is then merged once, not once
// a goroutine, and a batch on several cores keeps one cache in the
// processor's cache instead of one a core.
//
// Words are stored with the pieces the model produced (id and length), before
// byte fallback, so that replaying them through the sink gives exactly what
// segmenting them would.
//
// A lookup costs what its cache misses cost, so the table's slots hold the
// entries themselves, and a slot holds a word of up to 8 bytes and a single
// piece in itself: most lookups of natural text read one cache line.
//
// Lookups take no lock. One goroutine at a time adds words (another that
// wants to meanwhile does without); it writes a word's bytes and pieces
// where no lookup reads yet, then its slot, the slot's meta last and
// atomically, so that a lookup that sees the meta sees the rest. Nothing
// written is ever written again: a table that must grow or be emptied is
// replaced by a new one, and lookups still reading the old one finish there.
type wordCache struct {
	_     cacheLinePad
	table atomic.Pointer[cacheTable]
	// Every lookup reads table, and adding a word writes mu: apart, the
	// adding does not take table's cache line from the other cores.
	_    cacheLinePad
	mu   sync.Mutex // held by the goroutine adding a word
	used int        // words in the table; under mu
}

type cacheLinePad [64]byte

// cacheTable is a wordCache's table of slots and the arena holding its
// longer words and their pieces. Growing makes a new table on the same
// arena; emptying makes a new arena too.
type cacheTable struct {
	rules *Rules      // the rules the entries were made under
	slots []cacheSlot // open addressing
	arena *cacheArena
}

// cacheSlot is one word and its pieces. Once a table is in use, the metas
// of its slots are read and written with sync/atomic; a key is written
// before its meta and read after it, as plain memory (an atomic store is a
// locked exchange on amd64, which stalls the processor's stores).
type cacheSlot struct {
	// key is the word, up to 8 bytes, as wordKey reads it; or its offset
	// in the arena's keys (arenaOffBits) under the low bits of its hash,
	// which growing the table places it by without hashing it again.
	key uint64
	// meta is the id of a single piece or the offset of the pieces in the
	// arena (32) over hash bits (16), number of pieces (8) and length of
	// the word (8); 0 for an empty slot.
	meta uint64
}

// cacheArena holds words longer than 8 bytes and the pieces of words of
// more than one.
type cacheArena struct {
	keys   chunks[byte]
	pieces chunks[seg.Piece]
}

// chunks is an append-only list of values, kept in chunks that, once made,
// never move: a value is read where it was written, while later ones are
// added. The values added together stay in one chunk.
type chunks[T any] struct {
	list [cacheMaxKeys >> chunkBits]atomic.Pointer[[1 << chunkBits]T] // room for the keys, the larger
	used int                                                          // values used, chunks' unused ends included; under the cache's mu
}

const chunkBits = 13 // 8 KiB of key bytes a chunk, 64 KiB of pieces

// cacheUse is what one scratch keeps of its use of a wordCache: whether
// the cache stands aside (hitrate.Gate) and a lookup's result of one piece.
type cacheUse struct {
	hitrate.Gate
	one [1]seg.Piece
}

const (
	cacheMinSlots  = 1 << 12 // a short text needs no more; the table grows
	cacheMaxSlots  = 1 << 18
	cacheMaxUsed   = cacheMaxSlots / 2
	cacheMaxKeys   = 1 << arenaOffBits
	arenaOffBits   = 22
	arenaOffMask   = 1<<arenaOffBits - 1
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
// a word inline: up to 16 bytes are read as two words (overlapping) and
// mixed with one multiplication; a longer word, up to cacheMaxWord bytes,
// has each 16 bytes before its last 16 mixed so first.
func wordKey(w []byte) cacheKey {
	var a, b uint64
	switch n := len(w); {
	case n > cacheMaxWord:
		return cacheKey{h: maphash.Bytes(cacheSeed, w)}
	case n > 16:
		h := hashKeys[1]
		for i := 0; i < n-16; i += 16 {
			hi, lo := bits.Mul64(binary.LittleEndian.Uint64(w[i:])^hashKeys[0], binary.LittleEndian.Uint64(w[i+8:])^h)
			h = hi ^ lo
		}
		a, b = binary.LittleEndian.Uint64(w[n-16:]), binary.LittleEndian.Uint64(w[n-8:])^h
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

// lookup returns the pieces of w, or nil, and w's key. The pieces are the
// cache's own, or for a single piece u's; they are not to be changed. It
// records the lookup in u's gate once the table is warm: until the cache
// has grown past its first table few words can be found in it, whatever
// the text, and a text that repeats its words (Telugu's first 256 have 30
// repeats) would have it stand aside for thousands of words.
func (c *wordCache) lookup(w []byte, r *Rules, u *cacheUse) ([]seg.Piece, cacheKey) {
	k := wordKey(w)
	h := k.h
	t := c.table.Load()
	if t == nil || t.rules != r {
		return nil, k
	}
	want := uint32(h>>48)<<16 | uint32(len(w))
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		m := atomic.LoadUint64(&s.meta)
		// A slot of another word is told by its meta alone, most often,
		// and an empty one (meta 0) never passes that test.
		if uint32(m)&^0xFF00 != want {
			if m == 0 {
				if len(t.slots) > cacheMinSlots {
					u.Record(false)
				}
				return nil, k
			}
			continue
		}
		key := s.key
		if len(w) <= inlineWord && key == k.inline || len(w) > inlineWord && sameLong(t.arena.keys.at(key&arenaOffMask, len(w)), w) {
			if len(t.slots) > cacheMinSlots {
				u.Record(true)
			}
			val := uint32(m >> 32)
			if n := uint32(m>>8) & 0xFF; n > 1 {
				return t.arena.pieces.at(uint64(val), int(n)), k
			}
			u.one[0] = seg.Piece{ID: int32(val), Len: int32(len(w))}
			return u.one[:], k
		}
	}
}

// sameLong reports whether a and b, of the same length, more than eight
// bytes and at most cacheMaxWord, are equal: compared eight bytes at a
// time inline, the last eight overlapping, rather than by a call.
func sameLong(a, b []byte) bool {
	n := len(b)
	a = a[:n]
	for i := 0; i < n-8; i += 8 {
		if binary.LittleEndian.Uint64(a[i:]) != binary.LittleEndian.Uint64(b[i:]) {
			return false
		}
	}
	return binary.LittleEndian.Uint64(a[n-8:]) == binary.LittleEndian.Uint64(b[n-8:])
}

// at returns the n values stored at offset off.
func (c *chunks[T]) at(off uint64, n int) []T {
	chunk := c.list[off>>chunkBits].Load()
	i := int(off & (1<<chunkBits - 1))
	return chunk[i : i+n : i+n]
}

// add records that w, whose key is k, segments into pieces, unless another
// goroutine is adding a word.
func (c *wordCache) add(w []byte, k cacheKey, r *Rules, pieces []seg.Piece) {
	if len(w) > cacheMaxWord || len(pieces) > len(w) || !c.mu.TryLock() {
		return
	}
	// Nothing below panics, and a deferred unlock costs a tenth of an add.
	t := c.table.Load()
	switch {
	case t == nil || t.rules != r || c.used >= cacheMaxUsed:
		t = c.empty(r)
	case 2*c.used >= len(t.slots):
		t = c.grow(t)
	}
	keyBytes, pieceCount := 0, 0
	if len(w) > inlineWord {
		keyBytes = len(w)
	}
	if len(pieces) > 1 {
		pieceCount = len(pieces)
	}
	keysAt, piecesAt := t.arena.keys.start(keyBytes), t.arena.pieces.start(pieceCount)
	if keysAt+keyBytes > cacheMaxKeys || piecesAt+pieceCount > cacheMaxPieces {
		t = c.empty(r)
		keysAt, piecesAt = 0, 0
	}
	s := cacheSlot{key: k.inline, meta: k.h>>48<<16 | uint64(len(pieces))<<8 | uint64(len(w))}
	// Values go into a chunk from its start on (see start): it is made
	// then, apart from room, which is inlined so.
	if keyBytes > 0 {
		if keysAt&(1<<chunkBits-1) == 0 {
			t.arena.keys.newChunk(keysAt)
		}
		copy(t.arena.keys.room(keysAt, keyBytes), w)
		s.key = uint64(keysAt) | k.h<<arenaOffBits
	}
	if pieceCount > 0 {
		if piecesAt&(1<<chunkBits-1) == 0 {
			t.arena.pieces.newChunk(piecesAt)
		}
		// Copied here, not by a call: most words have a few pieces.
		dst := t.arena.pieces.room(piecesAt, pieceCount)
		for i := range dst {
			dst[i] = pieces[i]
		}
		s.meta |= uint64(piecesAt) << 32
	} else {
		s.meta |= uint64(uint32(pieces[0].ID)) << 32
	}
	t.place(s, k.h, true)
	c.used++
	c.mu.Unlock()
}

// start returns where n values added now would begin: after the last, or
// at the start of the next chunk when they would cross into it.
func (c *chunks[T]) start(n int) int {
	const size = 1 << chunkBits
	off := c.used
	if off&(size-1)+n > size {
		off += size - off&(size-1)
	}
	return off
}

// newChunk makes the chunk that starts at off.
func (c *chunks[T]) newChunk(off int) {
	c.list[off>>chunkBits].Store(new([1 << chunkBits]T))
}

// room returns the n values at off, which start gave and which must fit
// under the limit, in a chunk made, and counts them used.
func (c *chunks[T]) room(off, n int) []T {
	chunk := c.list[off>>chunkBits].Load()
	c.used = off + n
	i := off & (1<<chunkBits - 1)
	return chunk[i : i+n : i+n]
}

// place puts s, of a word whose hash is h, into the first free slot of t;
// with published, lookups may be reading t.
func (t *cacheTable) place(s cacheSlot, h uint64, published bool) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i].meta != 0 { // only the goroutine adding writes slots
		i = (i + 1) & mask
	}
	if !published {
		t.slots[i] = s
		return
	}
	t.slots[i].key = s.key
	atomic.StoreUint64(&t.slots[i].meta, s.meta)
}

// grow replaces t with a table of four times the slots, on the same
// arena. A slot of a word held inline keeps no hash, so such words are
// hashed again (an arena word's slot keeps its hash's low bits): growing
// by four rather than two rehashes fewer.
func (c *wordCache) grow(t *cacheTable) *cacheTable {
	g := &cacheTable{rules: t.rules, slots: written[cacheSlot](min(4*len(t.slots), cacheMaxSlots)), arena: t.arena}
	for _, s := range t.slots {
		if s.meta != 0 {
			g.place(s, t.rehash(s), false)
		}
	}
	c.table.Store(g)
	return g
}

// written returns n zero values in memory that has been written to. Fresh
// memory from the kernel is mapped to a shared page of zeros when it is
// first read, as a probe of a new hash table does; the first write then
// copies that page and flushes the old mapping from the TLB of every CPU
// running the process, an interrupt to each other worker. Clearing the
// slice first maps each page once. (make does not clear fresh memory.)
func written[T any](n int) []T {
	s := make([]T, n)
	clear(s)
	return s
}

// rehash returns the hash of the word of slot s, or for a word in the
// arena its low bits, all that place takes.
func (t *cacheTable) rehash(s cacheSlot) uint64 {
	n := int(s.meta & 0xFF)
	if n <= inlineWord {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], s.key)
		return wordKey(b[:n]).h
	}
	return s.key >> arenaOffBits
}

// empty replaces the table with an empty one for rules r, as large as the
// last: a text that filled it will likely fill it again.
func (c *wordCache) empty(r *Rules) *cacheTable {
	n := cacheMinSlots
	if t := c.table.Load(); t != nil {
		n = len(t.slots)
	}
	t := &cacheTable{rules: r, slots: written[cacheSlot](n), arena: new(cacheArena)}
	c.table.Store(t)
	c.used = 0
	return t
}

// pairCache remembers which piece, if any, two adjacent pieces make, so that
// merging asks the vocabulary only once per pair. It is direct-mapped:
// a pair that collides with another simply replaces it. A slot packs the
// pair and the answer into one word, so that a lookup reads one cache
// line; vocabularies too large for that go without.
//
// It starts small, for a short text touches few pairs, and grows to
// pairCacheBits as pairs keep coming, or at once for a long text.
type pairCache struct {
	slots  []uint64
	shift  uint8 // 64 less the bits of a slot's index
	puts   int   // since the last growth
	growAt int   // the puts after which the table grows
}

const (
	pairCacheBits      = 16
	pairCacheFirstBits = 10
	pairIDBits         = 21 // bits of a piece id in a slot
	pairIDMask         = 1<<pairIDBits - 1
	pairNone           = ^uint64(0) // an empty slot: real slots have the top bit clear
)

// pairCacheLongText is the length of a text for which the table is made
// full at once (forText).
const pairCacheLongText = 4 << 10

// grow makes the first table, or one with four times the slots that keeps
// the pairs of the last: each dropped would be a lookup in the merge table
// or the vocabulary again, most of them missing the processor's cache.
func (c *pairCache) grow() {
	bits := pairCacheFirstBits
	if c.slots != nil {
		bits = min(pairCacheBits, 64-int(c.shift)+2)
	}
	c.growTo(bits)
}

// forText readies the table for a text of n bytes. A long one gets the
// full table at once: each smaller table it would grow through holds as
// many pairs as slots before growing, and the pairs that collide there
// (a third of those that miss in 10 KB of Telugu) are each looked up in
// the merge table again.
func (c *pairCache) forText(n int) {
	if n >= pairCacheLongText && len(c.slots) < 1<<pairCacheBits {
		c.growTo(pairCacheBits)
	}
}

// growTo replaces the table with one of 1<<bits slots that keeps the
// pairs of the last.
func (c *pairCache) growTo(bits int) {
	old := c.slots
	c.slots, c.shift, c.puts, c.growAt = make([]uint64, 1<<bits), uint8(64-bits), 0, 1<<bits+1
	if bits == pairCacheBits {
		c.growAt = math.MaxInt
	}
	// Filled by doubling copies, which move memory a block at a time.
	c.slots[0] = pairNone
	for n := 1; n < len(c.slots); n *= 2 {
		copy(c.slots[n:], c.slots[:n])
	}
	for _, e := range old {
		if e != pairNone {
			c.slots[c.slot(e&^pairIDMask)] = e
		}
	}
}

// pairCacheKey is the slot of pair l, r without the answer, or false when
// an id needs more than pairIDBits.
func pairCacheKey(l, r int32) (uint64, bool) {
	return (uint64(l)<<pairIDBits | uint64(r)) << pairIDBits, uint32(l|r) <= pairIDMask
}

// slot returns the slot of key k; with no table made, shift is 0 and no
// slot is in range.
func (c *pairCache) slot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> (c.shift & 63) }

// entry returns, when the cache holds pair l, r, the piece they make + 1,
// at most pairIDMask; else a larger value. It is the slot the pair would
// be in with the pair's key taken off, which leaves the answer when the
// slot is the pair's: callers test it and branch on that, without a flag
// made and tested.
func (c *pairCache) entry(l, r int32) uint64 {
	k, ok := pairCacheKey(l, r)
	if i := c.slot(k); ok && i < uint64(len(c.slots)) {
		return c.slots[i] ^ k
	}
	return ^uint64(0)
}

// ready makes the table, or grows it, when the next put is due to; it is
// apart from put so that each is inlined.
func (c *pairCache) ready() {
	if c.puts >= c.growAt {
		c.grow()
	}
}

// put records that the pair of key k (pairCacheKey) makes piece id, or
// -1 for none; ready must be called first.
func (c *pairCache) put(k uint64, id int32) {
	if uint32(id+1) > pairIDMask {
		return
	}
	c.puts++
	c.slots[c.slot(k)] = k | uint64(id+1)
}
