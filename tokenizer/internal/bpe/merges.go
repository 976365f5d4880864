package bpe

import (
	"encoding/binary"
	"errors"
	"unsafe"

	"github.com/gemmatok/gemmatok/vocab"
)

// mergeTable answers, for two pieces, which piece their texts make
// together, without reading the vocabulary. A merge that misses the pair
// cache asks the vocabulary: it hashes the text and reads its filter, its
// table, and the piece's offset, length and bytes, each a cache miss in a
// vocabulary of 256,000 pieces, and in text of many words (many languages
// at once, Chinese, Japanese) these misses were a third of the time. Here
// one slot, most often one cache line, answers.
//
// It holds every pair l, r of pieces (as vocab.LookupBytes names them)
// whose texts together are a piece: every piece split at each byte where
// both sides are pieces. So a pair not found is a pair that makes no
// piece, as LookupBytes would say. Slots are open addressing in the pair
// cache's format (pairCacheKey with the id + 1 below), 0 for empty; the
// table of a built-in model is generated (see tables.go) and read in place.
//
// Most pairs looked up make no piece (three in four of Thai's and
// Telugu's), and the table, 8 MiB, is read from memory each time: a
// filter of its pairs in front of it (generated with it), 512 KiB, which
// the processor's second-level cache mostly holds, answers most of those
// alone.
type mergeTable struct {
	slots  []uint64
	shift  uint8    // 64 less the bits of a slot's index
	filter []uint64 // see mergeFilter; nil for none
}

// mergeFilterBits is the log2 of a merge filter's bits. A pair sets two
// bits of one word, so that a probe reads one word; with Gemma 3's 515k
// pairs about a fifth of the bits are set, and one pair in twenty that
// makes no piece passes.
const mergeFilterBits = 22

// filterWord and filterMask are the word of a merge filter and the bits in
// it that key k sets.
func filterWord(k uint64) (word int, mask uint64) {
	h := k * 0xD6E8FEB86659FD93
	return int(h >> (64 - mergeFilterBits + 6)), 1<<(h>>36&63) | 1<<(h>>30&63)
}

// mergeFilter returns the filter of the pairs held in slots.
func mergeFilter(slots []uint64) []uint64 {
	f := make([]uint64, 1<<mergeFilterBits/64)
	for _, e := range slots {
		if e != 0 {
			w, m := filterWord(e &^ pairIDMask)
			f[w] |= m
		}
	}
	return f
}

// passes reports whether the pair of key k (pairCacheKey) passes t's
// filter, as every pair t holds does; with no filter, every pair passes.
// It is apart from find so that each is inlined.
func (t *mergeTable) passes(k uint64) bool {
	if t.filter == nil {
		return true
	}
	w, m := filterWord(k)
	return t.filter[w]&m == m
}

// find returns the piece that the pair of key k (pairCacheKey) makes, or
// -1; the table must have slots. A pair that does not pass the filter
// makes none: ask passes first.
func (t *mergeTable) find(k uint64) int32 {
	mask := uint64(len(t.slots) - 1)
	for i := (k * 0x9E3779B97F4A7C15) >> (t.shift & 63); ; i = (i + 1) & mask {
		e := t.slots[i]
		if e == 0 {
			return -1
		}
		if x := e ^ k; x <= pairIDMask { // see pairCache.entry
			return int32(x) - 1
		}
	}
}

// buildMergeTable makes the merge table of v, or returns nil when its ids
// do not fit a slot.
func buildMergeTable(v *vocab.Vocab) *mergeTable {
	if v.Size() >= pairIDMask {
		return nil
	}
	var entries []uint64
	for id := range int32(v.Size()) {
		p := v.Piece(id)
		if len(p) < 2 || v.LookupBytes([]byte(p)) != id {
			continue // a duplicate: lookups name the other
		}
		for k := 1; k < len(p); k++ {
			l := v.LookupBytes([]byte(p[:k]))
			if l < 0 {
				continue
			}
			if r := v.LookupBytes([]byte(p[k:])); r >= 0 {
				key, _ := pairCacheKey(l, r)
				entries = append(entries, key|uint64(id+1))
			}
		}
	}
	// At most five eighths full: a probe for a pair that makes no piece,
	// most of them, stops at the first empty slot.
	bits := 10
	for len(entries)*8 > 5<<bits {
		bits++
	}
	t := &mergeTable{slots: make([]uint64, 1<<bits), shift: uint8(64 - bits)}
	mask := uint64(len(t.slots) - 1)
	for _, e := range entries {
		i := ((e &^ pairIDMask) * 0x9E3779B97F4A7C15) >> t.shift
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = e
	}
	return t
}

// unmarshalMergeTable reads a table's slots and, if filter is not nil,
// its filter, each as marshalWords writes them.
func unmarshalMergeTable(b, filter []byte) (*mergeTable, error) {
	n := len(b) / 8
	if len(b)%8 != 0 || n < 2 || n&(n-1) != 0 || filter != nil && len(filter) != 1<<mergeFilterBits/8 {
		return nil, errors.New("tokenizer: malformed merge table")
	}
	bits := 0
	for 1<<bits < n {
		bits++
	}
	t := &mergeTable{shift: uint8(64 - bits), slots: unmarshalWords(b)}
	if filter != nil {
		t.filter = unmarshalWords(filter)
	}
	return t, nil
}

// marshalWords encodes words as little-endian uint64s.
func marshalWords(words []uint64) []byte {
	out := make([]byte, 0, 8*len(words))
	for _, w := range words {
		out = binary.LittleEndian.AppendUint64(out, w)
	}
	return out
}

// unmarshalWords reads what marshalWords writes, in place when the
// machine's words are little-endian and b is aligned for them.
func unmarshalWords(b []byte) []uint64 {
	n := len(b) / 8
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%8 == 0 {
		return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), n)
	}
	words := make([]uint64, n)
	for i := range words {
		words[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return words
}
