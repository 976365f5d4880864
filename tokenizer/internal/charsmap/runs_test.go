package charsmap

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"
)

// slowLen is what Runs.Len answers without its tables: the trie walked at
// every character, as Prefix walks it.
func slowLen(m *Map, stop *[256]bool, in string) int {
	i := 0
	for i < len(in) {
		c := in[i]
		if stop != nil && stop[c] {
			return i
		}
		if m.root[c] != 0 {
			if l, _ := m.longest(in[i:]); l > 0 {
				return i
			}
		}
		r, size := utf8.DecodeRuneInString(in[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return i
}

// fuzzStops are stops for the tests: a space, an ASCII letter, the lead
// bytes of a two-, a three- and a four-byte character, and a continuation
// byte, which starts no character and so stops nothing.
var fuzzStops = func() (s [256]bool) {
	for _, c := range []byte{' ', '<', 0xD0, 0xE3, 0xF0, 0x81} {
		s[c] = true
	}
	return s
}()

// runsTails are what the table tests put after a character: nothing, plain
// text, the second characters of keys that nmt_nfkc and rule.tsv join
// (combining marks, voicing marks, jamo, ASCII letters), malformed bytes.
var runsTails = []string{"", "a", " ", "i", "-", "3", "\u0301", "\u0308", "\u0338", "\u3099", "\u309A",
	"\u1161", "\u11A8", "\u093C", "\u0B3E", "\uFF9E", "\xff", "\xcc", "\xe3\x82"}

// runsMaps returns the Maps the Runs tests cover: every committed
// charsmap, the denormalizer's, and no rules.
func runsMaps(t *testing.T) map[string]*Map {
	maps := map[string]*Map{"none": new(Map)}
	for _, model := range []string{"unigram8k_nmt_nfkc.model", "unigram_nfkc_cf_bytefb_suffix.model", "unigram_rule_tsv.model"} {
		maps[model] = mustNew(t, model)
	}
	tsv := readModel(t, modelsDir+"/unigram_rule_tsv.model")
	m, err := New(tsv.denormCharsmap)
	if err != nil {
		t.Fatal(err)
	}
	maps["rule.tsv denormalizer"] = m
	return maps
}

// TestRunsTables checks the tables of Runs against the walk of the trie
// for every character of up to three bytes, and every byte pair, followed
// by each of runsTails, with stops and without.
func TestRunsTables(t *testing.T) {
	for name, m := range runsMaps(t) {
		for _, stop := range []*[256]bool{nil, &fuzzStops} {
			runs := m.Runs(stop)
			check := func(in string) {
				if got, want := runs.Len(in), slowLen(m, stop, in); got != want {
					t.Fatalf("%s, stops %v: Len(%q) = %d, the walk of the trie %d", name, stop != nil, in, got, want)
				}
			}
			var buf []byte
			for r := rune(0); r < 0x10000; r++ {
				buf = utf8.AppendRune(buf[:0], r) // surrogates become U+FFFD
				for _, tail := range runsTails {
					check(string(buf) + tail)
				}
			}
			// Malformed and truncated characters, overlong forms and
			// surrogates among them.
			for a := range 256 {
				for b := range 256 {
					check(string([]byte{byte(a), byte(b)}))
					check(string([]byte{byte(a), byte(b), 0x80}))
				}
			}
		}
	}
}

// TestRunsCorpus compares Runs.Len with the walk of the trie from every
// byte offset of a sample of every corpus file, and on random strings of
// characters that keys join, plain text and malformed bytes.
func TestRunsCorpus(t *testing.T) {
	var texts []string
	for _, f := range corpusFiles(t) {
		texts = append(texts, readCorpus(t, f, sampleBytes))
	}
	parts := append([]string{"a", "e", "ab", "語", "ก", "д", "é", "\U0001F600", "\xed\xa0\x80", "\xe0\x80\x80", "\xf0"}, runsTails...)
	rng := rand.New(rand.NewSource(1))
	for range 500 {
		var b strings.Builder
		for range rng.Intn(30) {
			b.WriteString(parts[rng.Intn(len(parts))])
		}
		texts = append(texts, b.String())
	}
	for name, m := range runsMaps(t) {
		for _, stop := range []*[256]bool{nil, &fuzzStops} {
			runs := m.Runs(stop)
			for _, text := range texts {
				for i := range len(text) {
					// A window, so that the whole stays linear.
					in := text[i:min(len(text), i+64)]
					if got, want := runs.Len(in), slowLen(m, stop, in); got != want {
						t.Fatalf("%s, stops %v: Len(%q) = %d, the walk of the trie %d", name, stop != nil, in, got, want)
					}
				}
			}
		}
	}
}
