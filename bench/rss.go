package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	// own, in bytes, the command's wall and CPU time, in nanoseconds, and
	// its minor page faults.
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
	u, err := peakRSS(exec.Command(args[0], args[1:]...))
	wall := time.Since(start)
	if err != nil {
		return err
	}
	floor, err := ownPeakRSS()
	if err != nil {
		return err
	}
	fmt.Println(u.rss, floor, wall.Nanoseconds(), u.cpu.Nanoseconds(), u.faults)
	return nil
}

// runRSSChild loads the model at modelPath and counts the tokens of the
// file at path.
func runRSSChild(path, modelPath string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	model, err := os.ReadFile(modelPath)
	if err != nil {
		return err
	}
	tok, err := tokenizer.Default()
	if !isEmbedded(model) {
		tok, err = parseModel(model)
	}
	if err != nil {
		return err
	}
	fmt.Println(tok.Count(string(data)))
	return nil
}

// processRuns is how many times measureProcess runs each process.
const processRuns = 21

// A ColdRun is a command run as a new process over and over on the small
// file, taking turns with the others (see measureProcess).
type ColdRun struct {
	Name    string  `json:"name"`
	Command string  `json:"command"`
	Timing  Timing  `json:"timing"` // wall clock
	Faults  float64 `json:"minor_faults"`
	RSS     uint64  `json:"rss_bytes"` // the largest peak
}

// measureProcess runs, each as a new process, `gemmatok version`,
// `gemmatok count` of text and spm_encode of text when cmd/gemmatok builds
// and spm_encode is installed, one after the other, processRuns times, so
// that a change in the machine's load falls on all alike. Without the CLI
// it runs this binary re-run to only count text. It returns the runs, the
// largest peak RSS of counting and the go-between's floor.
func measureProcess(text, modelPath string) (cold []ColdRun, rss, floor uint64, err error) {
	dir, err := os.MkdirTemp("", "gemmatok-bench")
	if err != nil {
		return nil, 0, 0, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		return nil, 0, 0, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, 0, 0, err
	}
	type command struct {
		name string
		args []string
	}
	var cmds []command
	cli := filepath.Join(dir, "gemmatok")
	model, err := os.ReadFile(modelPath)
	if err != nil {
		return nil, 0, 0, err
	}
	count := []string{cli, "count", file}
	if !isEmbedded(model) {
		count = []string{cli, "--model", modelPath, "count", file}
	}
	if exec.Command("go", "build", "-o", cli, "./cmd/gemmatok").Run() == nil {
		cmds = append(cmds, command{"gemmatok version", []string{cli, "version"}}, command{"gemmatok count", count})
	} else {
		cmds = append(cmds, command{"the harness loading the model and counting (no usable cmd/gemmatok)", []string{self, "-model", modelPath, "-" + rssChildFlag, file}})
	}
	if spm, err := exec.LookPath("spm_encode"); err == nil {
		cmds = append(cmds, command{"spm_encode", []string{spm, "--model=" + modelPath, "--output_format=id", file}})
	}
	samples := make([][]refrun.Sample, len(cmds))
	faults := make([][]float64, len(cmds))
	cold = make([]ColdRun, len(cmds))
	for range processRuns {
		for i, c := range cmds {
			out, err := exec.Command(self, append([]string{"-" + rssRunFlag}, c.args...)...).Output()
			if err != nil {
				return nil, 0, 0, fmt.Errorf("%s: %v", c.name, err)
			}
			var r, f uint64
			var wall, cpu int64
			var flt float64
			if _, err := fmt.Sscan(string(out), &r, &f, &wall, &cpu, &flt); err != nil {
				return nil, 0, 0, fmt.Errorf("go-between said %q: %v", out, err)
			}
			samples[i] = append(samples[i], refrun.Sample{Wall: time.Duration(wall), CPU: time.Duration(cpu)})
			faults[i] = append(faults[i], flt)
			cold[i].RSS = max(cold[i].RSS, r)
			floor = max(floor, f)
		}
	}
	for i, c := range cmds {
		cmd := strings.Join(append([]string{filepath.Base(c.args[0])}, c.args[1:]...), " ")
		cold[i].Name, cold[i].Command = c.name, strings.ReplaceAll(cmd, dir+string(filepath.Separator), "")
		cold[i].Timing = newTimingBy(wallClock, samples[i], len(text), 0)
		cold[i].Faults = median(faults[i])
	}
	counting, _ := countRun(cold)
	return cold, counting.RSS, floor, nil
}

// countRun returns the run of cold that counts with gemmatok, or false.
func countRun(cold []ColdRun) (ColdRun, bool) {
	for _, c := range cold {
		if c.Name != "gemmatok version" && c.Name != "spm_encode" {
			return c, true
		}
	}
	return ColdRun{}, false
}

// coldRun returns the run of cold called name, or false.
func coldRun(cold []ColdRun, name string) (ColdRun, bool) {
	for _, c := range cold {
		if c.Name == name {
			return c, true
		}
	}
	return ColdRun{}, false
}

// usage is what the kernel records of a finished child.
type usage struct {
	rss    uint64 // peak resident set size (see above)
	cpu    time.Duration
	faults int64 // minor page faults
}

// peakRSS runs cmd and returns its peak resident set size, the CPU time it
// took and its minor page faults.
func peakRSS(cmd *exec.Cmd) (usage, error) {
	if out, err := cmd.CombinedOutput(); err != nil {
		return usage{}, fmt.Errorf("%v: %v: %s", cmd.Args, err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return usage{}, fmt.Errorf("no rusage on %s", runtime.GOOS)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return usage{uint64(ru.Maxrss) * 1024, cpu, int64(ru.Minflt)}, nil // Linux reports kilobytes
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

// measureCold runs measureProcess on text and records its figures in l.
func measureCold(l *LoadResult, text, modelPath string) error {
	cold, rss, floor, err := measureProcess(text, modelPath)
	if err != nil {
		return err
	}
	l.Cold, l.RSSBytes, l.RSSFloorBytes, l.RSSTextBytes = cold, rss, floor, len(text)
	if c, ok := countRun(cold); ok {
		l.Process, l.RSSProcess = c.Timing, c.Name
	}
	return nil
}

// reportCold measures new processes on the first 4 KB of the corpus's
// English file (or its first file) and writes their table and check.
func reportCold(w io.Writer, corpusDir string, pick *regexp.Regexp, modelPath string) error {
	files, err := readCorpus(corpusDir, pick)
	if err != nil {
		return err
	}
	small := prefix(files[0].text, 4<<10)
	if en, ok := findFile(files, "en"); ok {
		small = prefix(en.text, 4<<10)
	}
	var l LoadResult
	if err := measureCold(&l, small, modelPath); err != nil {
		return err
	}
	var b strings.Builder
	writeCold(&b, l)
	c := coldCheck(l)
	fmt.Fprintf(&b, "\n%s: %s (%s). Load average %s.\n", c.Name, c.Status, c.Detail, loadAvg())
	_, err = io.WriteString(w, b.String())
	return err
}
