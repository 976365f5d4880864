//go:build ignore

// gen_index writes the index of each built-in model and the Go file that
// embeds it (see index.go). Run it with go generate in this directory.
package main

import (
	"log"
	"os"

	_ "github.com/gemmatok/gemmatok/vocab"
	"github.com/gemmatok/gemmatok/vocab/internal/genhook"
)

func main() {
	files, err := genhook.Files()
	if err != nil {
		log.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
