package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/gemmatok/gemmatok/tokenizer"
)

func (a *app) decodeCommand() *cobra.Command {
	var skipSpecial bool
	cmd := &cobra.Command{
		Use:   "decode [FILE]",
		Short: "Print the text of token ids",
		Long: `decode reads token ids in decimal from FILE (stdin when absent or "-"),
separated by whitespace (commas and square brackets are taken as spaces too,
so that a pasted list works), and writes the text they decode to, its bytes
exactly, with nothing added (but a final newline when stdout is a terminal,
so that the text does not run into the prompt). Ids are decoded as a stream,
in bounded memory: the text of each line of ids is written as soon as the
line ends, so that a generation loop can pipe ids in one a line. A character
whose bytes come as byte pieces on several lines is written once it is whole.

The text comes back as encode read it, but for what the model's normalizer
changes (Gemma's changes nothing) and, as in SentencePiece, for U+2581 (▁),
which decodes as a space, and malformed UTF-8, each bad byte of which
comes back as U+FFFD.

--skip-special drops the special pieces (see gemmatok info), such as
<end_of_turn>, as Hugging Face's skip_special_tokens does.

On a word that is not an id of the vocabulary, decode writes the text of the
ids before it, as decoding them alone would, and fails.`,
		Example: `  gemmatok decode ids.txt
  echo 2 4521 235269 2134 | gemmatok decode
  gemmatok encode notes.txt | gemmatok decode | cmp - notes.txt
  generate | gemmatok decode --skip-special`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.runE(func(args []string) error {
			return a.decode(args, tokenizer.DecodeOptions{SkipSpecial: skipSpecial})
		}),
	}
	cmd.Flags().BoolVar(&skipSpecial, "skip-special", false, "drop special pieces such as <end_of_turn>")
	return cmd
}

// decodeBatch is the number of ids decoded at a time.
const decodeBatch = 4096

func (a *app) decode(args []string, opts tokenizer.DecodeOptions) error {
	return a.endLineOnTerminal(func() error {
		return a.withInput(args, func(tok *tokenizer.Tokenizer, r io.Reader, w *bufio.Writer) error {
			return decodeStream(tok.NewStreamDecoderWith(opts), r, w)
		})
	})
}

// decodeStream decodes the ids that r holds with dec and writes their text
// to w, decoding each line as it ends and flushing w before waiting for
// more of r. On a bad word it writes the text of the ids before it,
// held-back bytes included.
func decodeStream(dec *tokenizer.StreamDecoder, r io.Reader, w *bufio.Writer) error {
	sc := bufio.NewScanner(flushingReader{r, w})
	sc.Split(scanIDs)
	batch := make([]int32, 0, decodeBatch)
	words := 0 // words read before the batch
	add := func() error {
		text, err := dec.Add(batch...)
		if ie, ok := errors.AsType[*tokenizer.IDError](err); ok {
			text, _ = dec.Add(batch[:ie.Index]...)
			w.WriteString(text)
			w.WriteString(dec.Flush())
			return fmt.Errorf("word %d: id %d is outside the vocabulary (%d pieces)", words+ie.Index+1, ie.ID, ie.Size)
		}
		w.WriteString(text)
		words += len(batch)
		batch = batch[:0]
		return err
	}
	fail := func(err error) error {
		if aerr := add(); aerr != nil {
			return aerr
		}
		w.WriteString(dec.Flush())
		return err
	}
	for sc.Scan() {
		word := sc.Bytes()
		if word[0] == '\n' {
			if err := add(); err != nil {
				return err
			}
			continue
		}
		id, err := strconv.ParseInt(string(word), 10, 32)
		if err != nil {
			return fail(fmt.Errorf("word %d: %q is not a token id", words+len(batch)+1, word))
		}
		if batch = append(batch, int32(id)); len(batch) == cap(batch) {
			if err := add(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("word %d: not a token id (over %d bytes)", words+len(batch)+1, bufio.MaxScanTokenSize)
		}
		return fail(err)
	}
	if err := add(); err != nil {
		return err
	}
	w.WriteString(dec.Flush())
	return nil
}

// A flushingReader flushes w before each read of r, so that what was
// written reaches the output before the reader may wait: a line at a time
// from a generation loop, a system call a buffer from a file.
type flushingReader struct {
	r io.Reader
	w *bufio.Writer
}

func (f flushingReader) Read(p []byte) (int, error) {
	if err := f.w.Flush(); err != nil {
		return 0, err
	}
	return f.r.Read(p)
}

// scanIDs is a bufio.SplitFunc for words separated by ASCII whitespace,
// commas and square brackets, which returns each line break as a word of
// its own, "\n", so that the end of a line is seen as it comes.
func scanIDs(data []byte, atEOF bool) (advance int, word []byte, err error) {
	start := 0
	for start < len(data) && isIDSeparator(data[start]) {
		if data[start] == '\n' {
			return start + 1, data[start : start+1], nil
		}
		start++
	}
	for i := start; i < len(data); i++ {
		if isIDSeparator(data[i]) {
			if data[i] == '\n' {
				// Left for the next call, as a word of its own.
				return i, data[start:i], nil
			}
			return i + 1, data[start:i], nil
		}
	}
	if atEOF && start < len(data) {
		return len(data), data[start:], nil
	}
	return start, nil, nil
}

func isIDSeparator(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\v', '\f', '\r', ',', '[', ']':
		return true
	}
	return false
}
