package tokenizer

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/gemmatok/gemmatok/vocab"
)

// Tests build and edit model protos with the generated ModelProto types.
// Those live in vocab/internal/spmpb, which this package may not import;
// package vocab links them in, and they register themselves, so the tests
// reach them through the registry and edit fields by name.

// newModelProto returns an empty ModelProto message.
func newModelProto(t testing.TB) protoreflect.Message {
	t.Helper()
	mt, err := protoregistry.GlobalTypes.FindMessageByName("gemmatok.sentencepiece.ModelProto")
	if err != nil {
		t.Fatal(err)
	}
	return mt.New()
}

// parseModelProto decodes a serialized ModelProto.
func parseModelProto(t testing.TB, data []byte) protoreflect.Message {
	t.Helper()
	m := newModelProto(t)
	if err := proto.Unmarshal(data, m.Interface()); err != nil {
		t.Fatal(err)
	}
	return m
}

// marshalModel serializes a ModelProto message.
func marshalModel(t testing.TB, m protoreflect.Message) []byte {
	t.Helper()
	data, err := proto.Marshal(m.Interface())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// loadModel builds a Tokenizer from a ModelProto message.
func loadModel(t testing.TB, m protoreflect.Message) *Tokenizer {
	t.Helper()
	tok, err := Load(bytes.NewReader(marshalModel(t, m)))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func fieldByName(t testing.TB, m protoreflect.Message, name string) protoreflect.FieldDescriptor {
	t.Helper()
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		t.Fatalf("%s has no field %s", m.Descriptor().FullName(), name)
	}
	return fd
}

// setField sets field name of m, or of the message field path[0] of m and
// so on down path, to v: a bool, string, float32 or []byte, or for an enum
// field the name of its value.
func setField(t testing.TB, m protoreflect.Message, v any, path ...string) {
	t.Helper()
	for _, name := range path[:len(path)-1] {
		m = m.Mutable(fieldByName(t, m, name)).Message()
	}
	fd := fieldByName(t, m, path[len(path)-1])
	if name, ok := v.(string); ok && fd.Enum() != nil {
		ev := fd.Enum().Values().ByName(protoreflect.Name(name))
		if ev == nil {
			t.Fatalf("%s has no value %s", fd.Enum().FullName(), name)
		}
		v = ev.Number()
	}
	m.Set(fd, protoreflect.ValueOf(v))
}

// pieceList returns the pieces of a ModelProto message, for editing.
func pieceList(t testing.TB, m protoreflect.Message) protoreflect.List {
	t.Helper()
	return m.Mutable(fieldByName(t, m, "pieces")).List()
}

// pieceText returns the text of one piece of a pieceList.
func pieceText(t testing.TB, p protoreflect.Message) string {
	t.Helper()
	return p.Get(fieldByName(t, p, "piece")).String()
}

// pieceType returns the type of one piece of a pieceList.
func pieceType(t testing.TB, p protoreflect.Message) vocab.Type {
	t.Helper()
	return vocab.Type(p.Get(fieldByName(t, p, "type")).Enum())
}

// appendPiece appends a piece of the given type (an enum value name such as
// "NORMAL") to a ModelProto message.
func appendPiece(t testing.TB, m protoreflect.Message, piece string, score float32, typ string) {
	t.Helper()
	l := pieceList(t, m)
	p := l.NewElement()
	setField(t, p.Message(), piece, "piece")
	setField(t, p.Message(), score, "score")
	setField(t, p.Message(), typ, "type")
	l.Append(p)
}

// keepPieces removes the pieces for which keep is false.
func keepPieces(t testing.TB, m protoreflect.Message, keep func(p protoreflect.Message) bool) {
	t.Helper()
	l := pieceList(t, m)
	n := 0
	for i := 0; i < l.Len(); i++ {
		if keep(l.Get(i).Message()) {
			l.Set(n, l.Get(i))
			n++
		}
	}
	l.Truncate(n)
}

// gemmaProto returns the embedded Gemma model as a message to edit.
func gemmaProto(t testing.TB) protoreflect.Message {
	t.Helper()
	return parseModelProto(t, vocab.DefaultModel())
}
