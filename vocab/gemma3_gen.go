//go:build ignore

// This program writes gemma3.model, the built-in Gemma 3 vocabulary, from
// Gemma 3's tokenizer.json (xz-compressed, as the project's shared models
// hold it) with vocab.ParseJSON and Vocab.MarshalBinary. It checks the
// sha256 of the json first. Run it with go generate in vocab/, or
//
//	go run gemma3_gen.go -in PATH/tokenizer.json.xz
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"log"
	"os"
	"os/exec"

	"github.com/gemmatok/gemmatok/vocab"
)

// jsonSHA256 is the sha256 of Gemma 3's tokenizer.json, decompressed.
const jsonSHA256 = "4667f2089529e8e7657cfb6d1c19910ae71ff5f28aa7ab2ff2763330affad795"

func main() {
	in := flag.String("in", "../../shared/models/gemma3/tokenizer.json.xz", "Gemma 3's tokenizer.json.xz")
	out := flag.String("out", "gemma3.model", "the .model to write")
	flag.Parse()
	js, err := exec.Command("xz", "-dc", *in).Output()
	if err != nil {
		log.Fatalf("xz -dc %s: %v", *in, err)
	}
	if sum := sha256.Sum256(js); hex.EncodeToString(sum[:]) != jsonSHA256 {
		log.Fatalf("%s: sha256 %x, want %s", *in, sum, jsonSHA256)
	}
	v, err := vocab.ParseJSON(js)
	if err != nil {
		log.Fatal(err)
	}
	model, err := v.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, model, 0o644); err != nil {
		log.Fatal(err)
	}
}
