package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/gemmatok/gemmatok/bench/internal/refrun"
	"github.com/gemmatok/gemmatok/internal/hforacle"
	"github.com/gemmatok/gemmatok/tokenizer"
	"github.com/gemmatok/gemmatok/vocab"
)

// The Hugging Face comparison (--hf): Gemma 3's vocabulary on both sides,
// gemmatok with a fresh Tokenizer every run and Hugging Face tokenizers
// (npm tokenizers@0.23.2 under Node, internal/hforacle) timed inside its
// own process, each text whole, line by line and in 10 KB chunks. The runs
// of the two alternate, and both are timed by the CPU time of their
// process, which other processes on a shared machine disturb little (the
// wall-clock ratio is reported beside).

// hfModes are the ways a text is encoded, as the oracle names them.
var hfModes = []string{"whole", "lines", "chunks"}

// hfRuns is the number of alternating runs of each side per file and mode.
const hfRuns = 7

// hfParts cuts text as the oracle does in mode: whole, at "\n", or in
// chunks of 10,240 bytes, each ending after its last line end when it has
// one, else at a character boundary.
func hfParts(text, mode string) []string {
	switch mode {
	case "whole":
		return []string{text}
	case "lines":
		return strings.Split(text, "\n")
	}
	var parts []string
	for at := 0; at < len(text); {
		end := min(at+10240, len(text))
		if end < len(text) {
			if nl := strings.LastIndexByte(text[at:end], '\n'); nl >= 0 {
				end = at + nl + 1
			} else {
				for end > at && text[end]&0xC0 == 0x80 {
					end--
				}
			}
		}
		parts = append(parts, text[at:end])
		at = end
	}
	return parts
}

// runHF measures and prints the comparison as Markdown. json is the
// tokenizer.json Hugging Face loads; "" writes the built-in Gemma 3's.
func runHF(w io.Writer, corpusDir string, pick *regexp.Regexp, json string) error {
	files, err := readCorpus(corpusDir, pick)
	if err != nil {
		return err
	}
	v, err := vocab.Gemma3()
	if err != nil {
		return err
	}
	source := json
	if json == "" {
		js, err := v.TokenizerJSON()
		if err != nil {
			return err
		}
		dir, err := os.MkdirTemp("", "gemmatok-bench-hf")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		json = filepath.Join(dir, "tokenizer.json")
		if err := os.WriteFile(json, js, 0o666); err != nil {
			return err
		}
		source = "written from the built-in Gemma 3 (vocab.Gemma3().TokenizerJSON())"
	}
	o, err := hforacle.Start(".")
	if err != nil {
		return err
	}
	defer o.Close()
	if _, err := o.Load(json); err != nil {
		return err
	}

	load := hfLoad()
	fmt.Fprintf(w, "## Gemma 3: gemmatok against Hugging Face tokenizers %s\n\n", hforacle.Version)
	fmt.Fprintf(w, "%s, %d CPUs, load average %s; tokenizer.json %s.\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		runtime.NumCPU(), loadAverage(), source)
	fmt.Fprintf(w, "Medians of %d alternating runs, by the CPU time of each side's process (wall-clock ratio beside); gemmatok with a fresh Tokenizer every run.\n\n", hfRuns)
	fmt.Fprintf(w, "Gemma 3 load (built in, vocab.Parse + tokenizer.New + a first Encode), median: %.1f ms\n\n", load.Seconds()*1e3)
	fmt.Fprintf(w, "| file | mode | gemmatok MB/s | HF MB/s | ratio | wall ratio |\n|---|---|--:|--:|--:|--:|\n")
	worst, worstAt := 0.0, ""
	for _, f := range files {
		for _, mode := range hfModes {
			parts := hfParts(f.text, mode)
			var ours, theirs hforacle.Timing
			var tok *tokenizer.Tokenizer
			fresh := func() {
				tok = nil
				if tok, err = tokenizer.New(v); err != nil {
					panic(err) // Gemma3 is tested to build
				}
				tok.Encode(primer)
				runtime.GC()
			}
			once := refrun.Policy{MinRuns: 1, MaxRuns: 1, Limit: time.Minute}
			for range hfRuns {
				sample := once.TimeWith(fresh, func() {
					ours.IDs = 0
					for _, p := range parts {
						ours.IDs += len(tok.Encode(p))
					}
				})[0]
				ours.Wall, ours.CPU = append(ours.Wall, sample.Wall), append(ours.CPU, sample.CPU)
				t, err := o.Time(f.text, mode, 1)
				if err != nil {
					return err
				}
				theirs.Wall, theirs.CPU, theirs.IDs = append(theirs.Wall, t.Wall...), append(theirs.CPU, t.CPU...), t.IDs
			}
			if ours.IDs != theirs.IDs {
				return fmt.Errorf("%s, %s: gemmatok gives %d ids, Hugging Face %d", f.name, mode, ours.IDs, theirs.IDs)
			}
			a, b := median(ours.CPU), median(theirs.CPU)
			ratio := b.Seconds() / a.Seconds()
			wallRatio := median(theirs.Wall).Seconds() / median(ours.Wall).Seconds()
			if worstAt == "" || ratio < worst {
				worst, worstAt = ratio, f.name+" "+mode
			}
			mb := float64(len(f.text)) / 1e6
			fmt.Fprintf(w, "| %s | %s | %.1f | %.2f | %.1fx | %.1fx |\n", f.name, mode, mb/a.Seconds(), mb/b.Seconds(), ratio, wallRatio)
			progress("hf: %s %s %.1fx", f.name, mode, ratio)
		}
	}
	verdict := "pass"
	if worst < 10 {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "\nLowest ratio %.1fx (%s): target at least 10x, %s.\n", worst, worstAt, verdict)
	return nil
}

// hfLoad returns the median time of building the built-in Gemma 3's
// Tokenizer from its model bytes until its first Encode returns.
func hfLoad() time.Duration {
	var ds []time.Duration
	for range 9 {
		runtime.GC()
		start := time.Now()
		v, err := vocab.Parse(vocab.Gemma3Model())
		if err != nil {
			panic(err) // tested to parse
		}
		tok, err := tokenizer.New(v)
		if err != nil {
			panic(err)
		}
		tok.Encode(primer)
		ds = append(ds, time.Since(start))
	}
	return median(ds)
}

// loadAverage returns the first three fields of /proc/loadavg, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}
