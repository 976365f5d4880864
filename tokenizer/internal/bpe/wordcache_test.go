package bpe

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/hitrate"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// TestSplitNoneAgrees checks the word splitting of the BPE model against
// the path that segments the text whole, as the C++ does: forced onto the
// Gemma model, it must give the same ids on the corpus.
func TestSplitNoneAgrees(t *testing.T) {
	fast := gemma(t)
	if fast.split != splitBefore {
		t.Fatalf("the Gemma model splits with mode %d, want splitBefore", fast.split)
	}
	whole := freshGemma(t) // its model is its own to change
	whole.split = splitNone
	sc := new(Scratch)
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The start of each file is enough; the adversarial runs are long.
		text := string(data[:min(len(data), 100<<10)])
		if got, want := whole.encode(sc, text), fast.encode(sc, text); !slices.Equal(got, want) {
			t.Errorf("%s: %s", testmodel.CorpusName(path), testmodel.DiffAt(got, want))
		}
	}
}

// TestWordCacheSparse checks that a scratch's cache goes sparse on random
// text (hitrate.Gate decides when) and that the scratch then encodes
// natural text as a fresh one does.
func TestWordCacheSparse(t *testing.T) {
	m := freshGemma(t)
	rnd := rand.New(rand.NewSource(1))
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	noise := make([]byte, 64<<10)
	for i := range noise {
		noise[i] = b64[rnd.Intn(len(b64))]
	}
	sc := new(Scratch)
	m.encode(sc, string(noise))
	if _, u := sc.cacheFor(m.rules); !u.Sparse() {
		t.Error("random base64 left the word cache in use for every word")
	}
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data[:min(len(data), 32<<10)])
		got := m.encode(sc, text)
		if want := freshGemma(t).encode(new(Scratch), text); !slices.Equal(got, want) {
			t.Errorf("%s after random text: %s", testmodel.CorpusName(path), testmodel.DiffAt(got, want))
		}
	}
	if _, u := sc.cacheFor(m.rules); u.Sparse() {
		t.Error("natural text left the word cache sparse")
	}
}

// TestWordCacheCold checks that a cache too young to have grown does not
// stand aside: a text that starts with more new words than one window of
// lookups holds keeps its cache in use, and stores its words.
func TestWordCacheCold(t *testing.T) {
	m := freshGemma(t)
	rnd := rand.New(rand.NewSource(2))
	var words []string
	for range 2 * hitrate.Window {
		w := make([]byte, 4+rnd.Intn(8))
		for i := range w {
			w[i] = byte('a' + rnd.Intn(26))
		}
		words = append(words, string(w))
	}
	sc := new(Scratch)
	m.encode(sc, strings.Join(words, " "))
	cache, u := sc.cacheFor(m.rules)
	if u.Sparse() {
		t.Fatal("new words in a cold cache made it stand aside")
	}
	if hit, _ := cache.lookup([]byte("\u2581"+words[len(words)-1]), m.rules, u); hit == nil {
		t.Error("the last word was not stored")
	}
}

// TestWordCacheEntries stores random words of every cached length, enough
// to make the table grow, with made-up pieces, and checks that each is
// found with its pieces and that a word differing in one byte is not.
func TestWordCacheEntries(t *testing.T) {
	rnd := rand.New(rand.NewSource(2))
	r := &Rules{}
	var c wordCache
	var u cacheUse
	words := map[string][]seg.Piece{}
	for len(words) < 20000 {
		w := make([]byte, 1+rnd.Intn(cacheMaxWord))
		for i := range w {
			w[i] = "ab\x00\xe2\x96\x81"[rnd.Intn(6)] // few letters, so that words share bytes
		}
		if _, ok := words[string(w)]; ok {
			continue
		}
		pieces := make([]seg.Piece, 1+rnd.Intn(min(len(w), 3)))
		for i := range pieces {
			pieces[i] = seg.Piece{ID: rnd.Int31n(256000), Len: 1}
		}
		pieces[len(pieces)-1].Len = int32(len(w) - len(pieces) + 1)
		words[string(w)] = pieces
		if hit, h := c.lookup(w, r, &u); hit != nil {
			t.Fatalf("%q found before it was stored", w)
		} else {
			c.add(w, h, r, pieces)
		}
	}
	if n := len(c.table.Load().slots); n <= cacheMinSlots {
		t.Fatalf("the table did not grow: %d slots", n)
	}
	for w, want := range words {
		got, _ := c.lookup([]byte(w), r, &u)
		if !slices.Equal(got, want) {
			t.Fatalf("%q: got %v, want %v", w, got, want)
		}
		other := []byte(w)
		i := rnd.Intn(len(other))
		other[i] ^= 1 << rnd.Intn(8)
		// A short word is its own key: a lookup that meets a slot with the
		// same hash bits tells them apart by it alone.
		if a := wordKey([]byte(w)).inline; len(w) <= inlineWord {
			if b := wordKey(other).inline; a == b {
				t.Fatalf("%q and %q have the same key %#x", w, other, a)
			}
		}
		if _, stored := words[string(other)]; !stored {
			if got, _ := c.lookup(other, r, &u); got != nil {
				t.Fatalf("%q, never stored, found as %v (from %q)", other, got, w)
			}
		}
	}
}

// TestWordCacheBounded stores words that split into many pieces and checks
// that the cache's arrays stay within their bounds.
func TestWordCacheBounded(t *testing.T) {
	r := &Rules{}
	var c wordCache
	var u cacheUse
	pieces := make([]seg.Piece, cacheMaxWord)
	for i := range pieces {
		pieces[i] = seg.Piece{ID: int32(i), Len: 1}
	}
	w := make([]byte, cacheMaxWord)
	emptied := 0
	var arena *cacheArena
	for i := range 3 * cacheMaxPieces / cacheMaxWord {
		binary.LittleEndian.PutUint64(w, uint64(i))
		_, h := c.lookup(w, r, &u)
		c.add(w, h, r, pieces)
		a := c.table.Load().arena
		if a.pieces.used > cacheMaxPieces || a.keys.used > cacheMaxKeys || c.used > cacheMaxUsed {
			t.Fatalf("after %d words: %d pieces, %d key bytes, %d words", i+1, a.pieces.used, a.keys.used, c.used)
		}
		if got, _ := c.lookup(w, r, &u); !slices.Equal(got, pieces) {
			t.Fatalf("word %d is not found right after it was stored", i)
		}
		if a != arena {
			emptied++
			arena = a
		}
	}
	if emptied < 3 {
		t.Errorf("the cache was emptied %d times for 3 times the pieces it holds", emptied-1)
	}
}

// cachedPair returns the piece that c holds for pair l, r (or -1), and
// whether it holds one.
func cachedPair(c *pairCache, l, r int32) (int32, bool) {
	x := c.entry(l, r)
	return int32(x) - 1, x <= pairIDMask
}

// putPair has c record that l and r make id, if their ids fit a slot.
func putPair(c *pairCache, l, r, id int32) {
	if k, ok := pairCacheKey(l, r); ok {
		c.ready()
		c.put(k, id)
	}
}

// TestPairCache checks that the pair cache answers what was put, forgets a
// pair only for another in its slot, keeps its pairs when it grows (in a
// step or, for a long text, at once), and keeps no pair whose ids it
// cannot pack.
func TestPairCache(t *testing.T) {
	var c pairCache
	if _, ok := cachedPair(&c, 1, 2); ok {
		t.Fatal("an empty cache knows a pair")
	}
	putPair(&c, 1, 2, 3)
	if len(c.slots) != 1<<pairCacheFirstBits {
		t.Errorf("%d slots for one pair, want %d: a short text should touch little", len(c.slots), 1<<pairCacheFirstBits)
	}
	// Growing keeps the pairs that the smaller table held.
	var g pairCache
	held := map[[2]int32]int32{}
	for i := int32(0); len(g.slots) <= 1<<pairCacheFirstBits; i++ {
		putPair(&g, i, i+1, i%5-1)
		held[[2]int32{i, i + 1}] = i%5 - 1
	}
	for p, id := range held {
		if got, ok := cachedPair(&g, p[0], p[1]); ok && got != id {
			t.Fatalf("cachedPair(%d, %d) = %d after growing, want %d", p[0], p[1], got, id)
		} else if !ok {
			delete(held, p)
		}
	}
	if len(held) < 1<<pairCacheFirstBits/2 {
		t.Errorf("growing to %d slots kept %d pairs of %d slots", len(g.slots), len(held), 1<<pairCacheFirstBits)
	}
	// A long text has the table made full at once, with the pairs kept; a
	// short one leaves it as it is.
	g.forText(pairCacheLongText - 1)
	if len(g.slots) == 1<<pairCacheBits {
		t.Errorf("a text of %d bytes made the table full", pairCacheLongText-1)
	}
	g.forText(pairCacheLongText)
	if len(g.slots) != 1<<pairCacheBits {
		t.Errorf("%d slots for a text of %d bytes, want %d", len(g.slots), pairCacheLongText, 1<<pairCacheBits)
	}
	for p, id := range held {
		if got, ok := cachedPair(&g, p[0], p[1]); !ok || got != id {
			t.Fatalf("cachedPair(%d, %d) = %d, %v after the table was made full, want %d", p[0], p[1], got, ok, id)
		}
	}
	rng := rand.New(rand.NewSource(1))
	want := map[[2]int32]int32{}
	for range 3 << pairCacheBits {
		l, r := rng.Int31n(1<<pairIDBits), rng.Int31n(1<<pairIDBits)
		id := rng.Int31n(1<<pairIDBits-1) - 1 // -1 (no piece) included
		putPair(&c, l, r, id)
		want[[2]int32{l, r}] = id
		if got, ok := cachedPair(&c, l, r); !ok || got != id {
			t.Fatalf("cachedPair(%d, %d) = %d, %v right after put %d", l, r, got, ok, id)
		}
	}
	kept := 0
	for p, id := range want {
		got, ok := cachedPair(&c, p[0], p[1])
		if ok && got != id {
			t.Fatalf("cachedPair(%d, %d) = %d, want %d", p[0], p[1], got, id)
		}
		if ok {
			kept++
		}
	}
	if len(c.slots) != 1<<pairCacheBits {
		t.Errorf("%d slots after %d pairs, want %d", len(c.slots), len(want), 1<<pairCacheBits)
	}
	if kept < 1<<pairCacheBits/2 {
		t.Errorf("only %d of %d pairs kept in %d slots", kept, len(want), 1<<pairCacheBits)
	}
	for _, p := range [][3]int32{{1 << pairIDBits, 1, 5}, {1, 1 << pairIDBits, 5}, {7, 8, pairIDMask}} {
		putPair(&c, p[0], p[1], p[2])
		if _, ok := cachedPair(&c, p[0], p[1]); ok {
			t.Errorf("pair %d, %d -> %d does not fit a slot but was kept", p[0], p[1], p[2])
		}
	}
}

// TestWordCacheConcurrent has goroutines look up and add the same words in
// different orders, more of them than the cache holds, so that its table
// grows and is emptied while others read it: every hit must give the word's
// own pieces. Run it with -race.
func TestWordCacheConcurrent(t *testing.T) {
	r := &Rules{}
	rnd := rand.New(rand.NewSource(5))
	var words [][]byte
	seen := map[string]bool{}
	for len(words) < cacheMaxUsed+cacheMaxUsed/2 {
		w := make([]byte, 1+rnd.Intn(cacheMaxWord))
		rnd.Read(w)
		if !seen[string(w)] {
			seen[string(w)] = true
			words = append(words, w)
		}
	}
	// piecesOf makes up the pieces of a word from its bytes.
	piecesOf := func(w []byte) []seg.Piece {
		n := 1 + int(w[0])%min(len(w), 3)
		p := make([]seg.Piece, n)
		for i := range p {
			p[i] = seg.Piece{ID: int32(w[i%len(w)]) + int32(len(w))<<8, Len: 1}
		}
		p[n-1].Len = int32(len(w) - n + 1)
		return p
	}
	var c wordCache
	const workers = 4
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	hits := make([]int, workers)
	for g := range workers {
		order := rand.New(rand.NewSource(int64(g))).Perm(len(words))
		wg.Go(func() {
			var u cacheUse
			for _, i := range order {
				w := words[i]
				want := piecesOf(w)
				got, k := c.lookup(w, r, &u)
				if got == nil {
					c.add(w, k, r, want)
					continue
				}
				hits[g]++
				if !slices.Equal(got, want) {
					errs <- fmt.Sprintf("%q: got %v, want %v", w, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	total := 0
	for _, h := range hits {
		total += h
	}
	// Each goroutine looks a word up once, so every hit is of a word that
	// another stored; a goroutine adding while another does skips its word.
	if total < len(words)/4 {
		t.Errorf("%d hits in %d lookups of %d words: the goroutines did not share what they stored", total, workers*len(words), len(words))
	}
}

// FuzzSplitNone checks on arbitrary bytes that the word splitting of the
// Gemma 2 and Gemma 3 models, with all its shortcuts, gives the ids of
// segmenting the text whole, as the C++ does.
func FuzzSplitNone(f *testing.F) {
	for _, s := range []string{"", "Hello, world!", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa", "自然言語処理 — обработка 123.\n", "\xff\xfe<start_of_turn>x", "  \n\n\t",
		"ภาษาไทยเป็นภาษาที่มีระดับเสียงของคำแน่นอนหรือวรรณยุกต์ ภาษาไทย", "తెలుగుభాషద్రావిడభాషలలోఒకటి", "a>▁</b", "x </td>\n\n<td>"} {
		f.Add([]byte(s))
	}
	g3, err := vocab.Gemma3()
	if err != nil {
		f.Fatal(err)
	}
	var fast, whole []*testModel
	for _, v := range []*vocab.Vocab{gemma(f).v, g3} {
		w := newTestModel(f, v)
		w.split = splitNone
		fast, whole = append(fast, newTestModel(f, v)), append(whole, w)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		text := string(data)
		for i, m := range fast {
			// Twice: the second time the words are in the cache.
			for range 2 {
				if got, want := whole[i].encode(new(Scratch), text), m.encode(new(Scratch), text); !slices.Equal(got, want) {
					t.Fatalf("%s: segmented whole, %q gives %s", m.v.Builtin(), text, testmodel.DiffAt(got, want))
				}
			}
		}
	})
}
