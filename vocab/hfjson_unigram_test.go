package vocab_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gemmatok/gemmatok/internal/hforacle"
	"github.com/gemmatok/gemmatok/vocab"
)

// trainUnigram trains a small Unigram model with spm_train, with the
// default nmt_nfkc charsmap, a user-defined piece and byte fallback, or
// skips t.
func trainUnigram(t *testing.T) *vocab.Vocab {
	t.Helper()
	spm, err := exec.LookPath("spm_train")
	if err != nil {
		t.Skip("no spm_train")
	}
	prefix := filepath.Join(t.TempDir(), "uni")
	cmd := exec.Command(spm, "--input=../testdata/corpus/en.txt", "--model_prefix="+prefix,
		"--model_type=unigram", "--vocab_size=600", "--user_defined_symbols=<sep>",
		"--byte_fallback=true", "--minloglevel=2")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("spm_train: %v\n%s", err, out)
	}
	v, err := vocab.LoadFile(prefix + ".model")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestJSONUnigram writes a Unigram model as tokenizer.json and reads it
// back: pieces, scores, types, the charsmap and the whitespace options
// survive, and Hugging Face loads the file.
func TestJSONUnigram(t *testing.T) {
	v := trainUnigram(t)
	if len(v.Normalizer().PrecompiledCharsMap) == 0 || !v.Normalizer().AddDummyPrefix {
		t.Fatalf("the trained model has no charsmap or no dummy prefix: %+v", v.Normalizer())
	}
	js, err := v.TokenizerJSON()
	if err != nil {
		t.Fatal(err)
	}
	w, err := vocab.ParseJSON(js)
	if err != nil {
		t.Fatal(err)
	}
	sameVocab(t, v, w, true)

	o, err := hforacle.Start("..")
	if err != nil {
		if os.Getenv("GEMMATOK_REQUIRE_ORACLE") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	defer o.Close()
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(path, js, 0o666); err != nil {
		t.Fatal(err)
	}
	if n, err := o.Load(path); err != nil || n != v.Size() {
		t.Errorf("Hugging Face loads %d pieces (%v), want %d", n, err, v.Size())
	}
	if ids, err := o.Encode("Hello <sep> world"); err != nil || len(ids) == 0 {
		t.Errorf("Hugging Face encodes to %v (%v)", ids, err)
	}
}

// TestJSONUnigramConverted reads a Unigram tokenizer.json laid out as
// Hugging Face's converter writes T5's and XLM-R's.
func TestJSONUnigramConverted(t *testing.T) {
	const js = `{"added_tokens":[{"id":0,"content":"<pad>","special":true},{"id":1,"content":"</s>","special":true},
		{"id":2,"content":"<unk>","special":true},{"id":5,"content":"<mask>","lstrip":true,"special":true}],
		"normalizer":{"type":"Sequence","normalizers":[{"type":"Precompiled","precompiled_charsmap":"AAEC"},
			{"type":"Strip","strip_left":false,"strip_right":true},{"type":"Replace","pattern":{"Regex":" {2,}"},"content":"▁"}]},
		"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},
			{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}]},
		"model":{"type":"Unigram","unk_id":2,"vocab":[["<pad>",0],["</s>",0],["<unk>",0],["▁",-2.5],["▁a",-3.25],["<mask>",0]]}}`
	v, err := vocab.ParseJSON([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	n := v.Normalizer()
	if string(n.PrecompiledCharsMap) != "\x00\x01\x02" || !n.AddDummyPrefix || !n.RemoveExtraWhitespaces || !n.EscapeWhitespaces {
		t.Errorf("normalizer %+v", n)
	}
	if v.Trainer().Model != vocab.Unigram || v.Unk() != 2 || v.EOS() != 1 || v.Pad() != 0 || v.Score(4) != -3.25 ||
		v.Type(5) != vocab.UserDefined || v.Type(3) != vocab.Normal {
		t.Errorf("trainer %+v, unk %d eos %d pad %d, score %v, types %v %v", v.Trainer(), v.Unk(), v.EOS(), v.Pad(), v.Score(4), v.Type(5), v.Type(3))
	}
}
