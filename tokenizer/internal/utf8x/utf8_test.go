package utf8x

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDecodeChar holds DecodeChar to utf8.DecodeRune on every one-, two-
// and three-byte sequence, valid or not, and on random bytes.
func TestDecodeChar(t *testing.T) {
	check := func(p []byte) {
		r, n := DecodeChar(p)
		wr, wn := utf8.DecodeRune(p)
		if r != wr || n != wn {
			t.Fatalf("DecodeChar(% x) = %U, %d; utf8.DecodeRune gives %U, %d", p, r, n, wr, wn)
		}
	}
	for a := range 256 {
		check([]byte{byte(a)})
		for b := range 256 {
			check([]byte{byte(a), byte(b)})
			for c := range 256 {
				check([]byte{byte(a), byte(b), byte(c)})
			}
		}
	}
	rnd := rand.New(rand.NewSource(3))
	p := make([]byte, 4)
	for range 1 << 20 {
		rnd.Read(p)
		check(p[:1+rnd.Intn(4)])
	}
}

// TestValidUTF8 holds Valid to utf8.ValidString on every one-, two-
// and three-byte sequence followed by ASCII, so that its eight-byte
// window covers it, and on random strings of bytes that UTF-8 gives
// meaning to.
func TestValidUTF8(t *testing.T) {
	check := func(s []byte) {
		if got, want := Valid(string(s)), utf8.Valid(s); got != want {
			t.Fatalf("Valid(% x) = %v, want %v", s, got, want)
		}
	}
	buf := make([]byte, 0, 16)
	// Any three bytes, alone and after valid characters of three bytes
	// or of two, for the cases that take two characters at once.
	for _, first := range []string{"", "\xe0\xb8\x81", "\xd8\xa7"} {
		for a := range 256 {
			for b := range 256 {
				for c := range 256 {
					if (testing.Short() || first != "") && c%7 != 0 {
						continue
					}
					check(append(append(buf[:0], first...), byte(a), byte(b), byte(c), 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'))
				}
			}
		}
	}
	// Any three bytes as each of ten characters of three bytes, the
	// others valid, for the case that takes five at once and the run
	// of them after it.
	thai := "\xe0\xb8\x81"
	for k := range 10 {
		for a := range 256 {
			for b := range 256 {
				for c := range 256 {
					if c%(5+5*(k/5)) != 0 {
						continue
					}
					s := append(append(buf[:0], strings.Repeat(thai, k)...), byte(a), byte(b), byte(c))
					check(append(append(s, strings.Repeat(thai, 9-k)...), 'a', 'b'))
				}
			}
		}
	}
	// Long ASCII with one other character at every offset, for the loop
	// that takes ASCII 32 bytes at a time.
	for k := range 80 {
		for _, c := range []string{"\xff", "\xc3\xa9", "\xe2\x96\x81", "\xed\xa0\x80", "\xf0\x9f\x98\x80", "\xc3"} {
			s := append(append(append(buf[:0], strings.Repeat("a", k)...), c...), strings.Repeat("b", 80-k)...)
			check(s)
		}
	}
	alphabet := []byte{'a', ' ', 0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
		0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF}
	rnd := rand.New(rand.NewSource(4))
	for range 1 << 20 {
		s := buf[:0]
		for range rnd.Intn(24) {
			if rnd.Intn(3) == 0 {
				s = utf8.AppendRune(s, rune(rnd.Intn(0x110000)))
			} else {
				s = append(s, alphabet[rnd.Intn(len(alphabet))])
			}
		}
		check(s)
	}
}
