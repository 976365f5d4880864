//go:build ignore

// gen_tables.go writes the tables derived from each built-in BPE model
// (see tables.go): go generate runs it, and TestGeneratedTables checks
// that its output is up to date.
package main

import (
	"log"
	"os"

	"github.com/gemmatok/gemmatok/tokenizer/internal/bpe"
	"github.com/gemmatok/gemmatok/vocab"
)

func main() {
	for _, name := range vocab.Builtins() {
		v, err := vocab.Parse(vocab.BuiltinModel(name))
		if err != nil {
			log.Fatal(err)
		}
		if v.Trainer().Model != vocab.BPE {
			continue
		}
		for file, data := range bpe.Generate(name, v) {
			if err := os.WriteFile(file, data, 0o644); err != nil {
				log.Fatal(err)
			}
		}
	}
}
