package vocab

import (
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/vocab/internal/spmpb"
)

// checkLookup compares Lookup with a map of v's mergeable pieces, for
// every piece and for texts next to it: the piece with a byte added, with
// its last byte dropped or changed. The neighbours are mostly not pieces,
// so most of them are settled by the filter, and the rest by the slots'
// hash bits or the text.
func checkLookup(t *testing.T, v *Vocab) {
	t.Helper()
	want := make(map[string]int32)
	for id := range int32(v.Size()) {
		if typ := v.Type(id); typ == Normal || typ == UserDefined || typ == Unused {
			want[v.Piece(id)] = id
		}
	}
	lookup := func(s string) {
		w, ok := want[s]
		if !ok {
			w = -1
		}
		if got := v.Lookup(s); got != w {
			t.Fatalf("Lookup(%q) = %d, want %d", s, got, w)
		}
		if got := v.LookupBytes([]byte(s)); got != w {
			t.Fatalf("LookupBytes(%q) = %d, want %d", s, got, w)
		}
	}
	misses := 0
	for p := range want {
		lookup(p)
		last := p[len(p)-1]
		for _, q := range []string{p + "e", p[:len(p)-1], p[:len(p)-1] + string(last^1), p[:len(p)-1] + string(last^0x40)} {
			if _, ok := want[q]; !ok {
				misses++
			}
			lookup(q)
		}
	}
	if misses < len(want) {
		t.Fatalf("only %d of the texts looked up are not pieces", misses)
	}
}

func TestLookupDefault(t *testing.T) {
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	checkLookup(t, v)
}

// TestLookupSmall checks a vocabulary of a few pieces, whose table and
// filter are a few words, with control pieces that Lookup must not find.
func TestLookupSmall(t *testing.T) {
	v, err := Parse(editedModel(t, func(m *spmpb.ModelProto) {
		addPiece(m, strings.Repeat("a", 300), spmpb.ModelProto_SentencePiece_USER_DEFINED)
		addPiece(m, "e", spmpb.ModelProto_SentencePiece_UNUSED)
	}))
	if err != nil {
		t.Fatal(err)
	}
	checkLookup(t, v)
	for _, p := range []string{"<unk>", "<s>", "</s>"} {
		if id := v.Lookup(p); id != -1 {
			t.Errorf("Lookup(%q) = %d, want -1: not a merge result", p, id)
		}
	}
}
