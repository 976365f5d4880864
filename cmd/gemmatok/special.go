package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// specialFlag is the value of --special: how text that spells a special
// piece is encoded.
type specialFlag tokenizer.SpecialMode

func (f *specialFlag) String() string { return tokenizer.SpecialMode(*f).String() }

func (f *specialFlag) Set(s string) error {
	for _, m := range []tokenizer.SpecialMode{tokenizer.SpecialPieces, tokenizer.SpecialText, tokenizer.SpecialReject} {
		if s == m.String() {
			*f = specialFlag(m)
			return nil
		}
	}
	return errors.New("want pieces, text or reject")
}

func (f *specialFlag) Type() string { return "MODE" }

func (f *specialFlag) mode() tokenizer.SpecialMode { return tokenizer.SpecialMode(*f) }

// addSpecialFlag adds --special to a command's flags.
func addSpecialFlag(fl *pflag.FlagSet, f *specialFlag) {
	fl.Var(f, "special", "treat text spelling a special piece as pieces (as SentencePiece), text or reject")
}

// specialHelp is the help that commands with --special give it.
const specialHelp = `--special says what becomes of text that spells a special piece, a control
or role piece such as <bos> or <start_of_turn> (see gemmatok info): pieces
encodes a user-defined one as its id and a control one as text, as
SentencePiece does; text encodes every one as plain text, the way untrusted
text should be; reject fails on the input, naming the piece and its byte
offset.`

// specialError reports a special piece spelled in an input under --special
// reject, at a byte offset in the whole input.
type specialError struct {
	piece  string
	offset int64
}

func (e *specialError) Error() string {
	return fmt.Sprintf("byte %d: the text spells the special piece %q (--special reject)", e.offset, e.piece)
}

// atOffset returns err, an error from encoding a part of an input that
// starts at byte base, with a special piece's offset made one in the input.
func atOffset(err error, base int64) error {
	if se, ok := errors.AsType[*tokenizer.SpecialError](err); ok {
		// The piece is a view of the part (see stringView), whose buffer
		// the next part overwrites.
		return &specialError{strings.Clone(se.Piece), base + int64(se.Offset)}
	}
	return err
}

// firstError returns which of two failures of an input's parts to report:
// a, recorded first, unless both are special pieces and b's comes earlier
// in the input.
func firstError(a, b error) error {
	sa, okA := a.(*specialError)
	sb, okB := b.(*specialError)
	if a == nil || okA && okB && sb.offset < sa.offset {
		return b
	}
	return a
}
