package main

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// Pathological inputs: texts where a tokenizer that is quadratic somewhere
// (in a run of one character, in a text without whitespace) slows down.

// pathoSize is the small size of every pathological input; each is also
// timed at twice that, to see that the time at most doubles.
const pathoSize = 1 << 20

// A PathoResult is gemmatok's encode throughput on one pathological input
// at pathoSize and at twice that.
type PathoResult struct {
	Name    string  `json:"name"`
	Small   Timing  `json:"small"`
	Large   *Timing `json:"large,omitempty"` // nil when Small was too slow to bother
	Growth  float64 `json:"time_growth"`     // Large.Seconds / Small.Seconds
	Skipped string  `json:"skipped,omitempty"`

	// English is the corpus's English text timed just before the input,
	// which the input is compared with: on a shared machine the speed of
	// the same code drifts by a third within minutes, and the English
	// file's own figure was timed minutes earlier.
	English *Timing `json:"english,omitempty"`
}

// A pathoInput names a generator of a pathological text of n bytes.
type pathoInput struct {
	name string
	gen  func(n int) string
}

// pathoInputs returns the pathological inputs; the Chinese and the minified
// code are made of the corpus files zh and code with whitespace removed,
// and are left out when the corpus lacks those.
func pathoInputs(files []corpusFile) []pathoInput {
	in := []pathoInput{
		{"1 letter repeated", func(n int) string { return strings.Repeat("a", n) }},
		{"spaces", func(n int) string { return strings.Repeat(" ", n) }},
		{"newlines", func(n int) string { return strings.Repeat("\n", n) }},
		{"base64 of random bytes", randomBase64},
	}
	for _, f := range files {
		switch f.name {
		case "zh":
			in = append(in, pathoInput{"Chinese, no whitespace", repeatTo(stripSpace(f.text))})
		case "code":
			in = append(in, pathoInput{"minified code", repeatTo(stripSpace(f.text))})
		}
	}
	return in
}

// randomBase64 returns n bytes of base64 of random bytes; the seed is fixed
// so that every run times the same text.
func randomBase64(n int) string {
	r := rand.New(rand.NewPCG(1, 2))
	raw := make([]byte, base64.StdEncoding.DecodedLen(n)+3)
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	return base64.StdEncoding.EncodeToString(raw)[:n]
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// repeatTo returns a generator that repeats s to n bytes, cut at a
// character boundary.
func repeatTo(s string) func(n int) string {
	return func(n int) string {
		if s == "" {
			return ""
		}
		return prefix(strings.Repeat(s, n/len(s)+1), n)
	}
}

// measurePatho times Encode on every pathological input at both sizes,
// with a fresh Tokenizer for every run like the corpus files, and english
// (unless empty) just before each.
func measurePatho(inputs []pathoInput, english string) []PathoResult {
	var out []PathoResult
	for _, in := range inputs {
		small, large := in.gen(pathoSize), in.gen(2*pathoSize)
		var r PathoResult
		if english != "" {
			t := timeEncode(english)
			r.English = &t
		}
		r.Name, r.Small = in.name, timeEncode(small)
		// A 1 MB input slower than this shows the failure well enough;
		// timing twice as much would only stall the harness.
		if r.Small.Seconds > 10 {
			r.Skipped = "1 MB took over 10 s"
		} else {
			t := timeEncode(large)
			r.Large = &t
			r.Growth = t.Seconds / r.Small.Seconds
		}
		out = append(out, r)
	}
	return out
}

func timeEncode(text string) Timing {
	n := 0
	var tok *tokenizer.Tokenizer
	runs := gemmatokPolicy.TimeWith(freshTokenizer(&tok), func() { n = len(tok.Encode(text)) })
	return newTiming(runs, len(text), n)
}
