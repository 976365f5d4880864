package vocab

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/gemmatok/gemmatok/vocab/internal/spmpb"
)

// smallModel returns a valid BPE model of a few pieces: the unknown piece,
// two control pieces and some normal ones.
func smallModel() *spmpb.ModelProto {
	m := &spmpb.ModelProto{TrainerSpec: &spmpb.TrainerSpec{ModelType: spmpb.TrainerSpec_BPE.Enum()}}
	addPiece(m, "<unk>", spmpb.ModelProto_SentencePiece_UNKNOWN)
	addPiece(m, "<s>", spmpb.ModelProto_SentencePiece_CONTROL)
	addPiece(m, "</s>", spmpb.ModelProto_SentencePiece_CONTROL)
	for _, p := range []string{"▁", "a", "b", "▁a", "ab"} {
		addPiece(m, p, spmpb.ModelProto_SentencePiece_NORMAL)
	}
	return m
}

func addPiece(m *spmpb.ModelProto, piece string, typ spmpb.ModelProto_SentencePiece_Type) {
	m.Pieces = append(m.Pieces, &spmpb.ModelProto_SentencePiece{
		Piece: proto.String(piece),
		Score: proto.Float32(-float32(len(m.Pieces))),
		Type:  typ.Enum(),
	})
}

// addBytePieces appends the byte pieces <0x00>...<0xFF>, leaving out skip.
func addBytePieces(m *spmpb.ModelProto, skip ...byte) {
	for b := 0; b < 256; b++ {
		if !slices.Contains(skip, byte(b)) {
			addPiece(m, fmt.Sprintf("<0x%02X>", b), spmpb.ModelProto_SentencePiece_BYTE)
		}
	}
}

// editedModel serializes smallModel after edit has changed it.
func editedModel(t *testing.T, edit func(m *spmpb.ModelProto)) []byte {
	t.Helper()
	m := smallModel()
	edit(m)
	data, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseSmallModel(t *testing.T) {
	data := editedModel(t, func(m *spmpb.ModelProto) {
		m.TrainerSpec.ByteFallback = proto.Bool(true)
		addBytePieces(m)
		// A normal piece may share its text with a control piece: they
		// live in different maps, and PieceToId prefers the control one.
		addPiece(m, "<s>", spmpb.ModelProto_SentencePiece_NORMAL)
	})
	v, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.Size(), 8+256+1; got != want {
		t.Errorf("Size = %d, want %d", got, want)
	}
	if v.Unk() != 0 || v.BOS() != 1 || v.EOS() != 2 || v.Pad() != -1 {
		t.Errorf("special ids unk %d bos %d eos %d pad %d, want 0 1 2 -1", v.Unk(), v.BOS(), v.EOS(), v.Pad())
	}
	if id, ok := v.ID("<s>"); id != 1 || !ok {
		t.Errorf(`ID("<s>") = %d, %v; want the control id 1`, id, ok)
	}
	if id := v.Lookup("<s>"); id != 8+256 {
		t.Errorf(`Lookup("<s>") = %d, want the normal piece %d`, id, 8+256)
	}
	if id := v.ByteID(0x41); v.Piece(id) != "<0x41>" || v.Type(id) != Byte {
		t.Errorf("ByteID(0x41) = %d (%q, %v)", id, v.Piece(id), v.Type(id))
	}
}

// TestParseErrors checks that models SentencePiece would reject give an
// error that names the problem.
func TestParseErrors(t *testing.T) {
	noise := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(noise)
	for _, tc := range []struct {
		name string
		data []byte
		want string // a substring of the error
	}{
		{"empty input", nil, "empty input"},
		{"random bytes", noise, "malformed"},
		{"text file", []byte("this is not a model\n"), "malformed"},
		{"no pieces", editedModel(t, func(m *spmpb.ModelProto) { m.Pieces = nil }), "no pieces"},
		{"no unknown piece", editedModel(t, func(m *spmpb.ModelProto) {
			m.Pieces = m.Pieces[1:]
		}), "no unknown piece"},
		{"two unknown pieces", editedModel(t, func(m *spmpb.ModelProto) {
			addPiece(m, "<unk2>", spmpb.ModelProto_SentencePiece_UNKNOWN)
		}), "unknown piece is defined twice"},
		{"empty piece", editedModel(t, func(m *spmpb.ModelProto) {
			addPiece(m, "", spmpb.ModelProto_SentencePiece_NORMAL)
		}), "piece 8 is empty"},
		{"piece without text", editedModel(t, func(m *spmpb.ModelProto) {
			m.Pieces[4].Piece = nil
		}), "piece 4 is empty"},
		{"duplicate normal piece", editedModel(t, func(m *spmpb.ModelProto) {
			addPiece(m, "ab", spmpb.ModelProto_SentencePiece_NORMAL)
		}), `"ab" (id 8) is already defined (id 7)`},
		{"duplicate across normal and user-defined", editedModel(t, func(m *spmpb.ModelProto) {
			addPiece(m, "▁a", spmpb.ModelProto_SentencePiece_USER_DEFINED)
		}), "already defined"},
		{"duplicate control piece", editedModel(t, func(m *spmpb.ModelProto) {
			addPiece(m, "<s>", spmpb.ModelProto_SentencePiece_CONTROL)
		}), `"<s>" (id 8) is already defined (id 1)`},
		{"byte fallback without byte pieces", editedModel(t, func(m *spmpb.ModelProto) {
			m.TrainerSpec.ByteFallback = proto.Bool(true)
		}), "byte piece <0x00> is missing"},
		{"byte fallback with a byte piece missing", editedModel(t, func(m *spmpb.ModelProto) {
			m.TrainerSpec.ByteFallback = proto.Bool(true)
			addBytePieces(m, 0x7F)
		}), "byte piece <0x7F> is missing"},
		{"byte piece without byte fallback", editedModel(t, func(m *spmpb.ModelProto) {
			addBytePieces(m)
		}), "byte piece \"<0x00>\" (id 8) found although byte_fallback is false"},
		{"invalid byte piece", editedModel(t, func(m *spmpb.ModelProto) {
			m.TrainerSpec.ByteFallback = proto.Bool(true)
			addPiece(m, "<0xab>", spmpb.ModelProto_SentencePiece_BYTE)
		}), `byte piece "<0xab>" (id 8) is invalid`},
		// A trainer spec holding an unterminated varint.
		{"malformed trainer spec", appendField(editedModel(t, func(*spmpb.ModelProto) {}), 2, []byte{0xFF}),
			"trainer_spec"},
		// A piece whose text claims 5 bytes and has none.
		{"malformed piece", appendField(editedModel(t, func(*spmpb.ModelProto) {}), 1, []byte{0x0A, 0x05}),
			"malformed model proto at byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Parse(tc.data)
			if err == nil {
				t.Fatalf("Parse succeeded (%d pieces), want an error containing %q", v.Size(), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// appendField appends a length-delimited field to a serialized proto.
func appendField(data []byte, num protowire.Number, val []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(data, num, protowire.BytesType), val)
}

// fieldEnds returns the offsets at which the top-level fields of a
// well-formed proto end: the lengths at which a prefix is itself a
// well-formed proto.
func fieldEnds(t *testing.T, data []byte) map[int]bool {
	t.Helper()
	ends := map[int]bool{0: true}
	for off := 0; off < len(data); {
		_, typ, n := protowire.ConsumeTag(data[off:])
		if n < 0 {
			t.Fatal(protowire.ParseError(n))
		}
		m := protowire.ConsumeFieldValue(0, typ, data[off+n:])
		if m < 0 {
			t.Fatal(protowire.ParseError(m))
		}
		off += n + m
		ends[off] = true
	}
	return ends
}

// truncationPoints returns the lengths at which tests cut a model of size
// n: every length up to head, count lengths spread over the rest, and the
// last tail lengths.
func truncationPoints(n, head, count, tail int) []int {
	var pts []int
	for i := 0; i <= head && i < n; i++ {
		pts = append(pts, i)
	}
	for k := 1; k <= count; k++ {
		pts = append(pts, head+k*(n-head-tail)/(count+1))
	}
	for i := max(n-tail, head+1); i < n; i++ {
		pts = append(pts, i)
	}
	return pts
}

// TestParseTruncated cuts the Gemma model at many lengths. A cut inside a
// field must be reported as malformed, with the offset of the broken field;
// a cut between fields leaves a well-formed proto whose problems, if any,
// are semantic.
func TestParseTruncated(t *testing.T) {
	data := DefaultModel()
	ends := fieldEnds(t, data)
	for _, n := range truncationPoints(len(data), 4096, 48, 64) {
		_, err := Parse(data[:n])
		switch {
		case n == 0:
			if err == nil || !strings.Contains(err.Error(), "empty input") {
				t.Errorf("Parse of an empty model: error %v", err)
			}
		case ends[n]:
			if errors.Is(err, ErrMalformed) {
				t.Errorf("cut at %d (between fields): %v, want no malformed error", n, err)
			}
		case err == nil:
			t.Errorf("cut at %d: no error", n)
		case !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "at byte "):
			t.Errorf("cut at %d: error %q does not report a malformed proto and where", n, err)
		}
	}
}

func TestLoad(t *testing.T) {
	data := editedModel(t, func(*spmpb.ModelProto) {})
	v, err := Load(strings.NewReader(string(data)))
	if err != nil || v.Size() != 8 {
		t.Fatalf("Load: %v", err)
	}
	if _, err := Load(strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "empty input") {
		t.Errorf("Load of nothing: error %v, want one about empty input", err)
	}
	if _, err := LoadFile("testdata/no-such.model"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFile of a missing file: error %v", err)
	}
}
