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
	return &cobra.Command{
		Use:   "decode [FILE]",
		Short: "Print the text of token ids",
		Long: `decode reads token ids in decimal from FILE (stdin when absent or "-"),
separated by whitespace (commas and square brackets are taken as spaces too,
so that a pasted list works), and writes the text they decode to, its bytes
exactly, with nothing added. Ids are decoded as a stream, in bounded memory.`,
		Example: `  gemmatok decode ids.txt
  echo 2 4521 235269 2134 | gemmatok decode
  gemmatok encode notes.txt | gemmatok decode | cmp - notes.txt`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.runE(func(args []string) error {
			return a.decode(args)
		}),
	}
}

// decodeBatch is the number of ids decoded at a time.
const decodeBatch = 4096

func (a *app) decode(args []string) error {
	return a.withInput(args, func(tok *tokenizer.Tokenizer, r io.Reader, w *bufio.Writer) error {
		return decodeStream(tok, bufio.NewScanner(r), w)
	})
}

// decodeStream decodes the ids that sc reads and writes their text to w.
func decodeStream(tok *tokenizer.Tokenizer, sc *bufio.Scanner, w *bufio.Writer) error {
	sc.Split(scanIDs)
	dec := tok.NewStreamDecoder()
	batch := make([]int32, 0, decodeBatch)
	words := 0 // words read before the batch
	flush := func() error {
		text, err := dec.Add(batch...)
		if ie, ok := errors.AsType[*tokenizer.IDError](err); ok {
			return fmt.Errorf("word %d: id %d is outside the vocabulary (%d pieces)", words+ie.Index+1, ie.ID, ie.Size)
		}
		w.WriteString(text)
		words += len(batch)
		batch = batch[:0]
		return err
	}
	for sc.Scan() {
		id, err := strconv.ParseInt(sc.Text(), 10, 32)
		if err != nil {
			return fmt.Errorf("word %d: %q is not a token id", words+len(batch)+1, sc.Text())
		}
		if batch = append(batch, int32(id)); len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	w.WriteString(dec.Flush())
	return nil
}

// scanIDs is a bufio.SplitFunc for words separated by ASCII whitespace,
// commas and square brackets.
func scanIDs(data []byte, atEOF bool) (advance int, word []byte, err error) {
	start := 0
	for start < len(data) && isIDSeparator(data[start]) {
		start++
	}
	for i := start; i < len(data); i++ {
		if isIDSeparator(data[i]) {
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
