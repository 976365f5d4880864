// Package refrun holds how the benchmark harness times a function, how it
// digests an encoding, and the figures a reference reports (Output):
// go-sentencepiece, timed in the harness's process, fills one in; the C++
// runner (bench/cppref.py) prints one as JSON, digesting the same way.
//
// The C++ runner is invoked as
//
//	RUNNER MODEL BUDGET_SECONDS MAX_RUNS FILE...
//
// loads MODEL, encodes every FILE as one text ("whole") and line by line
// (split on "\n", each line encoded on its own), timing only the encoding,
// and prints one Output as JSON.
package refrun

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"

	"golang.org/x/sys/unix"
)

// A Policy says how many times to time a function.
type Policy struct {
	Warmup  bool          // run once untimed first (caches, heap growth)
	MinRuns int           // time at least this many runs...
	MaxRuns int           // ...and at most this many
	Budget  time.Duration // past MinRuns, start no run likely to end past this total
	Limit   time.Duration // start no run likely to end past this total, even below MinRuns
}

// RefPolicy times a reference, whose single run may take many seconds on a
// large file: at least once, at most five times, within budget.
func RefPolicy(budget time.Duration) Policy {
	return Policy{MinRuns: 1, MaxRuns: 5, Budget: budget, Limit: budget}
}

// A Sample is how long one run took by two clocks: the wall clock, and the
// CPU time of the whole process (all its threads, so garbage collection
// counts), which hardly moves when other processes compete for the CPUs.
type Sample struct {
	Wall, CPU time.Duration
}

// Time calls fn as p says and returns the samples of the timed runs, at
// least one. A run is expected to last as long as the one before it;
// budgets are in wall time.
func (p Policy) Time(fn func()) []Sample {
	return p.TimeWith(nil, fn)
}

// TimeWith is Time with setup, unless nil, called untimed before every
// run, the warm-up included.
func (p Policy) TimeWith(setup, fn func()) []Sample {
	run := func() Sample {
		if setup != nil {
			setup()
		}
		w0, c0 := time.Now(), cpuTime()
		fn()
		return Sample{time.Since(w0), cpuTime() - c0}
	}
	var last time.Duration
	if p.Warmup {
		s := run()
		if s.Wall > p.Limit {
			// The warm-up alone took longer than allowed: it is the
			// only measurement there will be.
			return []Sample{s}
		}
		last = s.Wall
	}
	var runs []Sample
	var spent time.Duration
	for len(runs) < p.MaxRuns {
		if len(runs) > 0 {
			next := spent + last
			if next > p.Limit || (len(runs) >= p.MinRuns && next > p.Budget) {
				break
			}
		}
		s := run()
		last = s.Wall
		spent += last
		runs = append(runs, s)
	}
	return runs
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		panic(err) // Linux has had this clock since 2.6.12
	}
	return time.Duration(ts.Nano())
}

// A Digest identifies an encoding without its ids, which would be many
// megabytes of JSON on a large corpus.
type Digest struct {
	Count  int    `json:"count"`
	SHA256 string `json:"sha256"`
}

// DigestIDs hashes ids as little-endian int32s.
func DigestIDs(ids []int32) Digest {
	h := sha256.New()
	h.Write(packIDs(nil, ids))
	return Digest{len(ids), hex.EncodeToString(h.Sum(nil))}
}

// DigestLines hashes each line's ids followed by -1, as little-endian
// int32s.
func DigestLines(lines [][]int32) Digest {
	h := sha256.New()
	var buf []byte
	n := 0
	for _, ids := range lines {
		buf = packIDs(buf[:0], ids)
		buf = binary.LittleEndian.AppendUint32(buf, 0xFFFFFFFF)
		h.Write(buf)
		n += len(ids)
	}
	return Digest{n, hex.EncodeToString(h.Sum(nil))}
}

func packIDs(dst []byte, ids []int32) []byte {
	for _, id := range ids {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(id))
	}
	return dst
}

// Output is a reference's figures, as the C++ runner prints them.
type Output struct {
	Version string `json:"version"`
	Load    Times  `json:"load"`
	Files   []File `json:"files"`
}

// File is a reference's figures for one file.
type File struct {
	Path  string `json:"path"`
	Whole Mode   `json:"whole"`
	Lines Mode   `json:"lines"`
}

// Mode is the run times of one way of encoding a file, and its digest.
type Mode struct {
	Times
	Digest
}

// Times are the durations of some runs, in seconds, by both clocks.
type Times struct {
	Wall []float64 `json:"seconds"`
	CPU  []float64 `json:"cpu_seconds"`
}

// NewTimes converts samples for an Output.
func NewTimes(samples []Sample) Times {
	var t Times
	for _, s := range samples {
		t.Wall = append(t.Wall, s.Wall.Seconds())
		t.CPU = append(t.CPU, s.CPU.Seconds())
	}
	return t
}

// Samples converts times back.
func (t Times) Samples() []Sample {
	ss := make([]Sample, len(t.Wall))
	for i := range ss {
		ss[i].Wall = seconds(t.Wall[i])
		if i < len(t.CPU) {
			ss[i].CPU = seconds(t.CPU[i])
		}
	}
	return ss
}

func seconds(f float64) time.Duration {
	return time.Duration(f * float64(time.Second))
}
