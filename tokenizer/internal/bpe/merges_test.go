package bpe

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"unsafe"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// mergeGet returns the piece that pieces l and r make by table m, or -1,
// and false when m cannot tell (no table, or ids too large).
func mergeGet(m *mergeTable, l, r int32) (int32, bool) {
	k, ok := pairCacheKey(l, r)
	if m.slots == nil || !ok {
		return 0, false
	}
	if !m.passes(k) {
		return -1, true
	}
	return m.find(k), true
}

// TestMergeTable checks the merge table of each built-in model that has
// one against the vocabulary: every pair it holds makes the piece it
// says and passes its filter, which turns away most others, and pairs of
// pieces taken at random, and split from pieces, find what
// vocab.LookupBytes finds, a piece or none.
func TestMergeTable(t *testing.T) {
	for name := range withMerges {
		v, err := vocab.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		b := New(v)
		m := &b.merges
		if len(m.slots) == 0 {
			t.Fatalf("%s: the model has no merge table", name)
		}
		shared := builtin[name].mergeTable()
		if unsafe.SliceData(m.slots) != unsafe.SliceData(shared.slots) {
			// A copy would cost each load 8 MiB.
			t.Errorf("%s: the merge table was copied for the Model, not shared", name)
		}
		lookup := func(l, r int32) int32 { return v.LookupBytes([]byte(v.Piece(l) + v.Piece(r))) }
		held := 0
		for _, e := range m.slots {
			if e == 0 {
				continue
			}
			held++
			l, r := int32(e>>(2*pairIDBits)), int32(e>>pairIDBits&pairIDMask)
			if id, want := int32(e&pairIDMask)-1, lookup(l, r); id != want {
				t.Fatalf("%s: the table says %q + %q make %d, the vocabulary %d", name, v.Piece(l), v.Piece(r), id, want)
			}
		}
		// The filter passes every pair held, and few others.
		if len(m.filter) == 0 || unsafe.SliceData(m.filter) != unsafe.SliceData(shared.filter) {
			t.Fatalf("%s: the merge table has no filter, or a copy", name)
		}
		for _, e := range m.slots {
			if w, f := filterWord(e &^ pairIDMask); e != 0 && m.filter[w]&f != f {
				t.Fatalf("%s: the filter turns away pair %d, %d, which the table holds", name, e>>(2*pairIDBits), e>>pairIDBits&pairIDMask)
			}
		}
		rng := rand.New(rand.NewPCG(1, 2))
		passed, tried := 0, 0
		for range 100_000 {
			l, r := rng.Int32N(int32(v.Size())), rng.Int32N(int32(v.Size()))
			if lookup(l, r) >= 0 {
				continue
			}
			k, _ := pairCacheKey(l, r)
			if w, f := filterWord(k); m.filter[w]&f == f {
				passed++
			}
			tried++
		}
		if passed*10 > tried {
			t.Errorf("%s: the filter passes %d of %d pairs that make no piece", name, passed, tried)
		}
		check := func(l, r int32) {
			t.Helper()
			got, ok := mergeGet(m, l, r)
			if want := lookup(l, r); !ok || got != want {
				t.Fatalf("%s: %q + %q: the table gives %d (%v), the vocabulary %d", name, v.Piece(l), v.Piece(r), got, ok, want)
			}
		}
		size := int32(v.Size())
		for range 200_000 {
			check(rng.Int32N(size), rng.Int32N(size))
		}
		// Pairs that make pieces, which random ones seldom do.
		found := 0
		for range 200_000 {
			p := v.Piece(rng.Int32N(size))
			if len(p) < 2 {
				continue
			}
			k := 1 + rng.IntN(len(p)-1)
			l, r := v.LookupBytes([]byte(p[:k])), v.LookupBytes([]byte(p[k:]))
			if l >= 0 && r >= 0 {
				check(l, r)
				found++
			}
		}
		if held == 0 || found == 0 {
			t.Errorf("%s: %d pairs held, %d checked that make pieces", name, held, found)
		}
	}
}

// TestUnmarshalMergeTable checks that a table whose size is no power of
// two, or not whole words, or whose filter is not of its size, is
// refused, and that a table read from
// unaligned bytes answers as the aligned one.
func TestUnmarshalMergeTable(t *testing.T) {
	for _, n := range []int{0, 8, 24, 8*4 + 3} {
		if _, err := unmarshalMergeTable(make([]byte, n), nil); err == nil {
			t.Errorf("%d bytes: no error", n)
		}
	}
	if _, err := unmarshalMergeTable(make([]byte, 16), make([]byte, 8)); err == nil {
		t.Error("a filter of 8 bytes: no error")
	}
	v, err := vocab.Builtin("gemma3")
	if err != nil {
		t.Fatal(err)
	}
	data := builtin["gemma3"].merges
	moved := make([]byte, len(data)+1)[1:]
	copy(moved, data)
	a, err := unmarshalMergeTable(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := unmarshalMergeTable(moved, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, r := v.LookupBytes([]byte("▁to")), v.LookupBytes([]byte("ken"))
	x, okA := mergeGet(a, l, r)
	y, okB := mergeGet(b, l, r)
	if !okA || !okB || x != y || x != v.LookupBytes([]byte("▁token")) {
		t.Errorf("▁to + ken: %d (%v) in place, %d (%v) copied, want %d", x, okA, y, okB, v.LookupBytes([]byte("▁token")))
	}
}

// TestBuiltinTablesEncode checks that each built-in model encodes the
// corpus as a Model of its vocabulary that derives everything itself,
// without the generated tables (the merge table, the pair set, the
// whole-piece bits).
func TestBuiltinTablesEncode(t *testing.T) {
	for name := range builtin {
		v, err := vocab.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		fast := newTestModel(t, v)
		slow := *fast
		slow.Model = newModel(v, nil)
		slow.rules = slow.newRules(fast.rules.matcher, nil)
		for _, path := range testmodel.CorpusFiles(t) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text := string(data)
			if got, want := fast.encode(new(Scratch), text), slow.encode(new(Scratch), text); !slices.Equal(got, want) {
				t.Errorf("%s, %s: the tables give %d ids, deriving %d, or other ids", name, testmodel.CorpusName(path), len(got), len(want))
			}
		}
	}
}

// TestBuiltinMergeTable checks that the merge table a built-in model's
// Models share, copied into memory of huge pages where the system gives
// them, holds the generated words, and is read once.
func TestBuiltinMergeTable(t *testing.T) {
	tables := builtin["gemma3"]
	m := tables.mergeTable()
	if m == nil {
		t.Fatal("Gemma 3 has no merge table")
	}
	if !slices.Equal(m.slots, unmarshalWords(tables.merges)) || !slices.Equal(m.filter, unmarshalWords(tables.mergeFilter)) {
		t.Error("the table read differs from the generated one")
	}
	if tables.mergeTable() != m {
		t.Error("the table was read again")
	}
	if builtin["gemma2"].mergeTable() != nil {
		t.Error("Gemma 2, generated without one, has a merge table")
	}
}
