//go:build ignore

// gen_index writes gemma2.index, the index of the embedded model (see
// index.go). Run it with go generate in this directory.
package main

import (
	"log"
	"os"

	_ "github.com/gemmatok/gemmatok/vocab"
	"github.com/gemmatok/gemmatok/vocab/internal/genhook"
)

func main() {
	b, err := genhook.Index()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("gemma2.index", b, 0o644); err != nil {
		log.Fatal(err)
	}
}
