package main

import (
	"bufio"
	"io"
	"os"
	"strings"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// openInput opens an input of encode, decode, chat and truncate: the file
// arg names, or stdin for "-".
func (a *app) openInput(arg string) (io.ReadCloser, error) {
	if arg == "-" {
		return io.NopCloser(a.stdin), nil
	}
	return os.Open(arg)
}

// withInput runs fn with the tokenizer, the one input of a command (FILE, or
// stdin when there is none or it is -) and stdout behind a buffer; see
// withInputs.
func (a *app) withInput(args []string, fn func(tok *tokenizer.Tokenizer, r io.Reader, w *bufio.Writer) error) error {
	return a.withInputs(args, nil, fn)
}

// withInputs runs fn with the tokenizer, each input in turn and stdout
// behind a buffer. The inputs are the files that args name, stdin for "-"
// or for no args, or the text of --text when it is set. The first failure,
// of an input or of fn, is reported against the input's name and ends the
// run, after what fn wrote for it is flushed.
func (a *app) withInputs(args []string, text *optionalString, fn func(tok *tokenizer.Tokenizer, r io.Reader, w *bufio.Writer) error) error {
	if text != nil && text.set && len(args) > 0 {
		return usagef("--text is the input alone; give no FILE with it")
	}
	tok, err := a.tokenizer()
	if err != nil {
		return err
	}
	if len(args) == 0 {
		args = []string{"-"}
	}
	w := bufio.NewWriterSize(a.stdout, 64<<10)
	for _, name := range args {
		var r io.ReadCloser
		if text != nil && text.set {
			name, r = "--text", io.NopCloser(strings.NewReader(text.s))
		} else if r, err = a.openInput(name); err != nil {
			w.Flush()
			a.fail(name, err)
			return errFailed
		}
		err := fn(tok, r, w)
		r.Close()
		if err != nil {
			w.Flush()
			a.fail(name, err)
			return errFailed
		}
	}
	return w.Flush()
}

// endLineOnTerminal runs fn, a command that writes text to a.stdout as it
// is, with nothing added, and when stdout is a terminal, and only there,
// ends what fn wrote with a newline if it did not, so that the text does
// not run into the shell's prompt. Off a terminal the bytes stay exact,
// for a pipe or a file.
func (a *app) endLineOnTerminal(fn func() error) error {
	if !isTerminal(a.stdout) {
		return fn()
	}
	out := &lastByteWriter{w: a.stdout}
	a.stdout = out
	defer func() { a.stdout = out.w }()
	err := fn()
	out.endLine()
	return err
}

// lastByteWriter passes writes on to w and remembers the last byte.
type lastByteWriter struct {
	w     io.Writer
	wrote bool
	last  byte
}

func (l *lastByteWriter) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	if n > 0 {
		l.wrote, l.last = true, p[n-1]
	}
	return n, err
}

// endLine writes a newline unless nothing was written or the last byte
// was one.
func (l *lastByteWriter) endLine() {
	if l.wrote && l.last != '\n' {
		l.Write([]byte{'\n'})
	}
}
