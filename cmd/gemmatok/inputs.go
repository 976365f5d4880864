package main

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// An input is one text that count reads: stdin, a file named on the
// command line or a file found by walking a directory.
type input struct {
	name   string // as printed; "" for stdin read without being named
	stdin  bool
	walked *walkedDir // the directory it was found in, so skipped when binary
	size   int64      // the size of a regular file, else -1
	err    error      // a failure met before reading, from the walk or stat
	note   string     // why a walk passed over it, when it did
	text   *string    // the text of --text, when it is the input

	// Set while counting; done is closed when the rest is final.
	mu      sync.Mutex
	counts  counts
	pending int  // parts not yet counted
	binary  bool // skipped as a binary file
	closer  func() error
	done    chan struct{}
}

// A walkedDir is a directory named on count's command line, which fails
// when every file found in it is binary, as it does when it holds none.
type walkedDir struct {
	name    string
	left    int  // files not yet reported
	counted bool // some file was counted, or failed, so the walk was not in vain
}

// report notes that one file of d is reported, counted or failed when
// counted, and returns whether the walk has ended in vain: with all its
// files binary.
func (d *walkedDir) report(counted bool) bool {
	d.left--
	d.counted = d.counted || counted
	return d.left == 0 && !d.counted
}

// selector chooses the files of a directory walk.
type selector struct {
	include, exclude []string // path.Match patterns
	hidden           bool     // walk hidden files and directories too
	follow           bool     // follow symbolic links met in a walk

	skippedHidden bool // the current walk passed over hidden entries
}

// validate reports the first malformed pattern.
func (s *selector) validate() error {
	for _, p := range slices.Concat(s.include, s.exclude) {
		if _, err := path.Match(p, ""); err != nil {
			return usagef("bad pattern %q: %v", p, err)
		}
	}
	return nil
}

// matchAny reports whether some pattern matches a file with base name name
// at rel, its slash-separated path under the walked directory. A pattern
// with a slash matches rel, the others the base name, as in .gitignore.
func matchAny(patterns []string, name, rel string) bool {
	for _, p := range patterns {
		target := name
		if strings.Contains(p, "/") {
			target = rel
		}
		if ok, _ := path.Match(p, target); ok {
			return true
		}
	}
	return false
}

// skipName reports whether a walk passes over an entry named name: .git
// always, other hidden entries unless asked for, which it notes in
// s.skippedHidden.
func (s *selector) skipName(name string) bool {
	if name == ".git" {
		return true
	}
	if !s.hidden && strings.HasPrefix(name, ".") {
		s.skippedHidden = true
		return true
	}
	return false
}

// inputs expands count's arguments: "-" (or no argument) is stdin, a
// directory is walked recursively, anything else is read as a file.
func (s *selector) inputs(args []string) []*input {
	if len(args) == 0 {
		return []*input{{stdin: true, size: -1}}
	}
	var ins []*input
	for _, arg := range args {
		if arg == "-" {
			ins = append(ins, &input{name: "-", stdin: true, size: -1})
			continue
		}
		fi, err := os.Stat(arg)
		switch {
		case err != nil:
			ins = append(ins, &input{name: arg, err: err})
		case fi.IsDir():
			ins = s.walk(ins, arg)
		default:
			ins = append(ins, &input{name: arg, size: regularSize(fi)})
		}
	}
	return ins
}

// regularSize returns the size of a regular file, and -1 for the others
// (pipes, devices), whose size says nothing of their content.
func regularSize(fi fs.FileInfo) int64 {
	if fi.Mode().IsRegular() {
		return fi.Size()
	}
	return -1
}

// errNoMatch reports a walked directory in which no file matched
// --include.
var errNoMatch = errors.New("no file matches --include")

// errNoFiles, errOnlyHidden and errOnlyBinary report a walked directory
// with no file to count: counting nothing where a user asked for a tree is more likely a
// mistake than an answer of 0, and the hidden files it may hold count with
// --hidden only.
var (
	errNoFiles    = errors.New("no file to count")
	errOnlyHidden = errors.New("no file to count (hidden files need --hidden)")
	errOnlyBinary = errors.New("no file to count: every file is binary")
)

// walk appends the files under dir to ins, in lexical order, and returns
// them. dir itself is followed when it is a symbolic link, as a file named
// on the command line is. Links met in the walk are passed over with a
// note, as rg and grep -r do, unless s.follow, when a link to a directory
// that holds it is a loop, passed over with a note too. Pipes, devices
// and sockets are passed over.
func (s *selector) walk(ins []*input, dir string) []*input {
	fi, err := os.Stat(dir)
	if err != nil {
		return append(ins, &input{name: dir, err: err})
	}
	s.skippedHidden = false
	d := &walkedDir{name: dir}
	ins = s.walkDir(ins, d, dir, "", []fs.FileInfo{fi})
	if d.left == 0 {
		err := errNoFiles
		switch {
		case len(s.include) > 0:
			err = errNoMatch
		case s.skippedHidden:
			err = errOnlyHidden
		}
		ins = append(ins, &input{name: dir, err: err})
	}
	return ins
}

// walkDir appends the files under dir, which is rel under the walked
// directory d, to ins; parents are the directories that hold it, itself
// last.
func (s *selector) walkDir(ins []*input, d *walkedDir, dir, rel string, parents []fs.FileInfo) []*input {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return append(ins, &input{name: dir, err: err})
	}
	for _, e := range entries {
		name := e.Name()
		p, r := filepath.Join(dir, name), path.Join(rel, name)
		if s.skipName(name) || matchAny(s.exclude, name, r) {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 && !s.follow {
			ins = append(ins, &input{name: p, note: "symbolic link skipped (--follow follows it)"})
			continue
		}
		fi, err := os.Stat(p) // follows a link
		switch {
		case err != nil:
			ins = append(ins, &input{name: p, err: err})
		case fi.IsDir():
			if slices.ContainsFunc(parents, func(q fs.FileInfo) bool { return os.SameFile(q, fi) }) {
				ins = append(ins, &input{name: p, note: "symbolic link loop skipped"})
				continue
			}
			ins = s.walkDir(ins, d, p, r, append(parents, fi))
		case fi.Mode().IsRegular() && (len(s.include) == 0 || matchAny(s.include, name, r)):
			d.left++
			ins = append(ins, &input{name: p, walked: d, size: fi.Size()})
		}
	}
	return ins
}
