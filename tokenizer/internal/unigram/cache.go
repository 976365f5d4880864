package unigram

import (
	"encoding/binary"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"unsafe"

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
//
// A word met at the path score 0 exactly is segmented as it was learnt,
// whatever the margins: the computation is the same.
//
// Far from 0 the margins rarely suffice, and words are cached for the
// binade of the path score instead: within [2^e, 2^(e+1)), where float32s
// are the multiples of u = 2^(e-23), a computation from a path score L
// whose values all stay in the binade rounds each sum to L plus a multiple
// of u that depends on the word's scores alone (and, for a sum exactly
// halfway between two floats, on the parity of L/u: the learning notes
// such ties, and the word then holds only from scores of that parity). Its
// decisions then fall as they did from any other L' of the binade, and its
// node scores are L' plus the same offsets, as long as L' plus the offsets
// stays in the binade too; the
// double sums of the candidates are exact or, for a user-defined piece's
// double score, rounded at the binade's double ulp, alike for every L'.
// Such an entry is learnt from the current path score, so that learning it
// is also segmenting the word there, and holds for the binade only if the
// candidates stayed in it there too: near the binade's end they may round
// as the next binade's do, and choose other pieces.
//
// A word has one entry, whatever the scores it is met at: a segmentation
// learnt from 0 or in one binade is checked in another binade when the word
// is met there, by learning it there, and the entry then holds in both if
// the two agree, as they nearly always do. Where they do not, the word is
// segmented from the path score itself each time it is met there.

// maxWord is the longest word the cache holds, in bytes: a long word
// costs more to learn than a short one but also saves more, and scripts
// written without spaces have long ones.
const maxWord = 1024

// gateLen is the longest word whose lookups the hit-rate gate may skip: a
// longer one's lookup costs little beside its Viterbi, and skipping it
// would keep the word from the cache for longer.
const gateLen = 16

// binadeFrom is the least path score magnitude at which words are cached
// for their binade rather than from the score 0; firstBinade is the float32
// exponent field of that binade, and an entry's binade masks hold a bit for
// it and each of the 31 binades above (path scores up to 2^44: a text of
// terabytes; words are not cached beyond).
const (
	binadeFrom  = 1 << 12
	firstBinade = 127 + 12
)

// maxRun is the length of text past which a run of words not taken from
// the cache is segmented at the next word, so that the Viterbi's nodes stay
// in the processor's nearer caches.
const maxRun = 4096

// A cache holds at most maxWords words and maxCache bytes of them, as
// entryCost counts them (align's padding left out): the 280,000 words of
// the largest corpus file (7 MB of text in many scripts) fit. Its table
// starts at minSlots slots.
const (
	maxWords = 1 << 19
	maxCache = 48 << 20
	minSlots = 1 << 10
)

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
	viterbi
	tr tracker
	// slots holds the cached words by their hash, open-addressed (a Go
	// map costs twice as much per lookup here): a slot holds the high 32
	// bits of its word's hash, whose low bits are its home slot, over the
	// offset of its record in data, or 0. Its length is a power of two,
	// at least twice words.
	slots []uint64
	words int
	hand  int // the clock's, a slot (see evict)
	// data holds the records of the cached words (see record), one after
	// another, after a first word that no record uses, so that no
	// record's offset is 0; dead counts the words of data that dropped
	// records use, which compact frees.
	data []uint64
	dead int
	size int // of the cached words, as entryCost counts it
	// maxWords and maxCache, but for tests.
	limit, limitSize int
	// seen holds hashes of words met once (see saw): a word is
	// learnt the second time, so that words met once cost little more
	// than without the cache. Its length is a power of two; seenIn counts
	// the words put in.
	seen   []uint64
	seenIn int
	seed   uint64 // of hashWord
	use    hitrate.Gate
	// With EncodeTo, its sink, the length of dst from which encodeWords
	// hands it the pieces (or more than any), and the offset in the text
	// where those start.
	sink              *seg.Sink
	partAt, partStart int
	// The pieces of the segmentation learn found, as a record holds them.
	rec []uint64
	// Where hits stopped: the end of the word there (or -1, for
	// encodeWords to find) and, if found, its hash and its record's
	// offset (0 for none).
	stop struct {
		q, at int
		h     uint64
		found bool
	}
}

func newScratch() *scratch {
	return &scratch{seed: rand.Uint64(), limit: maxWords, limitSize: maxCache, partAt: math.MaxInt}
}

// A record is a cached word in scratch.data: a head, the word and its
// pieces, all in one place, so that a lookup that finds the word reads
// one line of memory past its slot, for most words: what a hit reads
// comes first, and a record whose part a hit reads fits in a line does
// not cross one (see align). Its words (uint64s):
//
//	0: the word's length in bytes, the number of pieces << 16, and the
//	   flags below
//	1: the span, its ends as float32 bits, low | high << 32
//	2...: the word, eight bytes a word, little-endian, the last padded
//	   with zeros
//	then each piece: its id | its length << 32, and the score that the
//	   path score adds for it (float64 bits)
//	then what holds reads, coldSize words: bins | ties << 32, odds |
//	   upTo << 32 (float32 bits), lo, hi (float64 bits)
//
// Bit e-firstBinade of bins says that the segmentation holds from the
// scores of the binade with exponent field e whose candidates stay in it,
// with lo and hi bounding the candidates' offsets from the path score over
// all those binades; the bit of ties says that a sum was rounded from
// halfway there, so that it holds only from scores whose last bit is that
// bit of odds. With zeroFlag, the segmentation is that from the score 0,
// and holds from the path scores of magnitude at most upTo (see safe), or
// from 0 alone when upTo is -1. The span is path scores from which the
// segmentation holds, one interval of them, those around the last score
// that needed holds to tell (see hit): a hit checks it alone.
const (
	spanAt   = 1
	keyAt    = 2
	coldSize = 4
	hitFlag  = 1 << 32 // used since the clock's hand last passed it
	zeroFlag = 1 << 33
	deadFlag = 1 << 34 // dropped: compact frees it
)

// hotSize returns the size in words of the part of the record whose head
// is head that a hit reads.
func hotSize(head uint64) int {
	return keyAt + (int(head&0xffff)+7)/8 + 2*int(head>>16&0xffff)
}

// recordSize returns the size in words of the record whose head is head.
func recordSize(head uint64) int {
	return hotSize(head) + coldSize
}

// align appends to data the zero words that keep the part a hit reads of
// a record of hot words, appended next, within a line of memory, if it
// fits in one: data's array, as large as a cache's is, starts a page.
// A walk through data steps over zero words, which no head is.
func align(data []uint64, hot int) []uint64 {
	if off := len(data) % 8; hot <= 8 && off+hot > 8 {
		data = append(data, make([]uint64, 8-off)...)
	}
	return data
}

// entryCost is what a cached word of len bytes and n pieces counts against
// maxCache: its record and four slots (the table is kept from a quarter to
// half full).
func entryCost(len, n int) int {
	return 8*(keyAt+(len+7)/8+2*n+coldSize) + 32
}

// pieces returns the pieces of the record at at, as it holds them.
func (sc *scratch) pieces(at int) []uint64 {
	head := sc.data[at]
	from := at + keyAt + (int(head&0xffff)+7)/8
	return sc.data[from : from+2*int(head>>16&0xffff)]
}

// cold returns the words of the record at at that holds reads.
func (sc *scratch) cold(at int) []uint64 {
	c := at + hotSize(sc.data[at])
	return sc.data[c : c+coldSize : c+coldSize]
}

// chunk returns the eight bytes of w at i, or those of w from i on, fewer
// than eight, padded with zeros, where w = norm[p:q]. A short last chunk
// is read as a whole word of norm and masked, which the text after w, or
// failing that before it, allows but in a text of fewer than eight bytes.
func chunk(norm []byte, p, q, i int) uint64 {
	r := q - p - i
	if p+i+8 <= len(norm) {
		x := binary.LittleEndian.Uint64(norm[p+i:])
		if r < 8 {
			x &= 1<<(8*r) - 1
		}
		return x
	}
	return lastChunk(norm, p, q, i)
}

// lastChunk is chunk where fewer than eight bytes follow p+i in norm.
func lastChunk(norm []byte, p, q, i int) uint64 {
	r := q - p - i
	if q >= 8 {
		return binary.LittleEndian.Uint64(norm[q-8:]) >> (64 - 8*r)
	}
	var x uint64
	for j := range r {
		x |= uint64(norm[p+i+j]) << (8 * j)
	}
	return x
}

// tail16 returns the last r bytes before q of the text at text, 1 <= r
// <= 16 <= q, as two chunks: in two loads, the 16 bytes that end at q
// shifted down. The caller keeps q within the text.
func tail16(text unsafe.Pointer, q, r int) (c0, c1 uint64) {
	x0, x1 := load64(text, q-16), load64(text, q-8)
	if d := uint(8 * (16 - r)); d < 64 {
		return x0>>d | x1<<(64-d), x1 >> d
	}
	return x1 >> (8*(16-r) - 64), 0
}

// mix is the multiply-fold step of hashWord.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

const (
	hashK1 = 0xa0761d6478bd642f
	hashK2 = 0xe7037ed1a0b428db
)

// hashWord returns the hash of the word norm[p:q] under seed, chunk by
// chunk, as hashRecord finds it from a record: a seeded multiply-fold of
// two chunks at a time, which costs a few instructions for the short words
// most are, where hash/maphash's call costs tens.
func hashWord(seed uint64, norm []byte, p, q int) uint64 {
	n := q - p
	h := seed ^ uint64(n)*hashK1
	i := 0
	for ; i+16 <= n; i += 16 {
		w := norm[p+i : p+i+16]
		h = mix(binary.LittleEndian.Uint64(w)^h, binary.LittleEndian.Uint64(w[8:])^hashK2)
	}
	if i < n {
		var c0, c1 uint64
		if n >= 16 {
			_ = norm[q-16 : q]
			c0, c1 = tail16(unsafe.Pointer(unsafe.SliceData(norm)), q, n-i)
		} else if c0 = chunk(norm, p, q, i); i+8 < n {
			c1 = chunk(norm, p, q, i+8)
		}
		h = mix(c0^h, c1^hashK2)
	}
	return h
}

// hashRecord returns hashWord of the word of the record at at.
func (sc *scratch) hashRecord(at int) uint64 {
	n := int(sc.data[at] & 0xffff)
	h := sc.seed ^ uint64(n)*hashK1
	w := sc.data[at+keyAt : at+keyAt+(n+7)/8]
	for i := 0; i < len(w); i += 2 {
		c1 := uint64(0)
		if i+1 < len(w) {
			c1 = w[i+1]
		}
		h = mix(w[i]^h, c1^hashK2)
	}
	return h
}

// find returns the hash of the word norm[p:q] and the offset in sc.data of
// its record, or 0.
func (sc *scratch) find(norm []byte, p, q int) (uint64, int) {
	if c0, c1, ok := shortKey(norm, p, q); ok {
		h := mix(c0^sc.seed^uint64(q-p)*hashK1, c1^hashK2)
		return h, sc.probe(h, c0, c1, q-p)
	}
	h := hashWord(sc.seed, norm, p, q)
	return h, sc.findHashed(h, norm, p, q)
}

// shortKey returns the two chunks of the word norm[p:q] if it has at most
// 16 bytes, as most words have, read in two loads: from its start when 16
// bytes follow it within norm's capacity (those past the word are masked
// off: the Model's callers keep nothing of another goroutine's there), or
// else ending where it ends. It reports false for a longer word, or one in
// a text of fewer than 16 bytes at the end of its array.
func shortKey(norm []byte, p, q int) (c0, c1 uint64, ok bool) {
	n := q - p // at least 1: nextSpace steps a character
	switch {
	case n > 16:
		return 0, 0, false
	case p+16 <= cap(norm):
		w := norm[p : p+16]
		c0, c1 = binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[8:])
	case q >= 16:
		_ = norm[q-16 : q]
		c0, c1 = tail16(unsafe.Pointer(unsafe.SliceData(norm)), q, n)
	default:
		return 0, 0, false
	}
	if n <= 8 {
		return c0 & (^uint64(0) >> ((64 - 8*n) & 63)), 0, true
	}
	return c0, c1 & (^uint64(0) >> ((128 - 8*n) & 63)), true
}

// probe returns the offset in sc.data of the record of the word of n bytes,
// at most 16, whose hash is h and whose chunks are c0 and c1, or 0.
func (sc *scratch) probe(h, c0, c1 uint64, n int) int {
	mask := len(sc.slots) - 1
	for i := int(h>>32) & mask; ; i = (i + 1) & mask {
		s := sc.slots[i]
		if s == 0 {
			return 0
		}
		if s>>32 != h>>32 {
			continue
		}
		at := int(uint32(s))
		r := sc.data[at : at+keyAt+2]
		if int(r[0]&0xffff) == n && r[keyAt] == c0 && (n <= 8 || r[keyAt+1] == c1) {
			return at
		}
	}
}

// findHashed returns the offset in sc.data of the record of the word
// norm[p:q], whose hash is h, or 0.
func (sc *scratch) findHashed(h uint64, norm []byte, p, q int) int {
	mask := len(sc.slots) - 1
	n := q - p
	for i := int(h>>32) & mask; ; i = (i + 1) & mask {
		s := sc.slots[i]
		if s == 0 {
			return 0
		}
		if s>>32 != h>>32 {
			continue
		}
		at := int(uint32(s))
		if int(sc.data[at]&0xffff) != n {
			continue
		}
		w := sc.data[at+keyAt : at+keyAt+(n+7)/8]
		j := 0
		for ; j < n/8 && binary.LittleEndian.Uint64(norm[p+8*j:]) == w[j]; j++ {
		}
		if j == n/8 && (n%8 == 0 || lastChunk(norm, p, q, 8*j) == w[j]) {
			return at
		}
	}
}

// slotOf returns the slot that holds the record at at, whose hash is h.
func (sc *scratch) slotOf(h uint64, at int) int {
	mask := len(sc.slots) - 1
	for i := int(h>>32) & mask; ; i = (i + 1) & mask {
		if int(uint32(sc.slots[i])) == at {
			return i
		}
	}
}

// unslot empties slot i, moving the slots after it back where a lookup
// would no longer find them (deletion from a linear-probing table).
func (sc *scratch) unslot(i int) {
	mask := len(sc.slots) - 1
	for j := i; ; {
		sc.slots[i] = 0
		for {
			j = (j + 1) & mask
			s := sc.slots[j]
			if s == 0 {
				return
			}
			// s may move to i unless its home lies cyclically in (i, j].
			if home := int(s>>32) & mask; (j-home)&mask >= (j-i)&mask {
				sc.slots[i] = s
				i = j
				break
			}
		}
	}
}

// place puts the record at at, whose hash is h, in the first empty slot
// from its home on.
func (sc *scratch) place(h uint64, at int) {
	mask := len(sc.slots) - 1
	i := int(h>>32) & mask
	for sc.slots[i] != 0 {
		i = (i + 1) & mask
	}
	sc.slots[i] = h>>32<<32 | uint64(at)
}

// store makes a record of the word norm[p:q], whose hash is h, holding
// the pieces in sc.rec, and returns its offset. A full cache makes room
// (evict).
func (sc *scratch) store(h uint64, norm []byte, p, q int) int {
	n := q - p
	cost := entryCost(n, len(sc.rec)/2)
	for sc.words > 0 && (sc.words >= sc.limit || sc.size+cost > sc.limitSize) {
		sc.evict()
	}
	if 2*(sc.words+1) > len(sc.slots) {
		sc.grow()
	}
	if len(sc.data) == 0 {
		sc.data = append(sc.data, 0)
	} else if 2*sc.dead > len(sc.data) {
		sc.compact()
	}
	head := uint64(n) | uint64(len(sc.rec)/2)<<16
	if need := len(sc.data) + 7 + recordSize(head); need > cap(sc.data) {
		sc.growData(need) // with room for align's padding
	}
	sc.data = align(sc.data, hotSize(head))
	at := len(sc.data)
	sc.data = append(sc.data, head, noSpan)
	for i := 0; i < n; i += 8 {
		sc.data = append(sc.data, chunk(norm, p, q, i))
	}
	sc.data = append(sc.data, sc.rec...)
	sc.data = append(sc.data, 0, 0, math.Float64bits(math.Inf(1)), math.Float64bits(math.Inf(-1)))
	sc.words++
	sc.size += cost
	sc.place(h, at)
	return at
}

// growData moves sc.data to an array of room for need words at least, and
// twice its own: append would grow a large one by a quarter, copying the
// records four times over on average (once here), and clear the rest.
func (sc *scratch) growData(need int) {
	data := make([]uint64, len(sc.data), max(need, 2*cap(sc.data), 1<<10))
	copy(data, sc.data)
	sc.data = data
}

// evict drops the first record the clock's hand comes to, going through
// the slots, that was not used since the hand last passed it, clearing the
// hit of those it passes: the words a text keeps using stay, and those of
// texts gone by make room for the new ones.
func (sc *scratch) evict() {
	for {
		if sc.hand >= len(sc.slots) {
			sc.hand = 0
		}
		s := sc.slots[sc.hand]
		if s == 0 {
			sc.hand++
			continue
		}
		at := int(uint32(s))
		head := sc.data[at]
		if head&hitFlag != 0 {
			sc.data[at] = head &^ hitFlag
			sc.hand++
			continue
		}
		sc.data[at] = head | deadFlag
		sc.dead += recordSize(head)
		sc.size -= entryCost(int(head&0xffff), int(head>>16&0xffff))
		sc.words--
		// The hand stays: unslot may move a slot after it here.
		sc.unslot(sc.hand)
		return
	}
}

// grow doubles sc.slots.
func (sc *scratch) grow() {
	old := sc.slots
	sc.slots = make([]uint64, max(minSlots, 2*len(old)))
	mask := len(sc.slots) - 1
	for _, s := range old {
		if s != 0 {
			i := int(s>>32) & mask
			for sc.slots[i] != 0 {
				i = (i + 1) & mask
			}
			sc.slots[i] = s
		}
	}
}

// compact copies the records but the dropped ones into a new sc.data, in
// the order they were made, so that a text's words stay near each other.
func (sc *scratch) compact() {
	data := make([]uint64, 1, 2*(len(sc.data)-sc.dead))
	for at := 1; at < len(sc.data); {
		head := sc.data[at]
		if head == 0 {
			at++ // align's
			continue
		}
		size := recordSize(head)
		if head&deadFlag == 0 {
			data = align(data, hotSize(head))
			i := sc.slotOf(sc.hashRecord(at), at)
			sc.slots[i] = sc.slots[i]>>32<<32 | uint64(len(data))
			data = append(data, sc.data[at:at+size]...)
		}
		at += size
	}
	sc.data, sc.dead = data, 0
}

// tracker records, while forward runs, what the word cache needs: the
// winner's piece score at each byte and, from the score 0, the winning and
// the best losing candidate there and a bound of the magnitudes or, from a
// score in a binade (binade set), bounds of the offsets of the candidates
// from that score and whether a sum was rounded from exactly halfway.
// While forward runs, lo and hi hold the least and greatest candidate that
// extend saw, and low the least score of a node that runTracked or
// runBinade started from, which done makes bounds: rounding is monotonic,
// so that their offsets bound the candidates'.
type tracker struct {
	win, lose, score []float64
	mag              float64
	binade           bool
	from             float64
	lo, hi           float64
	low              float64
	tie              bool
}

// reset readies tr for n bytes from the score from, in the mode its binade
// field says.
func (tr *tracker) reset(n int, from float32) {
	if cap(tr.win) < n+slack { // as forward's nodes
		tr.win = make([]float64, n+slack)
		tr.lose = make([]float64, n+slack)
		tr.score = make([]float64, n+slack)
	}
	tr.win, tr.lose, tr.score = tr.win[:n], tr.lose[:n], tr.score[:n]
	tr.low = math.Inf(1)
	if tr.binade {
		tr.from = float64(from)
		tr.lo, tr.hi = math.Inf(1), math.Inf(-1)
		tr.tie = false
		return
	}
	// Through locals, whose lengths the loop knows, rather than the
	// fields, which it would load again after every store.
	win, lose := tr.win, tr.lose[:len(tr.win)]
	for i := range win {
		win[i] = math.Inf(-1)
		lose[i] = math.Inf(-1)
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
		tr.lo = min(tr.lo, exact)
		tr.hi = max(tr.hi, exact)
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

// done ends the tracking of a forward pass of m. A candidate from a node
// that runTracked or runBinade started from, a normal piece's, is at least
// the least such node plus the least score. Where no piece scores above 0
// (nor the unknown candidate), but for maxScore's start, FLT_MIN, which
// sums of a binade's scores lose, no candidate lies above the path score
// forward started from, and no node from 0 above 2^-90, FLT_MIN times the
// longest word; otherwise the bounds are infinite, and the cache takes
// nothing learnt but from that score.
func (tr *tracker) done(m *Model) {
	nonPositive := m.maxScore <= 0x1p-126 && m.unkScore <= 0
	if tr.binade {
		tr.lo = min(tr.lo, tr.low+float64(m.minScore))
		tr.hi = max(tr.hi, tr.from)
		if !nonPositive {
			tr.hi = math.Inf(1)
		}
		tr.lo -= tr.from
		tr.hi -= tr.from
		return
	}
	mag := math.Inf(1)
	if nonPositive {
		mag = max(-tr.low, 0x1p-90) + max(-float64(m.minScore), float64(m.maxScore))
	}
	tr.mag = max(tr.mag, mag)
}

// learn segments the word norm[p:q] from the score 0 (exp 0) or from the
// path score from, in the binade exp, into sc.rec, its pieces as a record
// holds them, and returns, from 0, the smallest margin of a decision on
// the path (sc.tr holds the rest).
func (m *Model) learn(sc *scratch, norm []byte, p, q int, from float32, exp uint32) float64 {
	if exp == 0 {
		from = 0
	}
	sc.tr.binade = exp != 0
	nodes := m.forward(&sc.viterbi, norm, p, q, nil, from, &sc.tr)
	// As backtrack, but for the record: counted first, the pieces go in
	// place from the last one. min is the same in any order.
	np, last := unsafe.Pointer(unsafe.SliceData(nodes)), len(nodes)-1
	n := 0
	for end := last; end > 0; end -= int(nodeAt(np, end).len) {
		n++
	}
	rec := slices.Grow(sc.rec[:0], 2*n)[:2*n]
	score, win, lose := sc.tr.score[:last+1], sc.tr.win[:last+1], sc.tr.lose[:last+1]
	margin := math.Inf(1)
	for i, end := 2*n-2, last; i >= 0; i -= 2 {
		b := nodeAt(np, end)
		rec[i], rec[i+1] = uint64(uint32(b.id))|uint64(b.len)<<32, math.Float64bits(score[end])
		if exp == 0 {
			margin = min(margin, win[end]-lose[end])
		}
		end -= int(b.len)
	}
	sc.rec = rec
	return margin
}

// note records in the record at at what learn found, from 0 (exp 0) or
// from the score from in the binade exp.
func (sc *scratch) note(at int, margin float64, from float32, exp uint32) {
	r := sc.cold(at)
	tr := &sc.tr
	sc.data[at+spanAt] = noSpan // what holds may change
	if exp == 0 {
		sc.data[at] |= zeroFlag
		r[1] = r[1]&(1<<32-1) | uint64(math.Float32bits(upTo(margin, tr.mag, int(sc.data[at]&0xffff))))<<32
		return
	}
	bins, ties, odds := uint32(r[0]), uint32(r[0]>>32), uint32(r[1])
	bit := uint32(1) << (exp - firstBinade)
	odd := math.Float32bits(from) & 1 << (exp - firstBinade)
	switch {
	case bins&bit == 0:
		bins |= bit
		if tr.tie {
			ties |= bit
			odds = odds&^bit | odd
		}
	case !tr.tie || odds&bit != odd:
		// Learnt again, from a score of the other parity or without a
		// tie: the segmentation holds from either parity.
		ties &^= bit
	}
	r[0], r[1] = uint64(bins)|uint64(ties)<<32, r[1]>>32<<32|uint64(odds)
	r[2] = math.Float64bits(min(math.Float64frombits(r[2]), tr.lo))
	r[3] = math.Float64bits(max(math.Float64frombits(r[3]), tr.hi))
}

// safe reports whether a segmentation learnt from the score 0, whose
// smallest margin and magnitude are margin and mag, holds from the path
// score from, for a word of n bytes.
func safe(margin, mag float64, from float32, n int) bool {
	return from == 0 || wins(margin, mag, from, n)
}

// wins reports whether decisions won by margin in exact arithmetic, on
// a path of n bytes whose scores sum to at most mag in magnitude, are
// won alike when the path's float32 sum starts from the score from.
func wins(margin, mag float64, from float32, n int) bool {
	// Twice the magnitude, so that the ulp bounds that of every value
	// on the way, some of which may reach the next power of two.
	x := float32(2 * (math.Abs(float64(from)) + mag))
	return margin > float64(4*(n+1)+2)*ulp32(x)
}

// ulp32 returns the distance from x, a float32 of at least 0, to the next
// float32 up, as math.Nextafter32 finds it, from x's exponent alone: or
// +Inf from 2^127 up, where that may be infinite.
func ulp32(x float32) float64 {
	e := math.Float32bits(x) >> 23
	if e >= 254 {
		return math.Inf(1)
	}
	// 2^(e-150) for a normal x, 2^-149 for a subnormal one (e = 0).
	return math.Float64frombits(uint64(max(e, 1)+1023-150) << 52)
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

// holds reports whether the segmentation of the record at at holds from
// the path score from: learnt in from's binade, with every candidate
// staying in it, and from a score of the right parity where that matters;
// or learnt from 0 with margins that rounding there cannot close.
func (sc *scratch) holds(at int, from float32) bool {
	r := sc.cold(at)
	if exp := binade(from); exp != 0 {
		bit := uint32(1) << (exp - firstBinade)
		if bins, ties := uint32(r[0]), uint32(r[0]>>32); bins&bit != 0 &&
			inBinade(from, exp, math.Float64frombits(r[2]), math.Float64frombits(r[3])) &&
			(ties&bit == 0 || uint32(r[1])&bit == math.Float32bits(from)&1<<(exp-firstBinade)) {
			return true
		}
	}
	return sc.data[at]&zeroFlag != 0 && (from == 0 || math.Abs(float64(from)) <= float64(math.Float32frombits(uint32(r[1]>>32))))
}

// noSpan is the span of no path score (+Inf to -Inf).
const noSpan = 0xff800000<<32 | 0x7f800000

// span returns the span of the record at at for the path score from, from
// which its segmentation holds: the scores of from's binade whose
// candidates stay in it, or those of magnitude up to upTo, or from alone.
func (sc *scratch) span(at int, from float32) uint64 {
	r := sc.cold(at)
	if exp, lo, hi, ok := untied(r, from); ok {
		return binadeSpan(from, exp, lo, hi)
	}
	if upTo := math.Float32frombits(uint32(r[1] >> 32)); sc.data[at]&zeroFlag != 0 && math.Abs(float64(from)) <= float64(upTo) {
		return uint64(math.Float32bits(-upTo)) | uint64(math.Float32bits(upTo))<<32
	}
	return uint64(math.Float32bits(from)) | uint64(math.Float32bits(from))<<32
}

// untied reports whether r, a record's cold words, holds from the path
// score from as learnt in from's binade, exp, without a sum rounded from
// halfway there, and returns exp and the bounds, lo and hi, that inBinade
// took from r.
func untied(r []uint64, from float32) (exp uint32, lo, hi float64, ok bool) {
	if exp = binade(from); exp == 0 {
		return 0, 0, 0, false
	}
	bit := uint32(1) << (exp - firstBinade)
	if bins, ties := uint32(r[0]), uint32(r[0]>>32); bins&bit == 0 || ties&bit != 0 {
		return 0, 0, 0, false
	}
	lo, hi = math.Float64frombits(r[2]), math.Float64frombits(r[3])
	return exp, lo, hi, inBinade(from, exp, lo, hi)
}

// binadeSpan returns the span of the scores of the binade exp, around
// from, which inBinade takes with lo and hi.
func binadeSpan(from float32, exp uint32, lo, hi float64) uint64 {
	// They are those between two ends, from among them: each end is
	// guessed and then moved a float32 at a time, towards from until
	// inBinade takes it, and away while it takes the next.
	bottom := math.Float32frombits(1<<31 | exp<<23)
	top := math.Float32frombits(1<<31 | exp<<23 | (1<<23 - 1))
	up := spanEnd(clamp(float32(float64(bottom)-hi), from, bottom), from, bottom, exp, lo, hi)
	down := spanEnd(clamp(float32(float64(top)-lo), top, from), from, top, exp, lo, hi)
	return uint64(math.Float32bits(down)) | uint64(math.Float32bits(up))<<32
}

// spanEnd returns the end of the scores that inBinade takes, with lo and hi
// in the binade exp, between from, which it takes, and limit, the end of
// the binade, from the guess f between them.
func spanEnd(f, from, limit float32, exp uint32, lo, hi float64) float32 {
	// The scores are negative floats of one binade: the next float32
	// towards limit is one more in the bits if limit is below, one less
	// if above, and the next towards from the other way.
	out := uint32(1)
	if limit > from {
		out = ^uint32(0)
	}
	for !inBinade(f, exp, lo, hi) {
		f = math.Float32frombits(math.Float32bits(f) - out)
	}
	for f != limit {
		next := math.Float32frombits(math.Float32bits(f) + out)
		if !inBinade(next, exp, lo, hi) {
			break
		}
		f = next
	}
	return f
}

// clamp returns x if it lies in [lo, hi], or else the end it lies past:
// min and max, without the care of NaNs and signed zeros that none of
// span's values needs.
func clamp(x, lo, hi float32) float32 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

// last returns the largest d in [0, n] for which ok holds, where ok holds
// for 0 and, if for some d, for every smaller one. It gallops out from
// guess before it bisects, so that a guess next to d takes a few calls
// of ok, and a wild one about twice as many as bisection alone.
func last(n, guess uint32, ok func(uint32) bool) uint32 {
	lo, hi := uint32(0), n+1 // ok(lo); not ok(hi), or hi past n
	if guess = min(guess, n); ok(guess) {
		lo = guess
		for d := uint32(1); hi-lo > d; d *= 2 {
			if !ok(lo + d) {
				hi = lo + d
				break
			}
			lo += d
		}
	} else {
		hi = guess
		for d := uint32(1); hi-lo > d; d *= 2 {
			if ok(hi - d) {
				lo = hi - d
				break
			}
			hi -= d
		}
	}
	for hi-lo > 1 {
		if mid := lo + (hi-lo)/2; ok(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// upTo returns the greatest magnitude of a path score from which a
// segmentation learnt from 0, with the smallest margin and the magnitude
// mag, holds for a word of n bytes (see safe), or -1 if only from 0: safe
// fails for a magnitude if for any smaller one.
func upTo(margin, mag float64, n int) float32 {
	if !wins(margin, mag, 0, n) {
		return -1
	}
	// wins holds while the ulp of 2*(from+mag), as a float32, stays
	// below margin/k, about while that sum stays below 2^23 times
	// margin/k's power of two: the guess for the search, that power
	// times 2^23 made from the exponent bits of margin/k (positive and
	// finite).
	guess := float32(math.MaxFloat32)
	if margin <= math.MaxFloat32 {
		pow := math.Float64frombits((math.Float64bits(margin/float64(4*(n+1)+2))>>52 + 23) << 52)
		guess = float32(max(0, min(pow-mag, math.MaxFloat32)))
	}
	// Most often the bound is the float32 just below the guess, or the
	// guess: two calls of wins tell, without the search.
	b := math.Float32bits(guess)
	if b > 0 && b < 0x7f800000-1 {
		if below := math.Float32frombits(b - 1); !wins(margin, mag, guess, n) {
			if wins(margin, mag, below, n) {
				return below
			}
		} else if !wins(margin, mag, math.Float32frombits(b+1), n) {
			return guess
		}
	}
	// The float32 bits of the magnitudes below +Inf, from which it fails.
	return math.Float32frombits(last(0x7f800000-1, math.Float32bits(guess), func(b uint32) bool { return wins(margin, mag, math.Float32frombits(b), n) }))
}

// inBinade reports whether candidates offset from the path score from by
// lo to hi stay in its binade exp, short of rounding to its end.
func inBinade(from float32, exp uint32, lo, hi float64) bool {
	bottom := float64(math.Float32frombits(exp << 23))
	top := 2*bottom - bottom/(1<<23)
	return float64(from)+hi <= -bottom && float64(from)+lo >= -top
}

// encodeWords is Encode where m.cuts holds: word by word, from the cache
// where it may, and with one Viterbi over each run of other words.
func (m *Model) encodeWords(sc *scratch, dst []seg.Piece, norm []byte) []seg.Piece {
	if sc.slots == nil {
		sc.slots = make([]uint64, minSlots)
		sc.seen = make([]uint64, minSeen)
	}
	from := float32(0)
	run := -1 // the start of the words not yet segmented, or -1
	for p := 0; p < len(norm); {
		var q int
		if run < 0 {
			if dst, p, from = sc.hits(dst, norm, p, from); len(dst) >= sc.partAt {
				dst = sc.flush(dst, p)
			}
			if p == len(norm) {
				break
			}
			if q = sc.stop.q; q < 0 {
				q = nextSpace(norm, p)
			}
		} else {
			q = nextSpace(norm, p)
		}
		if run >= 0 && p-run >= maxRun {
			dst, from = m.segment(sc, dst, norm, run, p, nil, from)
			run = -1
			if len(dst) >= sc.partAt {
				dst = sc.flush(dst, p) // where no word hits
			}
		}
		var rec []uint64
		if n := q - p; n <= maxWord && (n > gateLen || sc.use.Use()) {
			h, at := sc.stop.h, sc.stop.at
			if run >= 0 || !sc.stop.found {
				h, at = sc.find(norm, p, q)
			}
			if at != 0 && run < 0 {
				rec = sc.hit(at, from)
			}
			// Where the word may be cached, the words before it are
			// segmented, for the path score at p.
			if rec == nil && (at != 0 || sc.saw(h)) {
				tried := run < 0
				if run >= 0 {
					dst, from = m.segment(sc, dst, norm, run, p, nil, from)
					run = -1
				}
				rec = m.lookup(sc, norm, p, q, h, at, tried, from)
			}
			if n <= gateLen {
				sc.use.Record(rec != nil)
			}
		}
		if rec != nil {
			dst, from = emit(dst, rec, from)
		} else if run < 0 {
			run = p
		}
		p = q
	}
	if run >= 0 {
		dst, _ = m.segment(sc, dst, norm, run, len(norm), nil, from)
	}
	return dst
}

// flush hands the pieces in dst, which end at the offset end of the
// text, to sc.sink (see EncodeTo), and returns dst emptied.
func (sc *scratch) flush(dst []seg.Piece, end int) []seg.Piece {
	sc.sink.Replay(dst, sc.partStart)
	sc.partStart = end
	return dst[:0]
}

// hits appends to dst the cached pieces of the words of norm from p on,
// as long as each has a record that holds from the path score from, and
// returns dst, the path score and the start of the first word it did not
// take, whose end it leaves in sc.stop, with its hash and record if it
// looked them up: encodeWords' loop for hits alone, small enough that its
// state stays in registers.
func (sc *scratch) hits(dst []seg.Piece, norm []byte, p int, from float32) ([]seg.Piece, int, float32) {
	sc.stop.found = false
	if sc.use.Sparse() {
		// The gate stands aside: encodeWords looks up the words it
		// lets through.
		sc.stop.q = nextSpace(norm, p)
		return dst, p, from
	}
	// The common case of each step is written out here, without calls:
	// a call would spill this loop's state; encodeWords takes the others.
	// The text, slots and records are read without bounds checks: the
	// loop's tests keep the text's reads within its capacity (see
	// shortKey), a slot's index is masked, and a slot holds the offset
	// of a whole record.
	data, slots := unsafe.Pointer(unsafe.SliceData(sc.data)), unsafe.Pointer(unsafe.SliceData(sc.slots))
	text, size, room := unsafe.Pointer(unsafe.SliceData(norm)), len(norm), cap(norm)
	mask, seed := len(sc.slots)-1, sc.seed
	// The gate counts the hits of short words when the loop ends: they
	// cannot make it stand aside.
	short := uint32(0)
loop:
	for p < size {
		// The end of the word, as nextSpace finds it: a U+2581 away from
		// the text's ends, with no lead byte among the three bytes before
		// it (those of the word's first character are not).
		q := -1
		for k := p + OneCharLen(*(*byte)(unsafe.Add(text, p))); ; {
			if k+10 <= size {
				// A byte 0xe2, as indexE2 finds it, then the two
				// other bytes of U+2581 after it.
				const ones, highs = 0x0101010101010101, 0x8080808080808080
				x := load64(text, k) ^ 0xe2*ones
				if x = (x - ones) &^ x & highs; x == 0 {
					k += 8
					continue
				}
				if k += bits.TrailingZeros64(x) / 8; load16(text, k+1) != 0x8196 {
					k++
					continue
				}
				if k >= 4 && !leadBefore(load32(text, k-4)) {
					q = k
				}
			} else if b := size - 10; b >= 0 {
				// The last ten bytes hold every place left where
				// U+2581 may start, those from k on shifted down.
				z := spaces(norm[b:]) >> uint(8*(k-b))
				if k += bits.TrailingZeros64(z) / 8; z == 0 {
					q = size
				} else if k >= 4 && !leadBefore(load32(text, k-4)) {
					q = k
				}
			}
			break
		}
		n := q - p
		if q < 0 || n > maxWord {
			sc.stop.q = q
			break
		}
		// The word's record, as find finds it, written out: a word of at
		// most 16 bytes in two loads from its start, within the text's
		// capacity, or from the text's last 16 bytes; one of at most 32
		// bytes, as many are in scripts of two- and three-byte letters,
		// in four loads from its start; a longer one 16 bytes at a time,
		// its last chunks in two loads from its end.
		var h uint64
		at := 0
		switch {
		case n <= 16:
			var c0, c1 uint64
			if p <= room-16 {
				c0, c1 = load64(text, p), load64(text, p+8)
			} else if size >= 16 {
				c0, c1 = tail16(text, size, size-p)
			} else {
				sc.stop.q = q
				break loop
			}
			if n <= 8 {
				c0, c1 = c0&(^uint64(0)>>((64-8*n)&63)), 0
			} else {
				c1 &= ^uint64(0) >> ((128 - 8*n) & 63)
			}
			h = mix(c0^seed^uint64(n)*hashK1, c1^hashK2)
			for i := int(h>>32) & mask; ; i = (i + 1) & mask {
				s := *wordAt(slots, i)
				if s == 0 {
					break
				}
				if r := int(uint32(s)); s>>32 == h>>32 && int(*wordAt(data, r)&0xffff) == n &&
					*wordAt(data, r+keyAt) == c0 && (n <= 8 || *wordAt(data, r+keyAt+1) == c1) {
					at = r
					break
				}
			}
		case n <= 32 && p <= room-32:
			// As hashWord does, a first block of 16 bytes, then the
			// rest, in two loads of their own.
			c0, c1 := load64(text, p), load64(text, p+8)
			c2, c3 := load64(text, p+16), load64(text, p+24)
			if r := n - 16; r <= 8 {
				c2, c3 = c2&(^uint64(0)>>((64-8*r)&63)), 0
			} else {
				c3 &= ^uint64(0) >> ((128 - 8*r) & 63)
			}
			h = mix(mix(c0^seed^uint64(n)*hashK1, c1^hashK2)^c2, c3^hashK2)
			for i := int(h>>32) & mask; ; i = (i + 1) & mask {
				s := *wordAt(slots, i)
				if s == 0 {
					break
				}
				if r := int(uint32(s)); s>>32 == h>>32 && int(*wordAt(data, r)&0xffff) == n &&
					*wordAt(data, r+keyAt) == c0 && *wordAt(data, r+keyAt+1) == c1 &&
					*wordAt(data, r+keyAt+2) == c2 && (n <= 24 || *wordAt(data, r+keyAt+3) == c3) {
					at = r
					break
				}
			}
		default:
			h = seed ^ uint64(n)*hashK1
			i := p
			for ; i+16 <= q; i += 16 {
				h = mix(load64(text, i)^h, load64(text, i+8)^hashK2)
			}
			var x0, x1 uint64
			if i < q {
				x0, x1 = tail16(text, q, q-i)
				h = mix(x0^h, x1^hashK2)
			}
			for i := int(h>>32) & mask; ; i = (i + 1) & mask {
				s := *wordAt(slots, i)
				if s == 0 {
					break
				}
				r := int(uint32(s))
				if s>>32 != h>>32 || int(*wordAt(data, r)&0xffff) != n {
					continue
				}
				// The word, sixteen bytes at a time, its last bytes
				// as hashing read them.
				j, w := p, r+keyAt
				for ; j+16 <= q && load64(text, j) == *wordAt(data, w) && load64(text, j+8) == *wordAt(data, w+1); j, w = j+16, w+2 {
				}
				if j == q || j+16 > q && x0 == *wordAt(data, w) && (j+8 >= q || x1 == *wordAt(data, w+1)) {
					at = r
					break
				}
			}
		}
		if at == 0 {
			sc.stop.q, sc.stop.h, sc.stop.at, sc.stop.found = q, h, at, true
			break
		}
		// Hits take a record within its span, or one that renew finds
		// holds (a text's path score leaves a binade for the next every
		// so often, and the spans of its words with it), with room for
		// its pieces; encodeWords grows dst. The head is read after
		// renew's call, which would spill what the loop read before it.
		span := *wordAt(data, at+spanAt)
		head := wordAt(data, at)
		if !(from >= math.Float32frombits(uint32(span)) && from <= math.Float32frombits(uint32(span>>32))) {
			if !sc.renew(at, from) {
				sc.stop.q, sc.stop.h, sc.stop.at, sc.stop.found = q, h, at, true
				break
			}
		}
		np := int(*head >> 16 & 0xffff)
		if len(dst)+np > cap(dst) {
			sc.stop.q, sc.stop.h, sc.stop.at, sc.stop.found = q, h, at, true
			break
		}
		if *head&hitFlag == 0 {
			*head |= hitFlag
		}
		if n <= gateLen {
			short++
		}
		// The pieces, as emit appends them.
		ps := unsafe.Add(unsafe.Pointer(unsafe.SliceData(dst)), len(dst)*int(unsafe.Sizeof(seg.Piece{})))
		for i, off := 0, at+keyAt+(n+7)>>3; i < np; i, off = i+1, off+2 {
			x := *wordAt(data, off)
			*(*seg.Piece)(unsafe.Add(ps, i*int(unsafe.Sizeof(seg.Piece{})))) = seg.Piece{ID: int32(uint32(x)), Len: int32(x >> 32)}
			from = float32(math.Float64frombits(*wordAt(data, off+1)) + float64(from))
		}
		dst = dst[:len(dst)+np]
		p = q
	}
	sc.use.Hits(short)
	return dst, p, from
}

// load64 returns the eight bytes of the array at text from i, as a
// little-endian word, without a bounds check.
func load64(text unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(text, i))[:])
}

// load32 is load64 for four bytes.
func load32(text unsafe.Pointer, i int) uint32 {
	return binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(text, i))[:])
}

// load16 is load64 for two bytes.
func load16(text unsafe.Pointer, i int) uint16 {
	return binary.LittleEndian.Uint16((*[2]byte)(unsafe.Add(text, i))[:])
}

// wordAt returns the word i of the array at data, without a bounds check.
func wordAt(data unsafe.Pointer, i int) *uint64 {
	return (*uint64)(unsafe.Add(data, uintptr(i)*8))
}

// emit appends the pieces of rec, as a record holds them, to dst, adding
// their scores to the path score from as the C++ adds them, and returns
// both.
func emit(dst []seg.Piece, rec []uint64, from float32) ([]seg.Piece, float32) {
	for ; len(rec) >= 2; rec = rec[2:] {
		x := rec[0]
		dst = append(dst, seg.Piece{ID: int32(uint32(x)), Len: int32(x >> 32)})
		from = float32(math.Float64frombits(rec[1]) + float64(from))
	}
	return dst, from
}

// segment appends the best segmentation of norm[p:q], with the pieces ban
// forbids left out, from the path score from to dst, and returns it and the
// path score at its end: a Viterbi over text with sc's nodes. (A closure
// in encodeWords would keep its variables out of registers.)
func (m *Model) segment(sc *scratch, dst []seg.Piece, norm []byte, p, q int, ban []bool, from float32) ([]seg.Piece, float32) {
	nodes := m.forward(&sc.viterbi, norm, p, q, ban, from, nil)
	return backtrack(dst, nodes), nodes[len(nodes)-1].score
}

// hit returns the pieces of the record at at if they hold from the path
// score from, or nil. Within the record's span it needs not ask holds.
func (sc *scratch) hit(at int, from float32) []uint64 {
	if !sc.spans(at, from) && !sc.renew(at, from) {
		return nil
	}
	if head := sc.data[at]; head&hitFlag == 0 {
		sc.data[at] = head | hitFlag // written only when it changes: most hits only read
	}
	return sc.pieces(at)
}

// renew reports whether the segmentation of the record at at holds from
// the path score from, outside its span, and if so makes its span the one
// around from.
func (sc *scratch) renew(at int, from float32) bool {
	// Most often a word met in a binade it holds from without ties, as
	// holds and span find it, without going through both.
	if exp, lo, hi, ok := untied(sc.cold(at), from); ok {
		sc.data[at+spanAt] = binadeSpan(from, exp, lo, hi)
		return true
	}
	if !sc.holds(at, from) {
		return false
	}
	sc.data[at+spanAt] = sc.span(at, from)
	return true
}

// spans reports whether the span of the record at at holds from.
func (sc *scratch) spans(at int, from float32) bool {
	span := sc.data[at+spanAt]
	return from >= math.Float32frombits(uint32(span)) && from <= math.Float32frombits(uint32(span>>32))
}

// lookup returns the segmentation of the word norm[p:q], whose hash is h and
// whose record is at at (0 for none), from the path score from, its
// pieces as a record holds them: cached, or learnt, or nil. Tried says
// that hit found that the record does not hold from from.
func (m *Model) lookup(sc *scratch, norm []byte, p, q int, h uint64, at int, tried bool, from float32) []uint64 {
	exp := binade(from)
	if at != 0 {
		if !tried {
			if rec := sc.hit(at, from); rec != nil {
				return rec
			}
		}
		if exp == 0 && sc.data[at]&zeroFlag != 0 {
			return nil // learning it from 0 again would change nothing
		}
	}
	if exp >= firstBinade+32 {
		return nil
	}
	margin := m.learn(sc, norm, p, q, from, exp)
	if exp != 0 && !inBinade(from, exp, sc.tr.lo, sc.tr.hi) {
		// Exact here, but rounded past the binade's end: it tells
		// nothing of the binade's other scores.
		return sc.rec
	}
	if at != 0 && !slices.Equal(sc.pieces(at), sc.rec) {
		// Rounding decides otherwise here: what was learnt holds
		// from from itself, or from 0 where its margins suffice.
		if exp != 0 || safe(margin, sc.tr.mag, from, q-p) {
			return sc.rec
		}
		return nil
	}
	if at == 0 {
		at = sc.store(h, norm, p, q)
	}
	sc.note(at, margin, from, exp)
	sc.data[at] |= hitFlag
	if exp != 0 || sc.holds(at, from) {
		return sc.rec // learnt from from itself, or safe there
	}
	return nil
}

// saw reports whether h is in the table of words met once, taking it out
// (the word is learnt now), and puts it there if not. A hash may sit in any
// of the four slots of its group, so that words rarely evict each other
// before the table grows.
func (sc *scratch) saw(h uint64) bool {
	i := int(h) & (len(sc.seen) - 1)
	g := sc.seen[i&^3 : i&^3+4]
	for j, x := range g {
		if x == h {
			g[j] = 0
			sc.seenIn--
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
// It searches for the bytes of U+2581, which in valid UTF-8 start a
// character wherever they are, eight places at a time, and steps through
// the text only where a malformed sequence before them might swallow them.
func nextSpace(norm []byte, p int) int {
	i := p + min(OneCharLen(norm[p]), len(norm)-p)
	k := i
	for ; k+10 <= len(norm); k += 8 {
		if z := spaces(norm[k : k+10]); z != 0 {
			return startsAt(norm, i, k+bits.TrailingZeros64(z)/8)
		}
	}
	for ; ; k++ {
		if k = indexE2(norm, k); k+2 >= len(norm) {
			return len(norm)
		}
		if norm[k+1] == 0x96 && norm[k+2] == 0x81 {
			return startsAt(norm, i, k)
		}
	}
}

// spaces returns a word whose byte j has its top bit set where U+2581
// starts at w[j], for j < 8, and whose other bits are 0.
func spaces(w []byte) uint64 {
	const ones, lows = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	d := (binary.LittleEndian.Uint64(w) ^ 0xe2*ones) |
		(binary.LittleEndian.Uint64(w[1:]) ^ 0x96*ones) |
		(binary.LittleEndian.Uint64(w[2:]) ^ 0x81*ones)
	// The top bit of a byte of d&lows+lows is set where the byte's
	// other bits are not all 0.
	return ^(d&lows + lows | d) &^ lows
}

// startsAt returns k, where U+2581 is found searching from i, if it starts
// a character stepping from i: unless a lead byte among the three before
// it claims bytes past them, which only a malformed sequence does.
// Otherwise it steps from i.
func startsAt(norm []byte, i, k int) int {
	if k-3 >= i {
		if leadBefore(binary.LittleEndian.Uint32(norm[k-4:])) {
			return stepSpace(norm, i)
		}
		return k
	}
	if k-1 >= i && norm[k-1] >= 0xc0 || k-2 >= i && norm[k-2] >= 0xe0 {
		return stepSpace(norm, i)
	}
	return k
}

// indexE2 returns the position of the first byte 0xe2 at or after k, the
// first byte of U+2581, or len(norm). It reads eight bytes at a time: a
// call costs less than bytes.IndexByte's on a short word.
func indexE2(norm []byte, k int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; k+8 <= len(norm); k += 8 {
		x := binary.LittleEndian.Uint64(norm[k:]) ^ 0xe2*ones
		// The lowest bit set marks the first byte of x that is zero.
		if z := (x - ones) &^ x & highs; z != 0 {
			return k + bits.TrailingZeros64(z)/8
		}
	}
	for ; k < len(norm) && norm[k] != 0xe2; k++ {
	}
	return k
}

// leadBefore reports whether, of the four bytes of x, little-endian, the
// last is at least 0xc0, the one before at least 0xe0 or the one before
// that at least 0xf0: a lead byte claiming bytes past x.
func leadBefore(x uint32) bool {
	// Bit 7 of a byte of the sum is set where the byte is at least
	// 0xc0, 0xe0 and 0xf0 from the last back.
	return (x&0x7f7f7f7f+0x40201000)&x&0x80808080 != 0
}

// stepSpace returns the position of the first U+2581 at or after i that
// starts a character, stepping from i as the C++ does, or len(norm).
func stepSpace(norm []byte, i int) int {
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
