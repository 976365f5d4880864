package vocab_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/internal/hforacle"
	"github.com/gemmatok/gemmatok/tokenizer"
	"github.com/gemmatok/gemmatok/vocab"
)

// These tests run Hugging Face tokenizers (internal/hforacle) on files
// that ParseJSON reads or TokenizerJSON writes. They skip when Node or the
// package is missing, unless GEMMATOK_REQUIRE_ORACLE=1, when they fail.

// hfWith returns the oracle with js loaded, or skips (or fails) t.
func hfWith(t *testing.T, js []byte) *hforacle.Oracle {
	t.Helper()
	o := hforacle.Shared(t, "..")
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(path, js, 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Load(path); err != nil {
		t.Fatal(err)
	}
	return o
}

// hfTexts are texts around the places where the prepend schemes differ:
// the text's start, spaces and "▁" there, and added tokens.
var hfTexts = []string{
	"", "a", "Hello world", " Hello", "  two spaces", "▁written", "tab\tthen", "end ",
	"<t>", "<t>Hello", "<t> Hello", " <t>Hello", "Hello<t>world", "Hello <t> world",
	"Hello<t>", "<t><t>x", "<s>Hello</s>", "x<s>y", "<unk>", "a<t>▁b", "日本語<t>テキスト",
}

// hfCorpus are corpus files whose lines the tests encode too.
var hfCorpus = []string{"en.txt", "code.txt", "ja.txt", "adversarial/special_token_strings.txt", "adversarial/whitespace_mix_crlf.txt"}

// TestHFMetaspace reads Llama-like BPE (bpe_llama.model written as
// tokenizer.json) with a Metaspace pre-tokenizer of each prepend_scheme,
// split or not, and an added token <t>, and compares Hugging Face with
// hfMetaspace on the Tokenizer ParseJSON gives.
func TestHFMetaspace(t *testing.T) {
	base, err := vocab.LoadFile("../testdata/models/bpe_llama.model")
	if err != nil {
		t.Fatal(err)
	}
	js, err := base.TokenizerJSON()
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(js, &f); err != nil {
		t.Fatal(err)
	}
	model := f["model"].(map[string]any)
	id := len(model["vocab"].(map[string]any))
	model["vocab"].(map[string]any)["<t>"] = id
	f["added_tokens"] = append(f["added_tokens"].([]any), map[string]any{
		"id": id, "content": "<t>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": false})
	f["normalizer"] = nil
	for _, scheme := range []string{"always", "first", "never"} {
		for _, split := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s,split=%v", scheme, split), func(t *testing.T) {
				f["pre_tokenizer"] = map[string]any{"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme, "split": split}
				js, err := json.Marshal(f)
				if err != nil {
					t.Fatal(err)
				}
				v, err := vocab.ParseJSON(js)
				if err != nil {
					t.Fatal(err)
				}
				if v.Normalizer().AddDummyPrefix != (scheme != "never") {
					t.Errorf("AddDummyPrefix = %v", v.Normalizer().AddDummyPrefix)
				}
				tok, err := tokenizer.New(v)
				if err != nil {
					t.Fatal(err)
				}
				compareHFLines(t, hfWith(t, js), func(s string) []int32 { return hfMetaspace(tok, scheme, s) })
			})
		}
	}
}

// hfMetaspace encodes text as Hugging Face does a tokenizer.json with a
// Metaspace pre-tokenizer of scheme and added tokens that are not
// normalized: it cuts every added token (control, unknown or user-defined
// piece) out of the raw text and encodes each stretch between them apart,
// with a dummy prefix only where Metaspace puts a "▁": under "always" at
// every stretch, under "first" at the text's start, and never before a
// space or a "▁". The Tokenizer, as the C++, puts it at the text's start
// whatever follows, and matches user-defined pieces after normalizing;
// the difference is the procedure, not the model.
func hfMetaspace(tok *tokenizer.Tokenizer, scheme, text string) []int32 {
	return hfCut(tok, func(t vocab.Type) bool { return t == vocab.Control || t == vocab.Unknown || t == vocab.UserDefined }, scheme, text)
}

// hfCut is hfMetaspace cutting out of the raw text the pieces of the types
// cut says, the others being normalized added tokens or not added tokens.
func hfCut(tok *tokenizer.Tokenizer, cut func(vocab.Type) bool, scheme, text string) []int32 {
	v := tok.Vocab()
	var added []string
	for id := range int32(v.Size()) {
		if cut(v.Type(id)) {
			added = append(added, v.Piece(id))
		}
	}
	var ids []int32
	stretch := func(from, to int) {
		s := text[from:to]
		if s == "" {
			return
		}
		prefix := (scheme == "always" || scheme == "first" && from == 0) &&
			!strings.HasPrefix(s, " ") && !strings.HasPrefix(s, "▁")
		got, err := tok.EncodeWith(s, tokenizer.EncodeOptions{AfterCut: !prefix})
		if err != nil {
			panic(err) // no option here can fail
		}
		ids = append(ids, got...)
	}
	start := 0
	for i := 0; i < len(text); {
		n := 0
		for _, a := range added {
			if len(a) > n && strings.HasPrefix(text[i:], a) {
				n = len(a)
			}
		}
		if n == 0 {
			i++
			continue
		}
		stretch(start, i)
		id, _ := v.ID(text[i : i+n])
		ids = append(ids, id)
		i += n
		start = i
	}
	stretch(start, len(text))
	return ids
}

// compareHFLines compares enc with the oracle on hfTexts and on each line
// of the hfCorpus files.
func compareHFLines(t *testing.T, o *hforacle.Oracle, enc func(string) []int32) {
	t.Helper()
	texts := slices.Clone(hfTexts)
	for _, name := range hfCorpus {
		data, err := os.ReadFile(filepath.Join("../testdata/corpus", name))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, strings.Split(string(data), "\n")...)
	}
	// Node reads text only: both sides encode its reading.
	all, err := o.UTF8(strings.Join(texts, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	texts = strings.Split(all, "\n")
	want, err := o.EncodeLines(all)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, s := range texts {
		if got := enc(s); !slices.Equal(got, want[i]) {
			if bad++; bad <= 5 {
				t.Errorf("%q: got %v, Hugging Face %v", s, got, want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d texts differ", bad, len(texts))
	}
}

// TestHFWrittenAddedTokens checks the flags that TokenizerJSON gives added
// tokens under Hugging Face against the C++'s meaning of the pieces: a
// user-defined piece is matched in the normalized text (normalized, for
// Gemma's normalizer that changes no piece) and decoded as text (not
// special), a control piece decoded as nothing (special). Only control and
// unknown pieces written in the text then part the two: Hugging Face
// matches them, the C++ does not.
func TestHFWrittenAddedTokens(t *testing.T) {
	for _, name := range []string{"gemma2", "../testdata/models/unigram_userdef_control.model"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			v, err := vocab.Builtin(name)
			if strings.HasSuffix(name, ".model") {
				v, err = vocab.LoadFile(name)
			}
			if err != nil {
				t.Fatal(err)
			}
			tok, err := tokenizer.New(v)
			if err != nil {
				t.Fatal(err)
			}
			js, err := v.TokenizerJSON()
			if err != nil {
				t.Fatal(err)
			}
			o := hfWith(t, js)
			if v.Trainer().Model == vocab.BPE {
				compareHFLines(t, o, func(s string) []int32 {
					return hfCut(tok, func(t vocab.Type) bool { return t == vocab.Control || t == vocab.Unknown }, "never", s)
				})
			}
			// Decoding with skip_special_tokens gives the C++'s text.
			special := append(v.UserDefined(), v.BOS(), v.EOS())
			for i, s := range append(slices.Clone(hfTexts), "Hello world, twice  and\tthrice   !") {
				ids := tok.Encode(s)
				// At the end: a lone "▁" first is a dummy prefix to the C++
				// and so is a "▁" after it; Hugging Face strips one.
				if id := special[i%len(special)]; id >= 0 {
					ids = append(ids, id)
				}
				ids = slices.DeleteFunc(ids, func(id int32) bool { return id == v.Unk() }) // " ⁇ " to the C++, "" or "<unk>" to Hugging Face
				got, err := o.DecodeSkipSpecial(ids)
				if err != nil {
					t.Fatal(err)
				}
				if want, err := tok.Decode(ids); got != want || err != nil {
					t.Errorf("%v: Hugging Face decodes %q, the C++ %q (%v)", ids, got, want, err)
				}
			}
		})
	}
}
