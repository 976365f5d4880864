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
	"testing"

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
	for range 4 {
		w.WriteString(run)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	want := n*int64(copies) + 4*int64(defaultTok(t).Count(run))

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	cmd := command("count", "-j", "2", path)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	screen := make(chan string)
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO when the child exits
		screen <- string(b)
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	bar := <-screen
	if got := fmt.Sprintf("%d %s\n", want, path); stdout.String() != got {
		t.Errorf("stdout %q, want %q", stdout.String(), got)
	}
	for _, s := range []string{"tokenizing", "%", "MB/s", "MB", "\r"} {
		if !strings.Contains(bar, s) {
			t.Errorf("the terminal shows %q, no %q in it", bar, s)
		}
	}
	if !strings.HasSuffix(bar, "\x1b[2K\r") {
		t.Errorf("the bar is not erased at the end: %q", bar)
	}
}
