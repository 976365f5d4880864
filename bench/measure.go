package main

import (
	"slices"
	"time"

	"github.com/gemmatok/gemmatok/bench/internal/refrun"
)

// gemmatokPolicy times gemmatok itself: it is fast, so it gets many runs
// after a warm-up. The limit keeps a pathologically slow input from
// stalling the harness.
var gemmatokPolicy = refrun.Policy{Warmup: true, MinRuns: 5, MaxRuns: 50, Budget: 500 * time.Millisecond, Limit: 30 * time.Second}

// median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none. The machine is shared and noisy, so every figure
// is a median.
func median[T time.Duration | float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// A clock says which duration of a sample a figure is computed from.
type clock string

const (
	cpuClock  clock = "cpu"  // CPU time of the timing process
	wallClock clock = "wall" // wall time
)

// figureClock is the clock of every figure but batch throughput, which
// needs the wall clock to show parallel speed-up. Set from -clock.
var figureClock = cpuClock

// A Timing is the median of some timed runs over one input.
type Timing struct {
	Runs         int     `json:"runs"`
	Clock        clock   `json:"clock"`   // the clock of Seconds
	Seconds      float64 `json:"seconds"` // median
	WallSeconds  float64 `json:"wall_seconds"`
	CPUSeconds   float64 `json:"cpu_seconds"`
	MBps         float64 `json:"mb_per_s,omitempty"` // MB = 10^6 bytes of input
	TokensPerSec float64 `json:"tokens_per_s,omitempty"`
}

// newTiming summarizes runs over an input of size bytes that holds tokens
// tokens (0 when unknown or beside the point), by figureClock.
func newTiming(runs []refrun.Sample, size, tokens int) Timing {
	return newTimingBy(figureClock, runs, size, tokens)
}

func newTimingBy(c clock, runs []refrun.Sample, size, tokens int) Timing {
	var wall, cpu []time.Duration
	for _, s := range runs {
		wall = append(wall, s.Wall)
		cpu = append(cpu, s.CPU)
	}
	t := Timing{Runs: len(runs), Clock: c, WallSeconds: median(wall).Seconds(), CPUSeconds: median(cpu).Seconds()}
	t.Seconds = t.CPUSeconds
	if c == wallClock {
		t.Seconds = t.WallSeconds
	}
	if t.Seconds > 0 {
		t.MBps = float64(size) / 1e6 / t.Seconds
		t.TokensPerSec = float64(tokens) / t.Seconds
	}
	return t
}
