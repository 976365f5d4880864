package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
)

// TestProgressBar counts a large, slow file with stderr on a
// pseudo-terminal, where the bar must show (and be erased at the end),
// and stdout on a pipe, which must get the count alone.
func TestProgressBar(t *testing.T) {
	if testing.Short() {
		t.Skip("counts 20 MB")
	}
	// Random letters without a space or line break are slow to encode,
	// which keeps the count going past progressDelay on a fast machine
	// too (runs of one letter or a few repeated are not: the tokenizer
	// merges them as runs).
	block, n := repeatedBlock(t)
	rnd := rand.New(rand.NewSource(1))
	letters := make([]byte, 1<<20)
	for i := range letters {
		letters[i] = byte('a' + rnd.Intn(26))
	}
	run := string(letters) + "\n"
	path := filepath.Join(t.TempDir(), "slow.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	copies := progressMin / len(block)
	for range copies {
		w.WriteString(block)
	}
	for range 12 {
		w.WriteString(run)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	want := n*int64(copies) + 12*int64(defaultTok(t).Count(run))

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	// A narrow terminal, which the process has as its controlling one, so
	// that a resize signals it.
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 40}); err != nil {
		t.Fatal(err)
	}
	cmd := command("count", "-j", "2", path)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 2}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	// Once the line shows, the terminal narrows to 30 columns.
	var before, after bytes.Buffer
	screen := make(chan struct{})
	go func() {
		defer close(screen)
		buf := make([]byte, 4096)
		resized := false
		for {
			n, err := ptmx.Read(buf) // ends with EIO when the child exits
			if resized {
				after.Write(buf[:n])
			} else {
				before.Write(buf[:n])
			}
			if err != nil {
				return
			}
			if !resized && strings.Contains(before.String(), "%") {
				pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 30})
				resized = true
			}
		}
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	<-screen
	bar := before.String() + after.String()
	if got := fmt.Sprintf("%d %s\n", want, path); stdout.String() != got {
		t.Errorf("stdout %q, want %q", stdout.String(), got)
	}
	for _, s := range []string{"%", "MB/s", "MB", "\r"} {
		if !strings.Contains(bar, s) {
			t.Errorf("the terminal shows %q, no %q in it", bar, s)
		}
	}
	if !strings.HasSuffix(bar, eraseLine) {
		t.Errorf("the line is not erased at the end: %q", bar)
	}
	// No line may reach the last column, where the terminal would wrap it.
	fits := func(screen string, cols int) {
		for _, line := range strings.Split(screen, "\r") {
			line = strings.NewReplacer(eraseLine[:len(eraseLine)-1], "", eraseEnd, "").Replace(line)
			if utf8.RuneCountInString(line) >= cols || strings.Contains(line, "\n") {
				t.Errorf("at %d columns the terminal shows %q, which wraps", cols, line)
			}
		}
	}
	fits(before.String(), 40)
	segments := strings.Split(after.String(), "\r")
	fits(strings.Join(segments[min(len(segments), 2):], "\r"), 30)
	if len(segments) < 3 {
		t.Errorf("no line drawn after the resize: %q", after.String())
	}
}

// TestProgressLine checks that the progress line fits every width, with a
// bar when there is room for one.
func TestProgressLine(t *testing.T) {
	for width := 0; width <= 120; width++ {
		for _, total := range []int64{-1, 40e6, 1e12} {
			line := progressLine(12e6, total, 3*time.Second, width)
			if len(line) > width {
				t.Errorf("width %d, total %d: %q is %d long", width, total, line, len(line))
			}
			wide := progressLine(12e6, total, 3*time.Second, 1000)
			figures := wide[strings.Index(wide, "tokenizing"):]
			if hasBar := strings.HasPrefix(line, "["); hasBar != (total > 0 && width >= len(figures)+11) {
				t.Errorf("width %d, total %d: %q has a bar: %v", width, total, line, hasBar)
			}
		}
	}
	for _, tc := range []struct {
		width int
		want  string
	}{
		{39, "30% 12.0/40.0 MB 4.0 MB/s 7s left"},
		{29, "30% 12.0/40.0 MB 4.0 MB/s"},
		{10, "30% 12.0/4"},
	} {
		if got := progressLine(12e6, 40e6, 3*time.Second, tc.width); got != tc.want {
			t.Errorf("line at %d columns: %q, want %q", tc.width, got, tc.want)
		}
	}
	if got, want := progressLine(12e6, 40e6, 3*time.Second, 79), "[=========                       ] tokenizing 30% 12.0/40.0 MB 4.0 MB/s 7s left"; got != want {
		t.Errorf("line at 79 columns:\n%q, want\n%q", got, want)
	}
}

// TestDecodeTerminalNewline checks that decode ends its text with a
// newline when stdout is a terminal, so that it does not run into the
// prompt, and adds nothing when the text ends with one or stdout is not a
// terminal.
func TestDecodeTerminalNewline(t *testing.T) {
	for _, c := range []struct{ ids, want string }{
		{"4521 235269 2134\n", "Hello, world\r\n"}, // the terminal turns \n into \r\n
		{"4521 108\n", "Hello\r\n"},                // 108 is "\n": nothing added
		{"", ""},
	} {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal: %v", err)
		}
		cmd := command("decode")
		cmd.Stdin = strings.NewReader(c.ids)
		cmd.Stdout = tty
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		tty.Close()
		var screen bytes.Buffer
		done := make(chan struct{})
		go func() {
			defer close(done)
			io.Copy(&screen, ptmx) // ends with EIO when the child exits
		}()
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
		<-done
		ptmx.Close()
		if screen.String() != c.want {
			t.Errorf("decode of %q in a terminal shows %q, want %q", c.ids, screen.String(), c.want)
		}
	}
	out, err := command("decode").Output()
	if err == nil && len(out) != 0 {
		t.Errorf("decode of nothing into a pipe wrote %q", out)
	}
	cmd := command("decode")
	cmd.Stdin = strings.NewReader("4521")
	if out, err := cmd.Output(); err != nil || string(out) != "Hello" {
		t.Errorf("decode into a pipe wrote %q (%v), want %q", out, err, "Hello")
	}
}
