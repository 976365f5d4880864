package tokenizer

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// Fuzz targets. Without -fuzz they run their seeds as tests; run them with
// e.g. go test -run=^$ -fuzz=FuzzEncode -fuzztime=3m ./tokenizer.
// Inputs that once failed are kept under testdata/fuzz.

// maxSeedLen bounds the corpus lines used as seeds, to keep the seed runs
// of go test short.
const maxSeedLen = 512

// textSeeds returns the seeds of the fuzz targets that encode text: the
// first lines of the adversarial corpus, special-token strings, malformed
// UTF-8 and NUL bytes.
func textSeeds(f *testing.F) [][]byte {
	files, err := filepath.Glob("../testdata/corpus/adversarial/*.txt")
	if err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		// The first lines are enough: the long files are runs of one thing.
		for i, line := range bytes.SplitAfter(data, []byte("\n")) {
			if i == 64 {
				break
			}
			seeds = append(seeds, line[:min(len(line), maxSeedLen)])
		}
	}
	for _, s := range []string{
		"", " ", "  ", "\n", "\n\n\n", "\t", "\r\n", "▁", "▁▁▁", " ▁ ", "  a  b  ",
		"<bos>", "<eos>", "<pad>", "<unk>", "<mask>", "<start_of_turn>user\nhi<end_of_turn>\n",
		"<unused0>", "<unused98>", "[@BOS@]", "<table><tr><td>", "<0x41>", "<0xFF>",
		"\x00", "a\x00b", "\x00\x00\x00",
		"\xff", "\xc3", "a\xe2\x96", "\xe2\x96\xe2\x96\x81", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xc0\xaf", "\x80\x80", "\xef\xbf\xbd", "\xf0\x9f\x98",
		"Hello, world!", "123456789012345", "日本語のテキスト", "🧑🏽‍💻",
	} {
		seeds = append(seeds, []byte(s))
	}
	// Long runs of one character, which are merged as runs.
	for _, s := range []string{
		strings.Repeat("a", 300), strings.Repeat("a", 301), "x" + strings.Repeat("=", 299) + "yy",
		strings.Repeat("中", 90) + strings.Repeat("文", 91), strings.Repeat("🙂", 70) + "a",
		" " + strings.Repeat("-", 257) + " " + strings.Repeat("e", 258),
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// decodedForm is what decoding the ids of text gives back with the Gemma
// model: text with each malformed UTF-8 byte replaced by U+FFFD, as the
// normalizer does, and each U+2581 by a space, as decoding does.
func decodedForm(text string) string {
	var b strings.Builder
	for len(text) > 0 {
		r, size := utf8.DecodeRuneInString(text)
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\u2581':
			b.WriteByte(' ')
		default:
			b.WriteString(text[:size])
		}
		text = text[size:]
	}
	return b.String()
}

// FuzzEncode checks properties of encoding arbitrary bytes with the Gemma
// model: it is deterministic, the other entry points agree with Encode,
// decoding gives the text back, and SafeCut's cuts are safe, under every
// SpecialMode.
func FuzzEncode(f *testing.F) {
	for _, s := range textSeeds(f) {
		f.Add(s)
	}
	tok := defaultTokenizer(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		text := string(data)
		ids := tok.Encode(text)
		if again := tok.Encode(text); !slices.Equal(ids, again) {
			t.Fatalf("Encode is not deterministic: %v, then %v", ids, again)
		}
		if n := tok.Count(text); n != len(ids) {
			t.Errorf("Count = %d, len(Encode) = %d", n, len(ids))
		}
		prefix := []int32{7, 8, 9}
		if got := tok.AppendEncode(slices.Clip(prefix), text); !slices.Equal(got, append(prefix, ids...)) {
			t.Errorf("AppendEncode = %v, want %v followed by %v", got, prefix, ids)
		}
		pieces := tok.EncodePieces(text)
		if len(pieces) != len(ids) {
			t.Fatalf("%d pieces, %d ids", len(pieces), len(ids))
		}
		for i, id := range ids {
			if got, _ := tok.PieceToID(pieces[i]); got != id {
				t.Errorf("piece %d is %q (id %d), id is %d", i, pieces[i], got, id)
			}
		}
		got, err := tok.Decode(ids)
		if err != nil {
			t.Fatal(err)
		}
		if want := decodedForm(text); got != want {
			t.Errorf("Decode(Encode(%q)) = %q, want %q", text, got, want)
		}
		// A cut must hold whatever follows: also cut the first half alone.
		for _, head := range []string{text, text[:len(text)/2]} {
			if n := tok.SafeCut(head); n > 0 {
				parts := tok.AppendEncode(tok.Encode(text[:n]), text[n:])
				if !slices.Equal(parts, ids) {
					t.Errorf("SafeCut(%q) = %d, but the parts of %q encode to %v, the whole to %v", head, n, text, parts, ids)
				}
			}
			for _, mode := range []SpecialMode{SpecialText, SpecialReject} {
				opts := EncodeOptions{Special: mode}
				if n := tok.SafeCutWith(head, opts); n > 0 {
					whole, err := tok.EncodeWith(text, opts)
					if msg := checkParts(tok, text, n, opts, whole, err); msg != "" {
						t.Errorf("%v: SafeCutWith(%q) = %d, but for %q %s", mode, head, n, text, msg)
					}
				}
			}
		}
	})
}

// FuzzLoad loads arbitrary bytes as a model: loading must fail with an
// error or give a Tokenizer that encodes and decodes without panicking.
// The seeds are small valid models, for the fuzzer to mutate, and prefixes
// of the Gemma model.
func FuzzLoad(f *testing.F) {
	small := testmodel.SmallModel(f)
	f.Add(testmodel.Marshal(f, small))
	testmodel.AddSelfTest(f, small, "abc ab", "abc ▁ab")
	f.Add(testmodel.Marshal(f, small))
	testmodel.SetField(f, small, true, "normalizer_spec", "add_dummy_prefix")
	testmodel.SetField(f, small, true, "normalizer_spec", "remove_extra_whitespaces")
	testmodel.SetField(f, small, true, "trainer_spec", "treat_whitespace_as_suffix")
	testmodel.AppendPiece(f, small, "a▁", -10, "UNUSED")
	testmodel.AppendPiece(f, small, "\xff", -11, "USER_DEFINED")
	f.Add(testmodel.Marshal(f, small))
	fallback := testmodel.SmallModel(f)
	testmodel.SetField(f, fallback, true, "trainer_spec", "byte_fallback")
	for b := 0; b < 256; b++ {
		testmodel.AppendPiece(f, fallback, fmt.Sprintf("<0x%02X>", b), 0, "BYTE")
	}
	f.Add(testmodel.Marshal(f, fallback))
	model := vocab.DefaultModel()
	for _, n := range []int{0, 1, 16, 100, 1000} {
		f.Add(model[:n])
	}
	const text = "ab<sep>c xyz▁a  é\xff<s>"
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := Load(bytes.NewReader(data))
		if err != nil {
			// Errors say which package found the problem.
			if msg := err.Error(); !strings.HasPrefix(msg, "vocab: ") && !strings.HasPrefix(msg, "tokenizer: ") {
				t.Errorf("error %q", msg)
			}
			return
		}
		for _, s := range []string{text, string(data)} {
			ids := tok.Encode(s)
			for _, id := range ids {
				if !tok.Vocab().Contains(id) {
					t.Fatalf("Encode(%q) gave id %d outside the vocabulary", s, id)
				}
			}
			if n := tok.Count(s); n != len(ids) {
				t.Errorf("Count = %d, len(Encode) = %d", n, len(ids))
			}
			if n := len(tok.EncodePieces(s)); n != len(ids) {
				t.Errorf("%d pieces, %d ids", n, len(ids))
			}
			if _, err := tok.Decode(ids); err != nil {
				t.Error(err)
			}
		}
		all := make([]int32, tok.VocabSize())
		for i := range all {
			all[i] = int32(i)
		}
		if _, err := tok.Decode(all); err != nil {
			t.Error(err)
		}
	})
}

// FuzzOracle compares the ids of arbitrary bytes, and the decoding of
// those ids, with the C++ SentencePiece. It skips when the oracle is not
// installed.
func FuzzOracle(f *testing.F) {
	for _, s := range textSeeds(f) {
		f.Add(s)
	}
	o := getOracle(f)
	tok := defaultTokenizer(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		text := string(data)
		want := o.encode(t, text)
		if got := tok.Encode(text); !slices.Equal(got, want) {
			i, d := firstDiff(got, want)
			t.Fatalf("Encode(%q): ids differ at %d: %s", text, i, d)
		}
		if got, err := tok.Decode(want); err != nil || got != o.decode(t, want) {
			t.Errorf("Decode(%v) = %q, %v; the oracle's is %q", want, got, err, o.decode(t, want))
		}
	})
}

// FuzzOracleVariants compares the ids, pieces and decoding of arbitrary
// text under each model variant of the generality tests with the oracle.
func FuzzOracleVariants(f *testing.F) {
	for i, s := range textSeeds(f) {
		f.Add(uint8(i%len(testmodel.Variants)), s)
	}
	f.Fuzz(func(t *testing.T, variant uint8, data []byte) {
		i := int(variant) % len(testmodel.Variants)
		tok, o := loadVariant(t, i)
		name, text := testmodel.Variants[i].Name, string(data)
		want := o.encode(t, text)
		if got := tok.Encode(text); !slices.Equal(got, want) {
			t.Fatalf("%s: Encode(%q): ids %s", name, text, testmodel.DiffAt(got, want))
		}
		if got, want := tok.EncodePieces(text), o.pieces(t, text); !slices.Equal(got, want) {
			t.Errorf("%s: EncodePieces(%q): %s", name, text, testmodel.DiffAt(got, want))
		}
		if got, err := tok.Decode(want); err != nil || got != o.decode(t, want) {
			t.Errorf("%s: Decode(%v) = %q, %v; the oracle's is %q", name, want, got, err, o.decode(t, want))
		}
	})
}

// FuzzOracleRuns compares the ids of runs, copies of a short pattern
// between two short texts, with the C++ under the model variants whose
// merges may make pairs as good as the one merged or better: there the
// run shortcut must give up. The pattern is at most 4 characters, the
// longest the shortcut repeats, and the run long enough for it.
func FuzzOracleRuns(f *testing.F) {
	var variants []int
	for i, mv := range testmodel.Variants {
		if strings.HasPrefix(mv.Name, "scores ") || strings.HasPrefix(mv.Name, "a merge makes") {
			variants = append(variants, i)
		}
	}
	if len(variants) < 6 {
		f.Fatalf("%d model variants with unusual scores", len(variants))
	}
	patterns := []string{".", "a", "ab", "-=", "aab", "é", "中文", "🙂", "\u2581", "\u2581a", "ab\u2581"}
	counts := []uint16{255, 256, 257, 1000}
	arounds := [][2]string{{"", ""}, {"x", "y"}, {"the ", "."}}
	for v := range variants {
		for k, p := range patterns {
			around := arounds[(v+k)%len(arounds)]
			f.Add(uint8(v), []byte(p), counts[(v+k)%len(counts)], []byte(around[0]), []byte(around[1]))
		}
	}
	f.Fuzz(func(t *testing.T, variant uint8, pattern []byte, n uint16, before, after []byte) {
		if len(pattern) == 0 || utf8.RuneCount(pattern) > 4 || len(before) > 16 || len(after) > 16 {
			return
		}
		i := variants[int(variant)%len(variants)]
		tok, o := loadVariant(t, i)
		text := string(before) + strings.Repeat(string(pattern), int(n)%2048) + string(after)
		if got, want := tok.Encode(text), o.encode(t, text); !slices.Equal(got, want) {
			t.Fatalf("%s: Encode(%.80q…): ids %s", testmodel.Variants[i].Name, text, testmodel.DiffAt(got, want))
		}
	})
}
