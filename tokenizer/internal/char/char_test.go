package char

import (
	"bytes"
	"slices"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/unigram"
	"github.com/gemmatok/gemmatok/vocab"
)

func spans(t *testing.T, m *Model, norm []byte, ban []bool) []modeltest.Span {
	t.Helper()
	var ids, lens []int32
	total := 0
	for _, p := range m.Encode(nil, norm, ban) {
		ids = append(ids, p.ID)
		lens = append(lens, p.Len)
		total += int(p.Len)
	}
	if total != len(norm) {
		t.Fatalf("pieces of %q cover %d bytes", norm, total)
	}
	return modeltest.Spans(m.v, norm, ids, lens)
}

// TestCorpus compares Encode with the C++'s character::Model on every corpus
// file, whole (cut at 32 KiB) and line by line (the first 300 lines).
func TestCorpus(t *testing.T) {
	v := modeltest.LoadModel(t, "char")
	m := New(v)
	o := modeltest.Get(t)
	var texts [][]byte
	for _, f := range modeltest.Corpus(t) {
		norm := modeltest.Prefix(modeltest.Normalize(f.Text), 32<<10)
		texts = append(texts, norm)
		ls := bytes.Split(norm, []byte("\n"))
		texts = append(texts, ls[:min(len(ls), 300)]...)
	}
	for _, s := range []string{"<mask>", "a<mask>b", "abab", "aab", "<mas", "<s>", "</s>", "<unk>", "\x00"} {
		texts = append(texts, []byte(s))
	}
	want := o.Encode(t, modeltest.ModelPath("char"), texts)
	bad := 0
	for i, text := range texts {
		if got := spans(t, m, text, nil); !slices.Equal(got, want[i]) {
			if bad++; bad <= 3 {
				t.Errorf("%q:\n got %v\nwant %v", text[:min(len(text), 80)], got[:min(len(got), 20)], want[i][:min(len(want[i]), 20)])
			}
		}
	}
	t.Logf("%d texts, %d differ", len(texts), bad)
}

func TestBan(t *testing.T) {
	v := modeltest.LoadModel(t, "char")
	m := New(v)
	mask, _ := v.ID("<mask>")
	ban := make([]bool, v.Size())
	ban[mask] = true
	norm := []byte("x<mask>")
	if got := m.Encode(nil, norm, nil); len(got) != 2 || got[1] != (unigram.Piece{ID: mask, Len: 6}) {
		t.Errorf("unbanned: %v", got)
	}
	got := m.Encode(nil, norm, ban)
	if len(got) != 7 || slices.ContainsFunc(got, func(p unigram.Piece) bool { return p.ID == mask }) {
		t.Errorf("banned: %v", got)
	}
}

// TestSharedModel compares Encode with the C++ on the repository's char
// model, normalized by the oracle (nmt_nfkc).
func TestSharedModel(t *testing.T) {
	modeltest.CheckShared(t, "char", func(v *vocab.Vocab, norm []byte) (ids, lens []int32) {
		for _, p := range New(v).Encode(nil, norm, nil) {
			ids = append(ids, p.ID)
			lens = append(lens, p.Len)
		}
		return ids, lens
	})
}
