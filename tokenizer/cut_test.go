package tokenizer

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

// TestSafeCut cuts corpus texts where SafeCut says and checks that the
// parts' ids, joined, are the ids of the whole.
func TestSafeCut(t *testing.T) {
	tok := defaultTokenizer(t)
	rng := rand.New(rand.NewSource(1))
	cuts := 0
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if len(text) > 200_000 {
			text = text[:200_000]
		}
		whole := tok.Encode(text)
		for k := 0; k < 20; k++ {
			end := rng.Intn(len(text)) + 1
			n := tok.SafeCut(text[:end])
			if n < 0 || n >= max(end, 1) {
				t.Fatalf("%s: SafeCut of %d bytes = %d", path, end, n)
			}
			if n == 0 {
				continue
			}
			cuts++
			left, right := tok.Encode(text[:n]), tok.Encode(text[n:])
			if len(left)+len(right) != len(whole) {
				t.Errorf("%s: cut at %d: %d+%d tokens, whole %d", path, n, len(left), len(right), len(whole))
				continue
			}
			for i, id := range append(left, right...) {
				if id != whole[i] {
					t.Errorf("%s: cut at %d: id %d differs", path, n, i)
					break
				}
			}
		}
	}
	if cuts < 100 {
		t.Errorf("only %d cuts found", cuts)
	}
}

func TestSafeCutRejects(t *testing.T) {
	tok := defaultTokenizer(t)
	for _, tc := range []struct {
		text string
		want int
	}{
		{"", 0},
		{"abc", 0},
		{"a  ", 1},            // not inside a run of spaces
		{"\n\n\n", 0},         // not inside a run of newlines
		{"aaa", 0},            // the pieces "aa" and "aaa" cover the run
		{"a\n\n", 1},          // between characters no piece joins
		{"a\nb", 2},           // after a newline
		{"ab c", 2},           // before a space
		{"\u2581\u2581 x", 0}, // the space would extend a U+2581 run piece
	} {
		if got := tok.SafeCut(tc.text); got != tc.want {
			t.Errorf("SafeCut(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

// TestSafeCutVariants checks SafeCut's cuts under the model variants, among
// them models without byte fallback, whose unknown pieces merge, and with
// whitespace as a suffix.
func TestSafeCutVariants(t *testing.T) {
	texts := testmodel.GeneralTexts(t)
	for i, mv := range testmodel.Variants {
		t.Run(mv.Name, func(t *testing.T) {
			_, tok := variantTokenizer(t, i)
			rng := rand.New(rand.NewSource(2))
			cuts := 0
			for _, tx := range texts {
				whole := tok.Encode(tx.Text)
				for range 10 {
					n := tok.SafeCutParts(tx.Text[:rng.Intn(len(tx.Text))+1], EncodeOptions{})
					if n == 0 {
						continue
					}
					cuts++
					if got := append(mustEncode(t, tok, tx.Text[:n], EncodeOptions{BeforeCut: true}), mustEncode(t, tok, tx.Text[n:], EncodeOptions{AfterCut: true})...); !slices.Equal(got, whole) {
						t.Errorf("%s: cut at %d (%q | %q): ids differ at %s", tx.Name, n,
							tx.Text[max(0, n-8):n], tx.Text[n:min(len(tx.Text), n+8)], testmodel.DiffAt(got, whole))
					}
				}
			}
			if err := tok.CanCut(EncodeOptions{}); cuts == 0 && (err == nil || err == ErrCutsNeedParts) {
				t.Error("no cuts found")
			}
			t.Logf("%d cuts", cuts)
		})
	}
}

// TestCanCut checks that CanCut tells the models whose texts are never cut,
// or only as parts, from the others, and that the cut functions keep to
// what it says.
func TestCanCut(t *testing.T) {
	variant := func(name string) *Tokenizer {
		i := slices.IndexFunc(testmodel.Variants, func(mv testmodel.Variant) bool { return mv.Name == name })
		_, tok := variantTokenizer(t, i)
		return tok
	}
	const text = "ab cd\nef"
	for _, tc := range []struct {
		name       string
		tok        *Tokenizer
		opts       EncodeOptions
		err        error // nil, ErrCutsNeedParts, or errAny
		with, part int   // SafeCutWith's and SafeCutParts' cut of text
	}{
		{"gemma", defaultTokenizer(t), EncodeOptions{}, nil, 6, 6},
		{"gemma, unknown mode", defaultTokenizer(t), EncodeOptions{Special: 9}, errAny, 0, 0},
		{"dummy prefix", variant("dummy prefix"), EncodeOptions{}, ErrCutsNeedParts, 0, 6},
		{"extra whitespace removal", variant("extra whitespace removal"), EncodeOptions{Special: SpecialText}, ErrCutsNeedParts, 0, 6},
		{"unused pieces", variant("unused pieces"), EncodeOptions{}, errAny, 0, 0},
	} {
		err := tc.tok.CanCut(tc.opts)
		if tc.err == errAny && (err == nil || err == ErrCutsNeedParts) || tc.err != errAny && err != tc.err {
			t.Errorf("%s: CanCut = %v, want %v", tc.name, err, tc.err)
		}
		if got := tc.tok.SafeCutWith(text, tc.opts); got != tc.with {
			t.Errorf("%s: SafeCutWith = %d, want %d", tc.name, got, tc.with)
		}
		if got := tc.tok.SafeCutParts(text, tc.opts); got != tc.part {
			t.Errorf("%s: SafeCutParts = %d, want %d", tc.name, got, tc.part)
		}
	}
}

var errAny = errors.New("any error but ErrCutsNeedParts")

// TestSafeCutPartsOracle cuts the general texts into parts wherever
// SafeCutParts allows, under every model variant whose texts may be cut,
// encodes the parts as parts and compares the joined ids with the C++'s
// for the whole text.
func TestSafeCutPartsOracle(t *testing.T) {
	texts := testmodel.GeneralTexts(t)
	for i, mv := range testmodel.Variants {
		t.Run(mv.Name, func(t *testing.T) {
			tok, o := loadVariant(t, i)
			if err := tok.CanCut(EncodeOptions{}); err != nil && err != ErrCutsNeedParts {
				t.Skip(err)
			}
			cuts := 0
			for _, tx := range texts {
				want := o.encode(t, tx.Text)
				var parts [][]int32
				rest := tx.Text
				for len(parts) < 40 {
					n := tok.SafeCutParts(rest, EncodeOptions{})
					if n == 0 {
						break
					}
					parts = append(parts, mustEncode(t, tok, rest[n:], EncodeOptions{AfterCut: true, BeforeCut: len(parts) > 0}))
					rest = rest[:n]
				}
				cuts += len(parts)
				got := mustEncode(t, tok, rest, EncodeOptions{BeforeCut: len(parts) > 0})
				for k := len(parts) - 1; k >= 0; k-- {
					got = append(got, parts[k]...)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s in %d parts: %s", tx.Name, len(parts)+1, testmodel.DiffAt(got, want))
				}
			}
			if cuts < 100 {
				t.Errorf("only %d cuts", cuts)
			}
		})
	}
}

// TestSafeCutPartsModels cuts the texts of test models whose normalizers
// treat the start and end of a text apart (a dummy prefix and byte
// fallback; whitespace removal; nmt_nfkc's charsmap) into parts where
// SafeCutParts allows, a text of over 1 MiB among them, and compares the
// joined ids of the parts with the C++'s for the whole text. The Unigram
// model's parts carry the path score, which over such a text grows large
// enough for rounding to decide between segmentations.
func TestSafeCutPartsModels(t *testing.T) {
	long := longCorpus(t)
	for _, name := range []string{"bpe_llama", "bpe_identity_rmws", "bpe_nmt_nfkc", "unigram8k_nmt_nfkc", "word"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/models/" + name + ".model")
			if err != nil {
				t.Fatal(err)
			}
			tok, o := loadOracleModel(t, data)
			if err := tok.CanCut(EncodeOptions{Carry: new(Carry)}); err != ErrCutsNeedParts {
				t.Fatalf("CanCut = %v, want ErrCutsNeedParts", err)
			}
			// The short texts are cut every few bytes, next to runs of
			// spaces that whitespace removal collapses.
			for _, text := range []string{long, "  two  spaces  ", " a  b   c\n\n d  e \n ", "x", "  ",
				"x\u2581 ", "e\u0301 e \u0301\u3000\u3000a\t b\u200b c \u200b d\uff76\uff9e\u30ab\u3099 \u1100\u1161\u11a8 \u2581\u2581 "} {
				want := o.encode(t, text)
				size := 1 << 16
				if len(text) < 100 {
					size = 4
				}
				got, parts := encodeInParts(t, tok, text, size)
				if !slices.Equal(got, want) {
					t.Errorf("%.20q… in %d parts: %s", text, parts, testmodel.DiffAt(got, want))
				}
				t.Logf("%d bytes in %d parts", len(text), parts)
			}
		})
	}
}

// longCorpus returns the corpus files but the adversarial ones, joined:
// over 1 MiB of text.
func longCorpus(t *testing.T) string {
	var long strings.Builder
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(path, "adversarial") {
			long.Write(data)
		}
	}
	if long.Len() <= 1<<20 {
		t.Fatalf("the corpus has %d bytes, want over 1 MiB", long.Len())
	}
	return long.String()
}

// encodeInParts encodes text in parts of about size bytes, cut where
// SafeCutParts allows, in order with a Carry, and returns their ids joined
// and their number.
func encodeInParts(t *testing.T, tok *Tokenizer, text string, size int) ([]int32, int) {
	var ids []int32
	parts := 0
	carry := new(Carry)
	for start := 0; start < len(text); parts++ {
		end := len(text)
		if start+size < len(text) {
			if n := tok.SafeCutParts(text[start:start+size], EncodeOptions{Carry: carry}); n > 0 {
				end = start + n
			}
		}
		ids = append(ids, mustEncode(t, tok, text[start:end], EncodeOptions{AfterCut: start > 0, BeforeCut: end < len(text), Carry: carry})...)
		start = end
	}
	return ids, parts
}

// TestSafeCutPartialChar cuts every prefix of texts whose characters take
// several bytes, so that most prefixes end inside one: the cut must hold
// for the bytes that complete it.
func TestSafeCutPartialChar(t *testing.T) {
	tok := defaultTokenizer(t)
	for _, text := range []string{"Mixed no spaces: abcשלוםdefمرحباghi123٤٥٦\n", "流式文本分段到达😀👍🏽ok"} {
		whole := tok.Encode(text)
		for k := 1; k <= len(text); k++ {
			n := tok.SafeCut(text[:k])
			if n == 0 {
				continue
			}
			if got := append(tok.Encode(text[:n]), tok.Encode(text[n:])...); !slices.Equal(got, whole) {
				t.Errorf("SafeCut(%q) = %d: the parts encode to %v, the whole to %v", text[:k], n, got, whole)
			}
		}
	}
}

// TestSafeCutWith cuts texts that spell special pieces, and corpus lines
// with such texts spliced in, where SafeCutWith says under each mode, and
// checks the parts against the whole: the same ids, and under
// SpecialReject the same first special piece at the same offset.
func TestSafeCutWith(t *testing.T) {
	tok := defaultTokenizer(t)
	reject := EncodeOptions{Special: SpecialReject}
	// A control piece is not among the pieces that SafeCut keeps whole.
	if got := tok.SafeCut("x <p"); got != 3 {
		t.Errorf(`SafeCut("x <p") = %d, want 3`, got)
	}
	if got := tok.SafeCutWith("x <p", reject); got != 1 {
		t.Errorf(`SafeCutWith("x <p", reject) = %d, want 1: "<pad>" could be cut`, got)
	}
	if got := tok.SafeCutWith("a\nb", EncodeOptions{Special: 9}); got != 0 {
		t.Errorf("SafeCutWith under an unknown mode = %d, want 0", got)
	}

	// A newline that is special is text under SpecialText, and may merge.
	m := testmodel.SmallModel(t)
	testmodel.AppendPiece(t, m, "\n", 0, "USER_DEFINED")
	testmodel.AppendPiece(t, m, "\na", -9, "NORMAL")
	small, err := loadModel(t, m).WithSpecial("\n")
	if err != nil {
		t.Fatal(err)
	}
	for mode, want := range map[SpecialMode]int{SpecialPieces: 2, SpecialText: 1} {
		opts := EncodeOptions{Special: mode}
		whole, werr := small.EncodeWith("b\na", opts)
		if got := small.SafeCutWith("b\na", opts); got != want {
			t.Errorf(`small model, %v: SafeCutWith("b\na") = %d, want %d`, mode, got, want)
		} else if msg := checkParts(small, "b\na", got, opts, whole, werr); msg != "" {
			t.Errorf("small model, %v: %s", mode, msg)
		}
	}

	newline, err := tok.WithSpecial("\n", "<start_of_turn>", "<pad>")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(4))
	texts := injections(tok)
	inj := texts
	for _, line := range corpusLines(t, 20) {
		if line == "" {
			continue
		}
		at := rng.Intn(len(line))
		texts = append(texts, line[:at]+inj[rng.Intn(len(inj))]+line[at:]+"\n"+line)
	}
	for _, tk := range []*Tokenizer{tok, newline} {
		for _, mode := range []SpecialMode{SpecialPieces, SpecialText, SpecialReject} {
			opts := EncodeOptions{Special: mode}
			cuts := 0
			for _, text := range texts {
				whole, werr := tk.EncodeWith(text, opts)
				ends := rng.Perm(len(text))
				if len(ends) > 12 {
					ends = ends[:12]
				}
				for _, end := range ends {
					n := tk.SafeCutWith(text[:end+1], opts)
					if n == 0 {
						continue
					}
					cuts++
					if msg := checkParts(tk, text, n, opts, whole, werr); msg != "" {
						t.Errorf("%v: cut %q at %d: %s", mode, text, n, msg)
					}
				}
			}
			if cuts < 100 {
				t.Errorf("%v: only %d cuts", mode, cuts)
			}
		}
	}
}

// mustEncode returns the ids of text under opts.
func mustEncode(t testing.TB, tok *Tokenizer, text string, opts EncodeOptions) []int32 {
	t.Helper()
	ids, err := tok.EncodeWith(text, opts)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// checkParts encodes text[:n] and text[n:] under opts, as parts before
// and after a cut, and says how they
// differ from the whole's ids or error, or returns "".
func checkParts(tok *Tokenizer, text string, n int, opts EncodeOptions, whole []int32, werr error) string {
	lopts, ropts := opts, opts
	lopts.BeforeCut, ropts.AfterCut = true, true
	left, lerr := tok.EncodeWith(text[:n], lopts)
	right, rerr := tok.EncodeWith(text[n:], ropts)
	if se, ok := rerr.(*SpecialError); ok && lerr == nil {
		lerr = &SpecialError{Piece: se.Piece, Offset: n + se.Offset}
	}
	switch {
	case werr != nil || lerr != nil:
		if !reflect.DeepEqual(werr, lerr) {
			return fmt.Sprintf("the whole fails with %v, the parts with %v", werr, lerr)
		}
	case !slices.Equal(append(left, right...), whole):
		return "ids differ at " + testmodel.DiffAt(append(left, right...), whole)
	}
	return ""
}

// TestSafeCutTestModels cuts the start of every corpus file into parts of
// a few hundred bytes where SafeCutParts allows, under every test model,
// and compares the parts' joined ids with the C++'s for the whole. The
// models that cut must find cuts; the others must say so through CanCut.
func TestSafeCutTestModels(t *testing.T) {
	cuts := map[string]bool{ // whether the model's texts are cut
		"bpe_identity_rmws": true, "bpe_llama": true, "bpe_nmt_nfkc": true, "char": true, "word": true,
		"unigram8k_nmt_nfkc": true, "unigram_nfkc_cf_bytefb_suffix": true, "unigram_noprefix_noescape": true,
		"unigram_nosplit": true, "unigram_rule_tsv": true, "unigram_userdef_control": true,
	}
	texts := testmodel.GeneralTexts(t)
	for _, path := range testModels(t) {
		name := modelName(path)
		t.Run(name, func(t *testing.T) {
			tok, o := cachedTestModel(t, path)
			err := tok.CanCut(EncodeOptions{Carry: new(Carry)})
			if cut := err == nil || err == ErrCutsNeedParts; cut != cuts[name] {
				t.Fatalf("CanCut = %v", err)
			}
			if _, ok := tok.model.(carrier); ok && tok.CanCut(EncodeOptions{}) != ErrCutsNeedCarry {
				t.Errorf("CanCut without a Carry = %v", tok.CanCut(EncodeOptions{}))
			}
			parts := 0
			for _, tx := range texts {
				want := o.encode(t, tx.Text)
				got, n := encodeInParts(t, tok, tx.Text, 300)
				if !slices.Equal(got, want) {
					t.Errorf("%s in %d parts: %s", tx.Name, n, testmodel.DiffAt(got, want))
				}
				parts += n
			}
			if cuts[name] && parts < 5*len(texts) {
				t.Errorf("only %d parts of %d texts", parts, len(texts))
			}
			t.Logf("%d texts in %d parts", len(texts), parts)
		})
	}
}

// checkSafeCutParts checks SafeCutParts' cuts of text, and of its first
// half, against want, the C++'s ids of the whole text under the model
// name: FuzzOracleModels asks it of arbitrary text under each test model.
func checkSafeCutParts(t *testing.T, tok *Tokenizer, name, text string, want []int32) {
	for _, head := range []string{text, text[:len(text)/2]} {
		carry := new(Carry)
		n := tok.SafeCutParts(head, EncodeOptions{Carry: carry})
		if n == 0 {
			continue
		}
		got := append(mustEncode(t, tok, text[:n], EncodeOptions{BeforeCut: true, Carry: carry}), mustEncode(t, tok, text[n:], EncodeOptions{AfterCut: true, Carry: carry})...)
		if !slices.Equal(got, want) {
			t.Errorf("%s: cut %q at %d of %q: %s", name, text, n, head, testmodel.DiffAt(got, want))
		}
	}
}

// TestSafeCutCarry cuts over 1 MiB of corpus text into parts of about
// 4 KiB under a Unigram model and checks that the parts, encoded in order
// with a Carry, give the whole's ids, while some parts encoded from the
// score 0, without one, do not: rounding at the path score decides them.
func TestSafeCutCarry(t *testing.T) {
	text := longCorpus(t)
	data, err := os.ReadFile("../testdata/models/unigram8k_nmt_nfkc.model")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	carry := new(Carry)
	var got []int32
	differ := 0
	for start := 0; start < len(text); {
		end := len(text)
		if start+4096 < len(text) {
			if n := tok.SafeCutParts(text[start:start+4096], EncodeOptions{Carry: carry}); n > 0 {
				end = start + n
			}
		}
		opts := EncodeOptions{AfterCut: start > 0, BeforeCut: end < len(text)}
		fresh := mustEncode(t, tok, text[start:end], opts)
		opts.Carry = carry
		ids := mustEncode(t, tok, text[start:end], opts)
		if !slices.Equal(ids, fresh) {
			differ++
		}
		got = append(got, ids...)
		start = end
	}
	if want := tok.Encode(text); !slices.Equal(got, want) {
		t.Errorf("the parts with a Carry: %s", testmodel.DiffAt(got, want))
	}
	if differ == 0 {
		t.Error("no part encodes otherwise from the score 0: the test does not show that the Carry counts")
	}
	t.Logf("%d parts differ from the score 0", differ)
}

// TestSafeCutUserPieces cuts random texts full of user-defined pieces,
// special ones among them, and of characters that nmt_nfkc joins or drops,
// under a model of each type with an nmt_nfkc normalizer, where
// SafeCutParts allows under each special mode, and checks the parts
// against the whole.
func TestSafeCutUserPieces(t *testing.T) {
	alphabet := []string{"z", "q", "zq", " ", "  ", "\n", "e", "\u0301", "x", "\u8a9e", "\u3000", "@", "\u200b", "\xff"}
	for _, name := range []string{"char", "word", "unigram8k_nmt_nfkc", "bpe_nmt_nfkc"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/models/" + name + ".model")
			if err != nil {
				t.Fatal(err)
			}
			m := testmodel.ParseProto(t, data)
			for _, p := range []string{"zq", "\n", "e\u0301x", "\u8a9e@"} {
				testmodel.AppendPiece(t, m, p, 0, "USER_DEFINED")
			}
			tok, err := loadModel(t, m).WithSpecial("\n")
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewSource(5))
			cuts := 0
			for range 300 {
				text := testmodel.RandomText(rng, alphabet, 16)
				for _, mode := range []SpecialMode{SpecialPieces, SpecialText, SpecialReject} {
					whole, werr := tok.EncodeWith(text, EncodeOptions{Special: mode})
					opts := EncodeOptions{Special: mode, Carry: new(Carry)}
					n := tok.SafeCutParts(text[:rng.Intn(len(text))+1], opts)
					if n == 0 {
						continue
					}
					cuts++
					if msg := checkParts(tok, text, n, opts, whole, werr); msg != "" {
						t.Errorf("%v: cut %q at %d: %s", mode, text, n, msg)
					}
				}
			}
			// Most words of the word model are unknown, and not cut apart.
			if cuts < 100 && (name != "word" || cuts < 5) {
				t.Errorf("only %d cuts", cuts)
			}
			t.Logf("%d cuts", cuts)
		})
	}
}
