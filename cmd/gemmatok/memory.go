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
	// takes, a byte of it: the limit is raised by that much meanwhile,
	// lest the collector run without end for memory it cannot free.
	runMemory = 100
)

// A memoryLimit manages the soft memory limit of count. A nil
// *memoryLimit, for when GOMEMLIMIT is set, manages nothing.
type memoryLimit struct {
	mu    sync.Mutex
	limit int64
}

func newMemoryLimit(workers int) *memoryLimit {
	if os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	m := &memoryLimit{limit: baseMemory + workerMemory*int64(workers)}
	debug.SetMemoryLimit(m.limit)
	return m
}

// add raises the limit by n bytes, or lowers it for n < 0.
func (m *memoryLimit) add(n int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limit += n
	debug.SetMemoryLimit(m.limit)
}
