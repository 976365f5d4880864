// Package keep holds scratch values from one call to the next. A sync.Pool
// would do, but garbage collection empties it and so throws warm caches and
// grown buffers away, which in a busy server happens every few
// milliseconds; a Pool keeps up to one value a CPU for as long as it lives.
package keep

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Pool keeps values of type *T. Its zero value is empty and ready; it is
// safe for concurrent use.
type Pool[T any] struct {
	// last is the value given back last, which a program that works on one
	// goroutine takes and gives back without the lock.
	last atomic.Pointer[T]
	mu   sync.Mutex
	free []*T
}

// Get returns a kept value, or nil when none is kept.
func (p *Pool[T]) Get() *T {
	if x := p.last.Swap(nil); x != nil {
		return x
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		x := p.free[n-1]
		p.free = p.free[:n-1]
		return x
	}
	return nil
}

// Put keeps x unless one value is kept for every CPU (GOMAXPROCS): more
// calls at a time than that wait for a CPU anyway.
func (p *Pool[T]) Put(x *T) {
	// One is always kept, in last, without asking GOMAXPROCS, which takes
	// a lock.
	if p.last.CompareAndSwap(nil, x) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free)+1 < runtime.GOMAXPROCS(0) {
		p.free = append(p.free, x)
	}
}
