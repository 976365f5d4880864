package main

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// truncateFlags are the options of gemmatok truncate.
type truncateFlags struct {
	tokens  int
	from    string
	special specialFlag
	maxRun  sizeFlag
	text    optionalString
}

func (a *app) truncateCommand() *cobra.Command {
	var f truncateFlags
	cmd := &cobra.Command{
		Use:   "truncate -n N [--from start|end] [FILE]",
		Short: "Cut a text at a token boundary to fit in N tokens",
		Long: `truncate writes the text of FILE (stdin when absent or "-"), or the STRING
of --text, cut at a boundary between two of its tokens so that it encodes
to at most N tokens, never inside a character. With --from end (the
default) the end is cut off: the longest beginning that fits is kept. With
--from start the start is cut off and the longest ending is kept, as for
the latest turns of a chat log. A text that fits is written whole. The
kept text is written exactly, with nothing added (but a final newline when
stdout is a terminal, so that it does not run into the prompt), so that
truncate -n N | gemmatok count prints at most N. The input is streamed;
--from start holds about N tokens of text in memory.

` + specialHelp + `
With text, the kept text fits in N tokens encoded as text, as a chat prompt
holds a user's message. With reject, a special piece anywhere in the input
fails it.

On a failure, truncate writes what it writes for the text before the
failure (under reject, the text before the special piece), small input or
large, and exits with status 1.

` + maxRunHelp + `

Such a run costs truncate time too: --from start tries the endings of the
run, longest first, and encodes whole each that the fewest tokens it may
take does not rule out. Where the model's tokens are about the fewest
possible, few are: 0.6 MB of a letter and a combining accent, which
nmt_nfkc joins, takes 0.1-0.3 s to truncate to any N under the test
models; a model whose tokens are far more than the fewest takes longer.`,
		Example: `  gemmatok truncate -n 8000 report.md > head.md
  tail -c 1M chat.log | gemmatok truncate -n 4096 --from start
  gemmatok truncate -n 512 --special text user_message.txt
  gemmatok truncate -n 3 --text 'The quick brown fox'`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.runE(func(args []string) error {
			return a.truncate(args, &f)
		}),
	}
	fl := cmd.Flags()
	fl.IntVarP(&f.tokens, "tokens", "n", 0, "the most tokens to keep, `N`")
	fl.Var(&f.text, "text", "truncate `STRING` instead of a file")
	fl.StringVar(&f.from, "from", "end", "the side to cut, `SIDE`: end (keep the beginning) or start (keep the end)")
	addSpecialFlag(fl, &f.special)
	addMaxRunFlag(fl, &f.maxRun)
	cmd.MarkFlagRequired("tokens")
	return cmd
}

func (a *app) truncate(args []string, f *truncateFlags) error {
	if f.tokens < 0 {
		return usagef("-n must not be negative")
	}
	if f.from != "start" && f.from != "end" {
		return usagef("unknown --from %q: want start or end", f.from)
	}
	return a.endLineOnTerminal(func() error {
		return a.withInputs(args, &f.text, func(tok *tokenizer.Tokenizer, r io.Reader, w *bufio.Writer) error {
			// The library truncates whole texts, so the parts must encode
			// as whole texts.
			s := splitter{tok: tok, special: f.special.mode(), maxRun: int64(f.maxRun), mem: newMemoryLimit(1), whole: true}
			if f.from == "end" {
				return keepStart(&s, r, f.tokens, w)
			}
			return keepEnd(&s, r, f.tokens, w)
		})
	})
}

// errEnough stops reading once the text to keep is known.
var errEnough = errors.New("enough text")

// eachUpTo calls s.each, but on a special piece that s rejects it calls fn
// once more, with the text of the part before the piece as the last part,
// and then returns the error: truncating the text before a failure is what
// truncate writes on one. fn gets each part's token count.
func eachUpTo(s *splitter, r io.Reader, fn func(text string, tokens int) error) error {
	return s.each(r, func(p []byte, at int64, last bool) error {
		k, err := s.count(p, at, last)
		if se, ok := err.(*specialError); ok {
			p = p[:se.offset-at]
			k, _ = s.count(p, at, true)
			if ferr := fn(stringView(p), k); ferr != nil && ferr != errEnough {
				return ferr
			}
			return err
		}
		if err != nil {
			return err
		}
		return fn(stringView(p), k)
	})
}

// keepStart writes the longest beginning of r that fits n tokens. The
// parts of the stream encode separately, so the parts that fit are written
// whole and the first that does not is cut by TruncateEndWith. Under
// SpecialReject the rest is read too, since a special piece anywhere fails
// the input.
func keepStart(s *splitter, r io.Reader, n int, w *bufio.Writer) error {
	written := false // all that fits is written
	err := eachUpTo(s, r, func(text string, k int) error {
		switch {
		case written:
			// Read on only for a special piece to reject.
		case k <= n:
			n -= k
			w.WriteString(text)
		default:
			head, _ := s.tok.TruncateEndWith(text, n, s.options())
			w.WriteString(head)
			written = true
		}
		if written && s.special != tokenizer.SpecialReject {
			return errEnough
		}
		return nil
	})
	if err == errEnough {
		return nil
	}
	return err
}

// keepEnd writes the longest ending of r that fits n tokens. It holds the
// last parts of the stream, dropping the oldest as soon as the parts after
// it have n tokens, and at the end cuts the oldest it holds by
// TruncateStartWith.
func keepEnd(s *splitter, r io.Reader, n int, w *bufio.Writer) error {
	type part struct {
		text   string
		tokens int
	}
	var kept []part
	total := 0 // tokens in kept
	err := eachUpTo(s, r, func(text string, k int) error {
		kept = append(kept, part{strings.Clone(text), k})
		total += k
		for len(kept) > 1 && total-kept[0].tokens >= n {
			total -= kept[0].tokens
			kept = kept[1:]
		}
		return nil
	})
	if len(kept) > 0 && total > n {
		kept[0].text, _ = s.tok.TruncateStartWith(kept[0].text, n-(total-kept[0].tokens), s.options())
	}
	for _, p := range kept {
		w.WriteString(p.text)
	}
	return err
}
