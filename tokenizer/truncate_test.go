package tokenizer

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

func TestTruncate(t *testing.T) {
	tok := defaultTokenizer(t)
	text := "Hello there, general Kenobi!" // Hello ▁there , ▁general ▁Ken obi !
	for _, tc := range []struct {
		text     string
		n        int
		end, sta string // TruncateEnd's and TruncateStart's results
	}{
		{text, 3, "Hello there,", " general Kenobi!"},
		{text, 1, "Hello", "!"},
		{text, 0, "", ""},
		{text, -1, "", ""},
		{text, 100, text, text},
		{"", 3, "", ""},
		// 𝄞 is four byte pieces; a character is never split.
		{"𝄞𝄞", 5, "𝄞", "𝄞"},
		{"𝄞𝄞", 3, "", ""},
		{"a\n\n\nb", 2, "a\n\n\n", "\n\n\nb"},
	} {
		if got := tok.TruncateEnd(tc.text, tc.n); got != tc.end {
			t.Errorf("TruncateEnd(%q, %d) = %q, want %q", tc.text, tc.n, got, tc.end)
		}
		if got := tok.TruncateStart(tc.text, tc.n); got != tc.sta {
			t.Errorf("TruncateStart(%q, %d) = %q, want %q", tc.text, tc.n, got, tc.sta)
		}
	}
}

// TestTruncateNegativeBudget truncates to budgets that leave no room, down
// to math.MinInt, from which taking the BOS and EOS must not wrap around
// to room for the whole text.
func TestTruncateNegativeBudget(t *testing.T) {
	tok := defaultTokenizer(t)
	for _, opts := range []EncodeOptions{{}, {AddBOS: true}, {AddBOS: true, AddEOS: true}} {
		for _, n := range []int{math.MinInt, math.MinInt + 1, -1, 0} {
			end, err := tok.TruncateEndWith("Hello there", n, opts)
			start, serr := tok.TruncateStartWith("Hello there", n, opts)
			if end != "" || start != "" || err != nil || serr != nil {
				t.Errorf("%+v, %d: truncated to %q, %v and %q, %v; want \"\"", opts, n, end, err, start, serr)
			}
		}
	}
}

// TestTruncateNormalizedSpaces truncates texts on models that remove extra
// whitespace, where a character other than a space normalizes to one (a
// charsmap's tab, CR, newline or U+2001) or U+2581 written in the text:
// either is dropped at the end of a part encoded alone, as spaces are.
func TestTruncateNormalizedSpaces(t *testing.T) {
	for _, tc := range []struct {
		model    string
		text     string
		n        int
		end, sta string // TruncateEnd's and TruncateStart's results
	}{
		// The prefix "\xb1\r" encodes to ▁ <unk>: the CR is dropped.
		{"bpe_nmt_nfkc", "\xb1\r\x8c", 2, "\xb1\r", "\r\x8c"},
		{"bpe_nmt_nfkc", "\x8d\u2001.", 2, "\x8d\u2001", "\u2001."},
		{"bpe_nmt_nfkc", ")\n\xbe", 2, ")\n", "\n\xbe"},
		// U+200B normalizes to a space too, which ▁T takes with the T of ™.
		{"bpe_nmt_nfkc", "\x8c\u200b™", 2, "\x8c\u200b", "\u200b™"},
		// The suffix from U+2001 on normalizes to one ▁ (the dummy suffix),
		// though most of its bytes are not spaces.
		{"unigram_nfkc_cf_bytefb_suffix", "\xa9\u2001\u00a0\u2001▁▁", 1, "", "\u2001\u00a0\u2001▁▁"},
		// "▁ j" encodes to ▁ ▁ ▁j, three tokens; " j" to one.
		{"bpe_identity_rmws", "\xba▁ j", 2, "\xba▁", " j"},
	} {
		tok, err := LoadFile("../testdata/models/" + tc.model + ".model")
		if err != nil {
			t.Fatal(err)
		}
		if got := tok.TruncateEnd(tc.text, tc.n); got != tc.end {
			t.Errorf("%s: TruncateEnd(%q, %d) = %q, want %q", tc.model, tc.text, tc.n, got, tc.end)
		}
		if got := tok.TruncateStart(tc.text, tc.n); got != tc.sta {
			t.Errorf("%s: TruncateStart(%q, %d) = %q, want %q", tc.model, tc.text, tc.n, got, tc.sta)
		}
	}
}

// TestTruncateCorpus truncates corpus lines to random sizes and checks that
// each result is a prefix (suffix) that starts (ends) at a token boundary,
// fits, and could not take in one more token's worth of text.
func TestTruncateCorpus(t *testing.T) {
	tok := defaultTokenizer(t)
	rng := rand.New(rand.NewSource(3))
	for _, text := range corpusLines(t, 30) {
		toks := tok.EncodeOffsets(text)
		if len(toks) < 2 {
			continue
		}
		n := 1 + rng.Intn(len(toks)-1)
		// boundaries holds the offsets between tokens where a cut keeps
		// characters whole.
		boundaries := map[int]bool{0: true, len(text): true}
		for k := 1; k < len(toks); k++ {
			if toks[k].Start > toks[k-1].Start {
				boundaries[toks[k].Start] = true
			}
		}
		end := tok.TruncateEnd(text, n)
		if !strings.HasPrefix(text, end) || !boundaries[len(end)] || tok.Count(end) > n {
			t.Fatalf("TruncateEnd(%q, %d) = %q: not a fitting prefix at a boundary", text, n, end)
		}
		for b := len(end) + 1; b < len(text); b++ {
			if boundaries[b] {
				if tok.Count(text[:b]) <= n {
					t.Fatalf("TruncateEnd(%q, %d) = %q, but %q fits", text, n, end, text[:b])
				}
				break
			}
		}
		start := tok.TruncateStart(text, n)
		cut := len(text) - len(start)
		if !strings.HasSuffix(text, start) || !boundaries[cut] || tok.Count(start) > n {
			t.Fatalf("TruncateStart(%q, %d) = %q: not a fitting suffix at a boundary", text, n, start)
		}
		for b := cut - 1; b > 0; b-- {
			if boundaries[b] {
				if tok.Count(text[b:]) <= n {
					t.Fatalf("TruncateStart(%q, %d) = %q, but %q fits", text, n, start, text[b:])
				}
				break
			}
		}
	}
}

// TestTruncateWith truncates texts that spell special pieces under each
// mode, with and without BOS, and checks that each result is a prefix
// (suffix) that fits under the options, and that a failure is EncodeWith's.
func TestTruncateWith(t *testing.T) {
	tok := defaultTokenizer(t)
	for _, text := range injections(tok) {
		for _, mode := range []SpecialMode{SpecialPieces, SpecialText, SpecialReject} {
			for _, opts := range []EncodeOptions{{Special: mode}, {Special: mode, AddBOS: true}} {
				all, err := tok.CountWith(text, opts)
				for n := -1; n <= all; n++ {
					end, eerr := tok.TruncateEndWith(text, n, opts)
					start, serr := tok.TruncateStartWith(text, n, opts)
					if !reflect.DeepEqual(eerr, err) || !reflect.DeepEqual(serr, err) {
						t.Fatalf("%+v %q, %d: errors %v and %v, EncodeWith's %v", opts, text, n, eerr, serr, err)
					}
					if err != nil {
						continue
					}
					if k, _ := tok.CountWith(end, opts); !strings.HasPrefix(text, end) || k > max(n, 0) && end != "" {
						t.Errorf("%+v: TruncateEndWith(%q, %d) = %q, %d tokens", opts, text, n, end, k)
					}
					if k, _ := tok.CountWith(start, opts); !strings.HasSuffix(text, start) || k > max(n, 0) && start != "" {
						t.Errorf("%+v: TruncateStartWith(%q, %d) = %q, %d tokens", opts, text, n, start, k)
					}
					if n == all && (end != text || start != text) {
						t.Errorf("%+v %q: %d tokens fit, but truncated to %q and %q", opts, text, n, end, start)
					}
				}
			}
		}
	}
}

// TestTruncateOracle holds both truncations to their contracts with the
// C++'s counts, on models whose normalizer adds a space at the start of
// every text it is given, so that a suffix alone may encode to fewer
// tokens than it has in the whole: the result is the longest prefix
// (suffix) that starts (ends) at a boundary of the whole's tokens and
// whose own encoding fits.
func TestTruncateOracle(t *testing.T) {
	texts := []string{"aa..", "aa...", "x ..", "Hello there, general Kenobi!", "  a  b  ", "ab▁▁cd", "日本語のテキスト", "a\n\n\nb c"}
	for _, line := range corpusLines(t, 6) {
		texts = append(texts, capText(line, 200))
	}
	for i, mv := range testmodel.Variants {
		if !strings.Contains(mv.Name, "dummy prefix") {
			continue
		}
		t.Run(mv.Name, func(t *testing.T) {
			tok, o := loadVariant(t, i)
			checked := 0
			for _, text := range texts {
				toks := tok.EncodeOffsets(text)
				// cuts[c] says that c is a boundary of the whole's tokens;
				// own[c] is the C++'s count of text[:c] or text[c:].
				var cuts []int
				for k := 1; k < len(toks); k++ {
					if toks[k].Start > toks[k-1].Start {
						cuts = append(cuts, toks[k].Start)
					}
				}
				if len(cuts) == 0 {
					continue
				}
				var parts []string
				for _, c := range cuts {
					parts = append(parts, b64(text[:c]), b64(text[c:]))
				}
				var res struct{ IDs [][]int32 }
				if err := o.call(map[string]any{"op": "encode_many", "texts": parts}, &res); err != nil {
					t.Fatal(err)
				}
				for n := 1; n < len(toks); n++ {
					wantEnd, wantStart := "", ""
					for j, c := range cuts {
						if len(res.IDs[2*j]) <= n {
							wantEnd = text[:c] // the last that fits is the longest
						}
						if len(res.IDs[2*j+1]) <= n && wantStart == "" {
							wantStart = text[c:]
						}
					}
					if got := tok.TruncateEnd(text, n); got != wantEnd {
						t.Errorf("TruncateEnd(%q, %d) = %q, want %q", text, n, got, wantEnd)
					}
					if got := tok.TruncateStart(text, n); got != wantStart {
						t.Errorf("TruncateStart(%q, %d) = %q, want %q", text, n, got, wantStart)
					}
					checked++
				}
			}
			t.Logf("%d truncations checked", checked)
		})
	}
}

// TestTruncatePrefixCounts checks that the tokens of a text and the token
// counts of its prefixes read off one pass of a Unigram model
// (prefixTokens) are the text's and those of the prefixes encoded alone,
// and that TruncateEnd keeps the longest prefix
// that fits, on Unigram models with each normalizer setting: the test
// models, and the 8k model with its character map taken out (identity),
// with and without extra whitespace removal and byte fallback.
func TestTruncatePrefixCounts(t *testing.T) {
	models := truncateModels(t, "unigram*.model")
	texts := corpusLines(t, 4)
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, capText(string(data), 3000))
	}
	texts = append(texts, "  a  b  ", "x\u3000\u3000y ", "ﬁ ﬁ", "a\x80b \xff c", "日本語のテキスト")
	texts = append(texts, stepTexts...)
	rng := rand.New(rand.NewSource(5))
	for _, md := range models {
		tok := md.tok
		read := 0
		for _, text := range texts {
			toks := tok.EncodeOffsets(text)
			var known []int32
			if pm, ok := tok.model.(prefixModel); ok && !tok.norm.Suffix() {
				var read []Token
				read, known = tok.prefixTokens(pm, text, tok.rules)
				if !slices.Equal(read, toks) {
					t.Fatalf("%s: %q: tokens read off %v, encoded %v", md.name, capText(text, 80), read, toks)
				}
			}
			for k := 1; k < len(toks); k++ {
				// Every prefix of a short text, a sample of a long one's.
				if known == nil || known[k] < 0 || len(toks) > 60 && rng.Intn(len(toks)/30) != 0 {
					continue
				}
				read++
				if want := tok.Count(text[:toks[k].Start]); int(known[k]) != want {
					t.Fatalf("%s: %q up to token %d (byte %d): read off %d tokens, encoded alone %d", md.name, capText(text, 80), k, toks[k].Start, known[k], want)
				}
			}
			if len(toks) < 2 || len(text) > 400 {
				continue
			}
			n := 1 + rng.Intn(len(toks)-1)
			want := ""
			for k := len(toks) - 1; k > 0; k-- {
				if boundary(toks, k) && tok.Count(text[:toks[k].Start]) <= n {
					want = text[:toks[k].Start]
					break
				}
			}
			if got := tok.TruncateEnd(text, n); got != want {
				t.Fatalf("%s: TruncateEnd(%q, %d) = %q, want %q", md.name, text, n, got, want)
			}
		}
		t.Logf("%s: %d prefix counts read off and checked", md.name, read)
		if strings.HasPrefix(md.name, "identity") && read == 0 {
			t.Errorf("%s: no prefix count read off", md.name)
		}
	}
}

// truncateModel is a model that the truncation tests load, and the
// special mode to truncate under.
type truncateModel struct {
	name    string
	tok     *Tokenizer
	special SpecialMode
}

// truncateModels returns the test models that glob matches, and the
// Unigram 8k model with its character map taken out (identity), with and
// without extra whitespace removal and byte fallback.
func truncateModels(t *testing.T, glob string) []truncateModel {
	paths, err := filepath.Glob("../testdata/models/" + glob)
	if err != nil || len(paths) == 0 {
		t.Fatal("no test models", glob, err)
	}
	var models []truncateModel
	load := func(name string, data []byte) {
		tok, err := Load(bytes.NewReader(data))
		if err != nil {
			t.Fatal(name, err)
		}
		models = append(models, truncateModel{name: name, tok: tok})
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		load(filepath.Base(p), data)
	}
	base, err := os.ReadFile("../testdata/models/unigram8k_nmt_nfkc.model")
	if err != nil {
		t.Fatal(err)
	}
	for _, rmws := range []bool{true, false} {
		for _, fallback := range []bool{false, true} {
			m := testmodel.ParseProto(t, base)
			testmodel.SetField(t, m, "identity", "normalizer_spec", "name")
			testmodel.SetField(t, m, []byte{}, "normalizer_spec", "precompiled_charsmap")
			testmodel.SetField(t, m, rmws, "normalizer_spec", "remove_extra_whitespaces")
			testmodel.SetField(t, m, fallback, "trainer_spec", "byte_fallback")
			if fallback {
				for b := range 256 {
					testmodel.AppendPiece(t, m, fmt.Sprintf("<0x%02X>", b), 0, "BYTE")
				}
			}
			load(fmt.Sprintf("identity, remove_extra_whitespaces=%v, byte_fallback=%v", rmws, fallback), testmodel.Marshal(t, m))
		}
	}
	return models
}

// stepTexts are texts whose normalization takes steps of several
// characters (character map keys, user-defined pieces of the test
// models), which no cut may split, next to one another and to spaces: a
// prefix or suffix that starts or ends between two steps normalizes alone
// as the whole does there (stepStart), but one that splits a step does
// not.
var stepTexts = []string{
	strings.Repeat("e\u0301", 40),
	strings.Repeat("e\u0301 ", 20),
	"ffifi--ffi-- 123123 fi\tffi\u3000fifi",
	strings.Repeat("カ\u3099", 15) + " ｶﾞｶﾞ ﾊﾟﾊﾟ",
	"\u1100\u1161\u11a8\u1100\u1161 \u1100\u1161\u11a8",
	"@@@@@ https://http 日本日本 ▁the the▁the <start_of_turn>x<end_of_turn>",
	"a\u00adb\u200bc\u00ad\u00ad d \u00ad e\u200b",
	"\xe3\x81あ\xe3 \xe3\x81\x81\xe3",
	"Ａ\uff01\u2122 e\u0301\u0301 \U0001F600\U0001F600",
}

// TestTruncateReference holds TruncateEnd and TruncateStart to their
// definitions, worked out the slow way by encoding every prefix and
// suffix that ends or starts at a boundary of the whole's tokens, on every
// test model and Gemma 2, for a window of every corpus file and a few
// texts made to be hard (runs of spaces, characters that normalize to
// whitespace or to nothing, a run without a cut), at random budgets, with
// and without a BOS.
func TestTruncateReference(t *testing.T) {
	models := truncateModels(t, "*.model")
	models = append(models, truncateModel{name: "gemma2", tok: defaultTokenizer(t)})
	rng := rand.New(rand.NewSource(7))
	var texts []string
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		at := rng.Intn(max(1, len(data)-600))
		texts = append(texts, capText(string(data[at:]), 400))
	}
	texts = append(texts,
		strings.Repeat("word  \t\n", 40),
		strings.Repeat("a", 300),
		strings.Repeat("ab", 150),
		strings.Repeat("x\u200b y\u00a0z\r\n", 30),
		strings.Repeat("ab▁ ▁cd ", 40),
		strings.Repeat("日本語のテキスト、", 20))
	texts = append(texts, stepTexts...)
	for _, md := range models {
		checked := checkTruncations(t, md, texts, rng)
		t.Logf("%s: %d truncations checked", md.name, checked)
	}
}

// TestTruncateSteps is TestTruncateReference for random texts of
// characters that the test models' normalizers join into steps of several
// (combining marks, the rule TSV's sequences, half-width kana, jamo,
// user-defined pieces), turn into whitespace or nothing, or find malformed,
// with spaces between, and checks each prefix count read off a Unigram
// pass (prefixTokens) against the prefix encoded alone.
func TestTruncateSteps(t *testing.T) {
	alphabet := []string{"e", "\u0301", "\u0301", "f", "i", "ffi", "-", "1", "23", "カ", "\u3099", "ｶ", "ﾞ", "\u1100", "\u1161",
		"\u11a8", "@", "@@", "http", "日本", "▁", "\u00ad", "\u200b", "\u3000", "\t", " ", " ", "  ", "Ａ", "\xe3\x81", "\xff", "ﬁ", "é"}
	rng := rand.New(rand.NewSource(11))
	texts := make([]string, 300)
	for i := range texts {
		var b strings.Builder
		for range 1 + rng.Intn(24) {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		texts[i] = b.String()
	}
	// A run of é, made special below, between runs of other letters with
	// an accent: nmt_nfkc cuts nowhere in it.
	texts = append(texts, strings.Repeat("a\u0301", 8)+strings.Repeat("e\u0301", 12)+strings.Repeat("o\u0301", 8))
	models := truncateModels(t, "*.model")
	// A character that is a special piece, under SpecialText, comes out
	// unknown or as bytes, as a character that is no piece does.
	for _, md := range truncateModels(t, "[bc]*.model") {
		tok, err := md.tok.WithSpecial("é", "i", "-")
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, truncateModel{md.name + " with é, i and - special", tok, SpecialText})
	}
	for _, md := range models {
		checkTruncations(t, md, texts, rng)
		// Again with the fewest pieces bounding the suffixes from the
		// first tried (BPE and char).
		func() {
			defer func(was int) { fewestAfter = was }(fewestAfter)
			fewestAfter = 0
			checkTruncations(t, md, texts, rng)
		}()
		pm, ok := md.tok.model.(prefixModel)
		if !ok || md.tok.norm.Suffix() {
			continue
		}
		for _, text := range texts {
			_, known := md.tok.prefixTokens(pm, text, md.tok.rules)
			toks := md.tok.EncodeOffsets(text)
			for k, c := range known {
				if c >= 0 && int(c) != md.tok.Count(text[:toks[k].Start]) {
					t.Fatalf("%s: %q up to token %d (byte %d): read off %d tokens, encoded alone %d", md.name, text, k, toks[k].Start, c, md.tok.Count(text[:toks[k].Start]))
				}
			}
		}
	}
}

// checkTruncations holds TruncateEndWith and TruncateStartWith of md to
// their definitions on texts, at six random budgets each, with and
// without a BOS, and returns how many it checked.
func checkTruncations(t *testing.T, md truncateModel, texts []string, rng *rand.Rand) int {
	t.Helper()
	tok := md.tok
	count := func(s string) int {
		n, err := tok.CountWith(s, EncodeOptions{Special: md.special})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	checked := 0
	for _, text := range texts {
		toks, err := tok.EncodeOffsetsWith(text, EncodeOptions{Special: md.special})
		if err != nil {
			t.Fatal(err)
		}
		// pre[c] and suf[c] are the tokens of text[:c] and text[c:]
		// alone, for every boundary c of the whole's tokens.
		pre, suf := map[int]int{}, map[int]int{}
		var cuts []int
		for k := 1; k < len(toks); k++ {
			if c := toks[k].Start; boundary(toks, k) {
				cuts = append(cuts, c)
				pre[c], suf[c] = count(text[:c]), count(text[c:])
			}
		}
		for range 6 {
			n := rng.Intn(len(toks) + 2)
			bos := rng.Intn(2) == 0
			opts := EncodeOptions{AddBOS: bos, Special: md.special}
			budget := n
			if bos {
				budget--
			}
			wantEnd, wantStart := "", ""
			switch {
			case budget <= 0:
			case len(toks) <= budget:
				wantEnd, wantStart = text, text
			default:
				for _, c := range cuts {
					if pre[c] <= budget {
						wantEnd = text[:c]
					}
					if suf[c] <= budget && wantStart == "" {
						wantStart = text[c:]
					}
				}
			}
			if got, err := tok.TruncateEndWith(text, n, opts); err != nil || got != wantEnd {
				t.Fatalf("%s: TruncateEndWith(%q, %d, %+v) = %q, %v; want %q", md.name, text, n, opts, got, err, wantEnd)
			}
			if got, err := tok.TruncateStartWith(text, n, opts); err != nil || got != wantStart {
				t.Fatalf("%s: TruncateStartWith(%q, %d, %+v) = %q, %v; want %q", md.name, text, n, opts, got, err, wantStart)
			}
			checked++
		}
	}
	return checked
}

// TestTruncateLinear bounds the bytes that truncating 32 KiB of English,
// Japanese, Thai and code to 100 and 3000 tokens, and 8 KiB of one or two
// letters to 100, encodes, on every test model: a few times the text,
// where encoding each prefix or suffix tried would be thousands of times
// it.
func TestTruncateLinear(t *testing.T) {
	var texts []string
	for _, path := range testmodel.CorpusFiles(t) {
		if !strings.Contains(path, "en.txt") && !strings.Contains(path, "ja.txt") && !strings.Contains(path, "th.txt") && !strings.Contains(path, "code.txt") {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) >= 32<<10 {
			texts = append(texts, capText(string(data), 32<<10))
		}
	}
	if len(texts) < 4 {
		t.Fatalf("%d corpus files of 32 KiB", len(texts))
	}
	// Runs that the Unigram models' pieces cover throughout: no cut, and
	// each prefix or suffix that the fewest tokens before its end or after
	// its start do not rule out is encoded whole (and one long word, which
	// BPE takes its time over); and a run of ก, which ends in U+2581's
	// last byte, which once kept the normalizer from cutting it anywhere.
	runs := []string{strings.Repeat("a", 8<<10), strings.Repeat("ab", 4<<10), strings.Repeat("ก", 8<<10/3)}
	texts = append(texts, runs...)
	// And a run of e and a combining acute, which nmt_nfkc joins: no cut
	// anywhere, and each prefix and suffix tried was encoded whole (1,364
	// times the text); under BPE and char, the suffixes are ruled out by
	// the fewest pieces after their start, worked out once a few suffixes
	// have been encoded (see TruncateStart).
	acute := strings.Repeat("e\u0301", 8<<10/3)
	texts = append(texts, acute)
	most := 0.0
	for _, md := range truncateModels(t, "*.model") {
		for _, text := range texts {
			for _, n := range []int{100, 3000} {
				if (slices.Contains(runs, text) || text == acute) && n > 100 {
					continue
				}
				limit := 3 * len(text)
				if text == acute {
					limit = 6 * len(text)
				}
				_, end, _ := md.tok.truncateEnd(text, n, EncodeOptions{})
				_, start, _ := md.tok.truncateStart(text, n, EncodeOptions{})
				if end.encoded > limit || start.encoded > limit {
					t.Errorf("%s: truncating %q... to %d tokens encoded %d bytes at the end, %d at the start, of %d", md.name, capText(text, 20), n, end.encoded, start.encoded, len(text))
				}
				most = max(most, float64(max(end.encoded, start.encoded))/float64(len(text)))
			}
		}
	}
	t.Logf("at most %.2f times the text encoded", most)
}
