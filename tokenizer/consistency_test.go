package tokenizer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// freshTokenizer builds a new Tokenizer for the Gemma model, with memos
// that no other test has filled.
func freshTokenizer(t testing.TB) *Tokenizer {
	t.Helper()
	tok, err := New(defaultTokenizer(t).Vocab())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestSplitNoneAgrees checks the word splitting of the BPE model against
// the path that segments the text whole, as the C++ does: forced onto the
// Gemma model, it must give the same ids on the corpus.
func TestSplitNoneAgrees(t *testing.T) {
	fast := defaultTokenizer(t)
	if fast.model.split != splitBefore {
		t.Fatalf("the Gemma model splits with mode %d, want splitBefore", fast.model.split)
	}
	whole := freshTokenizer(t) // its model is its own to change
	whole.model.split = splitNone
	for _, path := range corpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The start of each file is enough; the adversarial runs are long.
		text := string(data[:min(len(data), 100<<10)])
		if got, want := whole.Encode(text), fast.Encode(text); !slices.Equal(got, want) {
			t.Errorf("%s: %s", corpusName(path), diffAt(got, want))
		}
	}
}

// TestConcurrentEncode encodes the corpus from many goroutines at once
// with a Tokenizer whose memos start empty, so that they are filled
// concurrently, and checks the ids against sequential encoding. Run it with
// -race.
func TestConcurrentEncode(t *testing.T) {
	texts := generalTexts(t)
	want := make([][]int32, len(texts))
	ref := defaultTokenizer(t)
	for i, nt := range texts {
		want[i] = ref.Encode(nt.text)
	}
	tok := freshTokenizer(t)
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan string, workers*len(texts))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker starts at a different text.
			for k := range texts {
				i := (k + w*len(texts)/workers) % len(texts)
				if got := tok.Encode(texts[i].text); !slices.Equal(got, want[i]) {
					errs <- texts[i].name + ": " + diffAt(got, want[i])
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestNormalizeIdentityAgrees checks the identity normalizer's fast path
// against the general one, on the corpus and on random bytes full of
// spaces, multibyte characters, truncated ones and stray bytes.
func TestNormalizeIdentityAgrees(t *testing.T) {
	n := defaultTokenizer(t).norm
	if !n.identity {
		t.Fatal("the Gemma model's normalizer is not the identity")
	}
	texts := []string{""}
	for _, tx := range generalTexts(t) {
		texts = append(texts, tx.text)
	}
	rng := rand.New(rand.NewSource(3))
	parts := []string{" ", "  ", "a", "word", "\n", "é", "語", "😀", "\u2581", "\uFFFD", "\xe8\xaa", "\xff", "\x80"}
	const valid = 10 // parts[:valid] are valid UTF-8
	for k := range 2009 {
		// The last few are long enough to cross the fast path's blocks:
		// some malformed throughout, some valid throughout (its blocks
		// then end inside characters), some valid but for one byte.
		n, choice := rng.Intn(40), len(parts)
		if k >= 2000 {
			n = 20000
		}
		if k >= 2003 {
			choice = valid
		}
		var b strings.Builder
		for range n {
			b.WriteString(parts[rng.Intn(choice)])
		}
		text := b.String()
		if k >= 2006 {
			at := 16<<10 - 2 + rng.Intn(5)
			text = text[:at] + "\xff" + text[at:]
		}
		texts = append(texts, text)
	}
	for _, text := range texts {
		fast := n.normalizeIdentity([]byte("x"), text)
		general := n.normalize([]byte("x"), nil, text)
		if !bytes.Equal(fast, general) {
			t.Fatalf("normalizing %q: the identity path gives %q, the general %q", text, fast, general)
		}
	}
}

// TestWordCacheSparse checks that the word cache stops looking up words
// after a window of lookups with few hits, samples one word in sparseEvery
// then, and takes part again once hits come back; and that a scratch whose
// cache went sparse on random text encodes natural text as a fresh one does.
func TestWordCacheSparse(t *testing.T) {
	var c cacheUse
	for range hitWindow {
		if !c.use() {
			t.Fatal("a cache that has seen no window skipped a word")
		}
		c.record(false)
	}
	if !c.sparse {
		t.Fatal("a window without hits left the cache in use for every word")
	}
	used := 0
	for range hitWindow * sparseEvery {
		if c.use() {
			used++
			c.record(true)
		}
	}
	if used != hitWindow {
		t.Errorf("sparse cache took part for %d of %d words, want %d", used, hitWindow*sparseEvery, hitWindow)
	}
	if c.sparse {
		t.Error("a window of hits left the cache sparse")
	}

	tok := freshTokenizer(t)
	rnd := rand.New(rand.NewSource(1))
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	noise := make([]byte, 64<<10)
	for i := range noise {
		noise[i] = b64[rnd.Intn(len(b64))]
	}
	sc := tok.getScratch()
	tok.run(sc, string(noise), tok.rules, outIDs)
	if _, u := sc.cacheFor(tok.rules); !u.sparse {
		t.Error("random base64 left the word cache in use for every word")
	}
	for _, path := range corpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data[:min(len(data), 32<<10)])
		tok.run(sc, text, tok.rules, outIDs)
		if want := freshTokenizer(t).Encode(text); !slices.Equal(sc.out.ids, want) {
			t.Errorf("%s after random text: %s", corpusName(path), diffAt(sc.out.ids, want))
		}
	}
	if _, u := sc.cacheFor(tok.rules); u.sparse {
		t.Error("natural text left the word cache sparse")
	}
}

// TestWordCacheEntries stores random words of every cached length, enough
// to make the table grow, with made-up pieces, and checks that each is
// found with its pieces and that a word differing in one byte is not.
func TestWordCacheEntries(t *testing.T) {
	rnd := rand.New(rand.NewSource(2))
	r := &pieceRules{}
	var c wordCache
	var u cacheUse
	words := map[string][]segPiece{}
	for len(words) < 20000 {
		w := make([]byte, 1+rnd.Intn(cacheMaxWord))
		for i := range w {
			w[i] = "ab\x00\xe2\x96\x81"[rnd.Intn(6)] // few letters, so that words share bytes
		}
		if _, ok := words[string(w)]; ok {
			continue
		}
		pieces := make([]segPiece, 1+rnd.Intn(min(len(w), 3)))
		for i := range pieces {
			pieces[i] = segPiece{id: rnd.Int31n(256000), len: 1}
		}
		pieces[len(pieces)-1].len = int32(len(w) - len(pieces) + 1)
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
	r := &pieceRules{}
	var c wordCache
	var u cacheUse
	pieces := make([]segPiece, cacheMaxWord)
	for i := range pieces {
		pieces[i] = segPiece{id: int32(i), len: 1}
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

// TestPairCache checks that the pair cache answers what was put, forgets a
// pair only for another in its slot, and keeps no pair whose ids it cannot
// pack.
func TestPairCache(t *testing.T) {
	var c pairCache
	if _, ok := c.get(1, 2); ok {
		t.Fatal("an empty cache knows a pair")
	}
	c.put(1, 2, 3)
	if len(c.slots) != 1<<pairCacheFirstBits {
		t.Errorf("%d slots for one pair, want %d: a short text should touch little", len(c.slots), 1<<pairCacheFirstBits)
	}
	rng := rand.New(rand.NewSource(1))
	want := map[[2]int32]int32{}
	for range 50000 {
		l, r := rng.Int31n(1<<pairIDBits), rng.Int31n(1<<pairIDBits)
		id := rng.Int31n(1<<pairIDBits-1) - 1 // -1 (no piece) included
		c.put(l, r, id)
		want[[2]int32{l, r}] = id
		if got, ok := c.get(l, r); !ok || got != id {
			t.Fatalf("get(%d, %d) = %d, %v right after put %d", l, r, got, ok, id)
		}
	}
	kept := 0
	for p, id := range want {
		got, ok := c.get(p[0], p[1])
		if ok && got != id {
			t.Fatalf("get(%d, %d) = %d, want %d", p[0], p[1], got, id)
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
		c.put(p[0], p[1], p[2])
		if _, ok := c.get(p[0], p[1]); ok {
			t.Errorf("pair %d, %d -> %d does not fit a slot but was kept", p[0], p[1], p[2])
		}
	}
}

// TestWordCacheConcurrent has goroutines look up and add the same words in
// different orders, more of them than the cache holds, so that its table
// grows and is emptied while others read it: every hit must give the word's
// own pieces. Run it with -race.
func TestWordCacheConcurrent(t *testing.T) {
	r := &pieceRules{}
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
	piecesOf := func(w []byte) []segPiece {
		n := 1 + int(w[0])%min(len(w), 3)
		p := make([]segPiece, n)
		for i := range p {
			p[i] = segPiece{id: int32(w[i%len(w)]) + int32(len(w))<<8, len: 1}
		}
		p[n-1].len = int32(len(w) - n + 1)
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
