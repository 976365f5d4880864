package charsmap

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// slowApply is Runs.Apply without its tables: Prefix at each step, and
// spaces written as Runs says.
func slowApply(m *Map, stop *[256]bool, escape, collapse bool, out *Run, in string) int {
	space := " "
	if escape {
		space = "\u2581"
	}
	i := 0
	for i < len(in) && (stop == nil || !stop[in[i]]) && utf8.RuneStart(in[i]) {
		p, n := m.Prefix(in[i:])
		if collapse && out.AfterSpace {
			p = strings.TrimLeft(p, " ")
		}
		if p != "" {
			for j := range len(p) {
				b := p[j : j+1]
				if b == " " {
					b = space
				}
				out.Dst = append(out.Dst, b...)
				for range len(b) {
					out.Offs = append(out.Offs, int32(out.At+i))
				}
			}
			out.AfterSpace = collapse && strings.HasSuffix(p, " ")
		}
		i += n
	}
	out.At += i
	return i
}

// checkApply compares what Apply writes (the bytes, their offsets, the
// state it leaves) with slowApply's, after a space and not, and without
// offsets.
func checkApply(t *testing.T, name string, m *Map, runs *Runs, stop *[256]bool, in string) {
	t.Helper()
	for _, after := range []bool{false, true} {
		got := Run{Dst: []byte("x"), Offs: []int32{-1}, Offsets: true, At: 5, AfterSpace: after}
		want := got
		gn := runs.Apply(&got, in)
		wn := slowApply(m, stop, runs.escape, runs.collapse, &want, in)
		if gn != wn || string(got.Dst) != string(want.Dst) || !slices.Equal(got.Offs, want.Offs) || got.At != want.At || got.AfterSpace != want.AfterSpace {
			t.Fatalf("%s, stops %v, escape %v collapse %v, after a space %v: Apply(%q) = %d, %+v; want %d, %+v",
				name, stop != nil, runs.escape, runs.collapse, after, in, gn, got, wn, want)
		}
		// Without offsets, the same bytes and none.
		got = Run{Dst: []byte("x"), AfterSpace: after}
		if runs.Apply(&got, in) != gn || string(got.Dst) != string(want.Dst) || got.Offs != nil || got.AfterSpace != want.AfterSpace {
			t.Fatalf("%s: Apply(%q) without offsets = %+v", name, in, got)
		}
	}
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
// (combining marks, voicing marks, jamo, ASCII letters), malformed bytes,
// and what starts like a character no key goes on with and is one (ạ) or
// is not (mayGoOn).
var runsTails = []string{"", "a", " ", "i", "-", "3", "\u0301", "\u0308", "\u0338", "\u3099", "\u309A",
	"\u1161", "\u11A8", "\u093C", "\u0B3E", "\uFF9E", "\xff", "\xcc", "\xe3\x82", "\u1EA1", "\xe1\xbaa", "\xe1\xba"}

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

// quickCheck compares what Apply writes without offsets with slowApply's,
// for tests that try many texts; it keeps its buffers from one to the next.
type quickCheck struct{ got, want []byte }

func (c *quickCheck) apply(t *testing.T, name string, m *Map, runs *Runs, stop *[256]bool, in string) {
	got, want := Run{Dst: c.got[:0]}, Run{Dst: c.want[:0]}
	gn := runs.Apply(&got, in)
	wn := slowApply(m, stop, runs.escape, runs.collapse, &want, in)
	if gn != wn || string(got.Dst) != string(want.Dst) || got.AfterSpace != want.AfterSpace {
		t.Fatalf("%s, stops %v: Apply(%q) = %d, %q; the walk of the trie %d, %q", name, stop != nil, in, gn, got.Dst, wn, want.Dst)
	}
	c.got, c.want = got.Dst, want.Dst
}

// TestRunsTables checks the tables of Runs against the walk of the trie
// for every character of up to three bytes, and every byte pair, followed
// by each of runsTails, with stops and without.
func TestRunsTables(t *testing.T) {
	for name, m := range runsMaps(t) {
		for _, stop := range []*[256]bool{nil, &fuzzStops} {
			runs := m.Runs(stop, false, false)
			var c quickCheck
			check := func(in string) { c.apply(t, name, m, runs, stop, in) }
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

// TestRunsPlain checks that Prefix leaves alone the first character of
// what Plain says starts with a plain one, for every character of up to
// three bytes followed by each of runsTails and by every byte, makes a
// space of every byte Space says it does, and leaves alone every byte
// Kept says it does before an ASCII one.
func TestRunsPlain(t *testing.T) {
	for name, m := range runsMaps(t) {
		for _, stop := range []*[256]bool{nil, &fuzzStops} {
			runs := m.Runs(stop, true, true)
			check := func(in string) {
				if !runs.Plain(in) {
					return
				}
				_, size := utf8.DecodeRuneInString(in)
				if p, n := m.Prefix(in); n != size || p != in[:size] || stop != nil && stop[in[0]] {
					t.Fatalf("%s, stops %v: Plain(%q), but Prefix gives %q, %d", name, stop != nil, in, p, n)
				}
			}
			var buf []byte
			for r := rune(0); r < 0x10000; r++ {
				buf = utf8.AppendRune(buf[:0], r)
				for _, tail := range runsTails {
					check(string(buf) + tail)
				}
				if r < utf8.RuneSelf {
					for b := range 256 {
						in := string(buf) + string([]byte{byte(b)})
						check(in)
						if runs.Kept(in[0]) && b < utf8.RuneSelf {
							if p, n := m.Prefix(in); n != 1 || p != in[:1] || stop != nil && stop[in[0]] {
								t.Fatalf("%s, stops %v: Kept(%q), but Prefix(%q) gives %q, %d", name, stop != nil, in[0], in, p, n)
							}
						}
						if !runs.Space(in[0]) {
							continue
						}
						if p, n := m.Prefix(in); n != 1 || p != " " || stop != nil && stop[in[0]] {
							t.Fatalf("%s, stops %v: Space(%q), but Prefix(%q) gives %q, %d", name, stop != nil, in[0], in, p, n)
						}
					}
				}
			}
		}
	}
}

// TestRunsFollowLimit checks that followers, cut short, leaves Runs
// right: the characters after those of class cont go to the trie.
func TestRunsFollowLimit(t *testing.T) {
	defer func(saved int) { maxFollowWalk = saved }(maxFollowWalk)
	maxFollowWalk = 0
	m := mustNew(t, "unigram8k_nmt_nfkc.model")
	runs := m.Runs(nil, false, false)
	if runs.followSure != runs.follow {
		t.Fatal("followers not cut short")
	}
	var c quickCheck
	for r := rune(0x80); r < 0x10000; r += 7 {
		for _, tail := range runsTails {
			c.apply(t, "nmt_nfkc", m, runs, nil, string(r)+tail)
		}
	}
}

// appendRandomTexts appends n texts of up to 29 parts drawn at random.
func appendRandomTexts(texts []string, rng *rand.Rand, parts []string, n int) []string {
	for range n {
		var b strings.Builder
		for range rng.Intn(30) {
			b.WriteString(parts[rng.Intn(len(parts))])
		}
		texts = append(texts, b.String())
	}
	return texts
}

// TestRunsCorpus compares Runs.Apply with the walk of the trie from every
// byte offset of a sample of every corpus file, and on random strings of
// characters that keys join, plain text and malformed bytes.
func TestRunsCorpus(t *testing.T) {
	var texts []string
	for _, f := range corpusFiles(t) {
		texts = append(texts, readCorpus(t, f, sampleBytes))
	}
	parts := append([]string{"a", "e", "ab", "語", "ก", "д", "é", "\U0001F600", "\xed\xa0\x80", "\xe0\x80\x80", "\xf0"}, runsTails...)
	texts = appendRandomTexts(texts, rand.New(rand.NewSource(1)), parts, 500)
	for name, m := range runsMaps(t) {
		for _, stop := range []*[256]bool{nil, &fuzzStops} {
			runs := m.Runs(stop, false, false)
			var c quickCheck
			for _, text := range texts {
				for i := range len(text) {
					// A window, so that the whole stays linear: longer
					// than any key and than a step of Apply's tables.
					c.apply(t, name, m, runs, stop, text[i:min(len(text), i+20)])
				}
			}
		}
	}
}

// TestRunsApply compares what Apply writes (the bytes, their offsets, the
// state it leaves) with slowApply's, with each way of writing spaces, on
// windows of the corpus and random strings of spaces, characters that
// keys join or map to spaces, plain text and malformed bytes, from every
// byte offset.
func TestRunsApply(t *testing.T) {
	parts := append([]string{" ", "  ", "a", "語", "ก", "д", "é", "\U0001F600", "\u2581", "\u3000", "\t", "\n", "\x01", "\uFF0C"}, runsTails...)
	rng := rand.New(rand.NewSource(2))
	var texts []string
	for _, f := range corpusFiles(t) {
		// Windows of the start of each file.
		text := readCorpus(t, f, 2<<10)
		for i := 0; i < len(text); i += 61 {
			texts = append(texts, text[i:min(len(text), i+64)])
		}
	}
	texts = appendRandomTexts(texts, rng, parts, 300)
	for name, m := range runsMaps(t) {
		for _, stop := range []*[256]bool{nil, &fuzzStops} {
			for _, sp := range []struct{ escape, collapse bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
				runs := m.Runs(stop, sp.escape, sp.collapse)
				for _, text := range texts {
					for i := range len(text) {
						checkApply(t, name, m, runs, stop, text[i:])
					}
				}
			}
		}
	}
}
