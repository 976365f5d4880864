//go:build ignore

// gen_tables.go writes the tables derived from each built-in BPE model
// (see tables.go): go generate runs it, and TestGeneratedTables checks
// that its output is up to date.
package main

import (
	"log"
	"os"

	"github.com/gemmatok/gemmatok/tokenizer/internal/bpe"
)

func main() {
	files, err := bpe.Generate()
	if err != nil {
		log.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
