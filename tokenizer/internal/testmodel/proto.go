// Package testmodel builds the models and texts that the tests of the
// tokenizer and of its model packages share: edited copies of the Gemma
// model, a small model, and the test corpus.
package testmodel

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/gemmatok/gemmatok/vocab"
)

// Tests build and edit model protos with the generated ModelProto types.
// Those live in vocab/internal/spmpb, which the tests may not import;
// package vocab links them in, and they register themselves, so the tests
// reach them through the registry and edit fields by name.

// NewProto returns an empty ModelProto message.
func NewProto(t testing.TB) protoreflect.Message {
	t.Helper()
	mt, err := protoregistry.GlobalTypes.FindMessageByName("gemmatok.sentencepiece.ModelProto")
	if err != nil {
		t.Fatal(err)
	}
	return mt.New()
}

// ParseProto decodes a serialized ModelProto.
func ParseProto(t testing.TB, data []byte) protoreflect.Message {
	t.Helper()
	m := NewProto(t)
	if err := proto.Unmarshal(data, m.Interface()); err != nil {
		t.Fatal(err)
	}
	return m
}

// Marshal serializes a ModelProto message.
func Marshal(t testing.TB, m protoreflect.Message) []byte {
	t.Helper()
	data, err := proto.Marshal(m.Interface())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FieldByName returns the field name of m.
func FieldByName(t testing.TB, m protoreflect.Message, name string) protoreflect.FieldDescriptor {
	t.Helper()
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		t.Fatalf("%s has no field %s", m.Descriptor().FullName(), name)
	}
	return fd
}

// SetField sets field name of m, or of the message field path[0] of m and
// so on down path, to v: a bool, string, float32 or []byte, or for an enum
// field the name of its value.
func SetField(t testing.TB, m protoreflect.Message, v any, path ...string) {
	t.Helper()
	for _, name := range path[:len(path)-1] {
		m = m.Mutable(FieldByName(t, m, name)).Message()
	}
	fd := FieldByName(t, m, path[len(path)-1])
	if name, ok := v.(string); ok && fd.Enum() != nil {
		ev := fd.Enum().Values().ByName(protoreflect.Name(name))
		if ev == nil {
			t.Fatalf("%s has no value %s", fd.Enum().FullName(), name)
		}
		v = ev.Number()
	}
	m.Set(fd, protoreflect.ValueOf(v))
}

// PieceList returns the pieces of a ModelProto message, for editing.
func PieceList(t testing.TB, m protoreflect.Message) protoreflect.List {
	t.Helper()
	return m.Mutable(FieldByName(t, m, "pieces")).List()
}

// PieceText returns the text of one piece of a PieceList.
func PieceText(t testing.TB, p protoreflect.Message) string {
	t.Helper()
	return p.Get(FieldByName(t, p, "piece")).String()
}

// PieceType returns the type of one piece of a PieceList.
func PieceType(t testing.TB, p protoreflect.Message) vocab.Type {
	t.Helper()
	return vocab.Type(p.Get(FieldByName(t, p, "type")).Enum())
}

// AppendPiece appends a piece of the given type (an enum value name such as
// "NORMAL") to a ModelProto message.
func AppendPiece(t testing.TB, m protoreflect.Message, piece string, score float32, typ string) {
	t.Helper()
	l := PieceList(t, m)
	p := l.NewElement()
	SetField(t, p.Message(), piece, "piece")
	SetField(t, p.Message(), score, "score")
	SetField(t, p.Message(), typ, "type")
	l.Append(p)
}

// KeepPieces removes the pieces for which keep is false.
func KeepPieces(t testing.TB, m protoreflect.Message, keep func(p protoreflect.Message) bool) {
	t.Helper()
	l := PieceList(t, m)
	n := 0
	for i := 0; i < l.Len(); i++ {
		if keep(l.Get(i).Message()) {
			l.Set(n, l.Get(i))
			n++
		}
	}
	l.Truncate(n)
}

// GemmaProto returns the embedded Gemma model as a message to edit.
func GemmaProto(t testing.TB) protoreflect.Message {
	t.Helper()
	return ParseProto(t, vocab.DefaultModel())
}

// SmallModel returns a small valid BPE model with the identity normalizer:
// the unknown and two control pieces, a user-defined piece and a few normal
// pieces, scored by id.
func SmallModel(t testing.TB) protoreflect.Message {
	t.Helper()
	m := NewProto(t)
	SetField(t, m, "BPE", "trainer_spec", "model_type")
	SetField(t, m, "identity", "normalizer_spec", "name")
	SetField(t, m, false, "normalizer_spec", "add_dummy_prefix")
	SetField(t, m, false, "normalizer_spec", "remove_extra_whitespaces")
	AppendPiece(t, m, "<unk>", 0, "UNKNOWN")
	AppendPiece(t, m, "<s>", 0, "CONTROL")
	AppendPiece(t, m, "</s>", 0, "CONTROL")
	AppendPiece(t, m, "<sep>", 0, "USER_DEFINED")
	for i, p := range []string{"▁", "a", "b", "c", "▁a", "ab", "abc", "▁ab"} {
		AppendPiece(t, m, p, -float32(i), "NORMAL")
	}
	return m
}

// AddSelfTest adds a self-test sample to a model.
func AddSelfTest(t testing.TB, m protoreflect.Message, input, expected string) {
	t.Helper()
	st := m.Mutable(FieldByName(t, m, "self_test_data")).Message()
	l := st.Mutable(FieldByName(t, st, "samples")).List()
	s := l.NewElement()
	SetField(t, s.Message(), input, "input")
	SetField(t, s.Message(), expected, "expected")
	l.Append(s)
}
