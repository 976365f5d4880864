package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// A progress line shows on stderr when it is a terminal and the work is
// large: at least progressMin bytes (known from the start, or read so far)
// and still running after progressDelay.
const (
	progressMin   = 16 << 20
	progressDelay = 500 * time.Millisecond
	progressTick  = 100 * time.Millisecond
)

// Control sequences of the progress line: it is drawn from the start of the
// line, and erased whole.
const (
	eraseLine = "\x1b[2K\r"
	eraseEnd  = "\x1b[K"
)

// progress tracks the bytes a command has processed and shows them on one
// line: a bar, the percentage, bytes done, rate and time left, fitted to
// the terminal's width and drawn again when the terminal is resized. A nil
// *progress tracks nothing.
type progress struct {
	f     *os.File
	total int64 // bytes to do, -1 when unknown
	done  atomic.Int64
	start time.Time

	mu      sync.Mutex // guards shown, drawn and the writes around them
	shown   bool       // the work is large enough to show
	drawn   bool       // a line is on the terminal
	stop    chan struct{}
	stopped chan struct{}
}

// startProgress returns a progress for total bytes (-1 when unknown) shown
// on w, or nil when w is not a terminal.
func startProgress(w io.Writer, total int64) *progress {
	if !isTerminal(w) {
		return nil
	}
	p := &progress{f: w.(*os.File), total: total, start: time.Now(), stop: make(chan struct{}), stopped: make(chan struct{})}
	go p.run()
	return p
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (p *progress) run() {
	defer close(p.stopped)
	tick := time.NewTicker(progressTick)
	defer tick.Stop()
	resized := make(chan os.Signal, 1)
	if resizeSignal != nil {
		signal.Notify(resized, resizeSignal)
		defer signal.Stop(resized)
	}
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
		case <-resized:
			// Drawn at once at the new width: a line wider than the
			// terminal would wrap at the next write.
		}
		p.draw()
	}
}

// draw shows the line, once the work is large enough and has gone on long
// enough.
func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	done := p.done.Load()
	elapsed := time.Since(p.start)
	if !p.shown && elapsed >= progressDelay && max(p.total, done) >= progressMin {
		p.shown = true
	}
	if !p.shown {
		return
	}
	width := 80
	if w, _, err := term.GetSize(int(p.f.Fd())); err == nil && w > 0 {
		width = w
	}
	io.WriteString(p.f, "\r"+progressLine(done, p.total, elapsed, width-1)+eraseEnd)
	p.drawn = true
}

// clear erases the line if it is drawn; p.mu is held.
func (p *progress) clear() {
	if p.drawn {
		io.WriteString(p.f, eraseLine)
		p.drawn = false
	}
}

// progressLine returns the text of the progress line for done of total
// bytes (-1 when unknown) after elapsed, at most width columns wide. The
// figures are kept in the order of their use (percentage and bytes, rate,
// time left, what is done), as many as fit; a bar takes the columns left
// over, when there are enough.
func progressLine(done, total int64, elapsed time.Duration, width int) string {
	var rate float64
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	var fields []string // by importance
	if total > 0 {
		frac := min(float64(done)/float64(total), 1)
		fields = append(fields, fmt.Sprintf("%.0f%% %s/%s", 100*frac, megabytes(done, false), megabytes(total, true)))
	} else {
		fields = append(fields, megabytes(done, true))
	}
	if rate > 0 {
		fields = append(fields, megabytes(int64(rate), true)+"/s")
		if total > 0 {
			fields = append(fields, time.Duration(float64(max(total-done, 0))/rate*1e9).Round(time.Second).String()+" left")
		}
	}
	// The line is ASCII, a byte a column.
	line := fields[0][:min(len(fields[0]), max(width, 0))]
	for _, f := range fields[1:] {
		if len(line)+1+len(f) > width {
			break
		}
		line += " " + f
	}
	if len(line)+len("tokenizing ") <= width {
		line = "tokenizing " + line
	}
	const minBar = 10 // the bar and its brackets, at least
	if bar := width - len(line) - 1; total > 0 && bar >= minBar {
		fill := int(min(float64(done)/float64(total), 1) * float64(bar-2))
		line = "[" + strings.Repeat("=", fill) + strings.Repeat(" ", bar-2-fill) + "] " + line
	}
	return line
}

// megabytes formats n bytes in MB, with a decimal below 100 MB, and the
// unit when asked for.
func megabytes(n int64, unit bool) string {
	mb := float64(n) / 1e6
	s := fmt.Sprintf("%.0f", mb)
	if mb < 100 {
		s = fmt.Sprintf("%.1f", mb)
	}
	if unit {
		s += " MB"
	}
	return s
}

// add records n more bytes done.
func (p *progress) add(n int64) {
	if p != nil {
		p.done.Add(n)
	}
}

// finish stops the line and erases it.
func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

// writer returns w, wrapped, when it is a terminal, to erase the line
// before each write (it shows again at the next tick), as text and a
// progress line on one line would mix.
func (p *progress) writer(w io.Writer) io.Writer {
	if p == nil || !isTerminal(w) {
		return w
	}
	return lineClearingWriter{p, w}
}

type lineClearingWriter struct {
	p *progress
	w io.Writer
}

func (c lineClearingWriter) Write(b []byte) (int, error) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	c.p.clear()
	return c.w.Write(b)
}
