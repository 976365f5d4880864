// Package lineproc runs a long-lived child process spoken to in JSON lines:
// one request a line on its stdin, one answer a line on its stdout. The
// test oracles (testdata/oracle.py, testdata/hf_oracle.js) are such
// processes.
package lineproc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
)

// A Proc is a running child process. Its methods are safe for concurrent
// use; calls are answered one at a time.
type Proc struct {
	name string // for errors
	mu   sync.Mutex
	cmd  *exec.Cmd
	in   *bufio.Writer
	out  *bufio.Reader
}

// Start starts cmd, whose stderr goes to this process's, and names it name
// in errors.
func Start(name string, cmd *exec.Cmd) (*Proc, error) {
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &Proc{name: name, cmd: cmd, in: bufio.NewWriter(stdin), out: bufio.NewReaderSize(stdout, 1<<20)}, nil
}

// Call sends req as one JSON line and decodes the answer into res. An
// answer with a non-empty "error" field is returned as an error.
func (p *Proc) Call(req, res any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	p.in.Write(b)
	p.in.WriteByte('\n')
	if err := p.in.Flush(); err != nil {
		return fmt.Errorf("%s: %v", p.name, err)
	}
	line, err := p.out.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("%s: %v", p.name, err)
	}
	var e struct{ Error string }
	if json.Unmarshal(line, &e) == nil && e.Error != "" {
		return fmt.Errorf("%s: %s", p.name, e.Error)
	}
	return json.Unmarshal(line, res)
}

// Close kills the process and waits for it.
func (p *Proc) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cmd.Process.Kill()
	return p.cmd.Wait()
}
