package tokenizer

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

// testModels returns the paths of the spm_train test models, one per model
// type and normalizer setting (testdata/models/README.md).
func testModels(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob("../testdata/models/*.model")
	if err != nil || len(paths) < 11 {
		t.Fatalf("found %d test models (%v), want at least 11", len(paths), err)
	}
	return paths
}

// modelName is the name of a test model: its file name without .model.
func modelName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".model")
}

// corpusTexts returns every corpus file whole, and the start of each, n
// bytes cut back to a line's end, whose lines are compared one by one.
func corpusTexts(t testing.TB, n int) (whole, starts []testmodel.NamedText) {
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := testmodel.CorpusName(path)
		whole = append(whole, testmodel.NamedText{Name: name, Text: string(data)})
		start := data[:min(len(data), n)]
		if i := bytes.LastIndexByte(start, '\n'); i > 0 && len(start) < len(data) {
			start = start[:i]
		}
		starts = append(starts, testmodel.NamedText{Name: name, Text: string(start)})
	}
	return whole, starts
}

// TestOracleModels compares every test model with the C++ over every
// corpus file: the whole file's ids, pieces, offsets and the decoding of
// the C++'s ids, and the same for each line of the file's first 4 KiB
// (under -short those 4 KiB stand for the whole file too). Each model
// has an oracle process of its own.
func TestOracleModels(t *testing.T) {
	whole, starts := corpusTexts(t, 4<<10)
	if testing.Short() {
		whole = starts
	}
	for _, path := range testModels(t) {
		t.Run(modelName(path), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tok, o := loadOracleModel(t, data)
			compareWhole(t, o, tok, whole)
			compareWithOracle(t, o, tok, starts)
		})
	}
}

// compareWhole compares, for each text, the tokens EncodeOffsets gives
// (ids and byte offsets into the text), the pieces and the decoding of
// the C++'s ids with the C++'s.
func compareWhole(t *testing.T, o *oracle, tok *Tokenizer, texts []testmodel.NamedText) {
	offs := &mismatches{t: t, kind: "EncodeOffsets"}
	pieces := &mismatches{t: t, kind: "EncodePieces"}
	decoded := &mismatches{t: t, kind: "Decode"}
	tokens := 0
	for _, nt := range texts {
		want, ids := o.offsets(t, nt.Text)
		tokens += len(ids)
		got := tok.EncodeOffsets(nt.Text)
		offs.check(slices.Equal(got, want), "%s: %s", nt.Name, testmodel.DiffAt(got, want))
		checkPiecesDecode(o, tok, nt, ids, pieces, decoded)
	}
	for _, m := range []*mismatches{offs, pieces, decoded} {
		m.report()
	}
	t.Logf("%d whole texts, %d tokens: ids with offsets, pieces and decodings compared", len(texts), tokens)
}

// loadedModel is a test model loaded once for all the calls of a fuzz
// target, with its oracle.
type loadedModel struct {
	once sync.Once
	tok  *Tokenizer
	o    *oracle
	err  error
}

var loadedModels sync.Map // path → *loadedModel

// cachedTestModel returns the test model at path and its oracle, loaded
// once for the test binary. It skips, or fails, t as getOracle does when
// the oracle is missing.
func cachedTestModel(t testing.TB, path string) (*Tokenizer, *oracle) {
	t.Helper()
	getOracle(t)
	v, _ := loadedModels.LoadOrStore(path, new(loadedModel))
	lm := v.(*loadedModel)
	lm.once.Do(func() {
		data, err := os.ReadFile(path)
		if err == nil {
			lm.tok, err = Load(bytes.NewReader(data))
		}
		if err == nil {
			lm.o, err = startModelOracle(data, lm.tok.VocabSize())
		}
		lm.err = err
	})
	if lm.err != nil {
		t.Fatalf("%s: %v", modelName(path), lm.err)
	}
	return lm.tok, lm.o
}

// FuzzOracleModels compares the ids, offsets, pieces and decoding of
// arbitrary text under each test model with the C++'s, and the ids of its
// parts cut where SafeCutParts allows.
func FuzzOracleModels(f *testing.F) {
	paths := testModels(f)
	for i, s := range textSeeds(f) {
		f.Add(uint8(i%len(paths)), s)
	}
	f.Fuzz(func(t *testing.T, model uint8, data []byte) {
		path := paths[int(model)%len(paths)]
		tok, o := cachedTestModel(t, path)
		name, text := modelName(path), string(data)
		want, ids := o.offsets(t, text)
		if got := tok.EncodeOffsets(text); !slices.Equal(got, want) {
			t.Fatalf("%s: EncodeOffsets(%q): %s", name, text, testmodel.DiffAt(got, want))
		}
		nt := testmodel.NamedText{Name: fmt.Sprintf("%s: %q", name, text), Text: text}
		checkPiecesDecode(o, tok, nt, ids, &mismatches{t: t, kind: "EncodePieces"}, &mismatches{t: t, kind: "Decode"})
		checkSafeCutParts(t, tok, name, text, ids)
	})
}

// offsets returns the C++'s tokens of text, with their byte offsets, and
// their ids.
func (o *oracle) offsets(t testing.TB, text string) ([]Token, []int32) {
	t.Helper()
	var res struct{ IDs, Begin, End []int }
	if err := o.call(map[string]any{"op": "offsets", "text": b64(text)}, &res); err != nil {
		t.Fatal(err)
	}
	toks := make([]Token, len(res.IDs))
	ids := make([]int32, len(res.IDs))
	for k := range toks {
		toks[k] = Token{int32(res.IDs[k]), res.Begin[k], res.End[k]}
		ids[k] = int32(res.IDs[k])
	}
	return toks, ids
}
