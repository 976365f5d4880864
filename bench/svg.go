package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// The chart: a grouped bar chart of encode throughput, one group per corpus
// file, one bar per tokenizer, on a log scale since the bars span orders of
// magnitude. It is written by hand; SVG needs no library.

// A series is one tokenizer's bars.
type series struct {
	name  string
	color string
	value func(FileResult) (float64, bool)
}

// chartSeries returns gemmatok's series and one per reference and mode.
func chartSeries() []series {
	ss := []series{{"gemmatok (a fresh Tokenizer every run)", "#1a9850", func(f FileResult) (float64, bool) { return f.Encode.MBps, f.Encode.MBps > 0 }}}
	colors := [][2]string{{"#fdae61", "#d73027"}, {"#abd9e9", "#4575b4"}} // light: whole, dark: lines
	for i, ref := range references {
		ss = append(ss,
			series{ref.name + ", whole text", colors[i%len(colors)][0], refValue(i, func(p RefPair) *RefResult { return p.Whole })},
			series{ref.name + ", line by line", colors[i%len(colors)][1], refValue(i, func(p RefPair) *RefResult { return p.Lines })})
	}
	return ss
}

func refValue(i int, mode func(RefPair) *RefResult) func(FileResult) (float64, bool) {
	return func(f FileResult) (float64, bool) {
		if r := mode(f.Refs[i]); r != nil {
			return r.MBps, true
		}
		return 0, false
	}
}

// Chart geometry, in pixels.
const (
	barW     = 16
	groupGap = 22
	plotH    = 380
	marginL  = 80
	marginR  = 24
	marginT  = 118
	marginB  = 64
)

// logScale maps values in [lo, hi] onto pixel rows, hi at the top.
type logScale struct{ lo, hi, top, height float64 }

// newLogScale spans whole decades around the values [min, max].
func newLogScale(minV, maxV, top, height float64) logScale {
	lo := math.Pow(10, math.Floor(math.Log10(minV)))
	hi := math.Pow(10, math.Ceil(math.Log10(maxV)))
	if hi <= lo {
		hi = lo * 10
	}
	return logScale{lo, hi, top, height}
}

func (s logScale) y(v float64) float64 {
	f := (math.Log10(v) - math.Log10(s.lo)) / (math.Log10(s.hi) - math.Log10(s.lo))
	return s.top + s.height*(1-f)
}

// writeSVG draws the report's encode throughput.
func writeSVG(w io.Writer, r *Report) error {
	var ss []series
	minV, maxV := math.Inf(1), 0.0
	for _, s := range chartSeries() {
		used := false
		for _, f := range r.Files {
			if v, ok := s.value(f); ok && v > 0 {
				used = true
				minV, maxV = min(minV, v), max(maxV, v)
			}
		}
		if used {
			ss = append(ss, s)
		}
	}
	if len(ss) == 0 {
		return fmt.Errorf("no throughput to chart")
	}

	groupW := float64(len(ss)*barW + groupGap)
	plotW := groupW * float64(len(r.Files))
	width := marginL + plotW + marginR
	height := float64(marginT + plotH + marginB)
	sc := newLogScale(minV, maxV, marginT, plotH)

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="Helvetica, Arial, sans-serif">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	text(&b, marginL, 28, 20, "start", "bold", "#222",
		"Single-thread encode throughput, Gemma 256k model (MB/s, log scale)")
	text(&b, marginL, 50, 13, "start", "normal", "#444",
		fmt.Sprintf("%s · %s · corpus %s", r.Date, r.Machine, r.Corpus))
	text(&b, marginL, 68, 13, "start", "normal", "#444",
		"Median of several runs, MB/s = 10^6 bytes of input per "+clockName(r.Clock)+
			fmt.Sprintf(". Above each group: gemmatok's speed-up over the fastest reference on that file, red when under the %d× target.", minEncodeRatio))

	// Legend, in one row.
	x := float64(marginL)
	for _, s := range ss {
		fmt.Fprintf(&b, `<rect x="%.1f" y="82" width="14" height="14" fill="%s"/>`+"\n", x, s.color)
		text(&b, x+20, 94, 13, "start", "normal", "#222", s.name)
		x += 20 + 7.5*float64(len(s.name)) + 28
	}

	// Gridlines at 1, 2 and 5 of every decade, labelled.
	for d := sc.lo; d < sc.hi*1.01; d *= 10 {
		for _, m := range []float64{1, 2, 5} {
			v := d * m
			if v > sc.hi*1.0001 {
				break
			}
			y := sc.y(v)
			color, dash := "#bbb", ""
			if m != 1 {
				color, dash = "#e3e3e3", ` stroke-dasharray="4 3"`
			}
			fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"%s/>`+"\n", marginL, y, marginL+plotW, y, color, dash)
			text(&b, marginL-8, y+4, 12, "end", "normal", "#444", trimNum(v))
		}
	}
	fmt.Fprintf(&b, `<text transform="translate(22 %.1f) rotate(-90)" font-size="13" text-anchor="middle" fill="#222">MB/s (log scale)</text>`+"\n",
		float64(marginT)+plotH/2)

	// Bars, one group per file.
	base := sc.y(sc.lo)
	for i, f := range r.Files {
		gx := marginL + groupW*float64(i) + groupGap/2
		top := base
		best := 0.0 // the fastest reference
		for j, s := range ss {
			v, ok := s.value(f)
			if !ok || v <= 0 {
				continue
			}
			y := sc.y(v)
			top = min(top, y)
			if j > 0 {
				best = max(best, v)
			}
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s, %s: %s MB/s</title></rect>`+"\n",
				gx+float64(j*barW), y, barW-2, base-y, s.color, esc(f.Name), esc(s.name), num(v))
		}
		cx := gx + float64(len(ss)*barW)/2
		if best > 0 {
			ratio, color := f.Encode.MBps/best, "#1a9850"
			if ratio < minEncodeRatio {
				color = "#d73027"
			}
			text(&b, cx, top-6, 12, "middle", "bold", color, times(ratio))
		}
		text(&b, cx, base+20, 13, "middle", "bold", "#222", f.Name)
		text(&b, cx, base+36, 11, "middle", "normal", "#666", kb(f.Bytes))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222"/>`+"\n", marginL, base, marginL+plotW, base)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func text(b *strings.Builder, x, y float64, size int, anchor, weight, color, s string) {
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="%d" text-anchor="%s" font-weight="%s" fill="%s">%s</text>`+"\n",
		x, y, size, anchor, weight, color, esc(s))
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// trimNum formats an axis value, a 1, 2 or 5 times a power of ten, with
// just the decimals it needs: 0.05, 2, 500.
func trimNum(v float64) string {
	return fmt.Sprintf("%.*f", max(0, int(-math.Floor(math.Log10(v)+1e-9))), v)
}
