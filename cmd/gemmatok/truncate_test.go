package main

import (
	"strconv"
	"strings"
	"testing"
)

// TestTruncate compares truncate, which streams, with the library's
// TruncateEnd and TruncateStart of the whole text, for budgets that cut
// inside the first part, inside the last and between.
func TestTruncate(t *testing.T) {
	tok := defaultTok(t)
	path := bigCorpusFile(t)
	text := readFile(t, path)
	total := tok.Count(text)
	for _, n := range []int{0, 1, 7, 1000, total / 2, total - 5, total, total + 1} {
		arg := strconv.Itoa(n)
		for _, tc := range []struct {
			from string
			want string
		}{
			{"end", tok.TruncateEnd(text, n)},
			{"start", tok.TruncateStart(text, n)},
		} {
			got := mustRun(t, "", "truncate", "-n", arg, "--from", tc.from, path)
			if got != tc.want {
				t.Errorf("truncate -n %d --from %s: %d bytes, want %d", n, tc.from, len(got), len(tc.want))
			}
			if c := tok.Count(got); c > n {
				t.Errorf("truncate -n %d --from %s: %d tokens", n, tc.from, c)
			}
		}
	}
	if got := mustRun(t, "Hello, world", "truncate", "-n", "2"); got != "Hello," {
		t.Errorf("truncate -n 2 of stdin = %q", got)
	}
	if got := mustRun(t, "one two three", "truncate", "-n", "1", "--from", "start"); got != " three" {
		t.Errorf("truncate -n 1 --from start of stdin = %q", got)
	}
	// --text is the input, as for count and encode, and alone.
	if got := mustRun(t, "", "truncate", "-n", "1", "--from", "start", "--text", "one two three"); got != " three" {
		t.Errorf("truncate -n 1 --from start --text = %q", got)
	}
	if r := gemmatok(t, "", "truncate", "-n", "1", "--text", "one", path); r.code != 2 || !strings.Contains(r.stderr, "--text is the input alone") {
		t.Errorf("truncate --text with a FILE: exit %d, stderr %q; want 2 and a usage error", r.code, r.stderr)
	}
	if r := gemmatok(t, strings.Repeat("x ", 10), "truncate", "--from", "end"); r.code != 2 {
		t.Errorf("truncate without -n: exit %d, want 2", r.code)
	}
}
