package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// onTerminal runs gemmatok with stdout on a pseudo-terminal, stdin from
// stdin and stderr discarded, and returns what the terminal shows, with
// its "\r\n" line ends written "\n".
func onTerminal(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	cmd := command(args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), tty, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var screen bytes.Buffer
	io.Copy(&screen, ptmx) // ends with EIO when the child exits
	cmd.Wait()
	return strings.ReplaceAll(screen.String(), "\r\n", "\n")
}

// TestTextOnTerminal checks that the commands that write a text as it is
// end it with a newline on a terminal, so that it does not run into the
// prompt, also when they fail, and add nothing to a text that has one;
// off a terminal the bytes are exact, as the other tests check.
func TestTextOnTerminal(t *testing.T) {
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"truncate", "-n", "3", "--text", "The quick brown fox"}, "The quick brown\n"},
		{"The quick brown fox", []string{"truncate", "-n", "1", "--from", "start"}, " fox\n"},
		{"", []string{"truncate", "-n", "9", "--text", "a line\n"}, "a line\n"},
		{"", []string{"truncate", "-n", "0", "--text", "gone"}, ""},
		{"2 4521", []string{"decode"}, "Hello\n"},
		// The text before a bad id, then the line's end.
		{"4521 300000", []string{"decode"}, "Hello\n"},
		{"[]", []string{"chat", "--format", "text"}, "<bos>\n"},
		{`[{"role": "user", "content": "Hi"}]`, []string{"chat", "--format", "text"}, "<bos><start_of_turn>user\nHi<end_of_turn>\n"},
	} {
		if got := onTerminal(t, tc.stdin, tc.args...); got != tc.want {
			t.Errorf("gemmatok %q on a terminal shows %q, want %q", tc.args, got, tc.want)
		}
	}
}
