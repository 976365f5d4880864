package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// encodeFlags are the options of gemmatok encode.
type encodeFlags struct {
	format   string
	bos, eos bool
}

func (a *app) encodeCommand() *cobra.Command {
	var f encodeFlags
	cmd := &cobra.Command{
		Use:   "encode [FILE]",
		Short: "Print the tokens of a text",
		Long: `encode prints the tokens of the whole content of FILE (stdin when absent or
"-"), encoded as one text, bytes as they are. The formats are

  ids     the token ids in decimal, separated by single spaces, on one line
  pieces  the pieces of the ids, the same way (spaces are U+2581; a piece
          with a space, a control character or a backslash is Go-quoted)
  json    an array of {"id", "piece", "start", "end"}, one a line, where
          start and end are the byte offsets of the text the token stands for

--bos and --eos add the model's BOS and EOS ids around the text.`,
		Example: `  gemmatok encode prompt.txt
  echo -n 'Hello, world' | gemmatok encode --bos
  gemmatok encode --format json notes.md | jq '.[] | .piece'`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.runE(func(args []string) error {
			return a.encode(args, &f)
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "ids", "output `FORMAT`: ids, pieces or json")
	fl.BoolVar(&f.bos, "bos", false, "start with the BOS id")
	fl.BoolVar(&f.eos, "eos", false, "end with the EOS id")
	return cmd
}

func (a *app) encode(args []string, f *encodeFlags) error {
	switch f.format {
	case "ids", "pieces", "json":
	default:
		return usagef("unknown --format %q: want ids, pieces or json", f.format)
	}
	return a.withInput(args, func(tok *tokenizer.Tokenizer, r io.Reader, w *bufio.Writer) error {
		e := &encoder{tok: tok, format: f.format, w: w}
		e.begin()
		s := splitter{tok: tok}
		first := true
		err := s.each(r, func(p []byte, last bool) error {
			opts := tokenizer.EncodeOptions{AddBOS: f.bos && first, AddEOS: f.eos && last}
			first = false
			return e.part(stringView(p), opts)
		})
		e.end()
		return err
	})
}

// An encoder writes the tokens of a text given in parts.
type encoder struct {
	tok    *tokenizer.Tokenizer
	format string
	w      *bufio.Writer
	n      int // tokens written
	base   int // the offset of the current part in the text
	ids    []int32

	// shown holds each piece met as the format writes it, quoted or not:
	// a text repeats few pieces many times.
	shown   map[int32]string
	jsonBuf bytes.Buffer
	jsonEnc *json.Encoder // writes to jsonBuf
}

func (e *encoder) begin() {
	if e.format == "json" {
		e.w.WriteString("[\n")
	}
}

func (e *encoder) end() {
	if e.format == "json" {
		if e.n > 0 {
			e.w.WriteByte('\n')
		}
		e.w.WriteByte(']')
	}
	e.w.WriteByte('\n')
}

// next separates a token from the one before.
func (e *encoder) next() {
	if e.n > 0 {
		if e.format == "json" {
			e.w.WriteString(",\n")
		} else {
			e.w.WriteByte(' ')
		}
	}
	e.n++
}

func (e *encoder) part(text string, opts tokenizer.EncodeOptions) error {
	defer func() { e.base += len(text) }()
	if e.format != "json" {
		ids, err := e.tok.AppendEncodeWith(e.ids[:0], text, opts)
		if err != nil {
			return err
		}
		e.ids = ids
		// Pieces need offsets only to show an unknown run as its text.
		if e.format == "ids" || !slices.Contains(ids, e.tok.Unk()) {
			for _, id := range ids {
				e.next()
				if e.format == "ids" {
					e.w.Write(strconv.AppendInt(e.w.AvailableBuffer(), int64(id), 10))
				} else {
					e.w.WriteString(e.show(id))
				}
			}
			return nil
		}
	}
	toks, err := e.tok.EncodeOffsetsWith(text, opts)
	if err != nil {
		return err
	}
	for _, t := range toks {
		e.next()
		if e.format == "json" {
			b := append(e.w.AvailableBuffer(), `{"id":`...)
			b = strconv.AppendInt(b, int64(t.ID), 10)
			b = append(append(b, `,"piece":`...), e.show(t.ID)...)
			b = strconv.AppendInt(append(b, `,"start":`...), int64(e.base+t.Start), 10)
			b = strconv.AppendInt(append(b, `,"end":`...), int64(e.base+t.End), 10)
			e.w.Write(append(b, '}'))
			continue
		}
		if t.ID == e.tok.Unk() && t.End > t.Start {
			// As SentencePiece does, an unknown run shows as its text.
			e.w.WriteString(pieceText(text[t.Start:t.End]))
			continue
		}
		e.w.WriteString(e.show(t.ID))
	}
	return nil
}

// show returns the piece of id as the format writes it.
func (e *encoder) show(id int32) string {
	if s, ok := e.shown[id]; ok {
		return s
	}
	if e.shown == nil {
		e.shown = make(map[int32]string)
	}
	piece := e.tok.IDToPiece(id)
	var s string
	if e.format == "json" {
		s = e.jsonString(piece)
	} else {
		s = pieceText(piece)
	}
	e.shown[id] = s
	return s
}

// jsonString returns s as a JSON string.
func (e *encoder) jsonString(s string) string {
	if e.jsonEnc == nil {
		e.jsonEnc = json.NewEncoder(&e.jsonBuf)
		e.jsonEnc.SetEscapeHTML(false) // pieces such as <bos> stay readable
	}
	e.jsonBuf.Reset()
	e.jsonEnc.Encode(s)
	return string(bytes.TrimSuffix(e.jsonBuf.Bytes(), []byte("\n")))
}

// pieceText returns piece, Go-quoted when it holds a space, a character
// that does not print, a backslash or malformed UTF-8, so that the pieces
// of a line stay apart and visible.
func pieceText(piece string) string {
	plain := utf8.ValidString(piece) && !strings.ContainsFunc(piece, func(r rune) bool {
		return r == '\\' || unicode.IsSpace(r) || !unicode.IsPrint(r)
	})
	if plain {
		return piece
	}
	return strconv.Quote(piece)
}
