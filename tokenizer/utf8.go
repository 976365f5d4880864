package tokenizer

import "unicode/utf8"

// decodeChar is utf8.DecodeRune with two- and three-byte characters, those
// of nearly every script but Latin, decoded here: the loops over words call
// it for every character, and utf8.DecodeRune handles only ASCII without a
// call. Anything else, malformed bytes included, goes to utf8.DecodeRune,
// so the results are the same.
func decodeChar(p []byte) (rune, int) {
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
