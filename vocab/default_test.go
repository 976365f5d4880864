package vocab

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
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
