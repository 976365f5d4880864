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

	mu      sync.Mutex // guards bar and the writes around it
	bar     *progressbar.ProgressBar
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
	go p.run()
	return p
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
	if p.bar == nil {
		if elapsed < progressDelay || max(p.total, done) < progressMin {
			return
		}
		p.bar = progressbar.NewOptions64(p.total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("tokenizing"),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionUseANSICodes(true),
			// Without this, a bar of unknown length renders from a
			// goroutine of its own, which could draw after finish.
			progressbar.OptionSetSpinnerChangeInterval(0),
		)
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
	if p.bar != nil {
		p.bar.Clear()
	}
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
	if c.p.bar != nil {
		c.p.bar.Clear()
	}
	return c.w.Write(b)
}
