package vocab_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gemmatok/gemmatok/vocab"
)

// ParseJSON reads a Hugging Face tokenizer.json; TokenizerJSON writes one.
func ExampleParseJSON() {
	const js = `{
	  "added_tokens": [{"id": 0, "content": "<unk>", "special": true}],
	  "normalizer": {"type": "Sequence", "normalizers": [
	    {"type": "Prepend", "prepend": "▁"},
	    {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
	  "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true,
	    "vocab": {"<unk>": 0, "▁": 1, "a": 2, "b": 3, "▁a": 4, "▁ab": 5},
	    "merges": ["▁ a", "▁a b"]}
	}`
	v, err := vocab.ParseJSON([]byte(js))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Size(), v.Trainer().Model, v.Normalizer().AddDummyPrefix)
	for _, p := range []string{"▁a", "▁ab"} {
		id, _ := v.ID(p)
		fmt.Println(p, v.Score(id))
	}
	// Output:
	// 6 BPE true
	// ▁a -3
	// ▁ab -4
}

// Other kinds of tokenizer.json are refused, with the kind named.
func ExampleParseJSON_unsupported() {
	_, err := vocab.ParseJSON([]byte(`{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []},
		"pre_tokenizer": {"type": "ByteLevel"}}`))
	fmt.Println(errors.Is(err, vocab.ErrUnsupportedJSON))
	fmt.Println(err)
	// Output:
	// true
	// vocab: unsupported tokenizer.json: byte-level BPE (GPT-2 and Llama 3 style): pre-tokenizer ByteLevel
}

func ExampleGemma3() {
	v, err := vocab.Gemma3()
	if err != nil {
		log.Fatal(err)
	}
	id, _ := v.ID("<start_of_image>")
	fmt.Println(v.Size(), v.Type(id))
	// Output:
	// 262145 user-defined
}
