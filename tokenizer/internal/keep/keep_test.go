package keep

import (
	"runtime"
	"testing"
)

func TestPool(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	var p Pool[int]
	if x := p.Get(); x != nil {
		t.Fatalf("Get of an empty pool = %p, want nil", x)
	}
	xs := []*int{new(int), new(int), new(int), new(int)}
	for _, x := range xs {
		p.Put(x)
	}
	// One value a CPU is kept: the last slot, then the free list; the
	// fourth is dropped.
	got := map[*int]bool{}
	for x := p.Get(); x != nil; x = p.Get() {
		if got[x] {
			t.Fatalf("Get gave %p twice", x)
		}
		got[x] = true
	}
	if len(got) != 3 || !got[xs[0]] || got[xs[3]] {
		t.Errorf("kept %v of %v, want the first three", got, xs)
	}
}
