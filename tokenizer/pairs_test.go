package tokenizer

import (
	"bytes"
	"cmp"
	"flag"
	"os"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/gemmatok/gemmatok/vocab"
)

var updateTables = flag.Bool("update-tables", false, "rewrite the tables derived from the embedded model")

// TestEmbeddedTables checks that gemma2_pairs.bin and gemma2_whole.bin are
// what the embedded model gives; -update-tables rewrites them.
func TestEmbeddedTables(t *testing.T) {
	tok := defaultTokenizer(t)
	v := tok.Vocab()
	built := newPairSet(v).marshal()
	whole := wholeBits(tok)
	if *updateTables {
		for name, b := range map[string][]byte{"gemma2_pairs.bin": built, "gemma2_whole.bin": whole} {
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if p, s := spacePlacement(v); p != gemma2PrefixOnly || s != gemma2SuffixOnly {
		t.Errorf("spacePlacement gives prefixOnly %v, suffixOnly %v; gemma2PrefixOnly and gemma2SuffixOnly say %v, %v",
			p, s, gemma2PrefixOnly, gemma2SuffixOnly)
	}
	if got := scoresFallWithID(v); got != gemma2RankByID {
		t.Errorf("scoresFallWithID gives %v, gemma2RankByID says %v", got, gemma2RankByID)
	}
	if unused, shadow := pieceTypes(v); unused || len(shadow) > 0 {
		t.Errorf("the embedded model has unused pieces (%v) or shadowed ones (%v), which newBPEModel assumes it has not", unused, shadow)
	}
	if !bytes.Equal(whole, gemma2Whole) {
		t.Errorf("gemma2_whole.bin is stale: run go test -run TestEmbeddedTables -update-tables")
	}
	if !bytes.Equal(built, gemma2Pairs) {
		t.Fatalf("gemma2_pairs.bin is stale (%d bytes, the model gives %d): run go test -run TestEmbeddedTables -update-tables", len(gemma2Pairs), len(built))
	}
	s, err := unmarshalPairSet(gemma2Pairs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.marshal(), built) {
		t.Error("decoding the embedded pair set does not give it back")
	}
	if _, err := unmarshalPairSet(gemma2Pairs[:len(gemma2Pairs)-3]); err == nil {
		t.Error("a truncated pair set decoded without error")
	}
}

// wholeBits segments every piece of tok's vocabulary under SentencePiece's
// rules, without a preset memo, and returns a bit a piece: whether it
// segments into itself.
func wholeBits(tok *Tokenizer) []byte {
	v := tok.Vocab()
	r := &pieceRules{matcher: tok.rules.matcher, memo: make([]atomic.Uint32, (v.Size()+15)/16)}
	sc := new(scratch)
	bits := make([]byte, (v.Size()+7)/8)
	for id := range int32(v.Size()) {
		if tok.model.wholePiece(sc, id, r) {
			bits[id/8] |= 1 << (id % 8)
		}
	}
	return bits
}

// TestPresetWhole checks that the preset memo of the embedded model answers
// as segmenting does, piece by piece.
func TestPresetWhole(t *testing.T) {
	tok := defaultTokenizer(t)
	want := wholeBits(tok)
	sc := new(scratch)
	for id := range int32(tok.VocabSize()) {
		got := tok.model.wholePiece(sc, id, tok.rules)
		if got != (want[id/8]>>(id%8)&1 == 1) {
			t.Fatalf("piece %d %q: preset says %v", id, tok.IDToPiece(id), got)
		}
	}
}

// TestRankByID checks, for Gemma's model and every variant, that merges
// order pairs by id only when sorting the pieces merges make by score,
// best first, gives them in id order with no two scores the same.
func TestRankByID(t *testing.T) {
	byID := 0
	eachModel(t, func(t *testing.T, i int, tok *Tokenizer) {
		v := tok.Vocab()
		var ids []int32
		for id := range int32(v.Size()) {
			if ty := v.Type(id); ty == vocab.Normal || ty == vocab.Unused {
				ids = append(ids, id)
			}
		}
		byScore := slices.Clone(ids)
		slices.SortStableFunc(byScore, func(a, b int32) int { return cmp.Compare(v.Score(b), v.Score(a)) })
		want := slices.Equal(byScore, ids)
		for i := 1; want && i < len(ids); i++ {
			want = v.Score(ids[i]) != v.Score(ids[i-1])
		}
		if tok.model.rankByID != want {
			t.Errorf("rankByID is %v, the scores say %v", tok.model.rankByID, want)
		}
		if i >= 0 && tok.model.rankByID {
			byID++
		}
	})
	if byID == 0 || byID == len(modelVariants) {
		t.Errorf("%d of %d variants order by id: the tests cover one way only", byID, len(modelVariants))
	}
}

// TestPairSetMembers checks the pair set, built and embedded, against the
// pairs read off the pieces: each is found, and pairs next to them (one
// character changed) are found only when some piece holds them too. The
// pairs cover every way the set keeps them: ASCII, U+2581 and ASCII, the
// Basic Multilingual Plane and beyond.
func TestPairSetMembers(t *testing.T) {
	v := defaultTokenizer(t).Vocab()
	want := map[[2]rune]bool{}
	for id := range int32(v.Size()) {
		switch v.Type(id) {
		case vocab.Normal, vocab.Unused, vocab.UserDefined:
			r := []rune(v.Piece(id))
			for i := 0; i+1 < len(r); i++ {
				want[[2]rune{r[i], r[i+1]}] = true
			}
		}
	}
	embedded, err := unmarshalPairSet(gemma2Pairs)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for name, s := range map[string]*pairSet{"built": newPairSet(v), "embedded": embedded} {
		for p := range want {
			switch {
			case p[0] < 128 && p[1] < 128:
				kinds["ascii"]++
			case p[0] == spaceRune && p[1] < 128:
				kinds["space"]++
			case p[0] < 1<<16 && p[1] < 1<<16:
				kinds["bmp"]++
			default:
				kinds["wide"]++
			}
			for _, q := range [][2]rune{p, {p[0] + 1, p[1]}, {p[0], p[1] + 1}, {p[1], p[0]}, {p[0] + 1<<16, p[1]}} {
				if got := s.has(q[0], q[1]); got != want[q] {
					t.Fatalf("%s: has(%q, %q) = %v, the pieces say %v", name, q[0], q[1], got, want[q])
				}
			}
		}
	}
	for _, k := range []string{"ascii", "space", "bmp", "wide"} {
		if kinds[k] == 0 {
			t.Errorf("no %s pairs among the pieces: that way of keeping them is untested", k)
		}
	}
}
