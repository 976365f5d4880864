package unigram

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// encodePlain is Encode without the word cache: the C++'s EncodeOptimized
// over the whole text.
func (m *Model) encodePlain(norm []byte) []seg.Piece {
	if len(norm) == 0 {
		return nil
	}
	return backtrack(nil, m.forward(new(viterbi), norm, 0, len(norm), nil, 0, nil))
}

// TestCacheEqualsPlain checks that Encode with its word cache gives the
// pieces of the plain Viterbi over every whole corpus file, over all of them
// one after another (where the path score grows past a million and words
// are cached for its binades) and line by line, twice (cold and warm), on
// the models where the cache applies; and again with a cache of 300 words,
// which keeps evicting words and compacting its arenas.
func TestCacheEqualsPlain(t *testing.T) {
	paths := []string{modeltest.ModelPath("uni8k"), modeltest.SharedModel("unigram8k_nmt_nfkc")}
	var texts, wholes [][]byte
	var all []byte
	for _, f := range modeltest.Corpus(t) {
		norm := modeltest.Normalize(f.Text)
		wholes = append(wholes, norm)
		texts = append(texts, bytes.Split(norm, []byte("\n"))...)
		all = append(all, norm...)
	}
	wholes = append(wholes, all)
	texts = append(texts, wholes...)
	for _, path := range paths {
		for _, limit := range []int{maxWords, 300} {
			texts := texts
			if limit < maxWords {
				texts = wholes
			}
			m, _ := loadModel(t, path)
			if !m.cuts {
				t.Fatalf("%s: the word cache does not apply", path)
			}
			sc := m.get()
			sc.limit = limit
			m.put(sc)
			for range 2 {
				for _, text := range texts {
					if got, want := m.Encode(nil, text, nil), m.encodePlain(text); !slices.Equal(got, want) {
						t.Fatalf("%s, %d words: %q: cached %v, plain %v", path, limit, clip(text), clip(got), clip(want))
					}
				}
			}
			sc = m.get()
			binades, both := 0, 0
			ats := sc.records()
			for _, at := range ats {
				if bins := uint32(sc.cold(at)[0]); bins != 0 {
					binades++
					if sc.data[at]&zeroFlag != 0 || bins&(bins-1) != 0 {
						both++
					}
				}
			}
			t.Logf("%s: %d texts identical, %d words cached, %d of them for a binade, %d of those for another binade or 0 too",
				path, 2*len(texts), len(ats), binades, both)
			if binades == 0 || both == 0 && limit == maxWords {
				t.Error("no word cached for a binade, or none for two")
			}
			if len(ats) > limit || len(ats) != sc.words {
				t.Errorf("%d words cached, %d counted, more than %d", len(ats), sc.words, limit)
			}
		}
	}
}

// TestCacheRefuses checks that a cached word whose decisions are close is
// recomputed once the path score makes rounding coarse.
func TestCacheRefuses(t *testing.T) {
	if !safe(1e-3, 50, 0, 10) {
		t.Error("margin 1e-3 refused at path score 0")
	}
	if safe(1e-3, 50, -1e6, 10) {
		t.Error("margin 1e-3 accepted at path score -1e6, whose ulp is 0.0625")
	}
	if safe(0, 1, -1, 1) {
		t.Error("a tie accepted")
	}
	if !safe(0, 1, 0, 1) {
		t.Error("a tie refused at the score it was learnt from")
	}
	// A sum halfway between two float32s, and one just off it.
	for _, c := range []struct {
		sum float64
		tie bool
	}{{-4096 - 0x1p-12, true}, {-4096 - 0x1p-13, false}, {-4096 - 3*0x1p-12, true}, {-4096 - 0x1p-11, false}} {
		tr := tracker{binade: true}
		tr.reset(2, -4096)
		tr.see(1, c.sum, c.sum, -1, true)
		if tr.tie != c.tie {
			t.Errorf("sum %v: tie %v, want %v", c.sum, tr.tie, c.tie)
		}
	}
}

// TestConcurrentEncode encodes the lines of a corpus file from several
// goroutines sharing one Model (and its kept scratch buffers and caches)
// and checks each result against the plain Viterbi.
func TestConcurrentEncode(t *testing.T) {
	m, _ := newModel(t, "uni8k")
	var lines [][]byte
	for _, f := range modeltest.Corpus(t) {
		if f.Name == "en.txt" || f.Name == "ru.txt" {
			lines = append(lines, bytes.Split(modeltest.Normalize(f.Text), []byte("\n"))...)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			var dst []seg.Piece
			for i := g; i < len(lines); i += 2 {
				dst = m.Encode(dst[:0], lines[i], nil)
				if want := m.encodePlain(lines[i]); !slices.Equal(dst, want) {
					t.Errorf("goroutine %d, line %d: %v, want %v", g, i, dst, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// records returns the offsets of the records in sc.data that are not
// dropped, checking that each is in the slot table once.
func (sc *scratch) records() []int {
	var ats []int
	for at := 1; at < len(sc.data); {
		head := sc.data[at]
		if head == 0 {
			at++ // align's
			continue
		}
		if head&deadFlag == 0 {
			ats = append(ats, at)
		}
		at += recordSize(head)
	}
	return ats
}

// word returns the word of the record at at.
func (sc *scratch) word(at int) []byte {
	n := int(sc.data[at] & 0xffff)
	var w []byte
	for _, x := range sc.data[at+keyAt : at+keyAt+(n+7)/8] {
		w = binary.LittleEndian.AppendUint64(w, x)
	}
	return w[:n]
}

// TestCacheEvicts fills a cache of 64 words and 8 KB with words of
// every length up to 200 bytes, using every third word once, and checks
// after each word that every word it holds is found where it is and
// that it keeps its pieces; that the slots hold the records and no more;
// and that more of the words used stay than chance would keep.
func TestCacheEvicts(t *testing.T) {
	sc := newScratch()
	sc.limit, sc.limitSize = 64, 8<<10
	sc.slots = make([]uint64, minSlots)
	for i := range 2000 {
		// Some words start a text, where chunk reads no bytes before them.
		w := bytes.Repeat([]byte{byte('a' + i%26)}, 1+i%200)
		w = append(w, fmt.Sprint(i)...)
		pre := i % 11
		text := append(bytes.Repeat([]byte{'x'}, pre), w...)
		sc.rec = putPiece(sc.rec[:0], seg.Piece{ID: int32(i), Len: int32(len(w))}, float64(i))
		at := sc.store(hashWord(sc.seed, text, pre, len(text)), text, pre, len(text))
		if i%3 == 0 {
			sc.data[at] |= hitFlag
		}
		if sc.words > sc.limit || sc.size > sc.limitSize {
			t.Fatalf("after %d words: %d words, %d bytes", i+1, sc.words, sc.size)
		}
		ats := sc.records()
		filled := 0
		for _, s := range sc.slots {
			if s != 0 {
				filled++
			}
		}
		if len(ats) != sc.words || filled != sc.words {
			t.Fatalf("after %d words: %d records, %d slots filled, %d counted", i+1, len(ats), filled, sc.words)
		}
		for _, at := range ats {
			w := sc.word(at)
			if h := hashWord(sc.seed, w, 0, len(w)); h != sc.hashRecord(at) {
				t.Fatalf("after %d words: %q hashes to %x from its record, %x from its bytes", i+1, w, sc.hashRecord(at), h)
			} else if got := sc.findHashed(h, w, 0, len(w)); got != at {
				t.Fatalf("after %d words: %q found at %d, not %d", i+1, w, got, at)
			}
			id := int32(uint32(sc.pieces(at)[0]))
			if want := putPiece(nil, seg.Piece{ID: id, Len: int32(len(w))}, float64(id)); !slices.Equal(sc.pieces(at), want) ||
				!bytes.HasSuffix(w, fmt.Append(nil, id)) {
				t.Fatalf("after %d words: %q has pieces %v", i+1, w, sc.pieces(at))
			}
		}
	}
	used := 0
	ats := sc.records()
	for _, at := range ats {
		if id := uint32(sc.pieces(at)[0]); id%3 == 0 {
			used++
		}
	}
	if 3*used <= len(ats) {
		t.Errorf("%d of %d words kept were used, no more than chance keeps", used, len(ats))
	}
	if 8*len(sc.data) > 4*(8<<10) {
		t.Errorf("%d words of records: not compacted", len(sc.data))
	}
}

// TestHashWord checks that hashWord and find, which read a word's chunks
// from its start or its end as the text around it allows, hash a word
// alike wherever it lies in a text, that the chunks read are the word's,
// and that find finds a stored word from any text around it.
func TestHashWord(t *testing.T) {
	sc := newScratch()
	sc.slots = make([]uint64, minSlots)
	w := []byte("▁abcdefghijklmnopqrstuvwxyz0123456789")
	for n := 1; n <= len(w); n++ {
		want := hashWord(sc.seed, w[:n], 0, n)
		stored := 0
		for pre := range 20 {
			for post := range 20 {
				text := append(append(bytes.Repeat([]byte{0xff}, pre), w[:n]...), bytes.Repeat([]byte{0xfe}, post)...)
				if got := hashWord(sc.seed, text, pre, pre+n); got != want {
					t.Fatalf("%q after %d bytes, before %d: hash %x, alone %x", w[:n], pre, post, got, want)
				}
				h, at := sc.find(text, pre, pre+n)
				if h != want || at != stored {
					t.Fatalf("%q after %d bytes, before %d: find %x at %d, want %x at %d", w[:n], pre, post, h, at, want, stored)
				}
				// Hits finds the word as find does, where U+2581 ends it
				// (and stops there: the record holds from no score).
				if n > len("▁") {
					text := append(append(bytes.Repeat([]byte{0xff}, pre), w[:n]...), append([]byte("▁xxxxxxxxxx"), bytes.Repeat([]byte{0xfe}, post)...)...)
					if _, p, _ := sc.hits(nil, text, pre, 0); p != pre || !sc.stop.found || sc.stop.q != pre+n || sc.stop.h != want || sc.stop.at != stored {
						t.Fatalf("%q after %d bytes, before %d: hits stops at %d, word to %d, hash %x at %d, want %x at %d", w[:n], pre, post, p, sc.stop.q, sc.stop.h, sc.stop.at, want, stored)
					}
				}
				if stored == 0 {
					sc.rec = putPiece(sc.rec[:0], seg.Piece{ID: 1, Len: int32(n)}, -1)
					stored = sc.store(h, text, pre, pre+n)
				}
				var got []byte
				for i := 0; i < n; i += 8 {
					got = binary.LittleEndian.AppendUint64(got, chunk(text, pre, pre+n, i))
				}
				if !bytes.Equal(got[:n], w[:n]) || slices.ContainsFunc(got[n:], func(b byte) bool { return b != 0 }) {
					t.Fatalf("%q after %d bytes, before %d: chunks % x", w[:n], pre, post, got)
				}
			}
		}
	}
}

// TestNextSpace checks that nextSpace, which searches for U+2581, finds
// what stepping through the text character by character finds, on random
// texts of bytes that make U+2581, other characters and malformed ones.
func TestNextSpace(t *testing.T) {
	alphabet := []byte{'a', 0xe2, 0x96, 0x81, 0xc3, 0xa9, 0xe0, 0xb8, 0xf0, 0x9f, 0x80, 0xff}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		norm := make([]byte, 1+rng.IntN(48))
		for i := range norm {
			norm[i] = alphabet[rng.IntN(len(alphabet))]
		}
		for p := range norm {
			want := stepSpace(norm, p+min(OneCharLen(norm[p]), len(norm)-p))
			if got := nextSpace(norm, p); got != want {
				t.Fatalf("nextSpace(% x, %d) = %d, stepping finds %d", norm, p, got, want)
			}
		}
	}
}

// TestUlp32 checks ulp32 against math.Nextafter32 on floats of every
// exponent below 2^127, subnormals and 0 included.
func TestUlp32(t *testing.T) {
	for e := range uint32(254) {
		for _, m := range []uint32{0, 1, 0x2aaaaa, 0x7fffff} {
			x := math.Float32frombits(e<<23 | m)
			if got, want := ulp32(x), float64(math.Nextafter32(x, float32(math.Inf(1)))-x); got != want {
				t.Errorf("ulp32(%g) = %g, want %g", x, got, want)
			}
		}
	}
	if got := ulp32(math.MaxFloat32); !math.IsInf(got, 1) {
		t.Errorf("ulp32(MaxFloat32) = %g, want +Inf", got)
	}
}

// TestCacheEqualsPlainLarge is TestCacheEqualsPlain for the speed test's
// models (the large benchmark model among them, when present) and corpus
// (GEMMATOK_SPEED_CORPUS names the benchmarks' larger files): one Model
// encodes each file three times, as a warm benchmark does, after the files
// before it filled its cache, and then every file once more. GEMMATOK_LONG=1
// runs it.
func TestCacheEqualsPlainLarge(t *testing.T) {
	if os.Getenv("GEMMATOK_LONG") != "1" {
		t.Skip("GEMMATOK_LONG=1 runs it")
	}
	files := speedCorpus(t)
	for _, path := range speedModels {
		if _, err := os.Stat(path); err != nil {
			t.Log(err)
			continue
		}
		m, _ := loadModel(t, path)
		var norms [][]byte
		for _, f := range files {
			norm := modeltest.Normalize(f.Text)
			norms = append(norms, norm)
			want := m.encodePlain(norm)
			for i := range 3 {
				if got := m.Encode(nil, norm, nil); !slices.Equal(got, want) {
					t.Fatalf("%s %s, encoding %d: cached %v, plain %v", path, f.Name, i, clip(got), clip(want))
				}
			}
		}
		for i, norm := range norms {
			if got, want := m.Encode(nil, norm, nil), m.encodePlain(norm); !slices.Equal(got, want) {
				t.Fatalf("%s %s, once more: cached %v, plain %v", path, files[i].Name, clip(got), clip(want))
			}
		}
	}
}

// TestCacheBinadeEnd checks that a word learnt from a path score so near
// its binade's end that the candidates leave the binade is not cached for
// that binade: rounding in the next binade chose its pieces, which differ
// from those the rest of the binade chooses.
func TestCacheBinadeEnd(t *testing.T) {
	m, _ := loadModel(t, modeltest.SharedModel("unigram8k_nmt_nfkc"))
	w := []byte("▁standardmäßiger")
	sc := newScratch()
	sc.slots, sc.seen = make([]uint64, minSlots), make([]uint64, minSeen)
	var learnt int
	for i, from := range []float32{-8388582.5, -8388582.5, -4342981, -4342981, -4342981} {
		want := backtrack(nil, m.forward(new(viterbi), w, 0, len(w), nil, from, nil))
		h, at := sc.find(w, 0, len(w))
		if at == 0 && !sc.saw(h) {
			continue // as encodeWords does
		}
		rec := m.lookup(sc, w, 0, len(w), h, at, false, from)
		if rec == nil {
			continue
		}
		learnt++
		var got []seg.Piece
		for ; len(rec) >= 2; rec = rec[2:] {
			got = append(got, seg.Piece{ID: int32(uint32(rec[0])), Len: int32(rec[0] >> 32)})
		}
		if !slices.Equal(got, want) {
			t.Errorf("lookup %d, from %v: %v, want %v", i, from, got, want)
		}
	}
	if learnt != 3 {
		t.Errorf("%d of 5 lookups gave pieces, want 3", learnt)
	}
	if a, b := backtrack(nil, m.forward(new(viterbi), w, 0, len(w), nil, -8388582.5, nil)), backtrack(nil, m.forward(new(viterbi), w, 0, len(w), nil, -4342981, nil)); slices.Equal(a, b) {
		t.Error("the word's pieces are the same near the binade's end: the test tests nothing")
	}
}

// TestSpan checks that a record's span, which a hit checks alone, holds
// only path scores from which holds says the segmentation holds, and
// reaches the ends of those around the score it was made from: for words
// learnt from 0 and from binades, at the span's ends and one float32
// past them, and at scores spread over the binades.
func TestSpan(t *testing.T) {
	m, _ := loadModel(t, modeltest.SharedModel("unigram8k_nmt_nfkc"))
	sc := newScratch()
	sc.slots, sc.seen = make([]uint64, minSlots), make([]uint64, minSeen)
	rng := rand.New(rand.NewPCG(3, 4))
	words := bytes.Split(modeltest.Normalize([]byte("standardmäßiger the internationalization of 自然言語処理 обработка x")), []byte(" "))
	spans := 0
	for _, w := range words {
		for range 40 {
			from := float32(0)
			switch rng.IntN(3) {
			case 1:
				from = -float32(rng.Float64() * 4096)
			case 2:
				from = -float32(math.Ldexp(1+rng.Float64(), 12+rng.IntN(20)))
			}
			h, at := sc.find(w, 0, len(w))
			if at == 0 || !sc.holds(at, from) {
				m.lookup(sc, w, 0, len(w), h, at, false, from)
				if _, at = sc.find(w, 0, len(w)); at == 0 || !sc.holds(at, from) {
					continue
				}
			}
			span := sc.span(at, from)
			lo, hi := math.Float32frombits(uint32(span)), math.Float32frombits(uint32(span>>32))
			if !(lo <= from && from <= hi) {
				t.Fatalf("%q from %v: span [%v, %v] leaves it out", w, from, lo, hi)
			}
			if lo < hi {
				spans++
			}
			down, up := math.Nextafter32(lo, float32(math.Inf(-1))), math.Nextafter32(hi, float32(math.Inf(1)))
			for _, f := range []float32{lo, hi, math.Nextafter32(lo, 0), math.Nextafter32(hi, float32(math.Inf(-1))), lo/2 + hi/2} {
				if f >= lo && f <= hi && !sc.holds(at, f) {
					t.Fatalf("%q from %v: span [%v, %v] holds %v, where holds does not", w, from, lo, hi, f)
				}
			}
			// One float32 past either end, the span would hold a score
			// that holds refuses, or else it stops short of another
			// binade or of the magnitude 0 allows; it never stops
			// short of what holds takes within its own binade.
			for _, f := range []float32{down, up} {
				if sc.holds(at, f) && binade(f) == binade(from) && binade(from) != 0 && lo != hi && uint32(sc.cold(at)[0]>>32) == 0 {
					t.Fatalf("%q from %v: span [%v, %v] stops short of %v in its binade", w, from, lo, hi, f)
				}
			}
		}
	}
	if spans == 0 {
		t.Error("no span wider than its score: the test tests nothing")
	}
}

// TestUpTo checks upTo against wins: the segmentation holds at upTo and
// not one float32 past it, for margins and magnitudes over many scales.
func TestUpTo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 4000 {
		margin := math.Ldexp(rng.Float64(), -rng.IntN(30))
		mag := math.Ldexp(rng.Float64(), rng.IntN(12))
		if i%2 == 1 {
			// Scales far from the usual, where upTo's guess is off.
			margin = math.Ldexp(rng.Float64(), rng.IntN(300)-150)
			mag = math.Ldexp(rng.Float64(), rng.IntN(300)-150)
		}
		switch i % 50 {
		case 1:
			margin = math.Inf(1)
		case 3:
			margin = math.MaxFloat64
		case 5:
			mag = 0
		}
		n := 1 + rng.IntN(40)
		u := upTo(margin, mag, n)
		if u < 0 {
			if wins(margin, mag, 0, n) {
				t.Fatalf("upTo(%v, %v, %d) = -1, but wins at 0", margin, mag, n)
			}
			continue
		}
		if !wins(margin, mag, u, n) || !wins(margin, mag, -u, n) || wins(margin, mag, math.Nextafter32(u, float32(math.Inf(1))), n) {
			t.Fatalf("upTo(%v, %v, %d) = %v: wins there %v, one past %v", margin, mag, n, u,
				wins(margin, mag, u, n), wins(margin, mag, math.Nextafter32(u, float32(math.Inf(1))), n))
		}
	}
}

// TestEncodeTo checks that EncodeTo replays, part by part, the pieces that
// Encode returns, with the offsets where they start, on corpus files whole
// (many parts each, cold and warm) and one after another, and on a text of
// many short words, all of them unknown pieces but the spaces, whose parts
// it gathers in little room.
func TestEncodeTo(t *testing.T) {
	m, v := loadModel(t, modeltest.ModelPath("uni8k"))
	var texts [][]byte
	var all []byte
	for _, f := range modeltest.Corpus(t) {
		norm := modeltest.Normalize(f.Text)
		texts = append(texts, norm)
		all = append(all, norm...)
	}
	words := bytes.Repeat([]byte("\u2581\U0001F600\U0001F601"), 4*PartPieces)
	texts = append(texts, all, nil, words)
	var got, want seg.Sink
	sc := m.NewScratch()
	for range 2 {
		var buf []seg.Piece
		for i, text := range texts {
			got.Reset(v, text, seg.Spans)
			buf = m.EncodeTo(sc, buf, text, nil, &got)
			want.Reset(v, text, seg.Spans)
			want.Replay(m.Encode(nil, text, nil), 0)
			if !slices.Equal(got.IDs, want.IDs) || !slices.Equal(got.Spans, want.Spans) {
				t.Fatalf("text %d: EncodeTo gives %d tokens, Encode %d, or other spans", i, len(got.IDs), len(want.IDs))
			}
			if len(buf) != 0 {
				t.Fatalf("text %d: EncodeTo returns %d pieces", i, len(buf))
			}
		}
		// The words' pieces, in a buffer of its own.
		got.Reset(v, words, seg.Spans)
		if buf = m.EncodeTo(sc, nil, words, nil, &got); cap(buf) > 4*PartPieces {
			t.Fatalf("the %d pieces of short words gathered in room for %d", len(got.IDs), cap(buf))
		}
	}
}

// putPiece appends p and its score to rec, as a record holds them.
func putPiece(rec []uint64, p seg.Piece, score float64) []uint64 {
	return append(rec, uint64(uint32(p.ID))|uint64(p.Len)<<32, math.Float64bits(score))
}

// TestTrackedEqualsExtend checks that runTracked records, for every word of
// the corpus learnt from 0, the winning and best losing candidate and the
// winner's piece score at each byte that extend's calls of tracker.see
// record (forward takes extend alone with a ban, even an empty one), and
// the same nodes: the word cache's margins come from them.
func TestTrackedEqualsExtend(t *testing.T) {
	paths := []string{modeltest.ModelPath("uni8k"), modeltest.SharedModel("unigram8k_nmt_nfkc")}
	if _, err := os.Stat(speedModels[1]); err == nil {
		paths = append(paths, speedModels[1])
	}
	space := []byte("\u2581")
	for _, path := range paths {
		m, _ := loadModel(t, path)
		var v, w viterbi
		var tr, te tracker
		words := 0
		for _, f := range modeltest.Corpus(t) {
			norm := modeltest.Normalize(f.Text)
			for p := 0; p < len(norm); {
				q := bytes.Index(norm[p+1:], space)
				if q < 0 {
					q = len(norm)
				} else {
					q += p + 1
				}
				got := m.forward(&v, norm, p, q, nil, 0, &tr)
				want := m.forward(&w, norm, p, q, []bool{}, 0, &te)
				for i := range got {
					a := []float64{tr.win[i], tr.lose[i], tr.score[i], float64(got[i].score), float64(got[i].len), float64(got[i].id)}
					b := []float64{te.win[i], te.lose[i], te.score[i], float64(want[i].score), float64(want[i].len), float64(want[i].id)}
					if !slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }) {
						t.Fatalf("%s %s, word %q, byte %d: win, lose, score, node %v, want %v", path, f.Name, norm[p:q], i, a, b)
					}
				}
				words++
				p = q
			}
		}
		if words == 0 {
			t.Fatalf("%s: no words", path)
		}
	}
}
