package refrun

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"
)

func TestPolicyTime(t *testing.T) {
	sleep := func(calls *int, d time.Duration) func() {
		return func() { *calls++; time.Sleep(d) }
	}
	tests := []struct {
		name        string
		p           Policy
		d           time.Duration
		runs, calls int
	}{
		{"min runs when over budget", Policy{MinRuns: 3, MaxRuns: 10, Budget: 0, Limit: time.Hour}, time.Millisecond, 3, 3},
		{"max runs within budget", Policy{MinRuns: 1, MaxRuns: 4, Budget: time.Hour, Limit: time.Hour}, 0, 4, 4},
		{"warm-up is not timed", Policy{Warmup: true, MinRuns: 2, MaxRuns: 2, Budget: time.Hour, Limit: time.Hour}, 0, 2, 3},
		{"limit beats min runs", Policy{MinRuns: 5, MaxRuns: 10, Budget: time.Hour, Limit: time.Millisecond}, 2 * time.Millisecond, 1, 1},
		{"slow warm-up is the measurement", Policy{Warmup: true, MinRuns: 5, MaxRuns: 10, Budget: time.Hour, Limit: time.Millisecond}, 2 * time.Millisecond, 1, 1},
	}
	for _, tt := range tests {
		calls := 0
		runs := tt.p.Time(sleep(&calls, tt.d))
		if len(runs) != tt.runs || calls != tt.calls {
			t.Errorf("%s: %d runs of %d calls, want %d of %d", tt.name, len(runs), calls, tt.runs, tt.calls)
		}
	}
}

func TestDigests(t *testing.T) {
	hash := func(b []byte) string {
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:])
	}
	got := DigestIDs([]int32{1, 256})
	want := Digest{2, hash([]byte{1, 0, 0, 0, 0, 1, 0, 0})}
	if got != want {
		t.Errorf("DigestIDs = %v, want %v", got, want)
	}
	got = DigestLines([][]int32{{2}, {}})
	want = Digest{1, hash([]byte{2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})}
	if got != want {
		t.Errorf("DigestLines = %v, want %v", got, want)
	}
}

func TestTimeWithSetup(t *testing.T) {
	setups, fresh := 0, 0
	p := Policy{Warmup: true, MinRuns: 3, MaxRuns: 3, Budget: time.Hour, Limit: time.Hour}
	runs := p.TimeWith(func() { setups++; fresh = 1 }, func() {
		if fresh != 1 {
			t.Error("a run did not follow its own setup")
		}
		fresh++
	})
	if len(runs) != 3 || setups != 4 {
		t.Errorf("%d runs after %d setups, want 3 after 4 (warm-up included)", len(runs), setups)
	}
}
