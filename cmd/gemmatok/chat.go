package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// chatFlags are the options of gemmatok chat.
type chatFlags struct {
	format     string
	generation bool
	system     string
}

func (a *app) chatCommand() *cobra.Command {
	var f chatFlags
	cmd := &cobra.Command{
		Use:   "chat [FILE.json]",
		Short: "Count the tokens of a conversation in Gemma's chat template",
		Long: `chat reads a conversation as JSON from FILE (stdin when absent or "-"),
either [{"role": ..., "content": ...}, ...] or {"messages": [...]}, renders
it with Gemma's chat template and prints its token count, BOS included. With
--format text it prints the rendered prompt, with --format ids its token ids.

Roles are user and assistant (or model), alternating, starting with user.
Gemma 2's template refuses a system message; --system fold writes it at the
start of the first user turn instead, as Gemma 3's template does. Contents
are encoded as plain text: a content that spells <end_of_turn> cannot end a
turn. --generation-prompt ends the prompt with an open model turn.

A conversation is read whole before anything is written, so on a failure
(malformed JSON, a bad role or order) chat writes nothing and exits with
status 1.`,
		Example: `  gemmatok chat conversation.json
  gemmatok chat --generation-prompt --format text conversation.json
  echo '[{"role":"user","content":"Hi!"}]' | gemmatok chat --format ids`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.runE(func(args []string) error {
			return a.chat(args, &f)
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "count", "output `FORMAT`: count, text or ids")
	fl.BoolVar(&f.generation, "generation-prompt", false, "end with an open model turn for the model to complete")
	fl.StringVar(&f.system, "system", "model", "what to do with a system message, `MODE`: model (as the model's template does: fold for gemma3, reject for gemma2), reject or fold")
	return cmd
}

func (a *app) chat(args []string, f *chatFlags) error {
	opts := tokenizer.ChatOptions{AddGenerationPrompt: f.generation}
	switch f.system {
	case "model":
	case "reject":
		opts.System = tokenizer.SystemReject
	case "fold":
		opts.System = tokenizer.SystemFold
	default:
		return usagef("unknown --system %q: want model, reject or fold", f.system)
	}
	switch f.format {
	case "count", "text", "ids":
	default:
		return usagef("unknown --format %q: want count, text or ids", f.format)
	}
	// The prompt of no message, "<bos>", has no final newline.
	return a.endLineOnTerminal(func() error {
		return a.withInput(args, func(tok *tokenizer.Tokenizer, r io.Reader, w *bufio.Writer) error {
			return writeChat(tok, r, f.format, opts, w)
		})
	})
}

// writeChat reads a conversation from r and writes it to w in format.
func writeChat(tok *tokenizer.Tokenizer, r io.Reader, format string, opts tokenizer.ChatOptions, w io.Writer) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msgs, err := parseConversation(data)
	if err != nil {
		return err
	}
	if format == "text" {
		text, err := tok.RenderChat(msgs, opts)
		if err != nil {
			return systemHint(err)
		}
		_, err = io.WriteString(w, text)
		return err
	}
	ids, err := tok.EncodeChat(msgs, opts)
	if err != nil {
		return systemHint(err)
	}
	if format == "count" {
		_, err = fmt.Fprintln(w, len(ids))
		return err
	}
	bw := bufio.NewWriter(w)
	for i, id := range ids {
		if i > 0 {
			bw.WriteByte(' ')
		}
		bw.WriteString(strconv.Itoa(int(id)))
	}
	bw.WriteByte('\n')
	return bw.Flush()
}

// systemHint returns err, the error of rendering a conversation, but when
// it is the template's refusal of a system message, with the flag that
// folds it, where the library's names SystemFold.
func systemHint(err error) error {
	ce, ok := errors.AsType[*tokenizer.ChatError](err)
	if !ok || !errors.Is(err, tokenizer.ErrNoSystemRole) {
		return err
	}
	return &tokenizer.ChatError{Index: ce.Index, Role: ce.Role, Reason: "the template takes no system message (--system fold writes it at the start of the first user turn)", Err: ce.Err}
}

// chatMessage is a message as conversations in JSON write it.
type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// parseConversation reads [{"role", "content"}, ...] or {"messages": [...]}.
// Fields other than role and content are ignored.
func parseConversation(data []byte) ([]tokenizer.Message, error) {
	var raw []chatMessage
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		// Rather than encoding/json's "unexpected end of JSON input".
		return nil, errors.New("not a conversation: the input is empty")
	case trimmed[0] == '{':
		var doc struct {
			Messages *[]chatMessage `json:"messages"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("not a conversation: %w", err)
		}
		if doc.Messages == nil {
			return nil, fmt.Errorf(`not a conversation: an object without "messages"`)
		}
		raw = *doc.Messages
	default:
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("not a conversation: %w", err)
		}
	}
	msgs := make([]tokenizer.Message, len(raw))
	for i, m := range raw {
		// A null content unmarshals without error, as "", where the
		// template would fail on it.
		null := string(m.Content) == "null"
		if err := json.Unmarshal(m.Content, &msgs[i].Content); err != nil || null || m.Role == "" {
			return nil, fmt.Errorf("message %d: want a role and a string content", i)
		}
		msgs[i].Role = m.Role
	}
	return msgs, nil
}
