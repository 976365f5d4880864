package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/vocab"
)

// TestConvert converts Gemma 2 to tokenizer.json and back: every piece,
// score and type comes back, and both files encode alike.
func TestConvert(t *testing.T) {
	dir := t.TempDir()
	js, model := filepath.Join(dir, "tokenizer.json"), filepath.Join(dir, "back.model")
	if out := mustRun(t, "", "convert", "gemma2", js); out != js+": BPE, 256000 pieces, 13715212 bytes\n" {
		t.Errorf("convert says %q", out)
	}
	mustRun(t, "", "convert", js, model)
	v, err := vocab.Default()
	if err != nil {
		t.Fatal(err)
	}
	back, err := vocab.LoadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	if back.Size() != v.Size() {
		t.Fatalf("%d pieces, want %d", back.Size(), v.Size())
	}
	for id := range int32(v.Size()) {
		if back.Piece(id) != v.Piece(id) || back.Score(id) != v.Score(id) || back.Type(id) != v.Type(id) {
			t.Fatalf("id %d: %q %v %v, want %q %v %v", id, back.Piece(id), back.Score(id), back.Type(id), v.Piece(id), v.Score(id), v.Type(id))
		}
	}
	text := "Converting  models\tboth ways: <start_of_turn> ✓\n"
	base := mustRun(t, text, "encode")
	for _, m := range []string{js, model} {
		if got := mustRun(t, text, "encode", "--model", m); got != base {
			t.Errorf("encode --model %s: %q, want %q", m, got, base)
		}
	}
	if info := mustRun(t, "", "info", "--model", js); !strings.Contains(info, "vocab size    256000") {
		t.Errorf("info --model %s: %q", js, info)
	}
}

func TestConvertErrors(t *testing.T) {
	dir := t.TempDir()
	wp := filepath.Join(dir, "wp.json")
	if err := os.WriteFile(wp, []byte(`{"model":{"type":"WordPiece","vocab":{"a":0}}}`), 0o666); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"convert", "gemma2", filepath.Join(dir, "x.txt")}, 2, "must end in .json or .model"},
		{[]string{"convert", wp, filepath.Join(dir, "x.model")}, 1, "WordPiece"},
		{[]string{"convert", filepath.Join(dir, "none.model"), filepath.Join(dir, "x.json")}, 1, "none.model"},
		{[]string{"convert", "gemma2"}, 2, "accepts 2 arg"},
		{[]string{"convert", "--model", "gemma3", "gemma2", filepath.Join(dir, "x.model")}, 2, "--model does not apply"},
		// A tokenizer.json has no char or word model; the message names the input.
		{[]string{"convert", "../../testdata/models/word.model", filepath.Join(dir, "w.json")}, 1, "gemmatok: ../../testdata/models/word.model: vocab: tokenizer.json has no word model"},
		{[]string{"convert", "../../testdata/models/char.model", filepath.Join(dir, "c.json")}, 1, "gemmatok: ../../testdata/models/char.model: vocab: tokenizer.json has no char model"},
	} {
		if r := gemmatok(t, "", tc.args...); r.code != tc.code || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%q: exit %d, stderr %q; want %d saying %q", tc.args, r.code, r.stderr, tc.code, tc.says)
		}
	}
}

// TestModelGemma3 counts with the built-in Gemma 3.
func TestModelGemma3(t *testing.T) {
	if got := mustRun(t, "Hello world", "encode", "--model", "gemma3"); strings.TrimSpace(got) != "9259 1902" {
		t.Errorf("encode --model gemma3: %q", got)
	}
}
