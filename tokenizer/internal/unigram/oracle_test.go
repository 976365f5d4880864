package unigram

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// unigramModels are the test models the differential tests run on.
var unigramModels = []string{"uni8k", "uniud"}

func newModel(t testing.TB, name string) (*Model, *vocab.Vocab) {
	t.Helper()
	return loadModel(t, modeltest.ModelPath(name))
}

// loadModel loads the model at path, or the proto in path if it starts
// with modeltest.ModelBytes' prefix.
func loadModel(t testing.TB, path string) (*Model, *vocab.Vocab) {
	t.Helper()
	var v *vocab.Vocab
	var err error
	if b64, ok := strings.CutPrefix(path, "b64:"); ok {
		var raw []byte
		if raw, err = base64.StdEncoding.DecodeString(b64); err == nil {
			v, err = vocab.Parse(raw)
		}
	} else {
		v, err = vocab.LoadFile(path)
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	return m, v
}

// sameNBest reports whether got, NBest's paths of norm, are the oracle's.
func sameNBest(v *vocab.Vocab, norm []byte, got []Path, want []modeltest.Path) bool {
	if len(got) != len(want) {
		return false
	}
	for j := range got {
		ids, lens := modeltest.Split(got[j].Pieces)
		if got[j].Score != want[j].Score || !slices.Equal(modeltest.Spans(v, norm, ids, lens), want[j].Spans) {
			return false
		}
	}
	return true
}

func encodeSpans(m *Model, v *vocab.Vocab, norm []byte) []modeltest.Span {
	ids, lens := modeltest.Split(m.Encode(nil, norm, nil))
	return modeltest.Spans(v, norm, ids, lens)
}

// checkEncode compares Encode with the oracle on texts (normalized).
func checkEncode(t *testing.T, name string, m *Model, v *vocab.Vocab, texts [][]byte) int {
	t.Helper()
	want := modeltest.Get(t).Encode(t, modeltest.ModelPath(name), texts)
	bad := 0
	for i, text := range texts {
		got := encodeSpans(m, v, text)
		if !slices.Equal(got, want[i]) {
			bad++
			if bad <= 3 {
				t.Errorf("%s: text %q:\n got %v\nwant %v", name, clip(text), clip(got), clip(want[i]))
			}
		}
	}
	return bad
}

func clip[E any](s []E) []E {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

// TestEncodeCorpus compares Encode with the C++'s EncodeOptimized on every
// corpus file, whole and line by line. The regular run cuts whole texts at
// 32 KiB and checks the first 300 lines of a file; GEMMATOK_LONG=1 checks
// everything (about 4 minutes).
func TestEncodeCorpus(t *testing.T) {
	long := os.Getenv("GEMMATOK_LONG") == "1"
	for _, name := range unigramModels {
		m, v := newModel(t, name)
		lines, files := 0, 0
		for _, f := range modeltest.Corpus(t) {
			norm := modeltest.Normalize(f.Text)
			if !long {
				norm = modeltest.Prefix(norm, 32<<10)
			}
			if bad := checkEncode(t, name, m, v, [][]byte{norm}); bad > 0 {
				t.Errorf("%s %s: whole text differs", name, f.Name)
			}
			ls := bytes.Split(norm, []byte("\n"))
			if !long && len(ls) > 300 {
				ls = ls[:300]
			}
			if bad := checkEncode(t, name, m, v, ls); bad > 0 {
				t.Errorf("%s %s: %d of %d lines differ", name, f.Name, bad, len(ls))
			}
			lines += len(ls)
			files++
		}
		t.Logf("%s: %d files whole and %d lines identical", name, files, lines)
	}
}

// TestEncodeCases covers the rules one by one: user-defined pieces, unknown
// characters, NUL bytes.
func TestEncodeCases(t *testing.T) {
	texts := []string{
		"", "a", "▁", "▁▁▁", "<mask>", "a<mask>b", "[SEP][SEP]", "http▁https▁httpx",
		"▁▁▁▁▁", "walking▁", "ing▁ing▁", "\x00", "a\x00b", "\U0001F600\U0001F600",
		"\xe2\x96", "ab\xe2", "\xf0\x9f\x98", "ㄱㄴㄷ", "\u0300\u0301",
	}
	for _, name := range unigramModels {
		m, v := newModel(t, name)
		var norm [][]byte
		for _, s := range texts {
			norm = append(norm, modeltest.Normalize([]byte(s)))
		}
		if bad := checkEncode(t, name, m, v, norm); bad > 0 {
			t.Errorf("%s: %d of %d cases differ", name, bad, len(norm))
		}
	}
}

// TestBan checks that a banned piece is not used and that banning nothing
// changes nothing.
func TestBan(t *testing.T) {
	m, v := newModel(t, "uniud")
	mask, ok := v.ID("<mask>")
	if !ok {
		t.Fatal("no <mask>")
	}
	ban := make([]bool, v.Size())
	norm := []byte("a<mask>b")
	plain := m.Encode(nil, norm, nil)
	if !slices.Contains(plain, seg.Piece{ID: mask, Len: 6}) {
		t.Fatalf("unbanned: %v lacks <mask>", plain)
	}
	if got := m.Encode(nil, norm, ban); !slices.Equal(got, plain) {
		t.Errorf("empty ban: %v, want %v", got, plain)
	}
	ban[mask] = true
	for _, p := range m.Encode(nil, norm, ban) {
		if p.ID == mask {
			t.Errorf("banned <mask> used: %v", m.Encode(nil, norm, ban))
		}
	}
}

func TestEncodeAppends(t *testing.T) {
	m, _ := newModel(t, "uni8k")
	dst := []seg.Piece{{ID: 1, Len: 1}}
	got := m.Encode(dst, []byte("hello▁world"), nil)
	want := append([]seg.Piece{{ID: 1, Len: 1}}, m.Encode(nil, []byte("hello▁world"), nil)...)
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if allocs := testing.AllocsPerRun(100, func() { got = m.Encode(got[:0], []byte("hello▁world"), nil) }); allocs > 0 {
		t.Errorf("Encode allocates %v times per call", allocs)
	}
}

func ExampleModel_Encode() {
	v, err := vocab.LoadFile(modeltest.ModelPath("uni8k"))
	if err != nil {
		panic(err)
	}
	m, err := New(v)
	if err != nil {
		panic(err)
	}
	norm := []byte("Hello▁world")
	for _, p := range m.Encode(nil, norm, nil) {
		fmt.Printf("%q ", v.Piece(p.ID))
	}
	fmt.Println()
	// Output:
	// "He" "ll" "o" "▁" "wor" "l" "d"
}

// TestRetypedOracle compares Encode and NBest with the C++ on models the
// trainer does not make: normal pieces turned unused (skipped, and an
// unused one-character piece does not keep the unknown piece out) or
// user-defined (scored by length, characters in the lattice and bytes in
// EncodeOptimized).
func TestRetypedOracle(t *testing.T) {
	raw, err := os.ReadFile(modeltest.ModelPath("uni8k"))
	if err != nil {
		t.Fatal(err)
	}
	var texts [][]byte
	for _, f := range modeltest.Corpus(t) {
		if f.Name == "en.txt" || f.Name == "ru.txt" || f.Name == "code.txt" {
			ls := bytes.Split(modeltest.Normalize(f.Text), []byte("\n"))
			texts = append(texts, ls[:200]...)
		}
	}
	for _, types := range []map[string]vocab.Type{
		{"▁the": vocab.Unused, "in": vocab.Unused, "e": vocab.Unused, "▁a": vocab.Unused, "о": vocab.Unused},
		{"▁the": vocab.UserDefined, "e": vocab.UserDefined, "▁с": vocab.UserDefined, "▁": vocab.UserDefined},
	} {
		model := modeltest.WithTypes(t, raw, types)
		m, v := loadModel(t, modeltest.ModelBytes(model))
		o := modeltest.Get(t)
		want := o.Encode(t, modeltest.ModelBytes(model), texts)
		wantN := o.NBest(t, modeltest.ModelBytes(model), texts, 3)
		for i, text := range texts {
			ids, lens := modeltest.Split(m.Encode(nil, text, nil))
			if got := modeltest.Spans(v, text, ids, lens); !slices.Equal(got, want[i]) {
				t.Errorf("%v: %q:\n got %v\nwant %v", types, text, got, want[i])
				break
			}
			if got := m.NBest(text, 3, nil); !sameNBest(v, text, got, wantN[i]) {
				t.Errorf("%v: n-best of %q:\n got %v\nwant %v", types, text, got, wantN[i])
				break
			}
		}
	}
}

// TestSharedModelsOracle compares Encode and NBest with the C++ on the
// repository's Unigram test models (testdata/models), whose normalizers
// (nmt_nfkc, nfkc_cf, rule TSVs, whitespace as suffix) this package does
// not apply: the oracle normalizes the text, and Encode segments that.
// The regular run takes 8 KiB of each corpus file whole and its first 12
// lines; GEMMATOK_LONG=1 takes 16 KiB and 100 lines.
func TestSharedModelsOracle(t *testing.T) {
	whole, lines, nbest := 8<<10, 12, 60
	if os.Getenv("GEMMATOK_LONG") == "1" {
		whole, lines, nbest = 16<<10, 100, 400
	}
	names := []string{"unigram8k_nmt_nfkc", "unigram_nfkc_cf_bytefb_suffix", "unigram_userdef_control",
		"unigram_rule_tsv", "unigram_nosplit", "unigram_noprefix_noescape"}
	var texts [][]byte
	for _, f := range modeltest.Corpus(t) {
		texts = append(texts, modeltest.Prefix(f.Text, whole))
		ls := bytes.Split(f.Text, []byte("\n"))
		for _, l := range ls[:min(len(ls), lines)] {
			texts = append(texts, modeltest.Prefix(l, whole))
		}
	}
	o := modeltest.Get(t)
	for _, name := range names {
		path := modeltest.SharedModel(name)
		m, v := loadModel(t, path)
		norms := o.Normalize(t, path, texts)
		want := o.Encode(t, path, texts)
		// N-best on short lines: on whole texts the A* search is slow.
		var short []int
		for i := range texts {
			if len(norms[i]) <= 300 && len(short) < nbest {
				short = append(short, i)
			}
		}
		var shortTexts [][]byte
		for _, i := range short {
			shortTexts = append(shortTexts, texts[i])
		}
		wantN := map[int][]modeltest.Path{}
		for k, p := range o.NBest(t, path, shortTexts, 4) {
			wantN[short[k]] = p
		}
		bad := 0
		for i, norm := range norms {
			ids, lens := modeltest.Split(m.Encode(nil, norm, nil))
			if got := modeltest.Spans(v, norm, ids, lens); !slices.Equal(got, want[i]) {
				if bad++; bad <= 2 {
					t.Errorf("%s: %q:\n got %v\nwant %v", name, clip(norm), clip(got), clip(want[i]))
				}
			}
			if _, ok := wantN[i]; !ok {
				continue
			}
			if !sameNBest(v, norm, m.NBest(norm, 4, nil), wantN[i]) {
				if bad++; bad <= 2 {
					t.Errorf("%s: n-best of %q differs", name, clip(norm))
				}
			}
		}
		t.Logf("%s: %d texts, %d differ", name, len(norms), bad)
	}
}
