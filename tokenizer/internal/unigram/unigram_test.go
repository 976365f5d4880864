package unigram

import (
	"bytes"
	"encoding/binary"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/vocab"
)

// lookup returns the id of key in the trie, or -1.
func (t *trie) lookup(key string) int32 {
	id := int32(-1)
	t.prefixes([]byte(key), 0, func(end int, info pieceInfo) {
		if end == len(key) {
			id = info.id
		}
	})
	return id
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

// TestTrieLongKeys checks the trie of keys over a few bytes, many longer
// than a tail holds, whose states outgrow the units first allocated: each
// key is found under the id of its first occurrence.
func TestTrieLongKeys(t *testing.T) {
	keys, text := longKeys()
	first := map[string]int32{}
	for _, k := range keys {
		key := string(text[k.off : k.off+uint32(k.n)])
		if _, dup := first[key]; !dup {
			first[key] = k.id
		}
	}
	tr := newTrie(keys, text)
	for key, id := range first {
		if got := tr.lookup(key); got != id {
			t.Fatalf("key %q: trie gives %d, want %d", key, got, id)
		}
	}
}

// TestPlainKey checks plainKey against its definition on keys of every length
// up to 20 bytes with a NUL or 0xE2 byte at each place, amid other bytes,
// as New calls it: only where 16 bytes from the key's start lie in the text.
func TestPlainKey(t *testing.T) {
	for n := range 21 {
		for at := -1; at < n; at++ {
			for _, c := range []byte{0, 0xE2} {
				key := bytes.Repeat([]byte{'a'}, n)
				if at >= 0 {
					key[at] = c
				}
				want := n > 0 && n <= 16 && bytes.IndexByte(key, 0) < 0 && bytes.IndexByte(key[1:], 0xE2) < 0
				for _, pad := range [][]byte{nil, []byte("\x00\xE2\x00\xE2\x00\xE2\x00\xE2\x00\xE2\x00\xE2\x00\xE2\x00\xE2"), []byte("b")} {
					text := append(append([]byte("x\x00"), key...), pad...)
					if len(text) < 2+16 {
						continue
					}
					got := plainKey(binary.LittleEndian.Uint64(text[2:]), binary.LittleEndian.Uint64(text[10:]), n)
					if got != want {
						t.Errorf("plainKey(%q, %d bytes after) = %v, want %v", key, len(pad), got, want)
					}
				}
			}
		}
	}
}

// TestPrefixes checks the trie's walk, prefixes, against looking every
// substring that starts at a character up in a map of the pieces, on the
// corpus files' first 16 KiB with spaces escaped as the normalizer escapes
// them: the same pieces, in order of length.
func TestPrefixes(t *testing.T) {
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
		type match struct {
			end int
			pieceInfo
		}
		for _, f := range modeltest.Corpus(t) {
			text := bytes.ReplaceAll(f.Text[:min(len(f.Text), 16<<10)], []byte(" "), []byte("\u2581"))
			for start := 0; start < len(text); start += min(OneCharLen(text[start]), len(text)-start) {
				var want, got []match
				for end := start + 1; end <= min(len(text), start+longest); end++ {
					if id, ok := pieces[string(text[start:end])]; ok {
						want = append(want, match{end, pieceInfo{id, v.Score(id)}})
					}
				}
				m.trie.prefixes(text, start, func(end int, info pieceInfo) {
					got = append(got, match{end, info})
				})
				if !slices.Equal(got, want) {
					t.Fatalf("%s %s at %d: prefixes gives %v, the lookups %v", name, f.Name, start, got, want)
				}
			}
		}
	}
}
