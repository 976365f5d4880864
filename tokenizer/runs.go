package tokenizer

// Long runs of one character ("aaaa…", "====…", a repeated emoji) are the
// worst case of merging: every pair is a piece, so the text cannot be cut,
// and a symbol per character makes the merge loop slow and 47 bytes of
// memory a byte. segmentRuns merges such text as runs of equal symbols
// instead, in time and memory that grow with the number of runs, not of
// characters, once it has found the runs.
//
// It relies on what the levelQueue relies on (agenda.go): when every merge
// makes pairs that score below the one merged, the C++ queue takes the
// pairs score by score, each score's from left to right. The pairs of one
// score are then merged by a single left-to-right sweep, and a run of k
// equal symbols X whose pair XX has that score becomes k/2 symbols XX and,
// for odd k, one X. Should a merge make a pair no worse than the one
// merged, segmentRuns gives up and segment takes the text.

// symRun is a stretch of count equal symbols, each the piece id (or -1)
// of size bytes, the first starting at start.
type symRun struct {
	start, size, count int32
	id                 int32

	// What the level being chosen needs: the piece of two of this run's
	// symbols, and of its last symbol with the next run's first (each -1
	// when none), and their scoreKeys.
	inID, nextID   int32
	inKey, nextKey uint64
}

func (u *symRun) end() int32 { return u.start + u.size*u.count }

const (
	runsMinLen = 256 // the bytes from which segment tries runs
	runsMax    = 16  // at most this many runs to start with
	runsGrow   = 64  // and runsGrow times that many at any time
	noPairKey  = ^uint64(0)
)

// segmentRuns is segment for s, without user-defined pieces, in a model
// without unused pieces, when s is made of few runs of equal characters.
// It reports false, doing nothing, when s is not or the model's scores do
// not fall with each merge.
func (b *bpeModel) segmentRuns(sc *scratch, s []byte, r *pieceRules, dst []segPiece) ([]segPiece, bool) {
	runs := sc.runs[:0]
	for i := 0; i < len(s); {
		if len(runs) == runsMax {
			sc.runs = runs
			return dst, false
		}
		l := min(int(charLen[s[i]>>4]), len(s)-i)
		count := repeats(s, i, l)
		runs = append(runs, symRun{start: int32(i), size: int32(l), count: int32(count), id: b.charID(s[i : i+l])})
		i += count * l
	}
	next := sc.runsNext[:0]
	last := uint64(0) // the scoreKey of the level last merged
	for level := 0; ; level++ {
		best := b.runPairs(sc, s, r, runs)
		if best == noPairKey {
			break
		}
		if level > 0 && best <= last || len(runs) > runsMax*runsGrow {
			// A merge made a pair no worse than its own, or the runs split
			// up: segment's agenda takes such text in any order.
			sc.runs, sc.runsNext = runs, next
			return dst, false
		}
		last = best
		runs, next = b.sweepRuns(s, runs, next[:0], best), runs
	}
	for i := range runs {
		u := &runs[i]
		p := b.finalPiece(s[u.start:u.start+u.size], u.id, r)
		for range u.count {
			dst = append(dst, p)
		}
	}
	sc.runs, sc.runsNext = runs, next
	return dst, true
}

// runPairs works out the pairs of every run, inside it and with the next
// one, and returns the best scoreKey among them, or noPairKey.
func (b *bpeModel) runPairs(sc *scratch, s []byte, r *pieceRules, runs []symRun) uint64 {
	best := noPairKey
	pair := func(start, mid, end, lid, rid int32) (int32, uint64) {
		sl := symbol{start: start, end: mid, id: lid}
		sr := symbol{start: mid, end: end, id: rid}
		if id := b.pairID(sc, s, &sl, &sr); r.allowed(id) {
			k := scoreKey(b.rank(id))
			best = min(best, k)
			return id, k
		}
		return -1, noPairKey
	}
	for i := range runs {
		u := &runs[i]
		u.inID, u.inKey, u.nextID, u.nextKey = -1, noPairKey, -1, noPairKey
		if u.count > 1 {
			u.inID, u.inKey = pair(u.start, u.start+u.size, u.start+2*u.size, u.id, u.id)
		}
		if i+1 < len(runs) {
			v := &runs[i+1]
			u.nextID, u.nextKey = pair(u.end()-u.size, u.end(), u.end()+v.size, u.id, v.id)
		}
	}
	return best
}

// sweepRuns merges, left to right, the pairs of runs whose scoreKey is
// key, and appends the runs that result to dst.
func (b *bpeModel) sweepRuns(s []byte, runs, dst []symRun, key uint64) []symRun {
	// free says that the last symbol put in dst is one of runs', not
	// merged in this sweep, so that it may still merge with the next.
	free := false
	for i := range runs {
		u := &runs[i]
		start, count := u.start, u.count
		if free && runs[i-1].nextKey == key {
			// The previous run's last symbol and this run's first.
			dst[len(dst)-1].count--
			if dst[len(dst)-1].count == 0 {
				dst = dst[:len(dst)-1]
			}
			dst = pushRun(s, dst, symRun{start: start - runs[i-1].size, size: runs[i-1].size + u.size, count: 1, id: runs[i-1].nextID})
			start, count = start+u.size, count-1
			free = false
			if count == 0 {
				continue
			}
		}
		if u.inKey == key && count > 1 {
			dst = pushRun(s, dst, symRun{start: start, size: 2 * u.size, count: count / 2, id: u.inID})
			free = count%2 == 1
			if free {
				dst = pushRun(s, dst, symRun{start: start + 2*u.size*(count/2), size: u.size, count: 1, id: u.id})
			}
			continue
		}
		dst = pushRun(s, dst, symRun{start: start, size: u.size, count: count, id: u.id})
		free = true
	}
	return dst
}

// pushRun appends u to runs, as more of the last run when their symbols
// are the same text.
func pushRun(s []byte, runs []symRun, u symRun) []symRun {
	if n := len(runs); n > 0 {
		last := &runs[n-1]
		if last.size == u.size && last.id == u.id && (u.id >= 0 || string(s[last.start:last.start+u.size]) == string(s[u.start:u.start+u.size])) {
			last.count += u.count
			return runs
		}
	}
	return append(runs, u)
}
