package unigram

import (
	"math"
	"math/rand"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// pieceAlphabet returns the first 400 pieces of v and extra, to write
// random normalized texts with.
func pieceAlphabet(v *vocab.Vocab, extra ...string) []string {
	var alphabet []string
	for id := range int32(min(v.Size(), 400)) {
		alphabet = append(alphabet, v.Piece(id))
	}
	return append(alphabet, extra...)
}

// TestPartFewest checks a Part's Fewest on short texts of pieces and
// characters no piece holds, with and without byte fallback and a ban: it
// is the fewest tokens of the paths that NBest finds, all of them for
// texts this short.
func TestPartFewest(t *testing.T) {
	for _, name := range unigramModels {
		m, v := newModel(t, name)
		alphabet := pieceAlphabet(v, "\u2581", "\u8a9e", "\U0001F600", "q", "\xff")
		ban := make([]bool, v.Size())
		for id := range ban {
			ban[id] = id%7 == 0
		}
		rng := rand.New(rand.NewSource(11))
		for range 400 {
			norm := []byte(testmodel.RandomText(rng, alphabet, 4))
			if len(norm) > 12 {
				continue
			}
			for _, b := range [][]bool{nil, ban} {
				paths := m.NBest(norm, maxNBest, b)
				for _, fallback := range []bool{false, true} {
					p := m.NewPart(norm, b, fallback)
					least := len(norm) + 1
					for _, path := range paths {
						least = min(least, p.count(path.Pieces))
					}
					if len(paths) < maxNBest && p.Fewest() != least {
						t.Fatalf("%s: %q, fallback %v: Fewest %d, the n-best paths' fewest %d", name, norm, fallback, p.Fewest(), least)
					}
				}
			}
		}
	}
}

// TestPartFrom checks that a Part's From gives the tokens and the end
// score of EncodeFrom from scores of every size, on the words of every
// corpus file and on random texts of pieces, with and without a ban and
// byte fallback, and that it seldom has to encode: from small scores
// hardly ever.
func TestPartFrom(t *testing.T) {
	for _, name := range unigramModels {
		m, v := newModel(t, name)
		var texts [][]byte
		for _, f := range modeltest.Corpus(t) {
			norm := modeltest.Normalize(f.Text)
			for p, words := 0, 0; p < len(norm) && words < 200; words++ {
				q := nextSpace(norm, p)
				texts = append(texts, norm[p:q])
				p = q
			}
		}
		alphabet := pieceAlphabet(v, "\u8a9e", "\U0001F600", "q", "\xff")
		rng := rand.New(rand.NewSource(12))
		for range 300 {
			texts = append(texts, []byte(testmodel.RandomText(rng, alphabet, 8)))
		}
		ban := make([]bool, v.Size())
		for id := range ban {
			ban[id] = id%5 == 0
		}
		encoded, small, all := 0, 0, 0
		for i, norm := range texts {
			b := []bool(nil)
			if i%3 == 0 {
				b = ban
			}
			fallback := i%2 == 0
			p := m.NewPart(norm, b, fallback)
			for _, from := range []float32{0, -3.25, -150.5, -4096, -12345.678, -2e5, -3e6, -float32(rng.ExpFloat64() * 1e4)} {
				n, end, enc := p.From(from)
				pieces, want := m.EncodeFrom(nil, norm, b, from)
				if k := p.count(pieces); n != k || math.Float32bits(end) != math.Float32bits(want) {
					t.Fatalf("%s: %q from %g: From gives %d tokens to %g, EncodeFrom %d to %g", name, norm, from, n, end, k, want)
				}
				all++
				if enc {
					encoded++
					if from > -200 {
						small++
					}
				}
			}
		}
		t.Logf("%s: %d of %d encoded, %d from above -200", name, encoded, all, small)
		if encoded > all/5 || small > all/50 {
			t.Errorf("%s: From encoded %d parts of %d, %d from above -200", name, encoded, all, small)
		}
	}
}

// TestFewestAfter checks that FewestAfter bounds the tokens of texts that
// end with a suffix of a normalized text, whatever comes before it, on
// random texts of pieces and characters no piece holds, with and without
// byte fallback and a ban, and that on the corpus it is not far below the
// tokens of the whole text.
func TestFewestAfter(t *testing.T) {
	for _, name := range unigramModels {
		m, v := newModel(t, name)
		alphabet := pieceAlphabet(v, "\u8a9e", "\U0001F600", "q", "\xff", "aaaa")
		ban := make([]bool, v.Size())
		for id := range ban {
			ban[id] = id%5 == 0
		}
		rng := rand.New(rand.NewSource(13))
		checked := 0
		for i := range 300 {
			norm := []byte(testmodel.RandomText(rng, alphabet, 12))
			// The text's suffixes from inside its first piece, after a
			// head of that piece's start, are where a piece across the
			// head's end reaches furthest into them.
			if first := alphabet[rng.Intn(len(alphabet))]; utf8.ValidString(first) {
				norm = append([]byte(first), norm...)
			}
			b := []bool(nil)
			if i%3 == 0 {
				b = ban
			}
			fallback := i%2 == 0
			least := m.FewestAfter(norm, b, fallback, v.MaxPieceLen())
			part := m.NewPart(norm, b, fallback)
			if int(least[0]) > part.Fewest() {
				t.Fatalf("%s: %q: FewestAfter %d at 0, more than the fewest tokens, %d", name, norm, least[0], part.Fewest())
			}
			for p := 0; p < len(norm); p += min(OneCharLen(norm[p]), len(norm)-p) {
				// Where the head ends, a character must start: no byte of
				// the head may take those after it as its own.
				head := testmodel.RandomText(rng, alphabet, 3)
				if rng.Intn(2) == 0 {
					head = string(norm[:p])
				}
				if !utf8.ValidString(head) {
					continue
				}
				text := append([]byte(head), norm[p:]...)
				if k := m.NewPart(text, b, fallback).count(m.Encode(nil, text, b)); k < int(least[p]) {
					t.Fatalf("%s: %q then %q: %d tokens, fewer than FewestAfter's %d", name, head, norm[p:], k, least[p])
				}
				checked++
			}
		}
		t.Logf("%s: %d suffixes checked", name, checked)
		for _, f := range modeltest.Corpus(t) {
			norm := modeltest.Normalize(f.Text)
			norm = norm[:min(len(norm), 4<<10)]
			got, want := m.FewestAfter(norm, nil, false, v.MaxPieceLen())[0], m.NewPart(norm, nil, false).count(m.Encode(nil, norm, nil))
			if 2*int(got)+1 < want {
				t.Errorf("%s %s: FewestAfter %d at 0, for %d tokens", name, f.Name, got, want)
			}
		}
	}
}

// TestFewestBefore checks that FewestBefore bounds the tokens of texts that
// start with a prefix of a normalized text, whatever comes after it, as
// TestFewestAfter checks FewestAfter.
func TestFewestBefore(t *testing.T) {
	for _, name := range unigramModels {
		m, v := newModel(t, name)
		alphabet := pieceAlphabet(v, "\u8a9e", "\U0001F600", "q", "\xff", "aaaa")
		ban := make([]bool, v.Size())
		for id := range ban {
			ban[id] = id%5 == 0
		}
		rng := rand.New(rand.NewSource(14))
		checked := 0
		for i := range 300 {
			norm := []byte(testmodel.RandomText(rng, alphabet, 12))
			b := []bool(nil)
			if i%3 == 0 {
				b = ban
			}
			fallback := i%2 == 0
			least := m.FewestBefore(norm, b, fallback, v.MaxPieceLen())
			part := m.NewPart(norm, b, fallback)
			if int(least[len(norm)]) > part.Fewest() {
				t.Fatalf("%s: %q: FewestBefore %d at the end, more than the fewest tokens, %d", name, norm, least[len(norm)], part.Fewest())
			}
			for p := 0; p < len(norm); p += min(OneCharLen(norm[p]), len(norm)-p) {
				// A piece across p from the text reaches furthest back.
				tail := string(norm[p:])
				if rng.Intn(2) == 0 {
					tail = testmodel.RandomText(rng, alphabet, 3)
				}
				text := append(norm[:p:p], tail...)
				if k := part.count(m.Encode(nil, text, b)); k < int(least[p]) {
					t.Fatalf("%s: %q then %q: %d tokens, fewer than FewestBefore's %d", name, norm[:p], tail, k, least[p])
				}
				checked++
			}
		}
		t.Logf("%s: %d prefixes checked", name, checked)
		for _, f := range modeltest.Corpus(t) {
			norm := modeltest.Normalize(f.Text)
			norm = norm[:min(len(norm), 4<<10)]
			got, want := m.FewestBefore(norm, nil, false, v.MaxPieceLen())[len(norm)], m.NewPart(norm, nil, false).count(m.Encode(nil, norm, nil))
			if 2*int(got)+1 < want {
				t.Errorf("%s %s: FewestBefore %d at the end, for %d tokens", name, f.Name, got, want)
			}
		}
	}
}
