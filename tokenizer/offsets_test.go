package tokenizer

import (
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

func TestEncodeOffsets(t *testing.T) {
	tok := defaultTokenizer(t)
	for _, tc := range []struct {
		text string
		want []Token
	}{
		{"", []Token{}},
		{"héllo", []Token{{21454, 0, 3}, {3979, 3, 6}}},
		// An unfinished UTF-8 byte is normalized to U+FFFD (3 bytes), which
		// maps back to the one input byte.
		{"a\xffb", []Token{{235250, 0, 1}, {236193, 1, 2}, {235268, 2, 3}}},
		// A character the vocabulary lacks falls back to its bytes; all but
		// the last have the empty span at the character's start.
		{"𝄞z", []Token{{457, 0, 0}, {374, 0, 0}, {349, 0, 0}, {375, 0, 4}, {235306, 4, 5}}},
		{"<start_of_turn>x", []Token{{106, 0, 15}, {235297, 15, 16}}},
	} {
		if got := tok.EncodeOffsets(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("EncodeOffsets(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestEncodeOffsetsWith(t *testing.T) {
	tok := defaultTokenizer(t)
	text := "a<end_of_turn>"
	got, err := tok.EncodeOffsetsWith(text, EncodeOptions{AddBOS: true, AddEOS: true, Special: SpecialText})
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := tok.EncodeWith(text, EncodeOptions{AddBOS: true, AddEOS: true, Special: SpecialText})
	if len(got) != len(ids) || got[0] != (Token{tok.BOS(), 0, 0}) || got[len(got)-1] != (Token{tok.EOS(), len(text), len(text)}) {
		t.Fatalf("tokens %v, ids %v", got, ids)
	}
	for i, tk := range got {
		if tk.ID != ids[i] {
			t.Errorf("token %d: id %d, EncodeWith gives %d", i, tk.ID, ids[i])
		}
	}
	if _, err := tok.EncodeOffsetsWith(text, EncodeOptions{Special: SpecialReject}); err == nil {
		t.Error("SpecialReject: no error")
	}
}

// checkTiling checks that toks have the ids of Encode and that their
// non-empty spans, in order, tile text.
func checkTiling(t *testing.T, tok *Tokenizer, name, text string, toks []Token) {
	t.Helper()
	ids := tok.Encode(text)
	if len(toks) != len(ids) {
		t.Fatalf("%s: %d tokens, Encode gives %d", name, len(toks), len(ids))
	}
	pos := 0
	for i, tk := range toks {
		if tk.ID != ids[i] {
			t.Fatalf("%s: token %d has id %d, Encode gives %d", name, i, tk.ID, ids[i])
		}
		if tk.Start == tk.End {
			continue
		}
		if tk.Start != pos || tk.End < tk.Start {
			t.Fatalf("%s: token %d spans [%d,%d), want it to start at %d", name, i, tk.Start, tk.End, pos)
		}
		pos = tk.End
	}
	if pos != len(text) {
		t.Fatalf("%s: spans end at %d of %d bytes", name, pos, len(text))
	}
}

// TestEncodeOffsetsTiling checks the spans of every corpus file.
func TestEncodeOffsetsTiling(t *testing.T) {
	tok := defaultTokenizer(t)
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := capText(string(data), 256<<10)
		checkTiling(t, tok, testmodel.CorpusName(path), text, tok.EncodeOffsets(text))
	}
}

// capText cuts text to at most n bytes, at the start of a character.
func capText(text string, n int) string {
	if len(text) <= n {
		return text
	}
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n]
}

// TestEncodeOffsetsOracle compares ids and spans with the C++'s begin and
// end over every corpus file, whole and its first 100 lines. For valid
// UTF-8 up to 64 KiB it also converts the Python binding's character
// offsets to bytes and compares those.
func TestEncodeOffsetsOracle(t *testing.T) {
	o := getOracle(t)
	tok := defaultTokenizer(t)
	files, texts, chars := 0, 0, 0
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := testmodel.CorpusName(path)
		whole := string(data)
		lines := strings.Split(whole, "\n")
		if len(lines) > 100 {
			lines = lines[:100]
		}
		for i, text := range append([]string{whole}, lines...) {
			var res struct {
				IDs, Begin, End []int
				CharBegin       []int `json:"char_begin"`
				CharEnd         []int `json:"char_end"`
			}
			if err := o.call(map[string]any{"op": "offsets", "text": b64(text)}, &res); err != nil {
				t.Fatal(err)
			}
			want := make([]Token, len(res.IDs))
			for k := range want {
				want[k] = Token{int32(res.IDs[k]), res.Begin[k], res.End[k]}
			}
			got := tok.EncodeOffsets(text)
			if !slices.Equal(got, want) {
				k := 0
				for k < len(got) && k < len(want) && got[k] == want[k] {
					k++
				}
				t.Errorf("%s text %d: tokens differ at %d: got %v, want %v", name, i, k, got[k:min(k+3, len(got))], want[k:min(k+3, len(want))])
				continue
			}
			texts++
			if res.CharBegin == nil {
				continue
			}
			// charByte[c] is the byte offset of character c.
			charByte := make([]int, 0, len(text)+1)
			for b := range text {
				charByte = append(charByte, b)
			}
			charByte = append(charByte, len(text))
			for k, tk := range got {
				if cb, ce := charByte[res.CharBegin[k]], charByte[res.CharEnd[k]]; cb != tk.Start || ce != tk.End {
					t.Errorf("%s text %d token %d: [%d,%d), the binding's characters give [%d,%d)", name, i, k, tk.Start, tk.End, cb, ce)
					break
				}
			}
			chars++
		}
		files++
	}
	t.Logf("%d files, %d texts compared with the C++'s byte offsets, %d also with its character offsets", files, texts, chars)
	if texts < 1500 {
		t.Errorf("only %d texts compared", texts)
	}
}
