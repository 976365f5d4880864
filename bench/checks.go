package main

import (
	"fmt"
	"math"
	"runtime"
	"strings"
)

// The targets of issue 3 (the embedded model) and of issue 17 (any other
// model, the large Unigram model in particular), each checked against a
// Report.

// Targets of issue 3; MB is 10^6 bytes throughout.
const (
	minEncodeRatio  = 30   // gemmatok MB/s, fresh, over each reference's, per file
	maxPathoSlowing = 4    // English MB/s over a pathological input's
	maxPathoGrowth  = 2.2  // time at 2 MB over time at 1 MB (2x plus 10%)
	maxLoadSeconds  = .015 // model load, embedded or from a file
	maxHeapBytes    = 16e6 // Go heap after load
	maxRSSBytes     = 30e6 // peak RSS of counting a small file
	maxColdSeconds  = .010 // a new process counting a small file, over gemmatok version
	minBatchSpeedup = 1.8  // batch encode, 2 goroutines over 1
)

// Targets of issue 17.
const (
	minFreshRatio17  = 4    // gemmatok MB/s, fresh, over each reference's, per file
	minWarmRatio17   = 8    // gemmatok MB/s, warm, over each reference's, per file
	maxLoadSeconds17 = .020 // model load, from bytes or from a file
)

// Check statuses.
const (
	pass = "pass"
	fail = "FAIL"
	skip = "skip"
)

// A Check is one target's verdict, with the numbers behind it.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

func verdict(ok bool) string {
	if ok {
		return pass
	}
	return fail
}

// checks returns the verdict on every target, in the order of the issue:
// issue 17's for a model other than the embedded one, else issue 3's.
func checks(r *Report) []Check {
	cs := sameIDChecks(r)
	if r.OtherModel {
		for i := range references {
			cs = append(cs, ratioCheck(r, i, "fresh", FileResult.fresh, minFreshRatio17),
				ratioCheck(r, i, "warm", FileResult.warm, minWarmRatio17))
		}
		return append(cs,
			loadCheck("load until the first Encode returns, model bytes in memory", r.Load.Bytes, r.Load, maxLoadSeconds17),
			loadCheck("load until the first Encode returns, from a file", r.Load.File, r.Load, maxLoadSeconds17))
	}
	for i := range references {
		cs = append(cs, ratioCheck(r, i, "fresh", FileResult.fresh, minEncodeRatio))
	}
	cs = append(cs, pathoChecks(r)...)
	cs = append(cs,
		loadCheck("load until the first Encode returns, embedded model", r.Load.Bytes, r.Load, maxLoadSeconds),
		loadCheck("load until the first Encode returns, from a file", r.Load.File, r.Load, maxLoadSeconds),
		Check{fmt.Sprintf("Go heap after load ≤ %s", mb(maxHeapBytes)), verdict(float64(r.Load.HeapBytes) <= maxHeapBytes), mb(float64(r.Load.HeapBytes))},
		rssCheck(r.Load),
		coldCheck(r.Load),
		Check{"Count allocates nothing", verdict(r.Allocs.Count == 0),
			fmt.Sprintf("%.1f allocs/op (worst file: %s)", r.Allocs.Count, r.Allocs.CountWorst)},
		Check{"AppendEncode into a big-enough slice allocates nothing", verdict(r.Allocs.AppendEncode == 0),
			fmt.Sprintf("%.1f allocs/op (worst file: %s)", r.Allocs.AppendEncode, r.Allocs.AppendWorst)},
		batchCheck(r.Batch))
	return cs
}

// sameIDChecks says per reference and mode whether the reference produced
// gemmatok's ids on every file.
func sameIDChecks(r *Report) []Check {
	var cs []Check
	for i, ref := range references {
		for _, mode := range []struct {
			name string
			get  func(RefPair) *RefResult
		}{
			{"whole text", func(p RefPair) *RefResult { return p.Whole }},
			{"line by line", func(p RefPair) *RefResult { return p.Lines }},
		} {
			c := Check{Name: "same ids as " + ref.name + ", " + mode.name, Status: skip, Detail: "not run" + r.whyNotRun(ref.name)}
			var bad []string
			n := 0
			for _, f := range r.Files {
				if rr := mode.get(f.Refs[i]); rr != nil {
					n++
					if !rr.SameIDs {
						bad = append(bad, f.Name+": "+rr.Diff)
					}
				}
			}
			if n > 0 {
				c.Status = verdict(len(bad) == 0)
				c.Detail = fmt.Sprintf("%d of %d files identical", n-len(bad), n)
				if len(bad) > 0 {
					c.Detail += "; DIFFERENT: " + strings.Join(bad, "; ")
				}
			}
			cs = append(cs, c)
		}
	}
	return cs
}

// ratioCheck checks gemmatok's encode speed-up, the figure that get
// returns (what names it), over reference i's better mode on every file
// against target, reporting the worst file and every file below.
func ratioCheck(r *Report, i int, what string, get func(FileResult) Timing, target float64) Check {
	c := Check{
		Name:   fmt.Sprintf("%s encode ≥ %g× %s (better of whole text and line by line), every file", what, target, references[i].name),
		Status: skip, Detail: "reference not run",
	}
	c.Detail += r.whyNotRun(references[i].name)
	worst, worstName, n := math.Inf(1), "", 0
	var below []string
	for _, f := range r.Files {
		rr := f.Refs[i].best()
		if rr == nil {
			continue
		}
		n++
		ours := get(f)
		ratio := ours.MBps / rr.MBps
		if ratio < target {
			below = append(below, f.Name+" "+times(ratio))
		}
		if ratio < worst {
			worst, worstName = ratio, fmt.Sprintf("%s: %s MB/s vs %s MB/s", f.Name, num(ours.MBps), num(rr.MBps))
		}
	}
	if n > 0 {
		c.Status = verdict(len(below) == 0)
		c.Detail = fmt.Sprintf("worst %s (%s); %d of %d files below %g×", times(worst), worstName, len(below), n, target)
		if len(below) > 0 {
			c.Detail += ": " + strings.Join(below, ", ")
		}
	}
	return c
}

// whyNotRun returns ": " and why the reference called name could not run,
// if it could not.
func (r *Report) whyNotRun(name string) string {
	for _, e := range r.NotRun {
		if e.Name == name {
			return ": " + e.Error
		}
	}
	return ""
}

// pathoChecks checks every pathological input against gemmatok's English
// throughput, timed beside it when it was, and its time growth from 1 MB
// to 2 MB.
func pathoChecks(r *Report) []Check {
	en, haveEn := r.file("en")
	var cs []Check
	for _, p := range r.Patho {
		c := Check{Name: fmt.Sprintf("pathological: %s, ≤ %d× slower than English, 2 MiB ≤ %.1f× the time of 1 MiB",
			p.Name, maxPathoSlowing, maxPathoGrowth)}
		slowest := p.Small.MBps
		if p.Large != nil {
			slowest = min(slowest, p.Large.MBps)
		}
		// The English to compare with: timed beside the input, or else the
		// file's own figure; no label when there is neither.
		english, label := 0.0, ""
		switch {
		case p.English != nil:
			english, label = p.English.MBps, "English timed just before"
		case haveEn:
			english, label = en.Encode.MBps, "English"
		}
		var parts []string
		ok := true
		if label != "" {
			slowing := english / slowest
			ok = slowing <= maxPathoSlowing
			parts = append(parts, fmt.Sprintf("%s MB/s, %s %s MB/s (English / this: %s)", num(slowest), label, num(english), times(slowing)))
		} else {
			parts = append(parts, fmt.Sprintf("%s MB/s; no en file in the corpus to compare with", num(slowest)))
		}
		if p.Large != nil {
			ok = ok && p.Growth <= maxPathoGrowth
			parts = append(parts, fmt.Sprintf("doubling took %s the time", times(p.Growth)))
		} else {
			ok = false
			parts = append(parts, "2 MB not timed: "+p.Skipped)
		}
		c.Status, c.Detail = verdict(ok), strings.Join(parts, "; ")
		cs = append(cs, c)
	}
	return cs
}

func loadCheck(name string, t Timing, l LoadResult, target float64) Check {
	d := ms(t.Seconds)
	var refs []string
	for _, rl := range l.Refs {
		refs = append(refs, fmt.Sprintf("%s faster than %s's %s", times(rl.Seconds/t.Seconds), rl.Name, ms(rl.Seconds)))
	}
	if len(refs) > 0 {
		d += " (" + strings.Join(refs, ", ") + ")"
	}
	return Check{name + " ≤ " + ms(target), verdict(t.Seconds <= target), d}
}

func rssCheck(l LoadResult) Check {
	c := Check{Name: "RSS of counting a small file ≤ 30 MB", Status: skip, Detail: "not measured"}
	if l.RSSBytes > 0 {
		c.Status = verdict(float64(l.RSSBytes) <= maxRSSBytes)
		c.Detail = fmt.Sprintf("%s peak RSS of %s on %d bytes", mb(float64(l.RSSBytes)), l.RSSProcess, l.RSSTextBytes)
	}
	return c
}

func coldCheck(l LoadResult) Check {
	c := Check{Name: "a new process counting a small file ≤ gemmatok version + " + ms(maxColdSeconds), Status: skip, Detail: "not measured"}
	count, ok1 := countRun(l.Cold)
	version, ok2 := coldRun(l.Cold, "gemmatok version")
	if ok1 && ok2 {
		over := count.Timing.WallSeconds - version.Timing.WallSeconds
		c.Status = verdict(over <= maxColdSeconds)
		c.Detail = fmt.Sprintf("%s over version's %s, wall clock medians of %d runs each", ms(over), ms(version.Timing.WallSeconds), count.Timing.Runs)
	}
	return c
}

func batchCheck(b BatchResult) Check {
	c := Check{Name: "batch encode, 2 goroutines ≥ 1.8× one", Status: skip}
	two, ok := b.At(2)
	switch {
	case runtime.NumCPU() < 2:
		c.Detail = "only one CPU"
	case !ok:
		c.Detail = "not measured"
	default:
		c.Status = verdict(two.Speedup >= minBatchSpeedup)
		c.Detail = fmt.Sprintf("%s (%s MB/s vs %s MB/s)", times(two.Speedup), num(two.Timing.MBps), num(b.first().MBps))
	}
	return c
}
