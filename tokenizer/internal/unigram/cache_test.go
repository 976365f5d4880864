package unigram

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"unsafe"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// encodePlain is Encode without the word cache: the C++'s EncodeOptimized
// over the whole text.
func (m *Model) encodePlain(norm []byte) []seg.Piece {
	if len(norm) == 0 {
		return nil
	}
	return backtrack(nil, m.forward(nil, norm, nil, 0, nil))
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
			for k := range sc.ents {
				if e := &sc.ents[k]; e.bins != 0 {
					binades++
					if e.zero || e.bins&(e.bins-1) != 0 {
						both++
					}
				}
			}
			t.Logf("%s: %d texts identical, %d words cached, %d of them for a binade, %d of those for another binade or 0 too",
				path, 2*len(texts), len(sc.ents), binades, both)
			if binades == 0 || both == 0 && limit == maxWords {
				t.Error("no word cached for a binade, or none for two")
			}
			if len(sc.ents) > limit {
				t.Errorf("%d words cached, more than %d", len(sc.ents), limit)
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

// TestCacheEvicts fills a cache of 64 words and 8 KB with words of
// every length up to 200 bytes, using every third word once, and checks
// after each word that every word it holds is found where it is and
// that it keeps its bounds; and that more of the words used stay than
// chance would keep.
func TestCacheEvicts(t *testing.T) {
	if size := unsafe.Sizeof(entry{}); size > 56 {
		t.Errorf("an entry takes %d bytes, entryCost counts 56", size)
	}
	sc := newScratch()
	sc.limit, sc.limitSize = 64, 8<<10
	sc.slots = make([]uint64, minSlots)
	var words [][]byte
	for i := range 2000 {
		w := bytes.Repeat([]byte{byte('a' + i%26)}, 1+i%200)
		w = append(w, fmt.Sprint(i)...)
		words = append(words, w)
		sc.rec = putPiece(sc.rec[:0], seg.Piece{ID: int32(i), Len: int32(len(w))}, float64(i))
		k := sc.store(maphash.Bytes(sc.seed, w), w)
		if i%3 == 0 {
			sc.ents[k].hit = true
		}
		if len(sc.ents) > sc.limit || sc.size > sc.limitSize {
			t.Fatalf("after %d words: %d words, %d bytes", i+1, len(sc.ents), sc.size)
		}
		for k := range sc.ents {
			e := &sc.ents[k]
			w := sc.word(e)
			if at := sc.find(maphash.Bytes(sc.seed, w), w); at != k {
				t.Fatalf("after %d words: %q found at %d, not %d", i+1, w, at, k)
			}
			id := int32(binary.LittleEndian.Uint32(sc.pieces(e)))
			if want := putPiece(nil, seg.Piece{ID: id, Len: int32(len(w))}, float64(id)); e.n != 1 ||
				!bytes.Equal(sc.pieces(e), want) || !bytes.HasSuffix(w, fmt.Append(nil, id)) {
				t.Fatalf("after %d words: %q has pieces %v", i+1, w, sc.pieces(e))
			}
		}
	}
	used := 0
	for k := range sc.ents {
		if id := binary.LittleEndian.Uint32(sc.pieces(&sc.ents[k])); id%3 == 0 {
			used++
		}
	}
	if 3*used <= len(sc.ents) {
		t.Errorf("%d of %d words kept were used, no more than chance keeps", used, len(sc.ents))
	}
	if len(sc.data) > 4*(8<<10) {
		t.Errorf("%d bytes of words and pieces: not compacted", len(sc.data))
	}
}

// TestNextSpace checks that nextSpace, which searches for U+2581, finds
// what stepping through the text character by character finds, on random
// texts of bytes that make U+2581, other characters and malformed ones.
func TestNextSpace(t *testing.T) {
	alphabet := []byte{'a', 0xe2, 0x96, 0x81, 0xc3, 0xa9, 0xe0, 0xb8, 0xf0, 0x9f, 0x80, 0xff}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		norm := make([]byte, 1+rng.IntN(24))
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
		want := backtrack(nil, m.forward(nil, w, nil, from, nil))
		h := maphash.Bytes(sc.seed, w)
		k := sc.find(h, w)
		if k < 0 && !sc.saw(h) {
			continue // as encodeWords does
		}
		rec := m.lookup(sc, w, h, k, from)
		if rec == nil {
			continue
		}
		learnt++
		var got []seg.Piece
		for ; len(rec) >= pieceSize; rec = rec[pieceSize:] {
			got = append(got, seg.Piece{ID: int32(binary.LittleEndian.Uint32(rec)), Len: int32(binary.LittleEndian.Uint16(rec[4:]))})
		}
		if !slices.Equal(got, want) {
			t.Errorf("lookup %d, from %v: %v, want %v", i, from, got, want)
		}
	}
	if learnt != 3 {
		t.Errorf("%d of 5 lookups gave pieces, want 3", learnt)
	}
	if a, b := backtrack(nil, m.forward(nil, w, nil, -8388582.5, nil)), backtrack(nil, m.forward(nil, w, nil, -4342981, nil)); slices.Equal(a, b) {
		t.Error("the word's pieces are the same near the binade's end: the test tests nothing")
	}
}
