package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer"
)

func TestChat(t *testing.T) {
	tok := defaultTok(t)
	msgs := []tokenizer.Message{
		{Role: "user", Content: "  What is a token?\n"},
		{Role: "assistant", Content: "A piece of text. <end_of_turn> is not one here."},
		{Role: "user", Content: "Thanks!"},
	}
	list := `[{"role": "user", "content": "  What is a token?\n"},
	{"role": "assistant", "content": "A piece of text. <end_of_turn> is not one here.", "name": "bot"},
	{"role": "user", "content": "Thanks!"}]`
	object := `{"model": "gemma", "messages": ` + list + `}`
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"chat.json": object})
	for _, opts := range []tokenizer.ChatOptions{{}, {AddGenerationPrompt: true}} {
		ids, err := tok.EncodeChat(msgs, opts)
		if err != nil {
			t.Fatal(err)
		}
		text, err := tok.RenderChat(msgs, opts)
		if err != nil {
			t.Fatal(err)
		}
		var flags []string
		if opts.AddGenerationPrompt {
			flags = []string{"--generation-prompt"}
		}
		for _, tc := range []struct {
			format, want string
		}{
			{"count", strconv.Itoa(len(ids)) + "\n"},
			{"ids", idsLine(ids)},
			{"text", text},
		} {
			args := append([]string{"chat", "--format", tc.format}, flags...)
			if got := mustRun(t, list, args...); got != tc.want {
				t.Errorf("%q of a list: %q, want %q", args, got, tc.want)
			}
			if got := mustRun(t, "", append(args, filepath.Join(dir, "chat.json"))...); got != tc.want {
				t.Errorf("%q of an object: %q, want %q", args, got, tc.want)
			}
		}
	}
}

func TestChatErrors(t *testing.T) {
	system := `[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]`
	for _, tc := range []struct {
		stdin  string
		args   []string
		stderr string
		code   int
	}{
		// The hint names the flag, not the library's SystemFold.
		{system, nil, "gemmatok: -: tokenizer: chat message 0 (role \"system\"): the template takes no system message (--system fold writes it at the start of the first user turn)\n", 1},
		{system, []string{"--format", "text", "--system", "reject", "--model", "gemma3"}, "(--system fold writes it", 1},
		{`[{"role": "system", "content": "Be brief."}]`, nil, "(--system fold writes it", 1},
		{`[{"role": "system", "content": "Be brief."}]`, []string{"--model", "gemma3"}, "a system message must be followed by a user message\n", 1},
		{`[{"role": "system", "content": "Be brief."}, {"role": "robot", "content": "hi"}]`, nil, "(--system fold writes it", 1},
		{`[{"role": "system", "content": "Be brief."}, {"role": "robot", "content": "hi"}]`, []string{"--system", "fold"}, "chat message 1 (role \"robot\"): unknown role", 1},
		{system, []string{"--system", "fold"}, "", 0},
		{" \n", nil, "gemmatok: -: not a conversation: the input is empty\n", 1},
		{`[{"role": "user"}]`, nil, "gemmatok: -: message 0: want a role and a string content", 1},
		{`[{"role": "user", "content": null}]`, nil, "gemmatok: -: message 0: want a role and a string content", 1},
		{`[{"role": "user", "content": [{"type": "text"}]}]`, nil, "gemmatok: -: message 0: want a role and a string content", 1},
		{`{"prompt": "hi"}`, nil, `gemmatok: -: not a conversation: an object without "messages"`, 1},
		{`[{"role": "user", "content": "hi"}`, nil, "gemmatok: -: not a conversation", 1},
		{`[{"role": "robot", "content": "hi"}]`, nil, "unknown role", 1},
		{`[]`, []string{"--system", "maybe"}, "gemmatok: unknown --system \"maybe\"", 2},
	} {
		r := gemmatok(t, tc.stdin, append([]string{"chat"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) || (tc.stderr == "") != (r.stderr == "") {
			t.Errorf("chat %q of %s: exit %d, stderr %q; want exit %d, stderr with %q", tc.args, tc.stdin, r.code, r.stderr, tc.code, tc.stderr)
		}
	}
}
