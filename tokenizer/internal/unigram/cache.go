package unigram

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"

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
// entryCost counts them: the 280,000 words of the largest corpus file
// (7 MB of text in many scripts) fit. Its table starts at minSlots slots.
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
	nodes []best
	tr    tracker
	// slots holds the cached words by their hash, open-addressed (a Go
	// map costs twice as much per lookup here): a slot holds the low 32
	// bits of its word's hash over the index in ents plus one, or 0. Its
	// length is a power of two, at least twice len(ents).
	slots []uint64
	ents  []entry
	hand  int // the clock's (see evict)
	// data holds each entry's word and then its pieces, pieceSize bytes
	// each, one entry after another; dead counts the bytes no entry uses
	// any more, which compact drops.
	data []byte
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
	seed   maphash.Seed
	use    hitrate.Gate
	// The segmentation learn found, and its pieces as data holds them.
	path []seg.Piece
	rec  []byte
}

func newScratch() *scratch {
	return &scratch{seed: maphash.MakeSeed(), limit: maxWords, limitSize: maxCache}
}

// entry is a cached word: its segmentation and where it holds.
type entry struct {
	at     uint32 // the offset of its word and pieces in data
	len, n uint16 // of the word and of its pieces
	// Bit e-firstBinade of bins says that the segmentation holds from
	// the scores of the binade with exponent field e whose candidates
	// stay in it, with lo and hi bounding the candidates' offsets from
	// the path score over all those binades; the bit of ties says that a
	// sum was rounded from halfway there, so that it holds only from
	// scores whose last bit is that bit of odds.
	bins, ties, odds uint32
	// hit says that the entry was used since the clock's hand last
	// passed it.
	hit bool
	// zero says that the segmentation is that from the score 0, where
	// margin is the smallest margin of a decision on the path and mag
	// bounds the magnitude of the word's own scores (see safe).
	zero        bool
	margin, mag float64
	lo, hi      float64
}

// pieceSize is the size of a piece in scratch.data: its id (4 bytes), its
// length (2) and the score that the path score adds for it (8).
const pieceSize = 14

// putPiece appends p and its score to rec, as scratch.data holds them.
func putPiece(rec []byte, p seg.Piece, score float64) []byte {
	rec = binary.LittleEndian.AppendUint32(rec, uint32(p.ID))
	rec = binary.LittleEndian.AppendUint16(rec, uint16(p.Len))
	return binary.LittleEndian.AppendUint64(rec, math.Float64bits(score))
}

// entryCost is what a cached word counts against maxCache: its entry (56
// bytes), four slots (the table is kept from a quarter to half full), its
// bytes and its pieces.
func entryCost(len, n int) int {
	return 56 + 32 + len + pieceSize*n
}

// word returns the word of e.
func (sc *scratch) word(e *entry) []byte {
	return sc.data[e.at : e.at+uint32(e.len)]
}

// pieces returns the pieces of e, as scratch.data holds them.
func (sc *scratch) pieces(e *entry) []byte {
	at := e.at + uint32(e.len)
	return sc.data[at : at+pieceSize*uint32(e.n)]
}

// find returns the index in sc.ents of w, whose hash is h, or -1.
func (sc *scratch) find(h uint64, w []byte) int {
	_, k := sc.slot(h, w)
	return k
}

// slot returns the slot of sc.slots that holds w, whose hash is h, and
// its entry's index, or the empty slot where w would go and -1.
func (sc *scratch) slot(h uint64, w []byte) (int, int) {
	mask := len(sc.slots) - 1
	tag := h << 32
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := sc.slots[i]
		if s == 0 {
			return i, -1
		}
		if s>>32 == tag>>32 {
			k := int(uint32(s)) - 1
			if bytes.Equal(sc.word(&sc.ents[k]), w) {
				return i, k
			}
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

// store makes an entry of w, whose hash is h, holding the pieces in sc.rec,
// and returns its index. A full cache makes room (evict).
func (sc *scratch) store(h uint64, w []byte) int {
	cost := entryCost(len(w), len(sc.rec)/pieceSize)
	k := -1 // an index evicted, free
	for {
		n := len(sc.ents)
		if k >= 0 {
			n--
		}
		if n < sc.limit && sc.size+cost <= sc.limitSize {
			break
		}
		if k >= 0 {
			// One entry's room does not suffice: keep its index free
			// by moving the last entry there.
			sc.move(len(sc.ents)-1, k)
			sc.ents = sc.ents[:len(sc.ents)-1]
		}
		k = sc.evict()
	}
	if k < 0 {
		k = len(sc.ents)
		sc.ents = append(sc.ents, entry{})
		if 2*len(sc.ents) > len(sc.slots) {
			sc.grow()
		}
	}
	if 2*sc.dead > len(sc.data) {
		sc.compact(k)
	}
	sc.ents[k] = entry{
		at:  uint32(len(sc.data)),
		len: uint16(len(w)), n: uint16(len(sc.rec) / pieceSize),
		lo: math.Inf(1), hi: math.Inf(-1),
	}
	sc.data = append(append(sc.data, w...), sc.rec...)
	sc.size += cost
	i, _ := sc.slot(h, w)
	sc.slots[i] = h<<32 | uint64(k+1)
	return k
}

// evict drops the first entry the clock's hand comes to that was not used
// since the hand last passed it, clearing the hit of those it passes, and
// returns its index, now free: the words a text keeps using stay, and those
// of texts gone by make room for the new ones.
func (sc *scratch) evict() int {
	for {
		if sc.hand >= len(sc.ents) {
			sc.hand = 0
		}
		k := sc.hand
		sc.hand++
		e := &sc.ents[k]
		if e.hit {
			e.hit = false
			continue
		}
		w := sc.word(e)
		i, _ := sc.slot(maphash.Bytes(sc.seed, w), w)
		sc.unslot(i)
		sc.dead += len(w) + pieceSize*int(e.n)
		sc.size -= entryCost(len(w), int(e.n))
		return k
	}
}

// move puts entry k at index to, which is free.
func (sc *scratch) move(k, to int) {
	if k == to {
		return
	}
	w := sc.word(&sc.ents[k])
	i, _ := sc.slot(maphash.Bytes(sc.seed, w), w)
	sc.slots[i] = sc.slots[i]>>32<<32 | uint64(to+1)
	sc.ents[to] = sc.ents[k]
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

// compact copies the words and pieces of the entries but free into a new
// sc.data, without those of evicted entries.
func (sc *scratch) compact(free int) {
	data := make([]byte, 0, 2*(len(sc.data)-sc.dead))
	for k := range sc.ents {
		if k == free {
			continue
		}
		e := &sc.ents[k]
		at := len(data)
		data = append(data, sc.data[e.at:e.at+uint32(e.len)+pieceSize*uint32(e.n)]...)
		e.at = uint32(at)
	}
	sc.data, sc.dead = data, 0
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
// in the binade exp, into sc.path and sc.rec, and returns, from 0, the
// smallest margin of a decision on the path (sc.tr holds the rest).
func (m *Model) learn(sc *scratch, w []byte, from float32, exp uint32) float64 {
	if exp == 0 {
		from = 0
	}
	sc.tr.binade = exp != 0
	sc.nodes = m.forward(sc.nodes, w, nil, from, &sc.tr)
	sc.path = backtrack(sc.path[:0], sc.nodes)
	sc.rec = sc.rec[:0]
	margin := math.Inf(1)
	end := 0
	for _, p := range sc.path {
		end += int(p.Len)
		sc.rec = putPiece(sc.rec, p, sc.tr.score[end])
		if exp == 0 {
			margin = min(margin, sc.tr.win[end]-sc.tr.lose[end])
		}
	}
	return margin
}

// note records in e what learn found, from 0 (exp 0) or from the score
// from in the binade exp.
func (e *entry) note(tr *tracker, margin float64, from float32, exp uint32) {
	if exp == 0 {
		e.zero, e.margin, e.mag = true, margin, tr.mag
		return
	}
	bit := uint32(1) << (exp - firstBinade)
	odd := math.Float32bits(from) & 1 << (exp - firstBinade)
	switch {
	case e.bins&bit == 0:
		e.bins |= bit
		if tr.tie {
			e.ties |= bit
			e.odds = e.odds&^bit | odd
		}
	case !tr.tie || e.odds&bit != odd:
		// Learnt again, from a score of the other parity or without a
		// tie: the segmentation holds from either parity.
		e.ties &^= bit
	}
	e.lo, e.hi = min(e.lo, tr.lo), max(e.hi, tr.hi)
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

// holds reports whether e's segmentation holds from the path score from,
// in the binade exp, for a word of n bytes: learnt in that binade, with
// every candidate staying in it, and from a score of the right parity
// where that matters; or learnt from 0 with margins that rounding there
// cannot close.
func (e *entry) holds(from float32, exp uint32, n int) bool {
	if bit := uint32(1) << (exp - firstBinade); exp != 0 && e.bins&bit != 0 && inBinade(from, exp, e.lo, e.hi) &&
		(e.ties&bit == 0 || e.odds&bit == math.Float32bits(from)&1<<(exp-firstBinade)) {
		return true
	}
	return e.zero && safe(e.margin, e.mag, from, n)
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
		q := nextSpace(norm, p)
		if run >= 0 && p-run >= maxRun {
			dst, from = m.segment(sc, dst, norm[run:p], nil, from)
			run = -1
		}
		var rec []byte
		if n := q - p; n <= maxWord && (n > gateLen || sc.use.Use()) {
			w := norm[p:q]
			h := maphash.Bytes(sc.seed, w)
			k := sc.find(h, w)
			if k >= 0 && run < 0 {
				rec = sc.hit(k, from, n)
			}
			// Where the word may be cached, the words before it are
			// segmented, for the path score at p.
			if rec == nil && (k >= 0 || sc.saw(h)) {
				if run >= 0 {
					dst, from = m.segment(sc, dst, norm[run:p], nil, from)
					run = -1
				}
				rec = m.lookup(sc, w, h, k, from)
			}
			if n <= gateLen {
				sc.use.Record(rec != nil)
			}
		}
		if rec != nil {
			for ; len(rec) >= pieceSize; rec = rec[pieceSize:] {
				dst = append(dst, seg.Piece{
					ID:  int32(binary.LittleEndian.Uint32(rec)),
					Len: int32(binary.LittleEndian.Uint16(rec[4:])),
				})
				from = float32(math.Float64frombits(binary.LittleEndian.Uint64(rec[6:])) + float64(from))
			}
		} else if run < 0 {
			run = p
		}
		p = q
	}
	if run >= 0 {
		dst, _ = m.segment(sc, dst, norm[run:], nil, from)
	}
	return dst
}

// segment appends the best segmentation of text, with the pieces ban
// forbids left out, from the path score from to dst, and returns it and the
// path score at its end: a Viterbi over text with sc's nodes. (A closure
// in encodeWords would keep its variables out of registers.)
func (m *Model) segment(sc *scratch, dst []seg.Piece, text []byte, ban []bool, from float32) ([]seg.Piece, float32) {
	sc.nodes = m.forward(sc.nodes, text, ban, from, nil)
	return backtrack(dst, sc.nodes), sc.nodes[len(text)].score
}

// hit returns the pieces of entry k, for a word of n bytes, if they hold
// from the path score from, or nil.
func (sc *scratch) hit(k int, from float32, n int) []byte {
	e := &sc.ents[k]
	if !e.holds(from, binade(from), n) {
		return nil
	}
	if !e.hit {
		e.hit = true // written only when it changes: most hits only read
	}
	return sc.pieces(e)
}

// lookup returns the segmentation of w, whose hash is h and whose entry is
// k or -1, from the path score from, its pieces as scratch.data holds
// them: cached, or learnt, or nil.
func (m *Model) lookup(sc *scratch, w []byte, h uint64, k int, from float32) []byte {
	exp := binade(from)
	if k >= 0 {
		if rec := sc.hit(k, from, len(w)); rec != nil {
			return rec
		}
		if exp == 0 && sc.ents[k].zero {
			return nil // learning it from 0 again would change nothing
		}
	}
	if exp >= firstBinade+32 {
		return nil
	}
	margin := m.learn(sc, w, from, exp)
	if exp != 0 && !inBinade(from, exp, sc.tr.lo, sc.tr.hi) {
		// Exact here, but rounded past the binade's end: it tells
		// nothing of the binade's other scores.
		return sc.rec
	}
	if k >= 0 && !bytes.Equal(sc.pieces(&sc.ents[k]), sc.rec) {
		// Rounding decides otherwise here: what was learnt holds
		// from from itself, or from 0 where its margins suffice.
		if exp != 0 || safe(margin, sc.tr.mag, from, len(w)) {
			return sc.rec
		}
		return nil
	}
	if k < 0 {
		k = sc.store(h, w)
	}
	e := &sc.ents[k]
	e.note(&sc.tr, margin, from, exp)
	e.hit = true
	if exp != 0 || e.holds(from, exp, len(w)) {
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
// character wherever they are, and steps through the text only where a
// malformed sequence before them might swallow them: a lead byte among the
// three before that claims bytes past them.
func nextSpace(norm []byte, p int) int {
	i := p + min(OneCharLen(norm[p]), len(norm)-p)
	for k := i; ; k++ {
		if k = indexE2(norm, k); k+2 >= len(norm) {
			return len(norm)
		}
		if norm[k+1] != 0x96 || norm[k+2] != 0x81 {
			continue
		}
		if k-3 >= i {
			// The three bytes before k at once: bit 7 of a byte of z
			// is set where the byte is at least 0xc0, 0xe0 and 0xf0
			// from the last back.
			x := binary.LittleEndian.Uint32(norm[k-4:])
			if z := (x&0x7f7f7f7f + 0x40201000) & x & 0x80808080; z != 0 {
				return stepSpace(norm, i)
			}
			return k
		}
		if k-1 >= i && norm[k-1] >= 0xc0 || k-2 >= i && norm[k-2] >= 0xe0 {
			return stepSpace(norm, i)
		}
		return k
	}
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
