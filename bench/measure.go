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

// median returns the median of ds (the mean of the middle two for an even
// count), or 0 for none. The machine is shared and noisy, so every figure
// is a median.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// A Timing is the median of some timed runs over one input.
type Timing struct {
	Runs         int     `json:"runs"`
	Seconds      float64 `json:"seconds"`
	MBps         float64 `json:"mb_per_s,omitempty"` // MB = 10^6 bytes of input
	TokensPerSec float64 `json:"tokens_per_s,omitempty"`
}

// newTiming summarizes runs over an input of size bytes that holds tokens
// tokens (0 when unknown or beside the point).
func newTiming(runs []time.Duration, size, tokens int) Timing {
	sec := median(runs).Seconds()
	t := Timing{Runs: len(runs), Seconds: sec}
	if sec > 0 {
		t.MBps = float64(size) / 1e6 / sec
		t.TokensPerSec = float64(tokens) / sec
	}
	return t
}

// seconds converts a runner's run times back to durations.
func seconds(fs []float64) []time.Duration {
	ds := make([]time.Duration, len(fs))
	for i, f := range fs {
		ds[i] = time.Duration(f * float64(time.Second))
	}
	return ds
}
