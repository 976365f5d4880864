package charsmap

import "unicode/utf8"

// Runs finds runs of characters that a Map's rules leave as they are, most
// of them with one table lookup a character: the bulk of the text in every
// script, which a normalizer then copies whole instead of stepping through
// the trie character by character as normalizer.cc's NormalizePrefix does.
// A Runs is safe for concurrent use.
type Runs struct {
	m *Map
	// ascii[c] says of an ASCII byte c whether it starts a key: with
	// plainBeforeASCII set, no key starts with c followed by an ASCII byte
	// or by nothing; with plainAlways, no key starts with c at all.
	ascii [utf8.RuneSelf]uint8
	// two and three hold a bit for each two- and three-byte character,
	// indexed by its code point: set when the character is no stop, no key
	// is a prefix of it and none goes on past it, so that Prefix at it
	// returns it whatever follows. Bit b&0x3F of word c&0x1F of two is the
	// character c b; bit b2&0x3F of word (c&0x0F)<<6 | b1&0x3F of three is
	// c b1 b2. Overlong forms and surrogates have no bit.
	two   [32]uint64
	three [1024]uint64
	// stop marks the bytes before which a run ends, where they start a
	// character.
	stop [256]bool
}

const (
	plainBeforeASCII = 1 << iota
	plainAlways
)

// Runs returns the Runs of m whose runs also end before a character that
// starts with a byte of stop (none when stop is nil).
func (m *Map) Runs(stop *[256]bool) *Runs {
	r := &Runs{m: m}
	if stop != nil {
		r.stop = *stop
	}
	for c := range r.ascii {
		switch {
		case r.stop[c]:
		case m.root[c] == 0:
			r.ascii[c] = plainBeforeASCII | plainAlways
		case !m.asciiKey[c]:
			r.ascii[c] = plainBeforeASCII
		}
	}
	for c := 0xC2; c < 0xE0; c++ {
		if !r.stop[c] {
			r.two[c&0x1F] = m.plainTails(m.root[c])
		}
	}
	for c := 0xE0; c < 0xF0; c++ {
		if r.stop[c] {
			continue
		}
		lo, hi := 0x80, 0xC0
		if c == 0xE0 {
			lo = 0xA0 // below: overlong
		} else if c == 0xED {
			hi = 0xA0 // above: surrogates
		}
		p := m.root[c]
		if p != 0 && m.units[p-1]&leafBit != 0 {
			continue // a key ends inside a character: ask the trie
		}
		for b1 := lo; b1 < hi; b1++ {
			q := p
			if p != 0 {
				q = m.child(p-1, byte(b1))
			}
			r.three[(c&0x0F)<<6|b1&0x3F] = m.plainTails(q)
		}
	}
	return r
}

// plainTails returns a bit for each last byte b of a character whose
// other bytes lead to the node p (one more than its position, or 0 when
// the walk has already left the trie): bit b&0x3F is set when no key ends
// at p and the walk leaves the trie at b.
func (m *Map) plainTails(p uint32) uint64 {
	var bits uint64
	for b := 0x80; b < 0xC0; b++ {
		if p == 0 || m.units[p-1]&leafBit == 0 && m.child(p-1, byte(b)) == 0 {
			bits |= 1 << (b & 0x3F)
		}
	}
	return bits
}

// Len returns the length of the longest prefix of in that the rules leave
// as it is, character by character, and that holds no stop: no key
// matches at any of its characters, it holds no malformed UTF-8, and none
// of its characters starts with a byte of stop. Over that prefix, Prefix
// would return each character unchanged, so a caller may copy it whole.
func (r *Runs) Len(in string) int {
	i := 0
	for i < len(in) {
		c := in[i]
		switch {
		case c < utf8.RuneSelf:
			a := r.ascii[c]
			if a&plainAlways != 0 || a != 0 && (i+1 == len(in) || in[i+1] < utf8.RuneSelf) {
				i++
				continue
			}
		case c < 0xC2:
		case c < 0xE0:
			if i+1 < len(in) {
				if b := in[i+1]; b&0xC0 == 0x80 && r.two[c&0x1F]>>(b&0x3F)&1 != 0 {
					i += 2
					continue
				}
			}
		case c < 0xF0:
			if i+2 < len(in) {
				b1, b2 := in[i+1], in[i+2]
				if b1&0xC0 == 0x80 && b2&0xC0 == 0x80 && r.three[uint(c&0x0F)<<6|uint(b1&0x3F)]>>(b2&0x3F)&1 != 0 {
					i += 3
					continue
				}
			}
		}
		// The tables do not settle it (a character that a key may start
		// with, one of four bytes, a malformed byte): ask the trie.
		if r.stop[c] {
			return i
		}
		if r.m.root[c] != 0 {
			if l, _ := r.m.longest(in[i:]); l > 0 {
				return i
			}
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		rn, size := utf8.DecodeRuneInString(in[i:])
		if rn == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return i
}
