package vocab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/gemmatok/gemmatok/vocab/internal/spmpb"
)

// TestParseEqualsProto checks that Parse, which reads the pieces and the
// settings straight off the wire, reads every test model and the
// built-in models (without their indexes too) as proto.Unmarshal and the
// generated types read them.
func TestParseEqualsProto(t *testing.T) {
	paths, err := filepath.Glob("../testdata/models/*.model")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test models: %v", err)
	}
	models := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		models[filepath.Base(p)] = data
	}
	for _, b := range builtins {
		models[b.name] = b.data
	}
	for name, data := range models {
		var m spmpb.ModelProto
		if err := proto.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v, err := Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkPieces(t, name, v, &m)
		checkSettings(t, name, data)
		// The built-in models are read with their indexes; read without,
		// they exercise readPieces over a quarter of a million pieces.
		if v.Builtin() != "" {
			w, err := parseWith(string(data), nil)
			if err != nil {
				t.Fatalf("%s without its index: %v", name, err)
			}
			checkPieces(t, name+" without its index", w, &m)
		}
	}
}

// checkPieces checks v's pieces against m's, and that each is found by
// its text. A type outside the enum is not compared: proto.Unmarshal
// keeps it, where proto2, the C++ and parse keep the field as it was.
func checkPieces(t *testing.T, name string, v *Vocab, m *spmpb.ModelProto) {
	t.Helper()
	if v.Size() != len(m.GetPieces()) {
		t.Fatalf("%s: %d pieces, proto.Unmarshal finds %d", name, v.Size(), len(m.GetPieces()))
	}
	maxLen := 0
	for i, p := range m.GetPieces() {
		id := int32(i)
		typ, known := Type(p.GetType()), p.GetType() >= 1 && p.GetType() <= 6
		if got, want := v.Piece(id), p.GetPiece(); got != want || v.Score(id) != p.GetScore() || known && v.Type(id) != typ {
			t.Fatalf("%s: piece %d is %q %g %v, proto.Unmarshal finds %q %g %v", name, id,
				got, v.Score(id), v.Type(id), want, p.GetScore(), typ)
		}
		maxLen = max(maxLen, len(p.GetPiece()))
		if id, ok := v.ID(p.GetPiece()); !ok || v.Piece(id) != p.GetPiece() {
			t.Fatalf("%s: ID(%q) = %d, %v", name, p.GetPiece(), id, ok)
		}
	}
	if v.MaxPieceLen() != maxLen {
		t.Errorf("%s: MaxPieceLen = %d, want %d", name, v.MaxPieceLen(), maxLen)
	}
}

// checkSettings checks that readSettingsWire reads the settings of a
// model proto as readSettingsProto does, or leaves them to it where it
// fails.
func checkSettings(t *testing.T, name string, data []byte) {
	t.Helper()
	var s [4][]byte // trainer, normalizer, self-test, denormalizer: fields 2 to 5
	hasDenorm := false
	for b := data; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return // malformed: not a proto whose settings parse reads
		}
		b = b[n:]
		if typ == protowire.BytesType && num >= 2 && num <= 5 {
			val, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return
			}
			s[num-2] = append(s[num-2], val...)
			hasDenorm = hasDenorm || num == 5
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return
		}
		b = b[m:]
	}
	var wire, slow Vocab
	ok := wire.readSettingsWire(s[0], s[1], s[3], s[2], hasDenorm)
	err := slow.readSettingsProto(s[0], s[1], s[3], s[2], hasDenorm)
	switch {
	case err != nil && ok:
		t.Errorf("%s: readSettingsWire read settings that proto.Unmarshal rejects: %v", name, err)
	case err == nil && !ok:
		// Allowed (readSettings then reads them with the generated types),
		// but no test model should need it.
		t.Errorf("%s: readSettingsWire fails on settings that proto.Unmarshal reads", name)
	case ok && (!reflect.DeepEqual(wire.trainer, slow.trainer) || !reflect.DeepEqual(wire.normalizer, slow.normalizer) ||
		!reflect.DeepEqual(wire.denormalizer, slow.denormalizer) || !reflect.DeepEqual(wire.selfTests, slow.selfTests)):
		t.Errorf("%s: off the wire %+v %+v %+v %q,\nwith the generated types %+v %+v %+v %q", name,
			wire.trainer, wire.normalizer, wire.denormalizer, wire.selfTests,
			slow.trainer, slow.normalizer, slow.denormalizer, slow.selfTests)
	}
}

// FuzzParseProto parses arbitrary bytes both ways: where proto.Unmarshal
// reads them, Parse must read the same pieces (or reject the vocabulary
// for what it is, never as a malformed proto), and readSettingsWire must
// read the settings as the generated types do.
func FuzzParseProto(f *testing.F) {
	m := smallModel()
	m.NormalizerSpec = &spmpb.NormalizerSpec{Name: proto.String("x"), PrecompiledCharsmap: []byte{}, AddDummyPrefix: proto.Bool(false)}
	m.DenormalizerSpec = &spmpb.NormalizerSpec{PrecompiledCharsmap: []byte{1, 2, 3}}
	m.TrainerSpec.UnkSurface = proto.String("")
	m.TrainerSpec.BosPiece = proto.String("")
	m.SelfTestData = &spmpb.SelfTestData{Samples: []*spmpb.SelfTestData_Sample{{Input: proto.String("a")}, {Expected: proto.String("b")}}}
	data, err := proto.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	// A piece of a two-byte length, one without a score, one with an
	// unknown field, a type outside the enum, settings between pieces.
	addPiece(m, strings.Repeat("x", 200), spmpb.ModelProto_SentencePiece_NORMAL)
	m.Pieces = append(m.Pieces, &spmpb.ModelProto_SentencePiece{Piece: proto.String("y")})
	data, err = proto.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}
	data = appendField(data, 2, protowire.AppendVarint(protowire.AppendTag(nil, 35, protowire.VarintType), 1))
	data = appendField(data, 1, append([]byte{0x0A, 1, 'z', 0x15, 0, 0, 0, 0, 0x18, 9}, 0xF8, 1, 0))
	data = appendField(data, 1, []byte{0x0A, 1, 'w', 0x15, 0, 0, 0, 0, 0x18, 0x80, 0})
	f.Add(data)
	f.Add(DefaultModel()[:4096])
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSettings(t, fmt.Sprintf("%q", data), data)
		var m spmpb.ModelProto
		if proto.Unmarshal(data, &m) != nil {
			return
		}
		v, err := Parse(data)
		if errors.Is(err, ErrMalformed) && len(data) > 0 && !strings.Contains(err.Error(), "no pieces") {
			t.Fatalf("Parse: %v, but proto.Unmarshal reads the proto", err)
		}
		if err == nil {
			checkPieces(t, "fuzz", v, &m)
		}
	})
}

// TestReadPiecesWhole checks that readPieces, parse's fast path, reads
// every piece of a model laid out as spm_train writes it, where a piece it
// passed over would fall to parse's slower loop unnoticed.
func TestReadPiecesWhole(t *testing.T) {
	data, err := os.ReadFile("../testdata/models/unigram8k_nmt_nfkc.model")
	if err != nil {
		t.Fatal(err)
	}
	n := countPieces(data)
	v := &Vocab{starts: make([]uint32, 0, n), lens: make([]uint16, 0, n), scores: make([]float32, 0, n), types: make([]Type, 0, n)}
	off := v.readPieces(string(data), 0)
	if num, _, _ := protowire.ConsumeTag(data[off:]); v.Size() != n || num == 1 {
		t.Errorf("readPieces read %d of %d pieces, stopping at field %d", v.Size(), n, num)
	}
}
