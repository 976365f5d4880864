// Command gemmatok counts, encodes and decodes text with Gemma's tokenizer,
// exactly as SentencePiece does.
//
//	gemmatok count [PATH|-]...        token counts of files, stdin and directory trees
//	gemmatok encode [FILE|-]...       token ids (or pieces, or JSON with offsets)
//	gemmatok decode [FILE]            the text of whitespace-separated ids
//	gemmatok chat FILE.json           a conversation rendered with Gemma's template
//	gemmatok truncate -n N [FILE]     the text cut to fit in N tokens
//	gemmatok info                     the model's settings
//	gemmatok convert IN OUT           a model from .model to tokenizer.json or back
//	gemmatok version
//
// Every command that reads a model takes --model PATH (or GEMMATOK_MODEL)
// to use another SentencePiece model than the embedded Gemma one; count,
// encode and truncate take --text STRING in place of files. Large inputs
// are streamed in parts cut where SentencePiece provably gives the same ids
// as for the whole, so memory stays bounded (text without such a cut is
// encoded whole, up to --max-run) and one large file can be counted by
// several cores. The exit status is 0 when all went well, 1 when some
// input failed and 2 for bad usage.
package main

// The build optimizes with default.pgo, a CPU profile of the tokenizer's
// fresh-encode benchmarks over testdata/corpus: on the shared corpus count
// then runs 3-4% fewer instructions and takes about 5% less time. A stale
// profile still helps; go generate makes a new one.
//go:generate sh -c "go test -run '^$' -bench EncodeFresh -benchtime 20x -cpuprofile default.pgo ../../tokenizer >/dev/null && rm -f tokenizer.test"

import (
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status.
func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	if len(args) == 0 {
		// No command is a usage error, as for go: the help goes to
		// stderr, and the status says that nothing was done.
		root.SetOut(stderr)
		// As Execute would, so that the help lists them.
		root.InitDefaultHelpCmd()
		root.InitDefaultHelpFlag()
		root.InitDefaultVersionFlag()
		root.Help()
		return exitUsage
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	return a.exit(cmd, err)
}
