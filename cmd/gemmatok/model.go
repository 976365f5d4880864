package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gemmatok/gemmatok/tokenizer"
	"github.com/gemmatok/gemmatok/vocab"
)

// isJSONModel reports whether path names a Hugging Face tokenizer.json.
func isJSONModel(path string) bool { return strings.HasSuffix(strings.ToLower(path), ".json") }

// isBuiltin reports whether --model names a built-in model (gemma2,
// gemma3) rather than a file.
func isBuiltin(name string) bool { return slices.Contains(vocab.Builtins(), name) }

// loadModel loads the model --model names: a built-in one, a
// tokenizer.json, or a SentencePiece .model.
func loadModel(path string) (*tokenizer.Tokenizer, error) {
	switch {
	case isBuiltin(path):
		return tokenizer.Builtin(path)
	case isJSONModel(path):
		v, err := vocab.LoadJSONFile(path)
		if err != nil {
			return nil, err
		}
		tok, err := tokenizer.New(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return tok, nil
	}
	return tokenizer.LoadFile(path)
}

// pathError returns err, a failure to read the model at path, naming path
// once, as the messages of a failed input do: without the operation that
// an *fs.PathError adds, and, when there is no such file and path looks
// like a name rather than a file's path, with the names of the built-in
// models, one of which a mistyped name meant.
func pathError(path string, err error) error {
	if _, ok := err.(*fs.PathError); !ok {
		return err
	}
	err = cause(err)
	if errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(path, "./"+string(filepath.Separator)) {
		return fmt.Errorf("%s: %w, nor a built-in model (%s)", path, err, strings.Join(vocab.Builtins(), ", "))
	}
	return fmt.Errorf("%s: %w", path, err)
}

// modelBytes returns the bytes of the model --model names ("" for the
// default), as info hashes them.
func modelBytes(path string) ([]byte, error) {
	switch path {
	case "", "gemma2":
		return vocab.DefaultModel(), nil
	case "gemma3":
		return vocab.Gemma3Model(), nil
	}
	return os.ReadFile(path)
}
