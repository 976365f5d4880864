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

// banEvery returns a ban of every kth piece of v.
func banEvery(v *vocab.Vocab, k int) []bool {
	ban := make([]bool, v.Size())
	for id := range ban {
		ban[id] = id%k == 0
	}
	return ban
}

// TestPartFewest checks a Part's Fewest on short texts of pieces and
// characters no piece holds, with and without byte fallback and a ban: it
// is the fewest tokens of the paths that NBest finds, all of them for
// texts this short.
func TestPartFewest(t *testing.T) {
	for _, name := range unigramModels {
		m, v := newModel(t, name)
		alphabet := pieceAlphabet(v, "\u2581", "\u8a9e", "\U0001F600", "q", "\xff")
		ban := banEvery(v, 7)
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
		ban := banEvery(v, 5)
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

// TestFewestBounds checks that FewestAfter (FewestBefore) bounds the
// tokens of texts that end (start) with a suffix (prefix) of a normalized
// text, whatever comes before (after) it, on random texts of pieces and
// characters no piece holds, with and without byte fallback and a ban;
// the other part is random or the rest of the text, so that a piece across
// the place reaches as far as it may. On the corpus the bound of a whole
// text must not be far below its tokens.
func TestFewestBounds(t *testing.T) {
	for _, bound := range []struct {
		name  string
		least func(m *Model, norm []byte, ban []bool, fallback bool, longest int) []int32
		after bool // the bound is of suffixes
	}{
		{"FewestAfter", (*Model).FewestAfter, true},
		{"FewestBefore", (*Model).FewestBefore, false},
	} {
		for _, name := range unigramModels {
			m, v := newModel(t, name)
			alphabet := pieceAlphabet(v, "\u8a9e", "\U0001F600", "q", "\xff", "aaaa")
			ban := banEvery(v, 5)
			rng := rand.New(rand.NewSource(13))
			// whole is where the bound of the whole text is.
			whole := func(norm []byte) int {
				if bound.after {
					return 0
				}
				return len(norm)
			}
			checked := 0
			for i := range 300 {
				norm := []byte(testmodel.RandomText(rng, alphabet, 12))
				if first := alphabet[rng.Intn(len(alphabet))]; utf8.ValidString(first) {
					norm = append([]byte(first), norm...)
				}
				b := []bool(nil)
				if i%3 == 0 {
					b = ban
				}
				fallback := i%2 == 0
				least := bound.least(m, norm, b, fallback, v.MaxPieceLen())
				part := m.NewPart(norm, b, fallback)
				if int(least[whole(norm)]) > part.Fewest() {
					t.Fatalf("%s %s: %q: %d for the whole, more than its fewest tokens, %d", bound.name, name, norm, least[whole(norm)], part.Fewest())
				}
				for p := 0; p < len(norm); p += min(OneCharLen(norm[p]), len(norm)-p) {
					other := testmodel.RandomText(rng, alphabet, 3)
					var text []byte
					switch {
					case !bound.after && rng.Intn(2) == 0:
						text = norm
					case !bound.after:
						text = append(norm[:p:p], other...)
					case rng.Intn(2) == 0:
						text = norm
					case utf8.ValidString(other):
						// Where other ends, a character must start.
						text = append([]byte(other), norm[p:]...)
					default:
						continue
					}
					if k := part.count(m.Encode(nil, text, b)); k < int(least[p]) {
						t.Fatalf("%s %s: %q, %d: %q has %d tokens, fewer than %d", bound.name, name, norm, p, text, k, least[p])
					}
					checked++
				}
			}
			t.Logf("%s %s: %d texts checked", bound.name, name, checked)
			for _, f := range modeltest.Corpus(t) {
				norm := modeltest.Normalize(f.Text)
				norm = norm[:min(len(norm), 4<<10)]
				got, want := bound.least(m, norm, nil, false, v.MaxPieceLen())[whole(norm)], m.NewPart(norm, nil, false).count(m.Encode(nil, norm, nil))
				if 2*int(got)+1 < want {
					t.Errorf("%s %s %s: %d for the whole, of %d tokens", bound.name, name, f.Name, got, want)
				}
			}
		}
	}
}
