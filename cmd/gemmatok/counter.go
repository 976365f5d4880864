package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// counts are what count reports of a text.
type counts struct {
	Tokens int64 `json:"tokens"`
	Chars  int64 `json:"chars"` // code points, each malformed byte counting as one
	Bytes  int64 `json:"bytes"`
}

func (c *counts) add(o counts) {
	c.Tokens += o.Tokens
	c.Chars += o.Chars
	c.Bytes += o.Bytes
}

// binaryProbe is how much of a walked file is searched for a NUL byte, the
// sign of a binary file, as git and grep take it.
const binaryProbe = 8 << 10

// A counter counts inputs on a pool of workers. A large regular file is
// split into parts (see splitFile) that the workers share.
type counter struct {
	tok     *tokenizer.Tokenizer
	workers int
	stdin   io.Reader
	prog    *progress
	mem     *memoryLimit
	chars   bool // count characters, which costs a pass over the text
	special tokenizer.SpecialMode
	maxRun  int64
	lines   bool // count line by line

	// The dispatcher's state: a buffer for binary detection and the last
	// stdin input handed out.
	probe     []byte
	lastStdin *input
}

// A job is a part of an input for one worker to count, which starts at
// byte start of the input.
type job struct {
	in    *input
	r     io.Reader
	start int64
	final bool // the part goes to the end of the input
}

// start counts ins in the background, in order. The done channel of each
// input closes when its counts, or its failure, are final.
func (c *counter) start(ins []*input) {
	for _, in := range ins {
		in.done = make(chan struct{})
	}
	jobs := make(chan job, c.workers)
	for range c.workers {
		go c.work(jobs)
	}
	go func() {
		defer close(jobs)
		for _, in := range ins {
			c.dispatch(in, jobs)
		}
	}()
}

// dispatch opens in and hands its parts to the workers.
func (c *counter) dispatch(in *input, jobs chan<- job) {
	if in.err != nil || in.note != "" {
		close(in.done)
		return
	}
	if in.text != nil {
		in.pending = 1
		jobs <- job{in, strings.NewReader(*in.text), 0, true}
		return
	}
	if in.stdin {
		// Stdin named twice is read twice in turn, the second time
		// from where the first stopped, as wc does.
		if c.lastStdin != nil {
			<-c.lastStdin.done
		}
		c.lastStdin = in
		in.pending = 1
		jobs <- job{in, c.stdin, 0, true}
		return
	}
	f, err := os.Open(in.name)
	if err != nil {
		in.err = err
		close(in.done)
		return
	}
	spans, err := c.plan(in, f)
	if err != nil || in.binary {
		f.Close()
		in.err = err
		c.prog.add(max(in.size, 0))
		close(in.done)
		return
	}
	in.closer = f.Close
	in.pending = max(len(spans), 1)
	if len(spans) <= 1 {
		// Read to the end, which for a growing file may be past in.size.
		jobs <- job{in, f, 0, true}
		return
	}
	for i, s := range spans {
		jobs <- job{in, io.NewSectionReader(f, s.start, s.end-s.start), s.start, i == len(spans)-1}
	}
}

// plan returns the spans of f to count separately, none for a file that is
// not regular, and sets in.binary for a walked binary file.
func (c *counter) plan(in *input, f *os.File) ([]span, error) {
	if in.size < 0 {
		return nil, nil
	}
	if in.walked != nil {
		if c.probe == nil {
			c.probe = make([]byte, binaryProbe)
		}
		n, err := f.ReadAt(c.probe, 0)
		if err != nil && err != io.EOF {
			return nil, err
		}
		if bytes.IndexByte(c.probe[:n], 0) >= 0 {
			in.binary = true
			return nil, nil
		}
	}
	if c.workers < 2 {
		return nil, nil
	}
	if c.lines {
		return splitFile(f, in.size, partSize, lineCuts)
	}
	return splitFile(f, in.size, partSize, safeCuts(c.tok, c.special))
}

// work counts the jobs it receives. With other workers it counts with a
// Tokenizer of its own: the goroutines of one Tokenizer share its word
// cache, one adding a word at a time, and workers counting different texts
// have few new words in common but would contend for adding theirs.
func (c *counter) work(jobs <-chan job) {
	tok := c.tok
	if c.workers > 1 {
		if own, err := tokenizer.New(tok.Vocab()); err == nil {
			tok = own
		}
	}
	s := splitter{tok: tok, special: c.special, mem: c.mem, maxRun: c.maxRun, lines: c.lines}
	for j := range jobs {
		var n counts
		err := s.each(j.r, func(p []byte, at int64, last bool) error {
			k, err := s.count(p, j.start+at, last && j.final)
			if err != nil {
				return err
			}
			n.Tokens += int64(k)
			if c.chars {
				n.Chars += int64(utf8.RuneCountInString(stringView(p)))
			}
			n.Bytes += int64(len(p))
			c.prog.add(int64(len(p)))
			return nil
		})
		j.in.finish(n, err)
	}
}

// finish adds the counts of one part of in, or its failure.
func (in *input) finish(n counts, err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.counts.add(n)
	in.err = firstError(in.err, err)
	if in.pending--; in.pending > 0 {
		return
	}
	if in.closer != nil {
		if err := in.closer(); err != nil && in.err == nil {
			in.err = err
		}
	}
	close(in.done)
}
