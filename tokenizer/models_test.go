package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// corpusTexts returns every corpus file whole, or under -short the start
// of each.
func corpusTexts(t testing.TB) []testmodel.NamedText {
	var texts []testmodel.NamedText
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if testing.Short() {
			data = data[:min(len(data), 16<<10)]
		}
		texts = append(texts, testmodel.NamedText{Name: testmodel.CorpusName(path), Text: string(data)})
	}
	return texts
}

// TestOracleModels compares every test model with the C++ over every
// corpus file, whole and line by line: ids, pieces, the decoding of the
// C++'s ids and the offsets of the whole text. Each model has an oracle
// process of its own.
func TestOracleModels(t *testing.T) {
	texts := corpusTexts(t)
	for _, path := range testModels(t) {
		t.Run(modelName(path), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tok, o := loadOracleModel(t, data)
			compareWithOracle(t, o, tok, texts)
			compareOffsets(t, o, tok, texts)
		})
	}
}

// compareOffsets compares the tokens EncodeOffsets gives for each text with
// the C++'s pieces and their byte offsets into the text.
func compareOffsets(t *testing.T, o *oracle, tok *Tokenizer, texts []testmodel.NamedText) {
	offs := &mismatches{t: t, kind: "EncodeOffsets"}
	for _, nt := range texts {
		var res struct{ IDs, Begin, End []int }
		if err := o.call(map[string]any{"op": "offsets", "text": b64(nt.Text)}, &res); err != nil {
			t.Fatal(err)
		}
		want := make([]Token, len(res.IDs))
		for k := range want {
			want[k] = Token{int32(res.IDs[k]), res.Begin[k], res.End[k]}
		}
		got := tok.EncodeOffsets(nt.Text)
		offs.check(slices.Equal(got, want), "%s: %s", nt.Name, testmodel.DiffAt(got, want))
	}
	offs.report()
}
