package bpe

import (
	"slices"
	"sync"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/normalize"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// testModel is a Model with SentencePiece's rules and the normalizer that
// goes with it, for tests that encode text.
type testModel struct {
	*Model
	rules *Rules
	norm  *normalize.Normalizer
}

func newTestModel(t testing.TB, v *vocab.Vocab) *testModel {
	t.Helper()
	var user []string
	for _, id := range v.UserDefined() {
		user = append(user, v.Piece(id))
	}
	m := matcher.New(user)
	norm, err := normalize.New(v.Normalizer(), v.Trainer().TreatWhitespaceAsSuffix, m)
	if err != nil {
		t.Fatal(err)
	}
	b := New(v)
	return &testModel{Model: b, rules: b.newRules(m, nil), norm: norm}
}

var (
	gemmaOnce  sync.Once
	gemmaModel *testModel
	variants   = make([]struct {
		once sync.Once
		m    *testModel
	}, len(testmodel.Variants))
)

// gemma returns the model of the embedded Gemma vocabulary, shared.
func gemma(t testing.TB) *testModel {
	t.Helper()
	gemmaOnce.Do(func() {
		v, err := vocab.Default()
		if err != nil {
			t.Fatal(err)
		}
		gemmaModel = newTestModel(t, v)
	})
	return gemmaModel
}

// freshGemma returns a model of the Gemma vocabulary of its own, with
// memos and caches that no other test has filled.
func freshGemma(t testing.TB) *testModel { return newTestModel(t, gemma(t).v) }

// eachModel runs f in a subtest for the Gemma model (i = -1) and for each
// model variant (i its index in testmodel.Variants).
func eachModel(t *testing.T, f func(t *testing.T, i int, m *testModel)) {
	t.Run("gemma", func(t *testing.T) { f(t, -1, gemma(t)) })
	for i, mv := range testmodel.Variants {
		t.Run(mv.Name, func(t *testing.T) {
			lv := &variants[i]
			lv.once.Do(func() { lv.m = newTestModel(t, mv.Vocab(t)) })
			if lv.m == nil {
				t.Fatal("loading failed in an earlier test")
			}
			f(t, i, lv.m)
		})
	}
}

// encode returns the ids of text, normalized, with the buffers sc.
func (m *testModel) encode(sc *Scratch, text string) []int32 {
	norm := m.norm.Normalize(nil, nil, text, normalize.Whole)
	var out seg.Sink
	out.Reset(m.v, norm, seg.IDs)
	m.Encode(sc, norm, m.rules, &out)
	return slices.Clone(out.IDs)
}
