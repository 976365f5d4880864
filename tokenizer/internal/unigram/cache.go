package unigram

import (
	"bytes"
	"hash/maphash"
	"math"

	"github.com/gemmatok/gemmatok/tokenizer/internal/hitrate"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// The word cache. Where no piece holds U+2581 but at its start, every
// segmentation has a piece boundary before each U+2581, so Encode can
// segment the words between them one by one, each from the score of the
// path up to it. The C++ accumulates that score in float32 over the whole
// text, so a word's segmentation depends on it through rounding: a cached
// segmentation of a word, found with the path score 0, is used only when
// every decision on its path was won by a margin that the rounding at the
// current score cannot close. Each cached piece's score is then added to
// the path score as the C++ adds it, so the score stays exact.
//
// The bound: the best score at a byte q of the word, computed from a path
// score L, differs from L plus its exact value by at most one rounding per
// piece on the way, each at most half an ulp of |L| + mag, where mag bounds
// the word's own values. A decision compares two candidates, and the
// stored float of one; it falls the same way at L as at 0 when the margin
// at 0 exceeds (4c + 2) half-ulps, with c the number of roundings (at most
// the word's length in bytes, plus one). Only the decisions at the ends of
// the path's pieces choose the path; elsewhere a near tie changes which
// predecessor a byte keeps, but its score by no more than the rounding the
// bound counts.

// A word met at the path score 0 exactly is segmented as it was learnt,
// whatever the margins: the computation is the same.
//
// Far from 0 the margins rarely suffice, and words are cached for the
// binade of the path score instead: within [2^e, 2^(e+1)), where float32s
// are the multiples of u = 2^(e-23), a computation from a path score L
// whose values all stay in the binade rounds each sum to L plus a multiple
// of u that depends on the word's scores alone (and, for a sum exactly
// halfway between two floats, on the parity of L/u: the learning notes such
// ties, and the word then holds only from scores of that parity). Its decisions then fall as they did from
// any other L' of the binade, and its node scores are L' plus the same
// offsets, as long as L' plus the offsets stays in the binade too; the
// double sums of the candidates are exact or, for a user-defined piece's
// double score, rounded at the binade's double ulp, alike for every L'.
// Such an entry is learnt from the current path score, so that learning it
// is also segmenting the word there.

// maxWord is the longest word the cache holds, in bytes: a long word
// costs more to learn than a short one but also saves more, and scripts
// written without spaces have long ones.
const maxWord = 1024

// gateLen is the longest word whose lookups the hit-rate gate may skip: a
// longer one's lookup costs little beside its Viterbi, and skipping it
// would keep the word from the cache for longer.
const gateLen = 16

// binadeFrom is the least path score magnitude at which words are cached
// for their binade rather than from the score 0.
const binadeFrom = 1 << 12

// maxRun is the length of text past which a run of words not taken from
// the cache is segmented at the next word, so that the Viterbi's nodes stay
// in the processor's nearer caches.
const maxRun = 4096

// maxWords bounds the number of words a cache holds (see scratch.room).
// Its table starts at minWords slots.
const (
	maxWords = 1 << 17
	minWords = 1 << 10
)

// maxCache bounds the bytes a cache's words and pieces take, roughly.
const maxCache = 16 << 20

// The table of words met once starts small, so that a short text costs
// little, and doubles whenever it holds half as many words as it has
// slots, up to maxSeen slots, so that the words of a long text do not keep
// evicting each other.
const (
	minSeen = 1 << 10
	maxSeen = 1 << 18
)

// scratch is the buffers of one encoding and a word cache, kept by the
// Model between encodings (see Model.get).
type scratch struct {
	nodes []best
	tr    tracker
	// words holds the cached words by their hash, open-addressed (a Go
	// map costs twice as much per lookup here); each entry keeps its word,
	// to tell hash collisions apart. Its length is a power of two, at
	// least twice nwords.
	words   []slot
	nwords  int
	refused int // words not learnt since the cache became full
	// seen holds hashes of words met once (see saw): a word is
	// learnt the second time, so that words met once cost little more
	// than without the cache. Its length is a power of two; seenIn counts
	// the words put in.
	seen   []uint64
	seenIn int
	size   int // of the cached words, as learn counts it
	seed   maphash.Seed
	use    hitrate.Gate
	// The cached words' parts are carved from chunks, so that learning a
	// word allocates nothing most of the time.
	entries []word
	keys    []byte
	steps   []step
	path    []seg.Piece
}

// slot is an entry of scratch.words: a word and its hash, or e nil.
type slot struct {
	h uint64
	e *word
}

// find returns the index of the slot of sc.words that holds h, or of the
// empty slot where h would go.
func (sc *scratch) find(h uint64) int {
	mask := len(sc.words) - 1
	i := int(h) & mask
	for sc.words[i].e != nil && sc.words[i].h != h {
		i = (i + 1) & mask
	}
	return i
}

// room reports whether the cache may learn a word. A full cache (maxWords
// words or maxCache bytes) learns nothing more until it has refused four
// times as many words as it holds, and then starts afresh: a long text's
// words beyond what it holds cost little more than without the cache,
// rather than evicting the words before them over and over, and a cache
// whose words have gone out of use is renewed.
func (sc *scratch) room() bool {
	if sc.nwords < maxWords && sc.size < maxCache {
		return true
	}
	if sc.refused++; sc.refused <= 4*sc.nwords {
		return false
	}
	clear(sc.words)
	sc.nwords, sc.size, sc.refused = 0, 0, 0
	return true
}

// add puts e in sc.words under h; the table doubles as it fills.
func (sc *scratch) add(h uint64, e *word) {
	if 2*(sc.nwords+1) > len(sc.words) {
		old := sc.words
		sc.words = make([]slot, max(minWords, 2*len(old)))
		for _, s := range old {
			if s.e != nil {
				sc.words[sc.find(s.h)] = s
			}
		}
	}
	sc.words[sc.find(h)] = slot{h, e}
	sc.nwords++
}

// arenaChunk is the number of elements of a chunk of a scratch's arenas.
const arenaChunk = 1024

// carve returns n elements from the arena buf, which it starts afresh
// when they do not fit: slices carved before keep the old chunk.
func carve[T any](buf *[]T, n int) []T {
	if cap(*buf)-len(*buf) < n {
		*buf = make([]T, 0, max(n, arenaChunk))
	}
	l := len(*buf)
	*buf = (*buf)[:l+n]
	return (*buf)[l : l+n : l+n]
}

func newScratch() *scratch {
	return &scratch{seed: maphash.MakeSeed()}
}

// step is a cached piece and its score, as the candidate sums add it.
type step struct {
	piece seg.Piece
	score float64
}

// word is a cached segmentation of a word.
type word struct {
	key   []byte
	steps []step
	// exp is 0 for a word learnt from the score 0, whose margin is the
	// smallest margin of a decision on the path and mag bounds the
	// magnitude of the word's own scores; otherwise it is the float32
	// exponent field of the binade the word was learnt in, and lo and hi
	// bound the candidates' offsets from the path score, and odd says
	// whether a sum was rounded from halfway, so that the segmentation
	// holds only from scores whose last bit is that of the one it was
	// learnt from.
	exp    uint32
	odd    uint32 // 0, or 1 plus the last bit of the score it holds from
	margin float64
	mag    float64
	lo, hi float64
}

// tracker records, while forward runs, what the word cache needs: the
// winner's piece score at each byte and, from the score 0, the winning and
// the best losing candidate there or, from a score in a binade (binade
// set), the least and greatest offset of a candidate from that score and
// whether a sum was rounded from exactly halfway.
type tracker struct {
	win, lose, score []float64
	mag              float64
	binade           bool
	from             float64
	lo, hi           float64
	tie              bool
}

// reset readies tr for n bytes from the score from, in the mode its binade
// field says.
func (tr *tracker) reset(n int, from float32) {
	if cap(tr.win) < n {
		tr.win = make([]float64, n)
		tr.lose = make([]float64, n)
		tr.score = make([]float64, n)
	}
	tr.win, tr.lose, tr.score = tr.win[:n], tr.lose[:n], tr.score[:n]
	if tr.binade {
		tr.from = float64(from)
		tr.lo, tr.hi = math.Inf(1), math.Inf(-1)
		tr.tie = false
		return
	}
	for i := range n {
		tr.win[i] = math.Inf(-1)
		tr.lose[i] = math.Inf(-1)
	}
	tr.mag = 0
}

// see records a candidate at byte q: cand as it is compared, exact as the
// sum is before it is rounded to a float32, which it is if it won.
func (tr *tracker) see(q int, cand, exact, score float64, won bool) {
	if won {
		tr.score[q] = score
	}
	if tr.binade {
		tr.lo = min(tr.lo, exact-tr.from)
		tr.hi = max(tr.hi, exact-tr.from)
		// Exactly halfway between two float32s: the 29 bits of a
		// float64's mantissa below a float32's are 1 then 0s.
		if won && math.Float64bits(exact)&(1<<29-1) == 1<<28 {
			tr.tie = true
		}
		return
	}
	tr.mag = max(tr.mag, math.Abs(cand), math.Abs(score))
	if won {
		tr.lose[q] = max(tr.lose[q], tr.win[q])
		tr.win[q] = cand
	} else {
		tr.lose[q] = max(tr.lose[q], cand)
	}
}

// learn segments w from the score 0 (exp 0) or from the path score from,
// in the binade exp, and returns its cache entry.
func (m *Model) learn(sc *scratch, w []byte, from float32, exp uint32) *word {
	if exp == 0 {
		from = 0
	}
	sc.tr.binade = exp != 0
	sc.nodes = m.forward(sc.nodes, w, nil, from, &sc.tr)
	e := &carve(&sc.entries, 1)[0]
	*e = word{exp: exp, margin: math.Inf(1), mag: sc.tr.mag, lo: sc.tr.lo, hi: sc.tr.hi}
	if sc.tr.tie {
		e.odd = 1 + math.Float32bits(from)&1
	}
	e.key = carve(&sc.keys, len(w))
	copy(e.key, w)
	sc.path = backtrack(sc.path[:0], sc.nodes)
	e.steps = carve(&sc.steps, len(sc.path))
	end := len(w)
	for i := len(sc.path) - 1; i >= 0; i-- {
		e.steps[i] = step{sc.path[i], sc.tr.score[end]}
		if exp == 0 {
			e.margin = min(e.margin, sc.tr.win[end]-sc.tr.lose[end])
		}
		end -= int(sc.path[i].Len)
	}
	sc.size += len(w) + 16*len(e.steps)
	return e
}

// safe reports whether e, learnt from the score 0, holds from the path
// score from.
func (e *word) safe(from float32, n int) bool {
	if from == 0 {
		return true
	}
	// Twice the magnitude, so that the ulp bounds that of every value
	// on the way, some of which may reach the next power of two.
	x := float32(2 * (math.Abs(float64(from)) + e.mag))
	ulp := float64(math.Nextafter32(x, float32(math.Inf(1))) - x)
	return e.margin > float64(4*(n+1)+2)*ulp
}

// binade returns the exponent bits of from, the key of its binade, or 0
// when words are cached from the score 0 there: for a score above
// -binadeFrom, and for an infinite one.
func binade(from float32) uint32 {
	if !(from <= -binadeFrom) || math.IsInf(float64(from), -1) {
		return 0
	}
	return math.Float32bits(from) >> 23 & 0xff
}

// holds reports whether e, learnt in the binade of from, holds from it:
// whether every candidate stays in the binade, short of rounding to its
// end.
func (e *word) holds(from float32) bool {
	bottom := float64(math.Float32frombits(e.exp << 23))
	top := 2*bottom - bottom/(1<<23)
	return float64(from)+e.hi <= -bottom && float64(from)+e.lo >= -top &&
		(e.odd == 0 || e.odd == 1+math.Float32bits(from)&1)
}

// encodeWords is Encode where m.cuts holds: word by word, from the cache
// where it may, and with one Viterbi over each run of other words.
func (m *Model) encodeWords(sc *scratch, dst []seg.Piece, norm []byte) []seg.Piece {
	from := float32(0)
	run := -1 // the start of the words not yet segmented, or -1
	flush := func(end int) {
		if run >= 0 {
			sc.nodes = m.forward(sc.nodes, norm[run:end], nil, from, nil)
			dst = backtrack(dst, sc.nodes)
			from = sc.nodes[end-run].score
			run = -1
		}
	}
	for p := 0; p < len(norm); {
		q := nextSpace(norm, p)
		if run >= 0 && p-run >= maxRun {
			flush(p)
		}
		gated := q-p <= gateLen
		var e *word
		if (!gated || sc.use.Use()) && q-p <= maxWord {
			e = m.lookup(sc, norm[p:q], &from, flush, p)
			if gated {
				sc.use.Record(e != nil)
			}
		}
		if e != nil {
			for _, st := range e.steps {
				dst = append(dst, st.piece)
				from = float32(st.score + float64(from))
			}
		} else if run < 0 {
			run = p
		}
		p = q
	}
	flush(len(norm))
	return dst
}

// lookup returns a cached segmentation of w, the word at p, that holds from
// the path score there, learning it if w was met before, or nil. *from is
// the path score at p once flush(p) has segmented the words before p,
// which lookup does only where the word may be cached: otherwise the
// binade of the score where the words before began stands for that at p.
//
// A word learnt from 0 serves wherever its margins suffice, whatever the
// binade; where they do not, past binadeFrom, the word is learnt for the
// binade too.
func (m *Model) lookup(sc *scratch, w []byte, from *float32, flush func(int), p int) *word {
	if sc.words == nil {
		sc.words = make([]slot, minWords)
		sc.seen = make([]uint64, minSeen)
	}
	h0 := maphash.Bytes(sc.seed, w)
	e0 := sc.get(h0, w, 0)
	if e0 != nil {
		flush(p)
		if e0.safe(*from, len(w)) {
			return e0
		}
	}
	exp := binade(*from)
	if exp == 0 && e0 != nil {
		return nil
	}
	h := h0
	var e *word
	if exp != 0 {
		h ^= uint64(exp) * 0x9e3779b97f4a7c15
		e = sc.get(h, w, exp)
	}
	if e == nil && !sc.saw(h) {
		return nil
	}
	flush(p)
	if binade(*from) != exp {
		return nil
	}
	if e != nil {
		if !e.holds(*from) {
			return nil
		}
		return e
	}
	if e0 == nil {
		if !sc.room() {
			return nil
		}
		e0 = m.learn(sc, w, 0, 0)
		sc.add(h0, e0)
		if e0.safe(*from, len(w)) {
			return e0
		}
	}
	if exp == 0 || !sc.room() {
		return nil
	}
	e = m.learn(sc, w, *from, exp)
	sc.add(h, e)
	return e // learnt from *from itself
}

// get returns the word of sc.words under h if it is w learnt for exp, or
// nil.
func (sc *scratch) get(h uint64, w []byte, exp uint32) *word {
	e := sc.words[sc.find(h)].e
	if e == nil || e.exp != exp || !bytes.Equal(e.key, w) {
		return nil
	}
	return e
}

// saw reports whether h is in the table of words met once, and puts it
// there if not. A hash may sit in any of the four slots of its group, so
// that words rarely evict each other before the table grows.
func (sc *scratch) saw(h uint64) bool {
	i := int(h) & (len(sc.seen) - 1)
	g := sc.seen[i&^3 : i&^3+4]
	for _, x := range g {
		if x == h {
			return true
		}
	}
	putSeen(sc.seen, h)
	if sc.seenIn++; 2*sc.seenIn > len(sc.seen) && len(sc.seen) < maxSeen {
		sc.growSeen()
	}
	return false
}

// putSeen puts h in the first free slot of its group of seen, or in its own
// slot when all are taken.
func putSeen(seen []uint64, h uint64) {
	i := int(h) & (len(seen) - 1)
	for j := i &^ 3; j < i&^3+4; j++ {
		if seen[j] == 0 {
			seen[j] = h
			return
		}
	}
	seen[i] = h
}

// growSeen doubles the table of words met once, keeping its words.
func (sc *scratch) growSeen() {
	seen := make([]uint64, 2*len(sc.seen))
	for _, h := range sc.seen {
		if h != 0 {
			putSeen(seen, h)
		}
	}
	sc.seen = seen
}

// nextSpace returns the position of the first U+2581 after the character
// at p that starts a character, stepping as the C++ does, or len(norm).
func nextSpace(norm []byte, p int) int {
	i := p + min(OneCharLen(norm[p]), len(norm)-p)
	for i < len(norm) {
		b := norm[i]
		if b < 0x80 {
			i++
			continue
		}
		if b == 0xe2 && i+2 < len(norm) && norm[i+1] == 0x96 && norm[i+2] == 0x81 {
			return i
		}
		i += min(OneCharLen(b), len(norm)-i)
	}
	return len(norm)
}
