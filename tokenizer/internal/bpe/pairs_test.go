package bpe

import (
	"bytes"
	"cmp"
	"go/format"
	"math/rand"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/tokenizer/internal/utf8x"
	"github.com/gemmatok/gemmatok/vocab"
)

// TestGeneratedTables checks that the generated files are what
// gen_tables.go makes of the built-in models now (go generate remakes
// them), that a Model of each takes its tables from them, and that the
// pair sets decode back to themselves.
func TestGeneratedTables(t *testing.T) {
	files, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	for file, want := range files {
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate in tokenizer/internal/bpe", file)
		}
		if strings.HasSuffix(file, ".go") {
			if f, err := format.Source(want); err != nil || !bytes.Equal(f, want) {
				t.Errorf("%s: the generated source is not gofmt'ed (%v)", file, err)
			}
		}
	}
	if len(builtin) == 0 {
		t.Error("no built-in BPE model has tables")
	}
	for name, tb := range builtin {
		pairs := files[name+"_pairs.bin"]
		if !bytes.Equal(tb.pairs, pairs) || !bytes.Equal(tb.whole, files[name+"_whole.bin"]) || !bytes.Equal(tb.merges, files[name+"_merges.bin"]) || !bytes.Equal(tb.mergeFilter, files[name+"_mergefilter.bin"]) {
			t.Errorf("%s: the registered tables are not the generated ones", name)
		}
		v, err := vocab.Parse(vocab.BuiltinModel(name))
		if err != nil {
			t.Fatal(err)
		}
		if New(v).tables != tb {
			t.Errorf("%s: a Model of the built-in model does not use its tables", name)
		}
		s, err := unmarshalPairSet(pairs)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(s.marshal(), pairs) {
			t.Errorf("%s: decoding the pair set does not give it back", name)
		}
		if _, err := unmarshalPairSet(pairs[:len(pairs)-3]); err == nil {
			t.Errorf("%s: a truncated pair set decoded without error", name)
		}
	}
}

// TestPresetWhole checks that the preset memo of the embedded model answers
// as segmenting does, piece by piece.
func TestPresetWhole(t *testing.T) {
	m := gemma(t)
	fresh := newModel(m.v, nil)
	r := fresh.newRules(m.rules.matcher, nil)
	sc := new(Scratch)
	for id := range int32(m.v.Size()) {
		got := m.wholePiece(sc, id, m.rules)
		if want := fresh.wholePiece(sc, id, r); got != want {
			t.Fatalf("piece %d %q: preset says %v, segmenting %v", id, m.v.Piece(id), got, want)
		}
	}
}

// TestRankByID checks, for Gemma's model and every variant, that merges
// order pairs by id only when sorting the pieces merges make by score,
// best first, gives them in id order with no two scores the same.
func TestRankByID(t *testing.T) {
	byID := 0
	eachModel(t, func(t *testing.T, i int, m *testModel) {
		v := m.v
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
		if m.rankByID != want {
			t.Errorf("rankByID is %v, the scores say %v", m.rankByID, want)
		}
		if i >= 0 && m.rankByID {
			byID++
		}
	})
	if byID == 0 || byID == len(testmodel.Variants) {
		t.Errorf("%d of %d variants order by id: the tests cover one way only", byID, len(testmodel.Variants))
	}
}

// TestPairSetMembers checks the pair set, built and embedded, against the
// pairs read off the pieces: each is found, and pairs next to them (one
// character changed) are found only when some piece holds them too. The
// pairs cover every way the set keeps them: ASCII, U+2581 and ASCII, the
// Basic Multilingual Plane and beyond.
func TestPairSetMembers(t *testing.T) {
	for _, name := range []string{"gemma2", "gemma3"} {
		t.Run(name, func(t *testing.T) { checkPairSetMembers(t, name) })
	}
}

// checkPairSetMembers is TestPairSetMembers for the built-in model name.
// Gemma 3 has the blocks of more scripts with bitmaps (Telugu, Thai).
func checkPairSetMembers(t *testing.T, name string) {
	v, err := vocab.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
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
	embedded, err := unmarshalPairSet(builtin[name].pairs)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for name, s := range map[string]*pairSet{"built": newPairSet(v), "embedded": embedded} {
		for p := range want {
			switch _, inBlock := s.blockHas(p[0], p[1]); {
			case inBlock:
				kinds["block"]++
			case p[0] < 128 && p[1] < 128:
				kinds["ascii"]++
			case p[0] == seg.SpaceRune && p[1] < 128:
				kinds["space"]++
			case p[0] < 1<<16 && p[1] < 1<<16:
				kinds["bmp"]++
			default:
				kinds["wide"]++
			}
			for _, q := range [][2]rune{p, {p[0] + 1, p[1]}, {p[0], p[1] + 1}, {p[1], p[0]}, {p[0] + 1<<16, p[1]}, {p[0] + 1<<8, p[1] + 1<<8}} {
				if got := s.has(q[0], q[1]); got != want[q] {
					t.Fatalf("%s: has(%q, %q) = %v, the pieces say %v", name, q[0], q[1], got, want[q])
				}
			}
		}
	}
	required := []string{"block", "space", "bmp", "wide"}
	if embedded.block[0] == nil { // else ASCII pairs are the first block's
		required = append(required, "ascii")
	}
	for _, k := range required {
		if kinds[k] == 0 {
			t.Errorf("no %s pairs among the pieces: that way of keeping them is untested", k)
		}
	}
}

// TestDecodeFast holds partEnd, which decodes three-byte characters
// itself, to a scan that decodes with utf8x.DecodeChar, on random text of
// characters of one to four bytes and malformed bytes (overlong forms,
// surrogates, lone and cut sequences) and of single alphabets, and charID3, which decodes two- and
// three-byte characters itself, to charID on every lead byte beyond ASCII
// with continuations valid and not.
func TestDecodeFast(t *testing.T) {
	m := newTestModel(t, gemma(t).v)
	pairs := m.pairSet()
	chunks := []string{"a", "ก", "า", "క", "ా", "్", "é", "д", "ب", "ي", "中", "🙂", "\xE0\x80\x80", "\xED\xA0\x80", "\x80", "\xE0\xB8", "\xC3", "\xF0\x9F\x99"}
	// Words of one alphabet, now and then with another chunk, run long
	// in its block, which is scanned several characters at a time.
	alphabets := [][]string{{"ก", "า", "ข", "ง", "่"}, {"క", "ా", "్", "మ"}, {"ب", "ي", "ا", "ل", "ظ", "ؤ", "ئ"}, {"д", "а", "р", "ъ", "ы", "ь", "ё"}}
	rnd := rand.New(rand.NewSource(4))
	for i := range 40000 {
		pool := chunks
		if i%2 == 1 {
			pool = alphabets[rnd.Intn(len(alphabets))]
		}
		var w []byte
		for range 1 + rnd.Intn(12) {
			if rnd.Intn(16) == 0 {
				w = append(w, chunks[rnd.Intn(len(chunks))]...)
				continue
			}
			w = append(w, pool[rnd.Intn(len(pool))]...)
		}
		first, size := utf8x.DecodeChar(w)
		end, chars, last, next, nextSize := pairs.partEnd(w, 0, first, size)
		// The scan, decoding every character with DecodeChar.
		wantChars, wantLast, wantNext, wantSize := 1, first, rune(0), 0
		wantEnd := size
		for ; wantEnd < len(w); wantEnd += wantSize {
			c, n := utf8x.DecodeChar(w[wantEnd:])
			if !pairs.has(wantLast, c) {
				wantNext, wantSize = c, n
				break
			}
			wantChars++
			wantLast = c
			wantSize = n
		}
		if wantEnd == len(w) {
			wantNext, wantSize = 0, 0
		}
		if end != wantEnd || chars != wantChars || last != wantLast || next != wantNext || nextSize != wantSize {
			t.Fatalf("partEnd(%q) = %d, %d, %U, %U, %d; decoding with DecodeChar %d, %d, %U, %U, %d",
				w, end, chars, last, next, nextSize, wantEnd, wantChars, wantLast, wantNext, wantSize)
		}
	}
	conts := []byte{0x80, 0x9F, 0xA0, 0xBF, 0x00, 0x41, 0xC0, 0xE2}
	for lead := 0x80; lead < 0x100; lead++ {
		for _, c1 := range conts {
			for _, c2 := range conts {
				c := []byte{byte(lead), c1, c2}[:min(int(utf8x.CharLen[lead>>4]), 3)]
				for range 2 { // the second time from the pages the first filled
					if got, want := m.charID3(c), m.charID(c); got != want {
						t.Fatalf("charID3(% x) = %d, charID says %d", c, got, want)
					}
				}
			}
		}
	}
	for r := rune(0x80); r < 1<<16; r++ {
		c := utf8.AppendRune(nil, r)
		for range 2 {
			if got, want := m.charID3(c), m.charID(c); got != want {
				t.Fatalf("charID3(%q) = %d, charID says %d", c, got, want)
			}
		}
	}
}
