package unigram

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/vocab"
)

// lookup returns the id of key in the trie, or -1.
func (t *trie) lookup(key string) int32 {
	var ms [blockMatches]match
	w := t.newWalk()
	for w.start == 0 && len(key) > 0 {
		for _, mt := range ms[:t.collect([]byte(key), &w, &ms)] {
			if mt.start == 0 && int(mt.end) == len(key) {
				return mt.id &^ userBit
			}
		}
	}
	return -1
}

// TestTrie checks that the trie finds every piece segmentation may use
// under its id (unused pieces are left out), and no proper prefix of a
// piece that is not a piece.
func TestTrie(t *testing.T) {
	paths := []string{modeltest.ModelPath("uni8k"), modeltest.ModelPath("uniud"), modeltest.ModelPath("word")}
	if _, err := os.Stat(speedModels[1]); err == nil {
		paths = append(paths, speedModels[1])
	}
	for _, name := range paths {
		m, v := loadModel(t, name)
		n := 0
		for id := range int32(v.Size()) {
			p := v.Piece(id)
			want := int32(-1)
			if ty := v.Type(id); ty == vocab.Normal || ty == vocab.UserDefined {
				want = id
			}
			if got := m.trie.lookup(p); got != want {
				t.Fatalf("%s: piece %q (id %d): trie gives %d", name, p, id, got)
			}
			for k := 1; k < len(p); k++ {
				pre := p[:k]
				if got := m.trie.lookup(pre); got >= 0 && v.Piece(got) != pre {
					t.Fatalf("%s: prefix %q gives %d (%q)", name, pre, got, v.Piece(got))
				}
			}
			n++
		}
		t.Logf("%s: %d pieces", name, n)
	}
}

// TestCollect checks the trie's walk, collect, against looking every
// substring that starts at a character up in a map of the pieces, on the
// corpus files' first 16 KiB with spaces escaped as the normalizer escapes
// them: the same matches, in the same order, across the calls that a full
// ms splits a walk into.
func TestCollect(t *testing.T) {
	for _, name := range []string{"uni8k", "uniud"} {
		m, v := newModel(t, name)
		pieces := map[string]int32{}
		longest := 0
		for id := range int32(v.Size()) {
			p := v.Piece(id)
			if ty := v.Type(id); (ty == vocab.Normal || ty == vocab.UserDefined) && !strings.Contains(p, "\x00") {
				if _, ok := pieces[p]; !ok {
					pieces[p] = id
					longest = max(longest, len(p))
				}
			}
		}
		for _, f := range modeltest.Corpus(t) {
			text := bytes.ReplaceAll(f.Text[:min(len(f.Text), 16<<10)], []byte(" "), []byte("\u2581"))
			var want []match
			for start := 0; start < len(text); start += min(OneCharLen(text[start]), len(text)-start) {
				for end := start + 1; end <= min(len(text), start+longest); end++ {
					if id, ok := pieces[string(text[start:end])]; ok {
						want = append(want, match{int32(start), int32(end), pieceInfo{id, v.Score(id)}})
					}
				}
			}
			var got []match
			var ms [blockMatches]match
			calls := 0
			for w := m.trie.newWalk(); w.start < len(text); calls++ {
				for _, mt := range ms[:m.trie.collect(text, &w, &ms)] {
					mt.id &^= userBit
					got = append(got, mt)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s %s: collect differs from the lookups (%d matches, %d wanted)", name, f.Name, len(got), len(want))
			}
			if calls < len(want)/blockMatches {
				t.Fatalf("%s %s: %d calls for %d matches", name, f.Name, calls, len(want))
			}
		}
	}
}
