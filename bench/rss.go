package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gemmatok/gemmatok/bench/internal/refrun"
	"github.com/gemmatok/gemmatok/tokenizer"
)

// The peak RSS and the time of a fresh process that loads the model and
// counts a small file's tokens. In-process loads, timed over and over,
// find the model's pages mapped and the heap grown; a new process maps
// every page it touches, which is what a user counting one file waits for.
//
// A child's ru_maxrss on Linux is not its own alone: exec keeps the larger
// of the peak recorded so far and the peak of the memory the process
// leaves, and os/exec starts children with vfork, sharing this process's
// memory until exec. A child of the harness, which holds the corpus and
// more, would report the harness's peak. So the harness re-runs itself with
// -rss-run as a small go-between that starts the measured command; the peak
// it reports is exact whenever the command's exceeds the go-between's own
// (the floor, reported too).

const (
	// rssRunFlag makes the harness binary the go-between: it runs the
	// command in its arguments and prints that command's peak RSS and its
	// own, in bytes, and the command's wall and CPU time, in nanoseconds.
	rssRunFlag = "rss-run"
	// rssChildFlag makes the harness binary a process that only loads the
	// model and counts the tokens of a file, when there is no gemmatok CLI.
	rssChildFlag = "rss-child"
)

// runRSSGoBetween is the go-between's whole work.
func runRSSGoBetween(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("-%s needs a command", rssRunFlag)
	}
	start := time.Now()
	rss, cpu, err := peakRSS(exec.Command(args[0], args[1:]...))
	wall := time.Since(start)
	if err != nil {
		return err
	}
	floor, err := ownPeakRSS()
	if err != nil {
		return err
	}
	fmt.Println(rss, floor, wall.Nanoseconds(), cpu.Nanoseconds())
	return nil
}

// runRSSChild loads the model and counts the tokens of the file at path.
func runRSSChild(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	tok, err := tokenizer.Default()
	if err != nil {
		return err
	}
	fmt.Println(tok.Count(string(data)))
	return nil
}

// processRuns is how many times measureProcess runs the process.
const processRuns = 11

// measureProcess runs `gemmatok count` on text when cmd/gemmatok builds,
// else this binary re-run to do only that, processRuns times. It returns
// the largest peak RSS of the runs, the go-between's floor, the runs'
// times, and which command it measured.
func measureProcess(text string) (rss, floor uint64, runs Timing, what string, err error) {
	dir, err := os.MkdirTemp("", "gemmatok-bench")
	if err != nil {
		return 0, 0, runs, "", err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		return 0, 0, runs, "", err
	}
	self, err := os.Executable()
	if err != nil {
		return 0, 0, runs, "", err
	}
	measure := func(args ...string) (rss, floor uint64, samples []refrun.Sample, err error) {
		for range processRuns {
			out, err := exec.Command(self, append([]string{"-" + rssRunFlag}, args...)...).Output()
			if err != nil {
				return 0, 0, nil, fmt.Errorf("%v: %v", args, err)
			}
			var r, f uint64
			var wall, cpu int64
			if _, err := fmt.Sscan(string(out), &r, &f, &wall, &cpu); err != nil {
				return 0, 0, nil, fmt.Errorf("go-between said %q: %v", out, err)
			}
			rss, floor = max(rss, r), max(floor, f)
			samples = append(samples, refrun.Sample{Wall: time.Duration(wall), CPU: time.Duration(cpu)})
		}
		return rss, floor, samples, nil
	}

	cli := filepath.Join(dir, "gemmatok")
	if exec.Command("go", "build", "-o", cli, "./cmd/gemmatok").Run() == nil {
		if rss, floor, samples, err := measure(cli, "count", file); err == nil {
			return rss, floor, newTimingBy(wallClock, samples, len(text), 0), "gemmatok count", nil
		}
	}
	rss, floor, samples, err := measure(self, "-"+rssChildFlag, file)
	return rss, floor, newTimingBy(wallClock, samples, len(text), 0), "the harness loading the model and counting (no usable cmd/gemmatok)", err
}

// peakRSS runs cmd and returns its peak resident set size, as the kernel
// records it (see above), and the CPU time it took.
func peakRSS(cmd *exec.Cmd) (uint64, time.Duration, error) {
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("%v: %v: %s", cmd.Args, err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0, fmt.Errorf("no rusage on %s", runtime.GOOS)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return uint64(ru.Maxrss) * 1024, cpu, nil // Linux reports kilobytes
}

// ownPeakRSS returns this process's peak RSS (VmHWM), which unlike
// ru_maxrss is of its own memory only.
func ownPeakRSS() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
