package unigram

import (
	"bytes"
	"slices"
)

// trie is a double-array trie over the pieces that segmentation may use, the
// counterpart of the Darts::DoubleArray that unigram::Model::BuildTrie
// builds. A state s moves on byte c to t = units[s].base + c when
// units[t].check == s; units[t].id is the id of the piece spelled by the path
// to t, or -1.
//
// The trie enumerates the pieces that are prefixes of a text in order of
// length, as Darts' traverse and commonPrefixSearch do; Encode does not
// depend on that order, the lattice of NBest and Sample does.
type trie struct {
	units []unit
}

type unit struct {
	base  int32
	check int32 // the parent state, or -1 for a free unit
	id    int32
}

// trieKey is a piece to be put in the trie.
type trieKey struct {
	key []byte
	id  int32
}

// newTrie builds the trie of keys. Keys must be distinct and not empty.
func newTrie(keys []trieKey) *trie {
	slices.SortFunc(keys, func(a, b trieKey) int { return bytes.Compare(a.key, b.key) })
	b := &trieBuilder{}
	b.grow(256 + 1)
	b.units[0].check = 0 // the root is its own parent, so no child claims it
	b.used[0] = true
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
		lo := j.lo
		if len(keys[lo].key) == j.depth {
			b.units[j.state].id = keys[lo].id
			lo++
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
			b.used[t] = true
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
	return &trie{units: b.units}
}

type trieBuilder struct {
	units []unit
	used  []bool
	free  int // no unit below free is free
}

func (b *trieBuilder) grow(n int) {
	for len(b.units) < n {
		b.units = append(b.units, unit{check: -1, id: -1})
		b.used = append(b.used, false)
	}
}

// place finds the lowest base at which every label lands on a free unit.
func (b *trieBuilder) place(labels []byte) int32 {
	for b.free < len(b.used) && b.used[b.free] {
		b.free++
	}
	first := int(labels[0])
	for pos := b.free; ; pos++ {
		if pos < len(b.used) && b.used[pos] {
			continue
		}
		base := pos - first
		if base < 1 {
			continue
		}
		b.grow(base + 256)
		ok := true
		for _, c := range labels[1:] {
			if b.used[base+int(c)] {
				ok = false
				break
			}
		}
		if ok {
			return int32(base)
		}
	}
}
