package vocab

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"
)

// TestIsDefault checks that the embedded model is recognized however it is
// loaded, and that nothing else is.
func TestIsDefault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "copy.model")
	if err := os.WriteFile(path, DefaultModel(), 0o644); err != nil {
		t.Fatal(err)
	}
	changed := bytes.Clone(DefaultModel())
	i := bytes.Index(changed, []byte("<start_of_turn>"))
	changed[i+1] = 'S' // still a valid model, with another piece
	for _, tc := range []struct {
		name string
		load func() (*Vocab, error)
		want bool
	}{
		{"Default", Default, true},
		{"Parse(DefaultModel())", func() (*Vocab, error) { return Parse(DefaultModel()) }, true},
		{"Parse of a copy", func() (*Vocab, error) { return Parse(bytes.Clone(DefaultModel())) }, true},
		{"LoadFile of a copy", func() (*Vocab, error) { return LoadFile(path) }, true},
		{"a changed piece", func() (*Vocab, error) { return Parse(changed) }, false},
	} {
		v, err := tc.load()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := v.IsDefault(); got != tc.want {
			t.Errorf("%s: IsDefault = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestDefaultIndex checks gemma2.index against the index built from the
// model, and that Default reads its arrays in place and finds every piece
// as a parse of the model does.
func TestDefaultIndex(t *testing.T) {
	built, err := defaultIndex()
	if err != nil {
		t.Fatal(err)
	}
	if string(built) != gemma2Index {
		t.Fatalf("gemma2.index is stale (%d bytes, the model gives %d): run go generate in vocab", len(gemma2Index), len(built))
	}
	v, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	start := uintptr(unsafe.Pointer(unsafe.StringData(gemma2Index)))
	if p := uintptr(unsafe.Pointer(unsafe.SliceData(v.table))); p < start || p >= start+uintptr(len(gemma2Index)) {
		t.Error("Default's table is not the index's")
	}
	parsed, err := parseWith(string(gemma2Model), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Size() != parsed.Size() || v.MaxPieceLen() != parsed.MaxPieceLen() || v.Trainer() != parsed.Trainer() ||
		v.Unk() != parsed.Unk() || v.BOS() != parsed.BOS() || v.EOS() != parsed.EOS() || v.Pad() != parsed.Pad() {
		t.Fatal("Default and a parse of the model differ")
	}
	for id := range int32(v.Size()) {
		p := v.Piece(id)
		if p != parsed.Piece(id) || v.Score(id) != parsed.Score(id) || v.Type(id) != parsed.Type(id) {
			t.Fatalf("piece %d: %q %v %v, parsed %q %v %v", id, p, v.Score(id), v.Type(id), parsed.Piece(id), parsed.Score(id), parsed.Type(id))
		}
		if got, want := v.Lookup(p), parsed.Lookup(p); got != want {
			t.Fatalf("Lookup(%q) = %d, parsed %d", p, got, want)
		}
		if got, want := v.Lookup(p+"x"), parsed.Lookup(p+"x"); got != want {
			t.Fatalf("Lookup(%q) = %d, parsed %d", p+"x", got, want)
		}
	}
	if !slices.Equal(v.UserDefined(), parsed.UserDefined()) {
		t.Error("user-defined pieces differ")
	}
}
