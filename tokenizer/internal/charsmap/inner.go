package charsmap

import (
	"errors"
	"unicode/utf8"
)

// errNotUTF8 is what Inner returns for a trie that is not a tree of UTF-8
// keys, which spm_train never builds.
const (
	maxKey    = 256
	maxVisits = 1 << 22
)

var errNotUTF8 = errors.New("charsmap: the trie is not a tree of UTF-8 keys")

// Inner returns the characters that stand after the first character of
// some key of the rules: a key that a step of Prefix matches can reach
// past a place in the text only if the character there is one of them.
// The set is a superset: it holds the characters of every path of the
// trie that a lookup can walk, whether a key ends below it or not. Inner
// fails for a trie that has a path with malformed UTF-8, about which it
// says nothing.
//
// It walks every path of the trie (darts-clone shares the nodes of common
// suffixes, so a node may be walked more than once), which takes a few
// milliseconds for nmt_nfkc: the caller asks when it first needs it.
func (m *Map) Inner() (map[rune]bool, error) {
	inner := map[rune]bool{}
	if len(m.units) == 0 {
		return inner, nil
	}
	// A lookup goes from node p by byte c to base(p)^c when the unit there
	// is labelled c (see child): so the children of p are the units
	// labelled c at base(p)^c, grouped here by base(p). Value units and
	// the empty units, labelled 0, are no edges.
	n := uint32(len(m.units))
	heads := make([]int32, n+256) // 1 + the first unit of each base, or 0
	next := make([]int32, n)      // 1 + the next unit of the same base, or 0
	for q := n; q > 0; q-- {
		u := m.units[q-1]
		c := label(u)
		if c == 0 || c > 0xFF {
			continue
		}
		b := (q - 1) ^ c
		next[q-1], heads[b] = heads[b], int32(q)
	}
	visits := 0
	var key []byte
	var walk func(p uint32, start int) error
	// walk visits the children of node p, the end of key, whose current
	// character starts at key[start].
	walk = func(p uint32, start int) error {
		if visits++; visits > maxVisits || len(key) > maxKey {
			return errNotUTF8
		}
		u := m.units[p]
		if u&leafBit != 0 && start < len(key) {
			return errNotUTF8 // a key that ends inside a character
		}
		b := p ^ offset(u)
		if b >= uint32(len(heads)) {
			return nil
		}
		for q := heads[b]; q != 0; q = next[q-1] {
			key = append(key, byte(m.units[q-1]&0xFF))
			s := start
			if utf8.FullRune(key[s:]) {
				r, size := utf8.DecodeRune(key[s:])
				if r == utf8.RuneError && size == 1 {
					return errNotUTF8
				}
				if s > 0 {
					inner[r] = true
				}
				s = len(key)
			}
			if err := walk(uint32(q-1), s); err != nil {
				return err
			}
			key = key[:len(key)-1]
		}
		return nil
	}
	if err := walk(0, 0); err != nil {
		return nil, err
	}
	return inner, nil
}
