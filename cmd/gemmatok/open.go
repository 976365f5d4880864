package main

import (
	"bufio"
	"io"
	"os"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// openInput opens the one input of encode, decode, chat and truncate: the
// file args names, or stdin when args is empty or "-". It returns the name
// to report errors under.
func (a *app) openInput(args []string) (io.ReadCloser, string, error) {
	if len(args) == 0 || args[0] == "-" {
		return io.NopCloser(a.stdin), "-", nil
	}
	f, err := os.Open(args[0])
	return f, args[0], err
}

// withInput runs fn with the tokenizer, the one input of a command (FILE, or
// stdin when there is none or it is -) and stdout behind a buffer. A
// failure of the input, or of fn, is reported against the input's name.
func (a *app) withInput(args []string, fn func(tok *tokenizer.Tokenizer, r io.Reader, w *bufio.Writer) error) error {
	tok, err := a.tokenizer()
	if err != nil {
		return err
	}
	r, name, err := a.openInput(args)
	if err != nil {
		a.fail(name, err)
		return errFailed
	}
	defer r.Close()
	w := bufio.NewWriterSize(a.stdout, 64<<10)
	if err := fn(tok, r, w); err != nil {
		w.Flush()
		a.fail(name, err)
		return errFailed
	}
	return w.Flush()
}
