// Package utf8x holds the byte-level helpers that the processor and the
// models share: UTF-8 decoding and validation faster than package
// unicode/utf8 on the scripts tokenizers meet, and views between strings
// and byte slices that copy nothing.
package utf8x

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
	"unsafe"
)

// DecodeChar is utf8.DecodeRune with two- and three-byte characters, those
// of nearly every script but Latin, decoded here: the loops over words call
// it for every character, and utf8.DecodeRune handles only ASCII without a
// call. Anything else, malformed bytes included, goes to utf8.DecodeRune,
// so the results are the same.
func DecodeChar(p []byte) (rune, int) {
	switch {
	case len(p) >= 3 && p[0]&0xF0 == 0xE0 && p[1]&0xC0 == 0x80 && p[2]&0xC0 == 0x80:
		// Overlong forms and surrogates are malformed.
		if r := rune(p[0]&0x0F)<<12 | rune(p[1]&0x3F)<<6 | rune(p[2]&0x3F); r >= 0x800 && (r < 0xD800 || r > 0xDFFF) {
			return r, 3
		}
	case len(p) >= 2 && p[0]&0xE0 == 0xC0 && p[1]&0xC0 == 0x80 && p[0] >= 0xC2:
		return rune(p[0]&0x1F)<<6 | rune(p[1]&0x3F), 2
	}
	return utf8.DecodeRune(p)
}

// Valid is utf8.ValidString, faster on text of two- and three-byte
// characters (Cyrillic, Arabic, Hindi, Thai, Chinese...), where the
// standard library spends some 27 instructions a character: here each is
// told valid by masks on one load of eight bytes (about 15), ASCII eight
// and then 32 bytes at a time.
// Four-byte characters and anything else go to utf8.DecodeRuneInString.
func Valid(s string) bool {
	p := Bytes(s) // viewed once: each view costs a few instructions
	i := 0
	for i+8 <= len(p) {
		w := binary.LittleEndian.Uint64(p[i : i+8])
		switch {
		case w&0x8080808080808080 == 0:
			// ASCII is seldom alone: go on 32 bytes at a time.
			for i += 8; i+32 <= len(p); i += 32 {
				b := p[i : i+32]
				le := binary.LittleEndian
				if (le.Uint64(b)|le.Uint64(b[8:])|le.Uint64(b[16:])|le.Uint64(b[24:]))&0x8080808080808080 != 0 {
					break
				}
			}
		case w&0x80 == 0:
			// ASCII up to the first byte that is not; asked early, as a
			// space comes before each word of most scripts.
			i += bits.TrailingZeros64(w&0x8080808080808080) / 8
		case w&0xC0F0C0C0F0C0C0F0 == 0x80E08080E08080E0 && i+16 <= len(p) &&
			validThrees(w, binary.LittleEndian.Uint64(p[i+8:i+16])):
			// A run of them, as a script of three-byte characters has:
			// five at a time while they last, without the other cases.
			for i += 15; i+16 <= len(p); i += 15 {
				b := p[i : i+16]
				if lo := binary.LittleEndian.Uint64(b); lo&0xC0F0C0C0F0C0C0F0 != 0x80E08080E08080E0 || !validThrees(lo, binary.LittleEndian.Uint64(b[8:])) {
					break
				}
			}
		case w&0xC0C0F0C0C0F0 == 0x8080E08080E0:
			// Two three-byte characters, as a script of them runs: each
			// checked as below; and so two of two bytes.
			if x := w & 0x200F; x == 0 || x == 0x200D {
				return false
			}
			if x := w >> 24 & 0x200F; x == 0 || x == 0x200D {
				return false
			}
			i += 6
		case w&0xC0E0C0E0 == 0x80C080C0: // two two-byte characters
			if w&0x1E == 0 || w&0x1E0000 == 0 {
				return false
			}
			i += 4
		case w&0xC0C0F0 == 0x8080E0: // 1110xxxx 10xxxxxx 10xxxxxx
			// E0 needs A0-BF next (not overlong), ED 80-9F (not a
			// surrogate): bit 5 of the second byte against the lead's
			// low bits.
			if x := w & 0x200F; x == 0 || x == 0x200D {
				return false
			}
			i += 3
		case w&0xC0E0 == 0x80C0: // 110xxxxx 10xxxxxx
			if w&0x1E == 0 { // C0 and C1 would be overlong
				return false
			}
			i += 2
		default:
			if r, n := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || n > 1 {
				i += n
				continue
			}
			return false
		}
	}
	return utf8.ValidString(s[i:])
}

// validThrees reports whether the 16 bytes lo and hi (little-endian) begin
// with five valid three-byte characters, given that lo's bytes already have
// the form of three leads and their continuation bytes. It checks the rest
// of the form and then, for every character at once, what Valid's
// two-character case checks one by one: a lead of low bits 0 needs bit 5
// of the next byte set (else overlong), one of D needs it clear (else a
// surrogate). Each lead's low bits, xored with D where that bit is set, are
// then nonzero, which adding 7F to every lead's byte shows in its top bit.
func validThrees(lo, hi uint64) bool {
	// Leads at bytes 0, 3 and 6 of lo and 1 and 4 of hi; the lanes of the
	// two do not overlap, so they are checked as one word.
	if hi&0xC0C0F0C0C0F0C0 != 0x8080E08080E080 {
		return false
	}
	low := lo&0x0F00000F00000F | hi&0x0F00000F00
	bit5 := (lo>>8&0x20000020000020 | hi>>8&0x2000002000) >> 5
	v := low ^ bit5*0xD
	const tops = 0x80008080008080
	return (v+0x7F007F7F007F7F)&tops == tops
}

// CharLen is SentencePiece's OneCharLen: the length of the UTF-8 sequence
// that a lead byte announces, indexed by the byte's top four bits.
var CharLen = [16]uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4}

// String views b as a string without copying; b must not change while the
// string is in use.
func String(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Bytes views s as a byte slice without copying; the slice must not be
// written.
func Bytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
