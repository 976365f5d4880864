package tokenizer

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/modeltest"
	"github.com/gemmatok/gemmatok/vocab"
)

// specialBPETexts returns the texts the tests of special normal pieces
// encode: the start of every corpus file, and its lines.
func specialBPETexts(t *testing.T) []string {
	_, starts := corpusTexts(t, 2<<10)
	var texts []string
	for _, s := range starts {
		texts = append(texts, s.Text)
		texts = append(texts, strings.Split(s.Text, "\n")...)
	}
	return append(texts, "the café é e", "ééé eee", "")
}

// frequentPieces returns the n normal pieces of more than one character
// that tok's encoding of texts gives most often.
func frequentPieces(tok *Tokenizer, texts []string, n int) []string {
	count := map[int32]int{}
	for _, s := range texts {
		for _, id := range tok.Encode(s) {
			if tok.v.Type(id) == vocab.Normal && utf8.RuneCountInString(tok.v.Piece(id)) > 1 {
				count[id]++
			}
		}
	}
	ids := make([]int32, 0, len(count))
	for id := range count {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int32) int { return cmp.Or(count[b]-count[a], cmp.Compare(a, b)) })
	var pieces []string
	for _, id := range ids[:min(n, len(ids))] {
		pieces = append(pieces, tok.v.Piece(id))
	}
	return pieces
}

// TestOracleSpecialBPE checks that SpecialText encodes text that spells
// special normal pieces of a BPE model as the C++ does when those pieces
// are unused: merges make them, and the output spells each as the pair it
// was made of.
func TestOracleSpecialBPE(t *testing.T) {
	texts := specialBPETexts(t)
	raw := make([][]byte, len(texts))
	for i, s := range texts {
		raw[i] = []byte(s)
	}
	for _, name := range []string{"bpe_llama", "bpe_nmt_nfkc", "bpe_identity_rmws"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(modeltest.SharedModel(name))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := Load(strings.NewReader(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			pieces := frequentPieces(tok, texts, 12)
			special, err := tok.WithSpecial(pieces...)
			if err != nil {
				t.Fatal(err)
			}
			types := map[string]vocab.Type{}
			for _, p := range pieces {
				types[p] = vocab.Unused
			}
			want := modeltest.Get(t).Encode(t, modeltest.ModelBytes(modeltest.WithTypes(t, data, types)), raw)
			bad, respelled := 0, 0
			for i, s := range texts {
				got, err := special.EncodeWith(s, EncodeOptions{Special: SpecialText})
				if err != nil {
					t.Fatal(err)
				}
				ids := make([]int32, len(want[i]))
				for j, sp := range want[i] {
					ids[j] = sp.ID
				}
				if !slices.Equal(got, ids) {
					if bad++; bad <= 3 {
						t.Errorf("%.60q: got %v, the C++ with the pieces unused %v", s, got, ids)
					}
				}
				if !slices.Equal(got, tok.Encode(s)) {
					respelled++
				}
			}
			if respelled == 0 {
				t.Errorf("no text spelled a special piece of %q", pieces)
			}
		})
	}
}

// specialBPEModels returns a Tokenizer of every test model, by name, and
// Gemma 2's and Gemma 3's.
func specialBPEModels(t *testing.T) map[string]*Tokenizer {
	toks := map[string]*Tokenizer{}
	for _, path := range testModels(t) {
		tok, err := LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		toks[modelName(path)] = tok
	}
	for name, load := range map[string]func() (*Tokenizer, error){"gemma2": Default, "gemma3": Gemma3} {
		tok, err := load()
		if err != nil {
			t.Fatal(err)
		}
		toks[name] = tok
	}
	return toks
}

// TestSpecialNormalPieces makes random normal pieces of every model
// special: under SpecialText none comes out and, where the model has byte
// fallback, decoding gives the text that decoding SentencePiece's ids
// gives; SpecialPieces is SentencePiece's encoding still. A special piece
// of one character comes out as an unknown character.
func TestSpecialNormalPieces(t *testing.T) {
	texts := specialBPETexts(t)
	if testing.Short() {
		texts = texts[:40]
	}
	for name, tok := range specialBPEModels(t) {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(len(name)), 7))
			// Half of the pieces are among those the texts give, which are
			// sure to be met.
			pieces := frequentPieces(tok, texts, 40)
			rng.Shuffle(len(pieces), func(i, j int) { pieces[i], pieces[j] = pieces[j], pieces[i] })
			pieces = pieces[:min(len(pieces), 10)]
			var single []string
			for try := 0; try < 1e5 && (len(pieces) < 20 || len(single) < 2); try++ {
				id := rng.Int32N(int32(tok.v.Size()))
				if tok.v.Type(id) != vocab.Normal {
					continue
				}
				p := tok.v.Piece(id)
				if utf8.RuneCountInString(p) == 1 {
					if len(single) == 2 {
						continue
					}
					single = append(single, p)
				}
				pieces = append(pieces, p)
			}
			special, err := tok.WithSpecial(pieces...)
			if err != nil {
				t.Fatal(err)
			}
			// The default special pieces are never respelled: Gemma's
			// SpecialText encoding keeps its fast paths.
			if a, b := tok.CanCut(EncodeOptions{Special: SpecialText}), tok.CanCut(EncodeOptions{}); a != b && (a == nil || b == nil || a.Error() != b.Error()) {
				t.Errorf("CanCut: %v under SpecialText, %v under SpecialPieces", a, b)
			}
			fallback := tok.v.Trainer().ByteFallback
			for _, s := range append(texts, strings.Join(pieces, " "), strings.Join(single, "")) {
				ids, err := special.EncodeWith(s, EncodeOptions{Special: SpecialText})
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range ids {
					if special.IsSpecial(id) {
						t.Fatalf("%.60q: special %q came out of %v", s, tok.v.Piece(id), ids)
					}
				}
				plain := tok.Encode(s)
				if got, err := special.EncodeWith(s, EncodeOptions{}); err != nil || !slices.Equal(got, plain) {
					t.Fatalf("%.60q: SpecialPieces gave %v, %v; SentencePiece %v", s, got, err, plain)
				}
				if fallback {
					want, _ := tok.Decode(plain)
					if got, err := tok.Decode(ids); err != nil || got != want {
						t.Fatalf("%.60q: decoding gave %q, %v, want %q", s, got, err, want)
					}
				}
			}
			for _, p := range single {
				ids, err := special.EncodeWith(p, EncodeOptions{Special: SpecialText})
				if err != nil {
					t.Fatal(err)
				}
				want := []int32{tok.v.Unk()}
				if fallback {
					want = want[:0]
					for _, c := range []byte(p) {
						id, _ := tok.v.ID(fmt.Sprintf("<0x%02X>", c))
						want = append(want, id)
					}
				}
				if !containsRun(ids, want) {
					t.Errorf("special %q of one character gave %v, want %v in it", p, ids, want)
				}
			}
		})
	}
}

// containsRun reports whether ids holds run, in a row.
func containsRun(ids, run []int32) bool {
	for i := range ids {
		if len(ids)-i >= len(run) && slices.Equal(ids[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// TestSpecialNormalPiecesPaths checks that every way of encoding under
// SpecialText keeps the special normal pieces of a BPE model out as
// EncodeWith does: counting, offsets, pieces, batches, truncation (the
// longest part at a boundary whose own encoding fits, found by trying
// each) and chat contents; and that no text is cut, since the pieces'
// spelling depends on the whole text.
func TestSpecialNormalPiecesPaths(t *testing.T) {
	texts := specialBPETexts(t)
	toks := specialBPEModels(t)
	opts := EncodeOptions{Special: SpecialText}
	for _, name := range []string{"bpe_llama", "bpe_nmt_nfkc", "gemma3"} {
		t.Run(name, func(t *testing.T) {
			tok := toks[name]
			pieces := frequentPieces(tok, texts, 12)
			if name == "gemma3" {
				pieces = append(pieces, "<start_of_turn>", "<end_of_turn>")
			}
			special, err := tok.WithSpecial(pieces...)
			if err != nil {
				t.Fatal(err)
			}
			if special.CanCut(opts) == nil || tok.CanCut(opts) != nil && tok.CanCut(EncodeOptions{}) == nil {
				t.Errorf("CanCut under SpecialText: %v with special normal pieces, %v without", special.CanCut(opts), tok.CanCut(opts))
			}
			var short []string
			for _, s := range texts {
				if len(s) < 300 {
					short = append(short, s)
				}
			}
			batch, err := special.EncodeBatch(texts, opts, 2)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range texts {
				ids, _ := special.EncodeWith(s, opts)
				if n, err := special.CountWith(s, opts); err != nil || n != len(ids) {
					t.Errorf("%.60q: CountWith %d, %v; %d ids", s, n, err, len(ids))
				}
				toks, err := special.EncodeOffsetsWith(s, opts)
				if err != nil || len(toks) != len(ids) {
					t.Fatalf("%.60q: %d tokens with offsets, %v; %d ids", s, len(toks), err, len(ids))
				}
				for j, tk := range toks {
					if tk.ID != ids[j] {
						t.Fatalf("%.60q: offsets' ids differ at %d", s, j)
					}
				}
				ps, err := special.EncodePiecesWith(s, opts)
				if err != nil || len(ps) != len(ids) {
					t.Fatalf("%.60q: %d pieces, %v; %d ids", s, len(ps), err, len(ids))
				}
				if !slices.Equal(batch[i], ids) {
					t.Fatalf("%.60q: EncodeBatch differs", s)
				}
				if special.SafeCutWith(s, opts) != 0 {
					t.Fatalf("%.60q: cut", s)
				}
			}
			for _, s := range short {
				toks, _ := special.EncodeOffsetsWith(s, opts)
				for _, n := range []int{max(1, len(toks)/3), max(1, len(toks)*2/3)} {
					end, err := special.TruncateEndWith(s, n, opts)
					if want := longestFit(special, s, toks, n, true); err != nil || end != want {
						t.Errorf("%.60q: TruncateEndWith %d gave %q, %v; want %q", s, n, end, err, want)
					}
					start, err := special.TruncateStartWith(s, n, opts)
					if want := longestFit(special, s, toks, n, false); err != nil || start != want {
						t.Errorf("%.60q: TruncateStartWith %d gave %q, %v; want %q", s, n, start, err, want)
					}
				}
			}
			if name != "gemma3" {
				return
			}
			msgs := []Message{{Role: "user", Content: texts[0]}, {Role: "model", Content: strings.Join(pieces, " ")}}
			ids, err := special.EncodeChat(msgs, ChatOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if p := tok.v.Piece(id); special.IsSpecial(id) && p != "<start_of_turn>" && p != "<end_of_turn>" {
					t.Fatalf("chat content gave special %q", p)
				}
			}
		})
	}
}

// longestFit returns the longest prefix (or suffix) of s that ends (or
// starts) at the start of one of its tokens toks and encodes under
// SpecialText to at most n tokens, trying each.
func longestFit(tok *Tokenizer, s string, toks []Token, n int, prefix bool) string {
	fits := func(p string) bool {
		c, _ := tok.CountWith(p, EncodeOptions{Special: SpecialText})
		return c <= n
	}
	if fits(s) {
		return s
	}
	if prefix {
		for k := len(toks) - 1; k > 0; k-- {
			if c := toks[k].Start; toks[k-1].End <= c && fits(s[:c]) {
				return s[:c]
			}
		}
		return ""
	}
	for k := 1; k < len(toks); k++ {
		if c := toks[k].Start; toks[k-1].End <= c && fits(s[c:]) {
			return s[c:]
		}
	}
	return ""
}

// TestSpecialUserCharacter makes the user-defined pieces of one character
// special (Gemma's "\n" and "\t"): under SpecialText they come out as
// unknown characters do, as byte pieces under Gemma's byte fallback.
func TestSpecialUserCharacter(t *testing.T) {
	checked := 0
	for name, tok := range specialBPEModels(t) {
		var ps []string
		for _, id := range tok.v.UserDefined() {
			if p := tok.v.Piece(id); utf8.RuneCountInString(p) == 1 {
				ps = append(ps, p)
			}
		}
		if len(ps) == 0 {
			continue
		}
		special, err := tok.WithSpecial(ps...)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			s := "a" + p + "b " + p + p + " c"
			ids, err := special.EncodeWith(s, EncodeOptions{Special: SpecialText})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if special.IsSpecial(id) {
					t.Errorf("%s: %q gave special %d in %v", name, s, id, ids)
				}
			}
			want, _ := tok.Decode(tok.Encode(s))
			if got, err := tok.Decode(ids); tok.v.Trainer().ByteFallback && (err != nil || got != want) {
				t.Errorf("%s: %q decoded to %q, %v; want %q", name, s, got, err, want)
			}
			checked++
		}
	}
	if checked < 3 {
		t.Errorf("%d user-defined pieces of one character checked, want Gemma 2's and 3's 3", checked)
	}
}
