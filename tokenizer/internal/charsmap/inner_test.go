package charsmap

import (
	"maps"
	"slices"
	"testing"
)

// TestInner checks Inner against the keys of the decompiled rules of the
// test models' charsmaps: it holds every character that stands after the
// first of a key, and for the rule TSV, whose trie holds no more than its
// keys, only those.
func TestInner(t *testing.T) {
	for _, name := range []string{"unigram_rule_tsv.model", "unigram8k_nmt_nfkc.model", "unigram_nfkc_cf_bytefb_suffix.model"} {
		m := mustNew(t, name)
		got, err := m.Inner()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := map[rune]bool{}
		for key := range decompile(t, m).rules {
			for _, r := range []rune(key)[1:] {
				want[r] = true
			}
		}
		for r := range want {
			if !got[r] {
				t.Errorf("%s: Inner lacks %q", name, r)
			}
		}
		if name == "unigram_rule_tsv.model" && !maps.Equal(got, want) {
			t.Errorf("%s: Inner = %q, want %q", name, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
		t.Logf("%s: %d characters", name, len(got))
	}
	if got, err := new(Map).Inner(); err != nil || len(got) != 0 {
		t.Errorf("the empty Map: Inner = %v, %v", got, err)
	}
}
