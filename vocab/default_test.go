package vocab

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"
)

// TestIsBuiltin checks that each embedded model is recognized however it
// is loaded, and read from the embedded bytes, and that nothing else is.
func TestIsBuiltin(t *testing.T) {
	for _, b := range builtins {
		path := filepath.Join(t.TempDir(), "copy.model")
		if err := os.WriteFile(path, b.data, 0o644); err != nil {
			t.Fatal(err)
		}
		changed := bytes.Clone(b.data)
		i := bytes.Index(changed, []byte("<start_of_turn>"))
		changed[i+1] = 'S' // still a valid model, with another piece
		for _, tc := range []struct {
			name string
			load func() (*Vocab, error)
			want bool
		}{
			{"Builtin", func() (*Vocab, error) { return Builtin(b.name) }, true},
			{"Parse(BuiltinModel)", func() (*Vocab, error) { return Parse(BuiltinModel(b.name)) }, true},
			{"Parse of a copy", func() (*Vocab, error) { return Parse(bytes.Clone(b.data)) }, true},
			{"LoadFile of a copy", func() (*Vocab, error) { return LoadFile(path) }, true},
			{"a changed piece", func() (*Vocab, error) { return Parse(changed) }, false},
		} {
			v, err := tc.load()
			if err != nil {
				t.Fatalf("%s %s: %v", b.name, tc.name, err)
			}
			if got := v.Builtin() == b.name; got != tc.want {
				t.Errorf("%s %s: Builtin = %q", b.name, tc.name, v.Builtin())
			}
			if got := unsafe.StringData(v.data) == unsafe.SliceData(b.data); got != tc.want {
				t.Errorf("%s %s: reads the embedded bytes: %v", b.name, tc.name, got)
			}
			if got := v.IsDefault(); got != (tc.want && b.name == "gemma2") {
				t.Errorf("%s %s: IsDefault = %v", b.name, tc.name, got)
			}
		}
	}
}

// TestIndexes checks the generated files against a fresh generation, and
// that each built-in model reads its index's arrays in place and finds
// every piece as a parse of the model does.
func TestIndexes(t *testing.T) {
	files, err := indexFiles()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		if got, err := os.ReadFile(name); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale (%d bytes, a generation gives %d; %v): run go generate in vocab", name, len(got), len(want), err)
		}
	}
	for _, b := range builtins {
		t.Run(b.name, func(t *testing.T) {
			ix := indexes[b.name]
			if ix == "" {
				t.Fatal("no index")
			}
			v, err := Builtin(b.name)
			if err != nil {
				t.Fatal(err)
			}
			start := uintptr(unsafe.Pointer(unsafe.StringData(ix)))
			if p := uintptr(unsafe.Pointer(unsafe.SliceData(v.table))); p < start || p >= start+uintptr(len(ix)) {
				t.Error("the table is not the index's")
			}
			parsed, err := parseWith(string(b.data), nil)
			if err != nil {
				t.Fatal(err)
			}
			sameAsParsed(t, v, parsed)
		})
	}
}

// sameAsParsed checks that v, read with an index, and parsed, read without,
// are the same vocabulary.
func sameAsParsed(t *testing.T, v, parsed *Vocab) {
	t.Helper()
	if v.Size() != parsed.Size() || v.MaxPieceLen() != parsed.MaxPieceLen() || v.Trainer() != parsed.Trainer() ||
		v.Unk() != parsed.Unk() || v.BOS() != parsed.BOS() || v.EOS() != parsed.EOS() || v.Pad() != parsed.Pad() {
		t.Fatal("the built-in and a parse of the model differ")
	}
	for id := range int32(v.Size()) {
		p := v.Piece(id)
		if p != parsed.Piece(id) || v.Score(id) != parsed.Score(id) || v.Type(id) != parsed.Type(id) || v.Preferred(id) != parsed.Preferred(id) {
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
