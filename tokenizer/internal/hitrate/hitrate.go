// Package hitrate decides when a lookup that mostly misses stands aside: a
// word cache, when words are nearly all new (random strings, base64, a
// language the cache has not met), or the BPE model's lookup of a long
// word as a whole piece, which few long words are. Then looking up costs
// more than the few hits save. A Gate counts the hits over windows of
// lookups and, after a window with few, lets only one word in SparseEvery
// be looked up, which is enough to notice the hits coming back.
package hitrate

const (
	// Window is the number of lookups over which hits are counted.
	Window = 256
	// MinHits is the number of hits in a window below which a lookup
	// costs more than the hits save.
	MinHits = Window / 8
	// SparseEvery says how seldom words are looked up while the cache
	// stands aside.
	SparseEvery = 16
)

// A Gate is what one user of a cache (a scratch of one encoding at a
// time) keeps of its hits. The zero Gate looks up every word.
type Gate struct {
	tries, hits uint32 // in the current window
	sparse      bool
	skipped     uint32
}

// Use reports whether the next word should be looked up.
func (g *Gate) Use() bool {
	if !g.sparse {
		return true
	}
	g.skipped++
	return g.skipped%SparseEvery == 0
}

// Record counts a lookup, and at the end of a window decides whether the
// cache stands aside.
func (g *Gate) Record(hit bool) {
	g.tries++
	if hit {
		g.hits++
	}
	if g.tries == Window {
		g.sparse = g.hits < MinHits
		g.tries, g.hits = 0, 0
	}
}

// Hits counts k lookups that hit, as k calls of Record(true) would.
func (g *Gate) Hits(k uint32) {
	for k > 0 {
		n := min(k, Window-g.tries)
		g.tries += n
		g.hits += n
		k -= n
		if g.tries == Window {
			g.sparse = g.hits < MinHits
			g.tries, g.hits = 0, 0
		}
	}
}

// Sparse reports whether the cache stands aside.
func (g *Gate) Sparse() bool { return g.sparse }
