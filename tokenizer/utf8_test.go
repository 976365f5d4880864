package tokenizer

import (
	"math/rand"
	"testing"
	"unicode/utf8"
)

// TestDecodeChar holds decodeChar to utf8.DecodeRune on every one-, two-
// and three-byte sequence, valid or not, and on random bytes.
func TestDecodeChar(t *testing.T) {
	check := func(p []byte) {
		r, n := decodeChar(p)
		wr, wn := utf8.DecodeRune(p)
		if r != wr || n != wn {
			t.Fatalf("decodeChar(% x) = %U, %d; utf8.DecodeRune gives %U, %d", p, r, n, wr, wn)
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
