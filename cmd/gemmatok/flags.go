package main

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// sizeFlag is a flag's byte count, written as a number with an optional
// unit: K, M, G (powers of 1024, also as KiB, MiB, GiB) or KB, MB, GB
// (powers of 1000).
type sizeFlag int64

func (f *sizeFlag) String() string { return formatSize(int64(*f)) }

func (f *sizeFlag) Set(s string) error {
	units := []struct {
		suffix string
		scale  int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
	}
	scale := int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, scale = n, u.scale
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/scale {
		return errors.New("want a positive number of bytes, such as 64MiB")
	}
	*f = sizeFlag(n * scale)
	return nil
}

func (f *sizeFlag) Type() string { return "SIZE" }

// formatSize writes n bytes in the largest binary unit that divides it.
func formatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		scale  int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.scale && n%u.scale == 0 {
			return fmt.Sprintf("%d%s", n/u.scale, u.suffix)
		}
	}
	return strconv.FormatInt(n, 10)
}

// addMaxRunFlag adds --max-run to a command's flags.
func addMaxRunFlag(fl *pflag.FlagSet, f *sizeFlag) {
	*f = defaultMaxRun
	fl.Var(f, "max-run", "encode text without a safe cut whole up to `SIZE` bytes")
}

// maxRunHelp is the help that commands with --max-run give it. The figures
// are peak RSS over the input's size, for 3 and 12 MB of random ACGT
// without a line break and 16 MiB of one letter.
const maxRunHelp = `A large input is encoded in parts cut where cutting provably leaves the ids
unchanged. Text with no such cut (one letter repeated, DNA without line
breaks, or any text under a model whose cuts are unknown; for truncate,
also under a normalizer with rules for the start and the end of a text,
such as Llama's dummy prefix) is encoded whole, as the library does. That
takes memory: about 50 MB a MB of such text for count and encode, 70 for
truncate (one letter repeated takes 9 and 30). --max-run bounds it
(default 16MiB, so about 800 MB, or 1.1 GB for truncate); an input with a
longer run fails with a message naming the bound.`

// optionalString is the value of a string flag that may be given empty,
// such as --text "", which an empty default could not tell from an absent
// flag.
type optionalString struct {
	s   string
	set bool
}

func (o *optionalString) String() string { return o.s }

func (o *optionalString) Set(s string) error {
	if o.set {
		// A second --text would silently replace the first.
		return errors.New("the flag may be given only once")
	}
	o.s, o.set = s, true
	return nil
}

func (o *optionalString) Type() string { return "STRING" }

// maxWorkers bounds --workers: each worker has its channel slots, scratch
// and memory budget, and a mistyped -j 99999999999 ran out of memory
// before encoding anything.
const maxWorkers = 1024

// workerCount returns the number of workers that --workers n asks for:
// one a CPU when n is 0.
func workerCount(n int) (int, error) {
	switch {
	case n < 0:
		return 0, usagef("--workers must not be negative")
	case n > maxWorkers:
		return 0, usagef("--workers must be at most %d", maxWorkers)
	case n == 0:
		return runtime.GOMAXPROCS(0), nil
	}
	return n, nil
}
