package bpe

import (
	"encoding/binary"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/utf8x"
)

// Long runs of one character or of a few repeated ("aaaa…", "====…",
// "-=-=-=…", a repeated emoji) are the worst case of merging: every pair is
// a piece, so the text cannot be cut, and a symbol per character makes the
// merge loop slow and 47 bytes of memory a byte. segmentRuns merges such
// text as blocks, each some copies of a pattern of symbols, in time and
// memory that grow with the number of blocks, not of characters, once it
// has found them.
//
// It relies on what the levelQueue relies on (agenda.go): the C++ pops
// pairs best score first, leftmost first on ties. Say the best pair left
// scores σ, and no merge of a σ pair puts on the agenda a pair of score σ
// or better (the C++ puts the merged symbol's pairs with its neighbours as
// they stand then). Then the pops of score σ come left to right, and each
// merges unless the previous merge took its left symbol: its right symbol
// is untouched, as every merge so far was further left. That is a single
// left-to-right sweep over the pairs of score σ, which carries from one
// copy of a pattern to the next only whether the copy's last symbol is
// still unmerged. So the copies after the first give the same symbols
// over and over, from one copy to the next or every other copy, and those
// become the next level's blocks. No pair of score σ is left after the
// sweep, and the pairs it made score below σ, so the next level's best
// scores below σ and the argument repeats.
//
// The pairs a merge puts on the agenda are those of the merged symbol with
// the symbol before it, which no later merge of the sweep changes, and
// with the symbol after it as it stands before the sweep goes on. Both are
// pairs of the next level, but for one case: when the symbol after was
// merged with its own next in the same sweep. The next level therefore
// checks its pairs, and, where two symbols side by side were both made by
// the last sweep, the pair of the first with the left part of the second
// (patSym.left). Should any of these score σ or better, segmentRuns gives
// up and segment takes the text: giving up never gives wrong pieces.

// symBlock is count copies of the pattern pats[off:off+n], the first copy
// starting at byte start of the text and each bytes long.
type symBlock struct {
	off, n       int32
	count        int32
	start, bytes int32
	// While a level is chosen: the piece that the last symbol of the last
	// copy makes with the next block's first, or -1, and its scoreKey.
	nextID  int32
	nextKey uint64
}

// patSym is a symbol of a pattern: the piece id (or -1) of size bytes at
// start, in the pattern's first copy. While a level is chosen, pairID and
// pairKey are the piece it makes with the next symbol of its copy or, for
// the last, with the next copy's first (-1 and noPairKey when none).
type patSym struct {
	start, size, id int32
	// left is, for a symbol that the last sweep made by a merge, the size
	// of its left part; 0 for one it left as it was.
	left    int32
	pairID  int32
	pairKey uint64
}

const (
	runsMinLen  = 256  // the bytes from which segment tries runs
	runsPeriod  = 4    // the most characters in a repeated pattern
	runsLiteral = 16   // the most characters outside repeats
	runsBlocks  = 64   // the most blocks at any level
	runsSymbols = 512  // the most symbols in all patterns at any level
	runsLevels  = 4096 // the most levels: the bounds above keep far below
	noPairKey   = ^uint64(0)
)

// segmentRuns is segment for s, without user-defined pieces, in a model
// without unused pieces, when s is made of few runs of copies of a few
// characters. It reports false, doing nothing, when s is not or the
// model's scores do not fall with each merge.
func (b *Model) segmentRuns(sc *Scratch, s []byte, r *Rules, dst []seg.Piece) ([]seg.Piece, bool) {
	bl := blockBuilder{s: s, blocks: sc.blocks[:0], pats: sc.pats[:0], tmp: &sc.runTmp}
	ok := b.findRuns(&bl)
	next := blockBuilder{s: s, blocks: sc.blocksNext[:0], pats: sc.patsNext[:0], tmp: &sc.runTmp}
	last := uint64(0) // the scoreKey of the level last merged
	for level := 0; ok; level++ {
		best, made := b.blockPairs(sc, s, r, bl.blocks, bl.pats)
		if level > 0 && min(best, made) <= last {
			ok = false // a merge made a pair no worse than its own
			break
		}
		if best == noPairKey {
			break
		}
		last = best
		next.blocks, next.pats, next.open = next.blocks[:0], next.pats[:0], false
		sweepBlocks(&bl, &next, best)
		bl, next = next, bl
		ok = len(bl.blocks) <= runsBlocks && len(bl.pats) <= runsSymbols && level < runsLevels
	}
	sc.blocks, sc.pats, sc.blocksNext, sc.patsNext = bl.blocks, bl.pats, next.blocks, next.pats
	if !ok {
		return dst, false
	}
	for _, k := range bl.blocks {
		pat := bl.pats[k.off : k.off+k.n]
		for range k.count {
			for _, p := range pat {
				dst = append(dst, b.finalPiece(s[p.start:p.start+p.size], p.id, r))
			}
		}
	}
	return dst, true
}

// findRuns cuts bl's text into blocks of copies of up to runsPeriod
// characters, and of characters that do not repeat, and reports false
// when these are too many.
func (b *Model) findRuns(bl *blockBuilder) bool {
	s := bl.s
	literal := 0
	for i := 0; i < len(s); {
		// The pattern of p characters whose copies from i cover the most.
		bestLen, bestCopies := 0, 1
		l := 0
		for p := 1; p <= runsPeriod && i+2*l < len(s); p++ {
			l += min(int(utf8x.CharLen[s[i+l]>>4]), len(s)-i-l)
			if n := repeats(s, i, l); n >= 2 && n*l > bestCopies*bestLen {
				bestLen, bestCopies = l, n
			}
		}
		if bestLen == 0 {
			l := min(int(utf8x.CharLen[s[i]>>4]), len(s)-i)
			bl.symbol(patSym{start: int32(i), size: int32(l), id: b.charID(s[i : i+l])})
			i += l
			if literal++; literal > runsLiteral {
				return false
			}
			continue
		}
		var pat [runsPeriod]patSym
		n := 0
		for j := i; j < i+bestLen; n++ {
			l := int(utf8x.CharLen[s[j]>>4])
			pat[n] = patSym{start: int32(j), size: int32(l), id: b.charID(s[j : j+l])}
			j += l
		}
		bl.copies(pat[:n], int32(bestCopies))
		i += bestLen * bestCopies
		if len(bl.blocks) > runsBlocks {
			return false
		}
	}
	return true
}

// repeats returns how many times the l bytes at s[i:] follow each other
// from i on, at least once.
func repeats(s []byte, i, l int) int {
	// The copies go on while each byte is the one l bytes before.
	j := i + l
	for j+8 <= len(s) && binary.LittleEndian.Uint64(s[j:]) == binary.LittleEndian.Uint64(s[j-l:]) {
		j += 8
	}
	for j < len(s) && s[j] == s[j-l] {
		j++
	}
	return (j - i) / l
}

// blockPairs works out the pairs of every pattern symbol and block, and
// returns the best scoreKey among them, or noPairKey, and the best of the
// pairs that the last sweep's merges made and merged again (see above).
func (b *Model) blockPairs(sc *Scratch, s []byte, r *Rules, blocks []symBlock, pats []patSym) (best, made uint64) {
	best, made = noPairKey, noPairKey
	// pair returns the piece that symbol x, at byte at of the text, makes
	// with the symbol y after it.
	pair := func(at int32, x, y patSym) (int32, uint64) {
		mid := at + x.size
		if x.left > 0 && y.left > 0 {
			// x was merged when y's left part stood after it.
			if id := b.v.LookupBytes(s[at : mid+y.left]); r.allowed(id) {
				made = min(made, scoreKey(b.rank(id)))
			}
		}
		sl := symbol{start: at, end: mid, id: x.id}
		sr := symbol{start: mid, end: mid + y.size, id: y.id}
		if id := b.pairID(sc, s, &sl, &sr); r.allowed(id) {
			k := scoreKey(b.rank(id))
			best = min(best, k)
			return id, k
		}
		return -1, noPairKey
	}
	for i := range blocks {
		k := &blocks[i]
		pat := pats[k.off : k.off+k.n]
		for j := range pat {
			p := &pat[j]
			p.pairID, p.pairKey = -1, noPairKey
			switch {
			case j+1 < len(pat):
				p.pairID, p.pairKey = pair(p.start, *p, pat[j+1])
			case k.count > 1: // with the first of the next copy
				p.pairID, p.pairKey = pair(p.start, *p, pat[0])
			}
		}
		k.nextID, k.nextKey = -1, noPairKey
		if i+1 < len(blocks) {
			last := pat[len(pat)-1]
			k.nextID, k.nextKey = pair(last.start+(k.count-1)*k.bytes, last, pats[blocks[i+1].off])
		}
	}
	return best, made
}

// sweep is the state of a left-to-right sweep merging the pairs of one
// scoreKey: the symbol met last, when it is not merged yet (it may still
// merge with the next), and the piece it makes with the next.
type sweep struct {
	key     uint64
	pending bool
	sym     patSym // start is the pending symbol's, in the text
	pairID  int32
	pairKey uint64
}

// copyOf sweeps copy t of block k, whose pattern is pat, appending the
// symbols it settles to out; last says that no copy follows.
func (w *sweep) copyOf(k *symBlock, pat []patSym, t int32, last bool, out []patSym) []patSym {
	shift := t * k.bytes
	for j, p := range pat {
		if w.pending && w.pairKey == w.key {
			out = append(out, patSym{start: w.sym.start, size: w.sym.size + p.size, id: w.pairID, left: w.sym.size})
			w.pending = false
			continue
		}
		if w.pending {
			out = append(out, w.sym)
		}
		w.pending = true
		w.sym = patSym{start: p.start + shift, size: p.size, id: p.id}
		w.pairID, w.pairKey = p.pairID, p.pairKey
		if j == len(pat)-1 && last {
			w.pairID, w.pairKey = k.nextID, k.nextKey
		}
	}
	return out
}

// sweepBlocks merges, left to right, the pairs of from whose scoreKey is
// key, and puts the blocks that result into to.
func sweepBlocks(from, to *blockBuilder, key uint64) {
	tmp := from.tmp
	w := sweep{key: key}
	for i := range from.blocks {
		k := &from.blocks[i]
		pat := from.pats[k.off : k.off+k.n]
		tmp[0] = w.copyOf(k, pat, 0, k.count == 1, tmp[0][:0])
		for _, p := range tmp[0] {
			to.symbol(p)
		}
		if k.count == 1 {
			continue
		}
		// From the second copy on, a copy settles what copy 1 settles when
		// it starts in the same state, moved along: out[f] is that when
		// the symbol before is pending (f = 1) or not (f = 0), and then[f]
		// whether the copy's last symbol is pending after it.
		var then [2]bool
		for f := range 2 {
			last := pat[len(pat)-1] // of copy 0, with the first of copy 1
			sym := patSym{start: last.start, size: last.size, id: last.id}
			v := sweep{key: key, pending: f == 1, sym: sym, pairID: last.pairID, pairKey: last.pairKey}
			tmp[1+f] = v.copyOf(k, pat, 1, false, tmp[1+f][:0])
			then[f] = v.pending
		}
		out := [2][]patSym{tmp[1], tmp[2]}
		// Copy t settles out[state] moved by t-1 copies; the states repeat
		// from one copy to the next, or every other copy.
		state, t := w.pending, int32(1)
		for t < k.count {
			f, g := b2i(state), b2i(!state)
			switch {
			case then[f] == state:
				tmp[0] = shifted(tmp[0][:0], out[f], (t-1)*k.bytes)
				to.copies(tmp[0], k.count-t)
				t = k.count
			case then[g] == !state:
				tmp[0] = shifted(tmp[0][:0], out[f], (t-1)*k.bytes)
				to.copies(tmp[0], 1)
				state, t = !state, t+1
			default:
				if pairs := (k.count - t) / 2; pairs > 0 {
					tmp[0] = shifted(tmp[0][:0], out[f], (t-1)*k.bytes)
					tmp[0] = shifted(tmp[0], out[g], t*k.bytes)
					to.copies(tmp[0], pairs)
					t += 2 * pairs
				}
				if t < k.count {
					tmp[0] = shifted(tmp[0][:0], out[f], (t-1)*k.bytes)
					to.copies(tmp[0], 1)
					state, t = !state, t+1
				}
			}
		}
		// The last copy's last symbol, if pending, meets the next block.
		w.pending = state
		if state {
			p := pat[len(pat)-1]
			w.sym = patSym{start: p.start + (k.count-1)*k.bytes, size: p.size, id: p.id}
			w.pairID, w.pairKey = k.nextID, k.nextKey
		}
	}
	if w.pending {
		to.symbol(w.sym)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// shifted appends to dst the symbols of src moved by n bytes.
func shifted(dst, src []patSym, n int32) []patSym {
	for _, p := range src {
		p.start += n
		dst = append(dst, p)
	}
	return dst
}

// blockBuilder collects blocks, in the order of the text, and their
// patterns.
type blockBuilder struct {
	s      []byte
	blocks []symBlock
	pats   []patSym
	open   bool // the last block is of single symbols, which may grow
	tmp    *[3][]patSym
}

// symbol appends one symbol.
func (bl *blockBuilder) symbol(p patSym) {
	if n := len(bl.blocks); n > 0 {
		last := &bl.blocks[n-1]
		switch {
		case last.n == 1 && bl.same(bl.pats[last.off], p):
			last.count++
			bl.open = false
			return
		case bl.open:
			bl.pats = append(bl.pats, p)
			last.n++
			last.bytes += p.size
			return
		}
	}
	bl.blocks = append(bl.blocks, symBlock{off: int32(len(bl.pats)), n: 1, count: 1, start: p.start, bytes: p.size})
	bl.pats = append(bl.pats, p)
	bl.open = true
}

// copies appends count copies of pat.
func (bl *blockBuilder) copies(pat []patSym, count int32) {
	if count == 0 || len(pat) == 0 {
		return
	}
	// A pattern that is itself copies of a shorter one is taken as those.
	for d := 1; d < len(pat); d++ {
		if len(pat)%d != 0 {
			continue
		}
		i := d
		for i < len(pat) && bl.same(pat[i], pat[i-d]) {
			i++
		}
		if i == len(pat) {
			count *= int32(len(pat) / d)
			pat = pat[:d]
			break
		}
	}
	if count == 1 {
		for _, p := range pat {
			bl.symbol(p)
		}
		return
	}
	if n := len(bl.blocks); n > 0 {
		last := &bl.blocks[n-1]
		if last.n == int32(len(pat)) && bl.samePattern(bl.pats[last.off:last.off+last.n], pat) {
			last.count += count
			bl.open = false
			return
		}
	}
	bytes := int32(0)
	for _, p := range pat {
		bytes += p.size
	}
	bl.blocks = append(bl.blocks, symBlock{off: int32(len(bl.pats)), n: int32(len(pat)), count: count, start: pat[0].start, bytes: bytes})
	bl.pats = append(bl.pats, pat...)
	bl.open = false
}

// same reports whether symbols p and q are the same text, made the same
// way.
func (bl *blockBuilder) same(p, q patSym) bool {
	return p.size == q.size && p.id == q.id && p.left == q.left &&
		(p.id >= 0 || string(bl.s[p.start:p.start+p.size]) == string(bl.s[q.start:q.start+q.size]))
}

func (bl *blockBuilder) samePattern(a, b []patSym) bool {
	for i := range a {
		if !bl.same(a[i], b[i]) {
			return false
		}
	}
	return true
}
