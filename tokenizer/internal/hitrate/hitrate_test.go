package hitrate

import "testing"

// TestGate checks that a gate stops looking up words after a window of
// lookups with few hits, samples one word in SparseEvery then, and takes
// part again once hits come back.
func TestGate(t *testing.T) {
	var g Gate
	for range Window {
		if !g.Use() {
			t.Fatal("a gate that has seen no window skipped a word")
		}
		g.Record(false)
	}
	if !g.Sparse() {
		t.Fatal("a window without hits left the cache in use for every word")
	}
	used := 0
	for range Window * SparseEvery {
		if g.Use() {
			used++
			g.Record(true)
		}
	}
	if used != Window {
		t.Errorf("a sparse gate let %d of %d words through, want %d", used, Window*SparseEvery, Window)
	}
	if g.Sparse() {
		t.Error("a window of hits left the cache aside")
	}
	// Hits just below the bound keep it aside, at the bound bring it back.
	for _, c := range []struct {
		hits   int
		sparse bool
	}{{MinHits - 1, true}, {MinHits, false}} {
		var g Gate
		for i := range Window {
			g.Record(i < c.hits)
		}
		if g.Sparse() != c.sparse {
			t.Errorf("%d hits in a window: sparse %v, want %v", c.hits, g.Sparse(), c.sparse)
		}
	}
}

// TestHits checks that Hits(k) leaves a gate as k calls of Record(true) do,
// across the ends of windows and from either state.
func TestHits(t *testing.T) {
	for _, misses := range []int{0, Window - 1} {
		for _, k := range []uint32{0, 1, 17, Window - 1, Window, 3*Window + 5} {
			var a, b Gate
			for i := range misses {
				a.Record(i%64 == 0)
				b.Record(i%64 == 0)
			}
			a.Hits(k)
			for range k {
				b.Record(true)
			}
			if a != b {
				t.Errorf("after %d lookups, Hits(%d) left %+v, Record(true) %+v", misses, k, a, b)
			}
		}
	}
}
