// Package charsmap reads and applies a SentencePiece precompiled_charsmap:
// the character-normalization rules (nmt_nfkc, nfkc, nmt_nfkc_cf, nfkc_cf,
// or a custom rule TSV) that the trainer compiles into a model's
// NormalizerSpec and DenormalizerSpec.
//
// The blob is what normalizer.cc's EncodePrecompiledCharsMap writes: a
// little-endian uint32 giving the size in bytes of a darts-clone double-array
// trie, the trie's 32-bit units, then the replacement strings, each ended by
// a NUL byte. A key of the trie is a source string; its value is the offset
// of the replacement in that string area.
//
// A Map applies the rules one step at a time, as normalizer.cc's
// NormalizePrefix does; the whitespace rules (dummy prefix, extra
// whitespace, escaping) and user-defined pieces belong to the caller.
package charsmap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// replacementChar is U+FFFD, what a malformed UTF-8 byte normalizes to.
const replacementChar = "\uFFFD"

// Map is a compiled precompiled_charsmap. The zero Map, like a Map read
// from an empty blob, has no rules: every character maps to itself.
// A Map is safe for concurrent use.
type Map struct {
	// units is the double array, packed as described at valueBit.
	units []uint32
	// repl holds the NUL-ended replacement strings.
	repl string
	// root[b] is, for a byte b that some key starts with, one more than the
	// position of the node b leads to from the root, and 0 otherwise: most
	// text starts no key, and root makes that a single load.
	root [256]uint32
	// asciiKey[b], for an ASCII byte b, is set when b alone is a key or a
	// key starts with b and another ASCII byte. When it is clear, b followed
	// by an ASCII byte or by nothing matches no key: that keeps ASCII text
	// on the fast path, though most letters start keys (nmt_nfkc composes a
	// letter and a combining mark).
	asciiKey [utf8.RuneSelf]bool
}

// The units of the double array, as darts-clone's DoubleArrayUnit packs them:
// bit 31 set marks a value unit, whose low 31 bits are the value; otherwise
// bits 0-7 are the label of the edge into the unit, bit 8 says a key ends
// here (its value unit is at the children's base), and bits 10-31 are the
// offset from the unit's position to its children's base, shifted left by 8
// more when bit 9 is set.
const (
	valueBit  = 1 << 31
	leafBit   = 1 << 8
	extendBit = 1 << 9
)

func label(u uint32) uint32 { return u & (valueBit | 0xFF) }

func offset(u uint32) uint32 { return (u >> 10) << ((u & extendBit) >> 6) }

// New reads a precompiled_charsmap blob. It checks the sizes, as
// normalizer.cc's DecodePrecompiledCharsMap does, and a little more: a blob
// the C++ would read past its end is an error here too. The units are not
// checked one by one (most are unreachable); every step of a lookup is
// bounds-checked instead: a step that would leave the trie ends the match,
// and a replacement that would start past the strings is empty, so no blob
// can make a Map panic or read out of bounds.
// New copies what it keeps: blob may be reused afterwards.
func New(blob []byte) (*Map, error) {
	m := new(Map)
	if len(blob) == 0 {
		return m, nil // SentencePiece: no charsmap, no trie, no rules.
	}
	if len(blob) <= 4 {
		return nil, fmt.Errorf("charsmap: blob of %d bytes is too short for its header", len(blob))
	}
	size := binary.LittleEndian.Uint32(blob)
	rest := blob[4:]
	if uint64(size) > uint64(len(rest)) {
		return nil, fmt.Errorf("charsmap: trie of %d bytes does not fit in the %d bytes after the header", size, len(rest))
	}
	// Like Darts::DoubleArray::set_array, ignore a partial last unit.
	n := int(size) / 4
	if n == 0 {
		return nil, errors.New("charsmap: the trie has no units")
	}
	units := make([]uint32, n)
	// Four bytes a unit, in a slice the loop's index provably stays in.
	for i, b := 0, rest[:4*n]; len(b) >= 4; i, b = i+1, b[4:] {
		units[i] = binary.LittleEndian.Uint32(b)
	}
	m.units = units
	m.repl = string(rest[size:])
	for b := range m.root {
		m.root[b] = m.child(0, byte(b))
	}
	for b := range m.asciiKey {
		p := m.root[b]
		if p == 0 {
			continue
		}
		m.asciiKey[b] = m.units[p-1]&leafBit != 0
		for c := 0; c < utf8.RuneSelf && !m.asciiKey[b]; c++ {
			m.asciiKey[b] = m.child(p-1, byte(c)) != 0
		}
	}
	return m, nil
}

// child returns one more than the position of the node the edge labelled c
// leads to from the node at p, or 0 when there is no such edge.
func (m *Map) child(p uint32, c byte) uint32 {
	q := p ^ offset(m.units[p]) ^ uint32(c)
	if q < uint32(len(m.units)) && label(m.units[q]) == uint32(c) {
		return q + 1
	}
	return 0
}

// plainASCII reports whether in starts with an ASCII byte that no key
// starting there can match: the common case, decided from two bytes.
func (m *Map) plainASCII(in string) bool {
	c := in[0]
	return c < utf8.RuneSelf && !m.asciiKey[c] && (len(in) == 1 || in[1] < utf8.RuneSelf)
}

// Prefix returns the normalized form of the start of in and how many bytes
// of in it stands for, as normalizer.cc's NormalizePrefix does without a
// user-defined-piece matcher: the replacement of the longest key that is a
// prefix of in; with no such key, the first UTF-8 character of in
// unchanged, or, when in starts with a malformed byte, U+FFFD for that one
// byte. Prefix consumes at least one byte of a non-empty in; the result may
// be empty (a rule that deletes) and aliases in or m's memory.
func (m *Map) Prefix(in string) (norm string, consumed int) {
	if len(in) == 0 {
		return "", 0
	}
	if m.plainASCII(in) {
		return in[:1], 1
	}
	if m.root[in[0]] != 0 {
		if l, v := m.longest(in); l > 0 {
			return m.replacement(v), l
		}
	}
	if in[0] < utf8.RuneSelf {
		return in[:1], 1
	}
	return char(in)
}

// char returns the first character of in, which starts with a byte >= 0x80,
// as NormalizePrefix does when no rule matches. Go's decoder and
// string_util::IsValidDecodeUTF8 agree on what is malformed (overlong forms,
// surrogates, values past U+10FFFF, truncated sequences), and both take one
// byte for it.
func char(in string) (string, int) {
	r, size := utf8.DecodeRuneInString(in)
	if r == utf8.RuneError && size == 1 {
		return replacementChar, 1
	}
	return in[:size], size
}

// longest returns the length of the longest key that is a prefix of in and
// its value, or 0 when none is; some key must start with in[0]. It walks the trie as darts-clone's
// commonPrefixSearch does and keeps the last (longest) match, as
// NormalizePrefix keeps the longest of the results. Zero-length matches
// cannot occur: the walk starts with a byte. The C++ reads at most 32
// results (kMaxTrieResultsSize; its builder refuses more); a key with more
// prefixes that are keys would make it read past its array, and here the
// longest simply wins.
func (m *Map) longest(in string) (length int, value uint32) {
	units := m.units
	p := m.root[in[0]] - 1
	for i := 0; ; {
		u := units[p] // p < len(units): checked before every step
		p ^= offset(u)
		if u&leafBit != 0 {
			if p >= uint32(len(units)) {
				return length, value
			}
			length, value = i+1, units[p]&^valueBit
		}
		i++
		if i == len(in) {
			return length, value
		}
		p ^= uint32(in[i])
		if p >= uint32(len(units)) || label(units[p]) != uint32(in[i]) {
			return length, value
		}
	}
}

// replacement returns the NUL-ended string at offset v of the replacement
// area. The C++ reads it as a C string from the blob, whose std::string ends
// in a NUL, so a last string missing its NUL ends at the blob's end, and an
// offset at the very end gives the empty string. An offset past the end
// (the C++ would read out of bounds) gives the empty string too.
func (m *Map) replacement(v uint32) string {
	if v >= uint32(len(m.repl)) {
		return ""
	}
	s := m.repl[v:]
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}
