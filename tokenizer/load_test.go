package tokenizer

import (
	"bytes"
	"errors"
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// loadModel builds a Tokenizer from a ModelProto message.
func loadModel(t testing.TB, m protoreflect.Message) *Tokenizer {
	t.Helper()
	tok, err := Load(bytes.NewReader(testmodel.Marshal(t, m)))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestLoadSmallModel(t *testing.T) {
	m := testmodel.SmallModel(t)
	testmodel.AddSelfTest(t, m, "abc ab", "abc ▁ab")
	tok := loadModel(t, m)
	if got := strings.Join(tok.EncodePieces("ab<sep>c xyz"), " "); got != "ab <sep> c ▁ xyz" {
		t.Errorf("EncodePieces = %q", got)
	}
	ids := tok.Encode("ab<sep>c xyz")
	if want := []int32{9, 3, 7, 4, 0}; !slices.Equal(ids, want) {
		t.Errorf("Encode = %v, want %v", ids, want)
	}
	if got, err := tok.Decode(ids); got != "ab<sep>c  ⁇ " || err != nil {
		t.Errorf("Decode = %q, %v", got, err)
	}
}

// TestLoadErrors checks that models this package cannot use, because they
// are broken or of a kind it does not implement, give an error naming the
// problem.
func TestLoadErrors(t *testing.T) {
	noise := make([]byte, 1000)
	rand.New(rand.NewSource(2)).Read(noise)
	edited := func(edit func(m protoreflect.Message)) []byte {
		m := testmodel.SmallModel(t)
		edit(m)
		return testmodel.Marshal(t, m)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string // a substring of the error
	}{
		{"empty file", nil, "empty input"},
		{"random bytes", noise, "malformed"},
		{"no unknown piece", edited(func(m protoreflect.Message) {
			testmodel.KeepPieces(t, m, func(p protoreflect.Message) bool { return testmodel.PieceText(t, p) != "<unk>" })
		}), "unknown piece"},
		{"byte fallback without byte pieces", edited(func(m protoreflect.Message) {
			testmodel.SetField(t, m, true, "trainer_spec", "byte_fallback")
		}), "byte piece <0x00> is missing"},
		{"byte piece without byte fallback", edited(func(m protoreflect.Message) {
			testmodel.AppendPiece(t, m, "<0x41>", 0, "BYTE")
		}), "byte_fallback is false"},
		{"duplicate piece", edited(func(m protoreflect.Message) {
			testmodel.AppendPiece(t, m, "ab", 0, "NORMAL")
		}), "already defined"},
		{"empty piece", edited(func(m protoreflect.Message) {
			testmodel.AppendPiece(t, m, "", 0, "NORMAL")
		}), "is empty"},
		{"precompiled charsmap", edited(func(m protoreflect.Message) {
			testmodel.SetField(t, m, []byte{1, 2, 3, 4}, "normalizer_spec", "precompiled_charsmap")
		}), "precompiled charsmap"},
		{"denormalizer", edited(func(m protoreflect.Message) {
			testmodel.SetField(t, m, []byte{1, 2, 3, 4}, "denormalizer_spec", "precompiled_charsmap")
		}), "denormalizer"},
		{"failing self-test", edited(func(m protoreflect.Message) {
			testmodel.AddSelfTest(t, m, "abc", "a b c")
		}), `self-test failed for "abc": got "abc", want "a b c"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := Load(bytes.NewReader(tc.data))
			if err == nil {
				t.Fatalf("Load succeeded (%d pieces), want an error containing %q", tok.VocabSize(), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// TestLoadTruncated loads prefixes of the Gemma model: every length up to
// 1 KiB, some across the file and the last bytes. Only one prefix is a
// usable BPE model: the one that drops just the normalizer spec, the last
// field, which then takes its default settings, as it would in the C++.
func TestLoadTruncated(t *testing.T) {
	data := vocab.DefaultModel()
	var cuts []int
	for n := 0; n <= 1024; n++ {
		cuts = append(cuts, n)
	}
	for k := 1; k < 24; k++ {
		cuts = append(cuts, k*len(data)/24+k)
	}
	for n := len(data) - 32; n < len(data); n++ {
		cuts = append(cuts, n)
	}
	loaded := 0
	for _, n := range cuts {
		tok, err := Load(bytes.NewReader(data[:n]))
		if err != nil {
			continue
		}
		// A prefix that ends among the pieces, before the trainer spec,
		// is a Unigram model (the proto's default type) of fewer pieces,
		// as the C++ would load it too.
		if tok.Vocab().Trainer().Model == vocab.Unigram && tok.VocabSize() < 256000 {
			continue
		}
		loaded++
		if spec := tok.Vocab().Normalizer(); tok.VocabSize() != 256000 || spec.Name != "" || !spec.AddDummyPrefix {
			t.Errorf("cut at %d: loaded %d pieces and normalizer %+v", n, tok.VocabSize(), spec)
		}
	}
	if loaded != 1 {
		t.Errorf("%d truncated models loaded, want 1", loaded)
	}
}

// TestDecodeOutside checks that ids outside the vocabulary are reported,
// with where they are, and leave the output alone.
func TestDecodeOutside(t *testing.T) {
	tok := defaultTokenizer(t)
	for _, tc := range []struct {
		ids   []int32
		index int
	}{
		{[]int32{-1}, 0},
		{[]int32{256000}, 0},
		{[]int32{2, 9259, 256000, 5}, 2},
		{[]int32{9259, math.MinInt32}, 1},
		{[]int32{math.MaxInt32}, 0},
	} {
		dst := []byte("kept")
		out, err := tok.AppendDecode(dst, tc.ids)
		var e *IDError
		if !errors.As(err, &e) {
			t.Errorf("AppendDecode(%v): error %v, want an *IDError", tc.ids, err)
			continue
		}
		if e.Index != tc.index || e.ID != tc.ids[tc.index] || e.Size != 256000 {
			t.Errorf("AppendDecode(%v): %+v, want index %d", tc.ids, e, tc.index)
		}
		if string(out) != "kept" {
			t.Errorf("AppendDecode(%v) changed dst to %q", tc.ids, out)
		}
		if s, err := tok.Decode(tc.ids); s != "" || !errors.As(err, &e) {
			t.Errorf("Decode(%v) = %q, %v", tc.ids, s, err)
		}
	}
}

// TestLoadModelTypes loads the small model as each model type: every type
// has a model behind the seam, with the user-defined piece <sep> whole.
func TestLoadModelTypes(t *testing.T) {
	for _, tc := range []struct{ typ, want string }{
		{"BPE", "ab <sep> c ▁ xyz"},
		{"UNIGRAM", "a b <sep> c ▁ xyz"},
		{"CHAR", "a b <sep> c ▁ xyz"},
		{"WORD", "ab<sep>c▁xyz"}, // two unknown words, joined as one
	} {
		t.Run(tc.typ, func(t *testing.T) {
			m := testmodel.SmallModel(t)
			testmodel.SetField(t, m, tc.typ, "trainer_spec", "model_type")
			tok := loadModel(t, m)
			if got := strings.Join(tok.EncodePieces("ab<sep>c xyz"), " "); got != tc.want {
				t.Errorf("EncodePieces = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestNewNil checks that New of a nil vocabulary is an error, not a panic.
func TestNewNil(t *testing.T) {
	if tok, err := New(nil); err == nil || tok != nil {
		t.Errorf("New(nil) = %v, %v; want an error", tok, err)
	}
}
