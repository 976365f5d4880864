package vocab_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/vocab"
)

// TestJSONRoundTripGemma2 writes Gemma 2 as tokenizer.json and reads it
// back: every piece, score and type, and the settings, survive.
func TestJSONRoundTripGemma2(t *testing.T) {
	v, err := vocab.Default()
	if err != nil {
		t.Fatal(err)
	}
	js, err := v.TokenizerJSON()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("written: %d bytes", len(js))
	w, err := vocab.ParseJSON(js)
	if err != nil {
		t.Fatal(err)
	}
	sameVocab(t, v, w, true)
}

// gemma3JSON returns Gemma 3's tokenizer.json, decompressed from the
// shared models, or skips t.
func gemma3JSON(t testing.TB) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("reads a 33 MB json")
	}
	const xz = "/work/shared/models/gemma3/tokenizer.json.xz"
	if _, err := os.Stat(xz); err != nil {
		t.Skip("no Gemma 3 tokenizer.json.xz")
	}
	js, err := exec.Command("xz", "-dc", xz).Output()
	if err != nil {
		t.Skipf("xz: %v", err)
	}
	return js
}

func TestJSONErrors(t *testing.T) {
	const good = `{"added_tokens":[{"id":0,"content":"<unk>","special":true}],
		"normalizer":{"type":"Replace","pattern":{"String":" "},"content":"▁"},
		"model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"vocab":{"<unk>":0,"a":1,"b":2,"ab":3},"merges":["a b"]}}`
	if _, err := vocab.ParseJSON([]byte(good)); err != nil {
		t.Fatalf("the good file: %v", err)
	}
	for _, tc := range []struct {
		name, json string
		want       error
		says       string
	}{
		{"truncated", good[:len(good)/2], vocab.ErrMalformedJSON, "unexpected end"},
		{"not json", "hello", vocab.ErrMalformedJSON, "invalid character"},
		{"no model", `{"added_tokens":[]}`, vocab.ErrMalformedJSON, "no model"},
		{"no vocab", strings.Replace(good, `"vocab":{"<unk>":0,"a":1,"b":2,"ab":3},`, "", 1), vocab.ErrMalformedJSON, "no vocab"},
		{"duplicate token", strings.Replace(good, `"ab":3`, `"ab":3,"a":4`, 1), vocab.ErrMalformedJSON, `"a" appears twice`},
		{"shared id", strings.Replace(good, `"ab":3`, `"ab":2`, 1), vocab.ErrMalformedJSON, "same id"},
		{"id gap", strings.Replace(good, `"ab":3`, `"ab":5`, 1), vocab.ErrMalformedJSON, "no token has id 3"},
		{"merge of unknown", strings.Replace(good, `"a b"`, `"a c"`, 1), vocab.ErrMalformedJSON, `names "c"`},
		{"merge to unknown", strings.Replace(good, `"a b"`, `"b a"`, 1), vocab.ErrMalformedJSON, `makes "ba"`},
		{"bad merge", strings.Replace(good, `"a b"`, `"ab"`, 1), vocab.ErrMalformedJSON, "not two tokens"},
		{"added token elsewhere", strings.Replace(good, `"id":0`, `"id":1`, 1), vocab.ErrMalformedJSON, "has the id 1"},
		{"unk missing", strings.Replace(good, `"unk_token":"<unk>"`, `"unk_token":"<u>"`, 1), vocab.ErrMalformedJSON, "not in the vocabulary"},
		{"WordPiece", `{"model":{"type":"WordPiece","vocab":{"a":0}}}`, vocab.ErrUnsupportedJSON, "WordPiece"},
		{"WordLevel", `{"model":{"type":"WordLevel","vocab":{"a":0}}}`, vocab.ErrUnsupportedJSON, "WordLevel"},
		{"byte-level", strings.Replace(good, `"model"`, `"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false},"model"`, 1), vocab.ErrUnsupportedJSON, "byte-level BPE"},
		{"NFKC", strings.Replace(good, `"normalizer":{`, `"normalizer":{"type":"NFKC"},"x":{`, 1), vocab.ErrUnsupportedJSON, "normalizer NFKC"},
		{"suffix", strings.Replace(good, `"fuse_unk"`, `"end_of_word_suffix":"</w>","fuse_unk"`, 1), vocab.ErrUnsupportedJSON, "suffix"},
		{"unigram no vocab", `{"model":{"type":"Unigram","unk_id":0}}`, vocab.ErrMalformedJSON, "no vocab"},
		{"unigram duplicate", `{"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0],["a",-1],["a",-2]]}}`, vocab.ErrMalformedJSON, "twice"},
		{"unigram WordPiece splitter", `{"pre_tokenizer":{"type":"BertPreTokenizer"},"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0]]}}`, vocab.ErrUnsupportedJSON, "pre-tokenizer BertPreTokenizer"},
		{"unigram unk_id", `{"model":{"type":"Unigram","unk_id":7,"vocab":[["<unk>",0]]}}`, vocab.ErrMalformedJSON, "unk_id 7"},
		{"model without a type", `{"model":{"vocab":{"a":0}}}`, vocab.ErrUnsupportedJSON, "without a type"},
		{"empty model", `{"model":{}}`, vocab.ErrMalformedJSON, "no type and no vocab"},
		{"model of the wrong kind", `{"model":"BPE"}`, vocab.ErrMalformedJSON, "model: json"},
		{"vocab of the wrong kind", strings.Replace(good, `"vocab":{"<unk>":0,"a":1,"b":2,"ab":3}`, `"vocab":[["a",0]]`, 1), vocab.ErrMalformedJSON, "not an object"},
		{"id of the wrong kind", strings.Replace(good, `"ab":3`, `"ab":"3"`, 1), vocab.ErrMalformedJSON, `model.vocab["ab"]`},
		{"added token twice", strings.Replace(good, `"id":0,"content":"<unk>","special":true}`, `"id":0,"content":"<unk>","special":true},{"id":4,"content":"a"}`, 1), vocab.ErrMalformedJSON, `"a" has id 4, and the model's vocabulary has it as id 1`},
		{"normalized under Prepend", strings.Replace(strings.Replace(good, `"special":true`, `"special":true,"normalized":true`, 1),
			`"normalizer":{`, `"normalizer":{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"}]},"x":{`, 1), vocab.ErrUnsupportedJSON, `"<unk>" normalized under a Prepend normalizer`},
		{"Metaspace replacement", uni(`{"type":"Metaspace","replacement":"_","prepend_scheme":"always"}`), vocab.ErrUnsupportedJSON, `replacement "_"`},
		{"Metaspace scheme", uni(`{"type":"Metaspace","replacement":"▁","prepend_scheme":"First"}`), vocab.ErrUnsupportedJSON, `prepend_scheme "First"`},
		{"Metaspace add_prefix_space", uni(`{"type":"Metaspace","replacement":"▁","add_prefix_space":false}`), vocab.ErrMalformedJSON, `add_prefix_space false does not match prepend_scheme "always"`},
		{"Metaspace first after WhitespaceSplit", uni(`{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Metaspace","replacement":"▁","prepend_scheme":"first"}]}`), vocab.ErrUnsupportedJSON, `prepend_scheme "first" after WhitespaceSplit`},
		{"Metaspace split, unigram", uni(`{"type":"Metaspace","replacement":"▁","prepend_scheme":"never","split":true}`), vocab.ErrUnsupportedJSON, `inner "▁" ("a▁b")`},
	} {
		_, err := vocab.ParseJSON([]byte(tc.json))
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: error %v, want %v saying %q", tc.name, err, tc.want, tc.says)
		}
	}
}

// uni returns a Unigram tokenizer.json with the pre-tokenizer pre and a
// piece that spans words.
func uni(pre string) string {
	return `{"pre_tokenizer":` + pre + `,"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0],["a",-1],["▁a",-1],["a▁b",-1]]}}`
}

// TestJSONMetaspace checks what each prepend_scheme, and the older
// add_prefix_space, means to ParseJSON; TestHFMetaspace compares them with
// Hugging Face.
func TestJSONMetaspace(t *testing.T) {
	for _, tc := range []struct {
		pre          string
		prefix, rmws bool
	}{
		{`{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":false}`, true, false},
		{`{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}`, true, false},
		{`{"type":"Metaspace","replacement":"▁","prepend_scheme":"never","split":false}`, false, false},
		{`{"type":"Metaspace","replacement":"▁","split":false}`, true, false},
		{`{"type":"Metaspace","replacement":"▁","add_prefix_space":true,"split":false}`, true, false},
		{`{"type":"Metaspace","replacement":"▁","add_prefix_space":true,"prepend_scheme":"never","split":false}`, false, false},
		{`{"type":"Metaspace","replacement":"▁","add_prefix_space":false,"prepend_scheme":"never","split":false}`, false, false},
		{`{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":false}]}`, true, true},
	} {
		v, err := vocab.ParseJSON([]byte(uni(tc.pre)))
		if err != nil {
			t.Errorf("%s: %v", tc.pre, err)
			continue
		}
		if n := v.Normalizer(); !n.EscapeWhitespaces || n.AddDummyPrefix != tc.prefix || n.RemoveExtraWhitespaces != tc.rmws {
			t.Errorf("%s: %+v", tc.pre, n)
		}
	}
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"vocab":{"<unk>":0,"a":1,"b":2,"ab":3},"merges":["a b"]}}`))
	f.Add([]byte(`{"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0],["a",-1]]},"pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always"}}`))
	f.Add([]byte(`{"added_tokens":[{"id":4,"content":"<x>","special":true}],"model":{"vocab":{"<unk>":0,"a":1,"b":2,"ab":3},"merges":[["a","b"]],"unk_token":"<unk>","byte_fallback":true}}`))
	f.Add([]byte(uni(`{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":false}]}`)))
	f.Add([]byte(`{"added_tokens":[{"id":0,"content":"<unk>","special":true},{"id":4,"content":"▁▁","special":false,"normalized":true}],"pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true},` +
		`"model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"vocab":{"<unk>":0,"▁":1,"a":2,"▁a":3},"merges":["▁ a"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := vocab.ParseJSON(data)
		if err != nil {
			return
		}
		// What was read is written and read back the same.
		js, err := v.TokenizerJSON()
		if err != nil {
			return
		}
		w, err := vocab.ParseJSON(js)
		if err != nil {
			t.Fatalf("reading back %s: %v", js, err)
		}
		if w.Size() != v.Size() || w.Normalizer().AddDummyPrefix != v.Normalizer().AddDummyPrefix ||
			w.Normalizer().EscapeWhitespaces != v.Normalizer().EscapeWhitespaces ||
			w.Normalizer().RemoveExtraWhitespaces != v.Normalizer().RemoveExtraWhitespaces {
			t.Fatalf("read back as %d pieces, %+v, from %d, %+v", w.Size(), w.Normalizer(), v.Size(), v.Normalizer())
		}
		for id := range int32(v.Size()) {
			if w.Piece(id) != v.Piece(id) || w.Type(id) != v.Type(id) {
				t.Fatalf("piece %d read back as %q %v, from %q %v", id, w.Piece(id), w.Type(id), v.Piece(id), v.Type(id))
			}
		}
	})
}

// TestJSONGemma3 reads Gemma 3's tokenizer.json: its merges follow the
// ids, so the scores are those of a SentencePiece model, and the trip
// through tokenizer.json and .model keeps every piece.
func TestJSONGemma3(t *testing.T) {
	v, err := vocab.ParseJSON(gemma3JSON(t))
	if err != nil {
		t.Fatal(err)
	}
	if v.Size() != 262145 {
		t.Errorf("%d pieces, want 262145", v.Size())
	}
	for _, c := range []struct {
		piece string
		typ   vocab.Type
	}{{"<pad>", vocab.Control}, {"<eos>", vocab.Control}, {"<bos>", vocab.Control}, {"<unk>", vocab.Unknown},
		{"<start_of_turn>", vocab.UserDefined}, {"<image_soft_token>", vocab.UserDefined}, {"<0x41>", vocab.Byte}, {"▁hello", vocab.Normal}} {
		if id, ok := v.ID(c.piece); !ok || v.Type(id) != c.typ {
			t.Errorf("%q: id %d %v, type %v, want %v", c.piece, id, ok, v.Type(id), c.typ)
		}
	}
	if v.BOS() != 2 || v.EOS() != 1 || v.Pad() != 0 || v.Unk() != 3 {
		t.Errorf("bos %d eos %d pad %d unk %d", v.BOS(), v.EOS(), v.Pad(), v.Unk())
	}
	model, err := v.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	w, err := vocab.Parse(model)
	if err != nil {
		t.Fatal(err)
	}
	sameVocab(t, v, w, false)
	js, err := w.TokenizerJSON()
	if err != nil {
		t.Fatal(err)
	}
	x, err := vocab.ParseJSON(js)
	if err != nil {
		t.Fatal(err)
	}
	sameVocab(t, v, x, true)
}
