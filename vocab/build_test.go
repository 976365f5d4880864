package vocab_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/vocab"
)

// entries returns the pieces of v as Build takes them.
func entries(v *vocab.Vocab) []vocab.Entry {
	es := make([]vocab.Entry, v.Size())
	for i := range es {
		id := int32(i)
		es[i] = vocab.Entry{Piece: v.Piece(id), Score: v.Score(id), Type: v.Type(id)}
	}
	return es
}

// sameVocab fails t unless a and b have the same pieces, scores, types,
// special ids and settings. After a trip through tokenizer.json (viaJSON)
// it leaves out what that file has no place for: the normalizer's name,
// the denormalizer, the self-tests, and split_digits and
// allow_whitespace_only_pieces, which BPE encoding does not read (only
// SplitIntoWords, for the other models, does).
func sameVocab(t *testing.T, a, b *vocab.Vocab, viaJSON bool) {
	t.Helper()
	if a.Size() != b.Size() {
		t.Fatalf("sizes %d and %d", a.Size(), b.Size())
	}
	bad := 0
	for i := 0; i < a.Size() && bad < 5; i++ {
		id := int32(i)
		if a.Piece(id) != b.Piece(id) || a.Score(id) != b.Score(id) || a.Type(id) != b.Type(id) {
			t.Errorf("id %d: %q %v %v, then %q %v %v", id, a.Piece(id), a.Score(id), a.Type(id), b.Piece(id), b.Score(id), b.Type(id))
			bad++
		}
	}
	ta, tb := a.Trainer(), b.Trainer()
	na, nb := a.Normalizer(), b.Normalizer()
	if viaJSON {
		ta.SplitDigits, ta.AllowWhitespaceOnlyPieces = tb.SplitDigits, tb.AllowWhitespaceOnlyPieces
		na.Name = nb.Name
	} else if !reflect.DeepEqual(a.Denormalizer(), b.Denormalizer()) || !reflect.DeepEqual(a.SelfTests(), b.SelfTests()) {
		t.Errorf("denormalizer or self-tests differ")
	}
	if ta != tb {
		t.Errorf("trainer %+v, then %+v", ta, tb)
	}
	if !bytes.Equal(na.PrecompiledCharsMap, nb.PrecompiledCharsMap) {
		t.Errorf("charsmaps differ")
	}
	na.PrecompiledCharsMap, nb.PrecompiledCharsMap = nil, nil
	if !reflect.DeepEqual(na, nb) {
		t.Errorf("normalizer %+v, then %+v", na, nb)
	}
	if a.Unk() != b.Unk() || a.BOS() != b.BOS() || a.EOS() != b.EOS() || a.Pad() != b.Pad() ||
		!reflect.DeepEqual(a.UserDefined(), b.UserDefined()) {
		t.Errorf("special ids differ")
	}
}

func TestModelRoundTrip(t *testing.T) {
	v, err := vocab.Default()
	if err != nil {
		t.Fatal(err)
	}
	data, err := v.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	w, err := vocab.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	sameVocab(t, v, w, false)
	again, err := w.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("writing the model read back gives other bytes")
	}
}

func TestBuild(t *testing.T) {
	v, err := vocab.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := vocab.Build(entries(v), v.Trainer(), v.Normalizer())
	if err != nil {
		t.Fatal(err)
	}
	sameVocab(t, v, b, false)
	for _, p := range []string{"▁hello", "<start_of_turn>", "<bos>", "<0x41>", "no such piece"} {
		id1, ok1 := v.ID(p)
		id2, ok2 := b.ID(p)
		if id1 != id2 || ok1 != ok2 {
			t.Errorf("ID(%q) = %d %v, built %d %v", p, id1, ok1, id2, ok2)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	unk := vocab.Entry{Piece: "<unk>", Type: vocab.Unknown}
	for _, tc := range []struct {
		name    string
		pieces  []vocab.Entry
		trainer vocab.TrainerSpec
		want    string
	}{
		{"empty", nil, vocab.TrainerSpec{}, "no pieces"},
		{"no unk", []vocab.Entry{{Piece: "a"}}, vocab.TrainerSpec{}, "no unknown piece"},
		{"two unk", []vocab.Entry{unk, {Piece: "<u>", Type: vocab.Unknown}}, vocab.TrainerSpec{}, "defined twice"},
		{"duplicate", []vocab.Entry{unk, {Piece: "a"}, {Piece: "a"}}, vocab.TrainerSpec{}, "already defined"},
		{"empty piece", []vocab.Entry{unk, {}}, vocab.TrainerSpec{}, "empty"},
		{"bad type", []vocab.Entry{unk, {Piece: "a", Type: 9}}, vocab.TrainerSpec{}, "invalid type"},
		{"byte without fallback", []vocab.Entry{unk, {Piece: "<0x41>", Type: vocab.Byte}}, vocab.TrainerSpec{}, "byte_fallback is false"},
		{"missing bytes", []vocab.Entry{unk, {Piece: "<0x41>", Type: vocab.Byte}}, vocab.TrainerSpec{ByteFallback: true}, "is missing"},
	} {
		_, err := vocab.Build(tc.pieces, tc.trainer, vocab.NormalizerSpec{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}
