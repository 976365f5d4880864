package main

import (
	"os"
	"runtime/debug"
	"sync"
)

// count keeps its heap small with a soft memory limit, which makes the
// collector run before the heap doubles. A worker keeps about 14 MB live
// (its chunk and the tokenizer's scratch and word cache) beside the model's
// 11 MB; the limit leaves some room above that. Without it a large count
// of varied text peaks at about 100 MB, with it at about 65 MB.
const (
	baseMemory   = 16 << 20
	workerMemory = 20 << 20

	// runMemory is what encoding a run that could not be cut into parts
	// takes, a byte of it: the limit is raised by that much meanwhile, less
	// the worker's share, which the run takes the place of, lest the
	// collector run without end for memory it cannot free.
	runMemory = 48
)

// A memoryLimit manages the soft memory limit of count, unless GOMEMLIMIT
// is set, and lets one long run be encoded at a time: a run that could not
// be cut takes runMemory bytes a byte, and two at once, one a worker, would
// double the peak. A nil *memoryLimit does neither.
type memoryLimit struct {
	runs   sync.Mutex // held while a long run is encoded
	mu     sync.Mutex
	manage bool
	limit  int64
}

func newMemoryLimit(workers int) *memoryLimit {
	m := &memoryLimit{manage: os.Getenv("GOMEMLIMIT") == "", limit: baseMemory + workerMemory*int64(workers)}
	if m.manage {
		debug.SetMemoryLimit(m.limit)
	}
	return m
}

// longRun waits for any other long run to be done, then raises the limit
// for a run of n bytes; release undoes both.
func (m *memoryLimit) longRun(n int) (release func()) {
	if m == nil {
		return func() {}
	}
	m.runs.Lock()
	raise := max(0, runMemory*int64(n)-workerMemory)
	m.add(raise)
	return func() {
		m.add(-raise)
		m.runs.Unlock()
	}
}

// add raises the limit by n bytes, or lowers it for n < 0.
func (m *memoryLimit) add(n int64) {
	if !m.manage {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limit += n
	debug.SetMemoryLimit(m.limit)
}
