package tokenizer

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// Generality: the Gemma model exercises one corner of SentencePiece (BPE,
// identity normalizer, byte fallback, no unused pieces). These tests load
// modified copies of it, and a small model, both here and in the oracle,
// and compare encoding, pieces and decoding on the start of every corpus
// file.

// generalTextLen is how much of each corpus file the variants are compared
// on: 8 KiB of each of the 28 files is about 220 KiB a model.

// spaceStartsPieces reports whether tok's model says that every piece
// holding U+2581 holds it at its start.
func spaceStartsPieces(tok *Tokenizer) bool {
	c, err := tok.model.Cuts()
	return err == nil && c.SpaceStartsPieces()
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

// variantPaths says, for each model variant by name, whether a Tokenizer
// takes the code path the variant is meant to exercise.
var variantPaths = map[string]func(tok *Tokenizer) bool{
	"unused pieces": func(tok *Tokenizer) bool { return tok.CanCut(EncodeOptions{}) != nil },
	"dummy prefix and extra whitespace removal": func(tok *Tokenizer) bool { return !tok.norm.Identity() },
	"dummy prefix":             func(tok *Tokenizer) bool { return !tok.norm.Identity() },
	"extra whitespace removal": func(tok *Tokenizer) bool { return !tok.norm.Identity() },
	"spaces not escaped":       func(tok *Tokenizer) bool { return !tok.norm.EscapesSpaces() && tok.norm.Identity() },
	"spaces not escaped, dummy prefix and extra whitespace removal": func(tok *Tokenizer) bool { return !tok.norm.EscapesSpaces() && !tok.norm.Identity() },
	"no byte fallback, byte pieces removed":                         func(tok *Tokenizer) bool { return !tok.v.Trainer().ByteFallback && tok.v.ByteID(0) < 0 },
	"no byte fallback, byte pieces user-defined": func(tok *Tokenizer) bool {
		id, _ := tok.PieceToID("<0x41>")
		return tok.v.Type(id) == vocab.UserDefined
	},
	"whitespace as suffix with dummy suffix":             func(tok *Tokenizer) bool { return !spaceStartsPieces(tok) && tok.norm.Suffix() },
	"whitespace as suffix with extra whitespace removal": func(tok *Tokenizer) bool { return !spaceStartsPieces(tok) && !tok.norm.Identity() },
	"pieces shadowed by control, unknown and byte pieces": func(tok *Tokenizer) bool {
		n := 0
		for id := range int32(tok.VocabSize()) {
			if tok.v.Preferred(id) != id {
				n++
			}
		}
		return n == 3
	},
	"special pieces as control": func(tok *Tokenizer) bool {
		l, _ := tok.rules.matcher.Match("<start_of_turn>")
		gemma, err := Default()
		return err == nil && l == 0 && slices.Equal(tok.SpecialIDs(), gemma.SpecialIDs())
	},
	"scores shuffled": func(tok *Tokenizer) bool {
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
	"scores tied": func(tok *Tokenizer) bool {
		v, scores := tok.Vocab(), map[float32]bool{}
		for id := range int32(v.Size()) {
			scores[v.Score(id)] = true
		}
		return len(scores) < v.Size()/32
	},
	"scores all equal":                  func(tok *Tokenizer) bool { return equalScores(tok.Vocab(), "a", "..", "▁the") },
	"scores longest first":              func(tok *Tokenizer) bool { return equalScores(tok.Vocab(), "ab", "..") },
	"scores shortest first":             func(tok *Tokenizer) bool { return equalScores(tok.Vocab(), "abc", "...", "▁th") },
	"a merge makes a pair of its score": func(tok *Tokenizer) bool { return equalScores(tok.Vocab(), "...", "..") },
	"user-defined pieces inside U+2581": func(tok *Tokenizer) bool {
		l, _ := tok.rules.matcher.Match(seg.SpaceSymbol)
		return l > 0 && !tok.norm.Identity()
	},
	"small model": spaceStartsPieces,
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

var loadedVariants = make([]loadedVariant, len(testmodel.Variants))

// variantTokenizer returns the model bytes and the Tokenizer of
// testmodel.Variants[i], built on first use and checked to take the code path
// the variant is meant for.
func variantTokenizer(t testing.TB, i int) ([]byte, *Tokenizer) {
	t.Helper()
	mv, lv := &testmodel.Variants[i], &loadedVariants[i]
	lv.once.Do(func() {
		lv.err = fmt.Errorf("%s: loading failed in an earlier test", mv.Name) // unless it gets to the end
		data := testmodel.Marshal(t, mv.Model(t))
		tok, err := Load(bytes.NewReader(data))
		if err != nil {
			lv.err = err
			return
		}
		if !variantPaths[mv.Name](tok) {
			lv.err = fmt.Errorf("%s: the Tokenizer does not take the code path the variant is meant for", mv.Name)
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
// model variant (i its index in testmodel.Variants).
func eachModel(t *testing.T, f func(t *testing.T, i int, tok *Tokenizer)) {
	t.Run("gemma", func(t *testing.T) { f(t, -1, defaultTokenizer(t)) })
	for i, mv := range testmodel.Variants {
		t.Run(mv.Name, func(t *testing.T) {
			_, tok := variantTokenizer(t, i)
			f(t, i, tok)
		})
	}
}

// loadVariant returns the Tokenizer and the oracle of testmodel.Variants[i],
// loading them on first use. It skips, or fails, t as getOracle does when
// the oracle is missing.
func loadVariant(t testing.TB, i int) (*Tokenizer, *oracle) {
	t.Helper()
	getOracle(t)
	data, tok := variantTokenizer(t, i)
	mv, lv := &testmodel.Variants[i], &loadedVariants[i]
	lv.oracleOnce.Do(func() {
		lv.o, lv.oracleErr = startModelOracle(data, tok.VocabSize())
		if lv.oracleErr != nil {
			lv.oracleErr = fmt.Errorf("%s: %w", mv.Name, lv.oracleErr)
		}
	})
	if lv.oracleErr != nil {
		t.Fatal(lv.oracleErr)
	}
	return tok, lv.o
}

// startModelOracle starts an oracle process of its own for the model
// data, of size pieces.
func startModelOracle(data []byte, size int) (*oracle, error) {
	o, err := startOracle()
	if err != nil {
		return nil, err
	}
	var res struct{ Size int }
	if err := o.call(map[string]any{"op": "load", "model_b64": base64.StdEncoding.EncodeToString(data)}, &res); err != nil {
		return nil, err
	}
	if res.Size != size {
		return nil, fmt.Errorf("the oracle loaded %d pieces, we %d", res.Size, size)
	}
	return o, nil
}

// loadOracleModel returns the Tokenizer of the model data and an oracle
// process of its own for it, which lives as long as the test binary. It
// skips, or fails, t as getOracle does when the oracle is missing.
func loadOracleModel(t testing.TB, data []byte) (*Tokenizer, *oracle) {
	t.Helper()
	getOracle(t)
	tok, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	o, err := startModelOracle(data, tok.VocabSize())
	if err != nil {
		t.Fatal(err)
	}
	return tok, o
}

// TestOracleVariants compares each model variant with the oracle. The
// variants run in parallel: each has an oracle process of its own.
func TestOracleVariants(t *testing.T) {
	texts := testmodel.GeneralTexts(t)
	for i, mv := range testmodel.Variants {
		t.Run(mv.Name, func(t *testing.T) {
			t.Parallel()
			tok, o := loadVariant(t, i)
			compareWithOracle(t, o, tok, texts)
		})
	}
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

// checkPiecesDecode checks the pieces of nt.Text and the decoding of ids,
// the C++'s ids of it, with the C++'s.
func checkPiecesDecode(o *oracle, tok *Tokenizer, nt testmodel.NamedText, ids []int32, pieces, decoded *mismatches) {
	t := pieces.t
	t.Helper()
	gotPieces, wantPieces := tok.EncodePieces(nt.Text), o.pieces(t, nt.Text)
	pieces.check(slices.Equal(gotPieces, wantPieces), "%s: %s", nt.Name, testmodel.DiffAt(gotPieces, wantPieces))
	gotText, err := tok.Decode(ids)
	wantText := o.decode(t, ids)
	decoded.check(err == nil && gotText == wantText, "%s: %s (err %v)", nt.Name,
		testmodel.DiffAt(strings.Split(gotText, ""), strings.Split(wantText, "")), err)
}

// compareWithOracle compares Encode, EncodePieces and Decode with the
// oracle's model on texts, whole and line by line, and Decode on random id
// sequences.
func compareWithOracle(t *testing.T, o *oracle, tok *Tokenizer, texts []testmodel.NamedText) {
	ids := &mismatches{t: t, kind: "Encode"}
	pieces := &mismatches{t: t, kind: "EncodePieces"}
	decoded := &mismatches{t: t, kind: "Decode"}
	tokens := 0
	for _, nt := range texts {
		want := o.encode(t, nt.Text)
		got := tok.Encode(nt.Text)
		tokens += len(want)
		ids.check(slices.Equal(got, want), "%s: %s", nt.Name, testmodel.DiffAt(got, want))
		checkPiecesDecode(o, tok, nt, want, pieces, decoded)

		lines := strings.Split(nt.Text, "\n")
		wantLines := o.encodeLines(t, nt.Text)
		wantLinePieces := o.piecesLines(t, nt.Text)
		wantTexts := o.decodeMany(t, wantLines)
		for i, line := range lines {
			got := tok.Encode(line)
			ids.check(slices.Equal(got, wantLines[i]), "%s line %d: %s", nt.Name, i+1, testmodel.DiffAt(got, wantLines[i]))
			gotPieces := tok.EncodePieces(line)
			pieces.check(slices.Equal(gotPieces, wantLinePieces[i]), "%s line %d: %s", nt.Name, i+1,
				testmodel.DiffAt(gotPieces, wantLinePieces[i]))
			gotText, err := tok.Decode(wantLines[i])
			decoded.check(err == nil && gotText == wantTexts[i], "%s line %d: %q, want %q (err %v)",
				nt.Name, i+1, gotText, wantTexts[i], err)
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
		if strings.HasPrefix(v.Piece(id), seg.SpaceSymbol) {
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
