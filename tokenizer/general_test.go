package tokenizer

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"math/rand"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/gemmatok/gemmatok/vocab"
)

// Generality: the Gemma model exercises one corner of SentencePiece (BPE,
// identity normalizer, byte fallback, no unused pieces). These tests load
// modified copies of it, and a small model, both here and in the oracle,
// and compare encoding, pieces and decoding on the start of every corpus
// file.

// generalTextLen is how much of each corpus file the variants are compared
// on: 8 KiB of each of the 28 files is about 220 KiB a model.
const generalTextLen = 8 << 10

// modelVariant is a model built for a generality test.
type modelVariant struct {
	name  string
	model func(t testing.TB) protoreflect.Message
	// path checks that the Tokenizer takes the code path the variant is
	// meant to exercise.
	path func(tok *Tokenizer) bool
}

// editGemma returns a model func that applies edit to the Gemma model.
func editGemma(edit func(t testing.TB, m protoreflect.Message)) func(t testing.TB) protoreflect.Message {
	return func(t testing.TB) protoreflect.Message {
		m := gemmaProto(t)
		edit(t, m)
		return m
	}
}

var modelVariants = []modelVariant{
	{
		// Every 41st normal piece, and some of the most frequent English
		// ones so that resegmentation happens often.
		name: "unused pieces",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			frequent := []string{"▁the", "ing", "▁and", "▁of", "er", "▁a", "es", "▁to"}
			l := pieceList(t, m)
			for i := 0; i < l.Len(); i++ {
				p := l.Get(i).Message()
				if pieceType(t, p) == vocab.Normal && (i%41 == 0 || slices.Contains(frequent, pieceText(t, p))) {
					setField(t, p, "UNUSED", "type")
				}
			}
		}),
		path: func(tok *Tokenizer) bool { return tok.model.split == splitNone },
	},
	{
		name: "dummy prefix and extra whitespace removal",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			setField(t, m, true, "normalizer_spec", "add_dummy_prefix")
			setField(t, m, true, "normalizer_spec", "remove_extra_whitespaces")
		}),
		path: func(tok *Tokenizer) bool { return !tok.norm.identity },
	},
	{
		name: "dummy prefix",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			setField(t, m, true, "normalizer_spec", "add_dummy_prefix")
		}),
		path: func(tok *Tokenizer) bool { return !tok.norm.identity },
	},
	{
		name: "extra whitespace removal",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			setField(t, m, true, "normalizer_spec", "remove_extra_whitespaces")
		}),
		path: func(tok *Tokenizer) bool { return !tok.norm.identity },
	},
	{
		name: "spaces not escaped",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			setField(t, m, false, "normalizer_spec", "escape_whitespaces")
		}),
		path: func(tok *Tokenizer) bool { return !tok.norm.spec.EscapeWhitespaces && tok.norm.identity },
	},
	{
		name: "spaces not escaped, dummy prefix and extra whitespace removal",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			setField(t, m, false, "normalizer_spec", "escape_whitespaces")
			setField(t, m, true, "normalizer_spec", "add_dummy_prefix")
			setField(t, m, true, "normalizer_spec", "remove_extra_whitespaces")
		}),
		path: func(tok *Tokenizer) bool { return !tok.norm.spec.EscapeWhitespaces && !tok.norm.identity },
	},
	{
		name: "no byte fallback, byte pieces removed",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			setField(t, m, false, "trainer_spec", "byte_fallback")
			keepPieces(t, m, func(p protoreflect.Message) bool { return pieceType(t, p) != vocab.Byte })
		}),
		path: func(tok *Tokenizer) bool { return !tok.v.Trainer().ByteFallback && tok.v.ByteID(0) < 0 },
	},
	{
		// The byte pieces become user-defined, so that the text "<0x41>"
		// is cut out as a piece.
		name: "no byte fallback, byte pieces user-defined",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			setField(t, m, false, "trainer_spec", "byte_fallback")
			l := pieceList(t, m)
			for i := 0; i < l.Len(); i++ {
				if p := l.Get(i).Message(); pieceType(t, p) == vocab.Byte {
					setField(t, p, "USER_DEFINED", "type")
				}
			}
		}),
		path: func(tok *Tokenizer) bool {
			id, _ := tok.PieceToID("<0x41>")
			return tok.v.Type(id) == vocab.UserDefined
		},
	},
	{
		name: "whitespace as suffix with dummy suffix",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			moveSpacesToEnd(t, m)
			setField(t, m, true, "normalizer_spec", "add_dummy_prefix")
		}),
		path: func(tok *Tokenizer) bool { return tok.model.split == splitAfter && tok.norm.suffix },
	},
	{
		name: "whitespace as suffix with extra whitespace removal",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			moveSpacesToEnd(t, m)
			setField(t, m, true, "normalizer_spec", "remove_extra_whitespaces")
		}),
		path: func(tok *Tokenizer) bool { return tok.model.split == splitAfter && !tok.norm.identity },
	},
	{
		// Normal pieces that have the text of control, unknown and byte
		// pieces, which PieceToId prefers, and for the last two the pieces
		// merges build them from: encoding the text "<unk>" gives the
		// unknown id, which byte fallback spells out. (Were a merge to give
		// a control id, the C++ would fail to encode the text at all.)
		name: "pieces shadowed by control, unknown and byte pieces",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			have := map[string]bool{} // the pieces merges may produce
			l := pieceList(t, m)
			for i := 0; i < l.Len(); i++ {
				switch p := l.Get(i).Message(); pieceType(t, p) {
				case vocab.Normal, vocab.UserDefined, vocab.Unused:
					have[pieceText(t, p)] = true
				}
			}
			for _, p := range []string{"<eos>", "<u", "<un", "<unk", "<unk>", "<0", "<0x", "<0x4", "<0x41", "<0x41>"} {
				if !have[p] {
					appendPiece(t, m, p, 0, "NORMAL")
				}
			}
		}),
		path: func(tok *Tokenizer) bool { return len(tok.model.shadow) == 3 },
	},
	{
		// SentencePiece neither matches control pieces in text nor makes
		// them by merging, which is what SpecialText does with special
		// pieces: TestSpecialTextOracle compares the two.
		name: "special pieces as control",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			special := specialTexts(t)
			l := pieceList(t, m)
			for i := 0; i < l.Len(); i++ {
				if p := l.Get(i).Message(); pieceType(t, p) == vocab.UserDefined && special[pieceText(t, p)] {
					setField(t, p, "CONTROL", "type")
				}
			}
		}),
		path: func(tok *Tokenizer) bool {
			l, _ := tok.rules.matcher.match("<start_of_turn>")
			gemma, err := Default()
			return err == nil && l == 0 && slices.Equal(tok.SpecialIDs(), gemma.SpecialIDs())
		},
	},
	{
		// Trained models score a piece below its parts, so merging only
		// ever makes worse pairs; shuffled scores break that, which sends
		// long segments from the agenda's levelQueue to its heap.
		name: "scores shuffled",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			l := pieceList(t, m)
			var normal []int
			var scores []float32
			for i := 0; i < l.Len(); i++ {
				if p := l.Get(i).Message(); pieceType(t, p) == vocab.Normal {
					normal = append(normal, i)
					scores = append(scores, float32(p.Get(fieldByName(t, p, "score")).Float()))
				}
			}
			rand.New(rand.NewSource(1)).Shuffle(len(scores), func(i, j int) { scores[i], scores[j] = scores[j], scores[i] })
			for k, i := range normal {
				setField(t, l.Get(i).Message(), scores[k], "score")
			}
		}),
		path: func(tok *Tokenizer) bool {
			// Pieces that score above the piece one character shorter.
			v, n := tok.Vocab(), 0
			for id := range int32(v.Size()) {
				p := v.Piece(id)
				_, size := utf8.DecodeLastRuneInString(p)
				if shorter := v.Lookup(p[:len(p)-size]); shorter >= 0 && v.Score(id) > v.Score(shorter) {
					n++
				}
			}
			return n > 1000
		},
	},
	{
		// Scores in steps of 64: many pieces tie, which the C++ breaks
		// leftmost first, and merges make pairs of the score being merged.
		name: "scores tied",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			l := pieceList(t, m)
			for i := 0; i < l.Len(); i++ {
				if p := l.Get(i).Message(); pieceType(t, p) == vocab.Normal {
					score := p.Get(fieldByName(t, p, "score")).Float()
					setField(t, p, float32(math.Floor(score/64)), "score")
				}
			}
		}),
		path: func(tok *Tokenizer) bool {
			v, scores := tok.Vocab(), map[float32]bool{}
			for id := range int32(v.Size()) {
				scores[v.Score(id)] = true
			}
			return len(scores) < v.Size()/32
		},
	},
	{
		// Every normal piece scores the same: every merge makes pairs of
		// the score being merged, and the C++ merges leftmost first.
		name: "scores all equal",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			setNormalScores(t, m, func(string, float32) float32 { return -1 })
		}),
		path: func(tok *Tokenizer) bool { return equalScores(tok.Vocab(), "a", "..", "▁the") },
	},
	{
		// The longer a piece, the better it scores: merges make pairs
		// better than their own, always.
		name: "scores longest first",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			setNormalScores(t, m, func(p string, _ float32) float32 { return float32(utf8.RuneCountInString(p)) })
		}),
		path: func(tok *Tokenizer) bool { return equalScores(tok.Vocab(), "ab", "..") },
	},
	{
		// The shorter a piece, the better it scores, pieces of one length
		// tied: merges make worse pairs, and many pairs tie.
		name: "scores shortest first",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			setNormalScores(t, m, func(p string, _ float32) float32 { return -float32(utf8.RuneCountInString(p)) })
		}),
		path: func(tok *Tokenizer) bool { return equalScores(tok.Vocab(), "abc", "...", "▁th") },
	},
	{
		// "..." scores as "..": merging two of many dots makes a pair of
		// the score being merged (issue 20).
		name: "a merge makes a pair of its score",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			dots := map[string]float32{}
			setNormalScores(t, m, func(p string, score float32) float32 {
				dots[p] = score
				if p == "..." {
					return dots[".."]
				}
				return score
			})
		}),
		path: func(tok *Tokenizer) bool { return equalScores(tok.Vocab(), "...", "..") },
	},
	{
		// User-defined pieces need not be UTF-8: these match parts of the
		// U+2581 that a space becomes, in the normalized text, and the bytes
		// left over are unknown (issue 20). The input's own bytes match too.
		name: "user-defined pieces inside U+2581",
		model: editGemma(func(t testing.TB, m protoreflect.Message) {
			l := pieceList(t, m)
			for i, p := range []string{"\xe2\x96", "\x81", "e\xe2"} {
				setField(t, l.Get(90+7+i).Message(), p, "piece") // <unused90>, …
			}
		}),
		path: func(tok *Tokenizer) bool { return tok.rules.matcher.spacePiece && !tok.norm.identity },
	},
	{
		name: "small model",
		model: func(t testing.TB) protoreflect.Message {
			m := smallModel(t)
			addSelfTest(t, m, "abc ab", "abc ▁ab")
			return m
		},
		path: func(tok *Tokenizer) bool { return tok.model.split == splitBefore },
	},
}

// setNormalScores gives every normal piece the score that score returns
// for its text and score, in the order of the pieces.
func setNormalScores(t testing.TB, m protoreflect.Message, score func(p string, score float32) float32) {
	l := pieceList(t, m)
	for i := 0; i < l.Len(); i++ {
		if p := l.Get(i).Message(); pieceType(t, p) == vocab.Normal {
			old := float32(p.Get(fieldByName(t, p, "score")).Float())
			setField(t, p, score(pieceText(t, p), old), "score")
		}
	}
}

// equalScores reports whether the pieces score the same.
func equalScores(v *vocab.Vocab, pieces ...string) bool {
	for _, p := range pieces {
		if v.Score(v.Lookup(p)) != v.Score(v.Lookup(pieces[0])) {
			return false
		}
	}
	return true
}

// moveSpacesToEnd makes a model treat whitespace as a suffix: every normal
// piece's leading U+2581 moves to its end, and pieces that then collide
// with another are dropped.
func moveSpacesToEnd(t testing.TB, m protoreflect.Message) {
	setField(t, m, true, "trainer_spec", "treat_whitespace_as_suffix")
	seen := map[string]bool{}
	keepPieces(t, m, func(p protoreflect.Message) bool {
		s := pieceText(t, p)
		if pieceType(t, p) == vocab.Normal && strings.HasPrefix(s, spaceSymbol) && strings.Trim(s, spaceSymbol) != "" {
			s = s[len(spaceSymbol):] + spaceSymbol
			setField(t, p, s, "piece")
		}
		if seen[s] {
			return false
		}
		seen[s] = true
		return true
	})
}

// loadedVariant is a model variant loaded here and, for the oracle tests,
// in an oracle process of its own, since the shared one keeps the Gemma
// model. The processes live as long as the test binary, like the shared one.
type loadedVariant struct {
	once sync.Once
	data []byte
	tok  *Tokenizer
	err  error

	oracleOnce sync.Once
	o          *oracle
	oracleErr  error
}

var loadedVariants = make([]loadedVariant, len(modelVariants))

// variantTokenizer returns the model bytes and the Tokenizer of
// modelVariants[i], built on first use and checked to take the code path
// the variant is meant for.
func variantTokenizer(t testing.TB, i int) ([]byte, *Tokenizer) {
	t.Helper()
	mv, lv := &modelVariants[i], &loadedVariants[i]
	lv.once.Do(func() {
		lv.err = fmt.Errorf("%s: loading failed in an earlier test", mv.name) // unless it gets to the end
		data := marshalModel(t, mv.model(t))
		tok, err := Load(bytes.NewReader(data))
		if err != nil {
			lv.err = err
			return
		}
		if !mv.path(tok) {
			lv.err = fmt.Errorf("%s: the Tokenizer does not take the code path the variant is meant for", mv.name)
			return
		}
		lv.data, lv.tok, lv.err = data, tok, nil
	})
	if lv.err != nil {
		t.Fatal(lv.err)
	}
	return lv.data, lv.tok
}

// eachModel runs f in a subtest for the Gemma model (i = -1) and for each
// model variant (i its index in modelVariants).
func eachModel(t *testing.T, f func(t *testing.T, i int, tok *Tokenizer)) {
	t.Run("gemma", func(t *testing.T) { f(t, -1, defaultTokenizer(t)) })
	for i, mv := range modelVariants {
		t.Run(mv.name, func(t *testing.T) {
			_, tok := variantTokenizer(t, i)
			f(t, i, tok)
		})
	}
}

// loadVariant returns the Tokenizer and the oracle of modelVariants[i],
// loading them on first use. It skips, or fails, t as getOracle does when
// the oracle is missing.
func loadVariant(t testing.TB, i int) (*Tokenizer, *oracle) {
	t.Helper()
	getOracle(t)
	data, tok := variantTokenizer(t, i)
	mv, lv := &modelVariants[i], &loadedVariants[i]
	lv.oracleOnce.Do(func() {
		o, err := startOracle()
		if err != nil {
			lv.oracleErr = err
			return
		}
		var res struct{ Size int }
		if err := o.call(map[string]any{"op": "load", "model_b64": base64.StdEncoding.EncodeToString(data)}, &res); err != nil {
			lv.oracleErr = err
			return
		}
		if res.Size != tok.VocabSize() {
			lv.oracleErr = fmt.Errorf("%s: the oracle loaded %d pieces, we %d", mv.name, res.Size, tok.VocabSize())
			return
		}
		lv.o = o
	})
	if lv.oracleErr != nil {
		t.Fatal(lv.oracleErr)
	}
	return tok, lv.o
}

// TestOracleVariants compares each model variant with the oracle. The
// variants run in parallel: each has an oracle process of its own.
func TestOracleVariants(t *testing.T) {
	texts := generalTexts(t)
	for i, mv := range modelVariants {
		t.Run(mv.name, func(t *testing.T) {
			t.Parallel()
			tok, o := loadVariant(t, i)
			compareWithOracle(t, o, tok, texts)
		})
	}
}

type namedText struct{ name, text string }

// generalTexts returns the start of every corpus file, and short lines of
// runs.
func generalTexts(t testing.TB) []namedText {
	var texts []namedText
	for _, path := range corpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, namedText{corpusName(path), string(data[:min(len(data), generalTextLen)])})
	}
	texts = append(texts, namedText{"runs", runTexts(true)})
	return texts
}

// mismatches counts the differences of one kind and reports the first few.
type mismatches struct {
	t        testing.TB
	kind     string
	n, total int
}

func (m *mismatches) check(equal bool, format string, args ...any) {
	m.t.Helper()
	m.total++
	if equal {
		return
	}
	if m.n++; m.n <= 3 {
		m.t.Errorf(m.kind+": "+format, args...)
	}
}

func (m *mismatches) report() {
	m.t.Helper()
	if m.n > 0 {
		m.t.Errorf("%s: %d of %d differ", m.kind, m.n, m.total)
	}
}

// compareWithOracle compares Encode, EncodePieces and Decode with the
// oracle's model on texts, whole and line by line, and Decode on random id
// sequences.
func compareWithOracle(t *testing.T, o *oracle, tok *Tokenizer, texts []namedText) {
	ids := &mismatches{t: t, kind: "Encode"}
	pieces := &mismatches{t: t, kind: "EncodePieces"}
	decoded := &mismatches{t: t, kind: "Decode"}
	tokens := 0
	for _, nt := range texts {
		want := o.encode(t, nt.text)
		got := tok.Encode(nt.text)
		tokens += len(want)
		ids.check(slices.Equal(got, want), "%s: %s", nt.name, diffAt(got, want))
		gotPieces, wantPieces := tok.EncodePieces(nt.text), o.pieces(t, nt.text)
		pieces.check(slices.Equal(gotPieces, wantPieces), "%s: %s", nt.name, diffAt(gotPieces, wantPieces))
		gotText, err := tok.Decode(want)
		wantText := o.decode(t, want)
		decoded.check(err == nil && gotText == wantText, "%s: %s (err %v)", nt.name,
			diffAt(strings.Split(gotText, ""), strings.Split(wantText, "")), err)

		lines := strings.Split(nt.text, "\n")
		wantLines := o.encodeLines(t, nt.text)
		wantLinePieces := o.piecesLines(t, nt.text)
		wantTexts := o.decodeMany(t, wantLines)
		for i, line := range lines {
			got := tok.Encode(line)
			ids.check(slices.Equal(got, wantLines[i]), "%s line %d: %s", nt.name, i+1, diffAt(got, wantLines[i]))
			gotPieces := tok.EncodePieces(line)
			pieces.check(slices.Equal(gotPieces, wantLinePieces[i]), "%s line %d: %s", nt.name, i+1,
				diffAt(gotPieces, wantLinePieces[i]))
			gotText, err := tok.Decode(wantLines[i])
			decoded.check(err == nil && gotText == wantTexts[i], "%s line %d: %q, want %q (err %v)",
				nt.name, i+1, gotText, wantTexts[i], err)
		}
	}
	seqs := randomIDs(tok, rand.New(rand.NewSource(3)), 2000)
	wantTexts := o.decodeMany(t, seqs)
	for i, seq := range seqs {
		got, err := tok.Decode(seq)
		decoded.check(err == nil && got == wantTexts[i], "ids %v: %q, want %q (err %v)", seq, got, wantTexts[i], err)
	}
	for _, m := range []*mismatches{ids, pieces, decoded} {
		m.report()
	}
	t.Logf("%d texts and their lines, %d tokens; %d encodings, %d piece lists, %d decodings compared",
		len(texts), tokens, ids.total, pieces.total, decoded.total)
}

// randomIDs returns n short id sequences for decoding, drawn so that the
// pieces decoding treats specially come often: control and unknown pieces,
// runs of byte pieces, pieces that start with U+2581, user-defined and
// unused pieces, and pieces whose text PieceToId maps to another id.
func randomIDs(tok *Tokenizer, rng *rand.Rand, n int) [][]int32 {
	v := tok.Vocab()
	byType := map[vocab.Type][]int32{}
	var spaced, shadowed []int32
	for id := int32(0); id < int32(v.Size()); id++ {
		byType[v.Type(id)] = append(byType[v.Type(id)], id)
		if strings.HasPrefix(v.Piece(id), spaceSymbol) {
			spaced = append(spaced, id)
		}
		if other, _ := v.ID(v.Piece(id)); other != id {
			shadowed = append(shadowed, id)
		}
	}
	pools := [][]int32{byType[vocab.Control], byType[vocab.Unknown], byType[vocab.Byte], byType[vocab.Byte],
		byType[vocab.UserDefined], byType[vocab.Unused], spaced, spaced, shadowed}
	seqs := make([][]int32, n)
	for i := range seqs {
		seqs[i] = []int32{}
		for k := rng.Intn(8); k > 0; k-- {
			pool := pools[rng.Intn(len(pools))]
			if len(pool) == 0 {
				pool = byType[vocab.Normal]
			}
			seqs[i] = append(seqs[i], pool[rng.Intn(len(pool))])
		}
	}
	return seqs
}

// diffAt describes where two sequences part.
func diffAt[T comparable](got, want []T) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-3)
	return fmt.Sprintf("differ at %d of %d: got %#v, want %#v", i, len(want),
		got[lo:min(i+4, len(got))], want[lo:min(i+4, len(want))])
}

func (o *oracle) piecesLines(t testing.TB, text string) [][]string {
	t.Helper()
	var res struct{ Pieces [][]string }
	if err := o.call(map[string]any{"op": "pieces_lines", "text": b64(text)}, &res); err != nil {
		t.Fatal(err)
	}
	for _, line := range res.Pieces {
		for i, p := range line {
			b, err := base64.StdEncoding.DecodeString(p)
			if err != nil {
				t.Fatal(err)
			}
			line[i] = string(b)
		}
	}
	return res.Pieces
}
