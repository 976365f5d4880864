package main

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// A progress bar shows on stderr when it is a terminal and the work is
// large: at least progressMin bytes (known from the start, or read so far)
// and still running after progressDelay.
const (
	progressMin   = 16 << 20
	progressDelay = 500 * time.Millisecond
	progressTick  = 100 * time.Millisecond
)

// progress tracks the bytes a command has processed and shows them as a
// bar: bytes done, rate and time left. A nil *progress tracks nothing.
type progress struct {
	w     io.Writer
	total int64 // bytes to do, -1 when unknown
	done  atomic.Int64

	mu      sync.Mutex // guards bar, shown and the writes around them
	bar     *progressbar.ProgressBar
	shown   bool // the bar is drawn on w; until then its output is dropped
	stop    chan struct{}
	stopped chan struct{}
}

// startProgress returns a progress for total bytes (-1 when unknown) shown
// on w, or nil when w is not a terminal.
func startProgress(w io.Writer, total int64) *progress {
	if !isTerminal(w) {
		return nil
	}
	p := &progress{w: w, total: total, stop: make(chan struct{}), stopped: make(chan struct{})}
	// The bar runs from the start, unseen, so that its rate and time left
	// are measured over the whole work.
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(shownWriter{p}),
		progressbar.OptionSetDescription("tokenizing"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionUseANSICodes(true),
		// Without this, a bar of unknown length draws from a goroutine of
		// its own, which could draw after finish.
		progressbar.OptionSetSpinnerChangeInterval(0),
	)
	go p.run()
	return p
}

// shownWriter passes the bar's output on to the terminal once it is shown.
// The bar writes only while p.mu is held.
type shownWriter struct{ p *progress }

func (s shownWriter) Write(b []byte) (int, error) {
	if !s.p.shown {
		return len(b), nil
	}
	return s.p.w.Write(b)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (p *progress) run() {
	defer close(p.stopped)
	start := time.Now()
	tick := time.NewTicker(progressTick)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
			p.update(time.Since(start))
		}
	}
}

func (p *progress) update(elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done := p.done.Load()
	if !p.shown && elapsed >= progressDelay && max(p.total, done) >= progressMin {
		p.shown = true
	}
	p.bar.Set64(done)
}

// add records n more bytes done.
func (p *progress) add(n int64) {
	if p != nil {
		p.done.Add(n)
	}
}

// finish stops the bar and erases it.
func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Clear()
}

// writer returns w, wrapped, when it is a terminal, to erase the bar before
// each write (it shows again at the next tick), as text and a bar on one
// line would mix.
func (p *progress) writer(w io.Writer) io.Writer {
	if p == nil || !isTerminal(w) {
		return w
	}
	return barClearingWriter{p, w}
}

type barClearingWriter struct {
	p *progress
	w io.Writer
}

func (c barClearingWriter) Write(b []byte) (int, error) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	c.p.bar.Clear()
	return c.w.Write(b)
}
