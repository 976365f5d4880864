// Package modeltest helps the tests of the segmentation models (unigram,
// char, word) compare them with C++ SentencePiece: a long-lived oracle
// process (testdata/oracle.py, the Python binding of SentencePiece 0.1.97),
// the test models trained with an identity normalizer (testdata/*.model,
// see testdata/README.md), the normalization those models apply, and the
// corpus files.
//
// The oracle tests skip when no Python can import sentencepiece, unless
// GEMMATOK_REQUIRE_ORACLE=1, when they fail.
package modeltest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/internal/lineproc"
	"github.com/gemmatok/gemmatok/internal/pyfind"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
	"google.golang.org/protobuf/encoding/protowire"
)

// dir is the directory of this package's sources.
var dir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}()

// ModelPath returns the path of a test model: "uni8k", "uniud", "char" or
// "word".
func ModelPath(name string) string {
	return filepath.Join(dir, "testdata", name+".model")
}

// LoadModel loads a test model, failing t on error.
func LoadModel(t testing.TB, name string) *vocab.Vocab {
	t.Helper()
	v, err := vocab.LoadFile(ModelPath(name))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// CorpusFile is a file of the repository's test corpus.
type CorpusFile struct {
	Name string
	Text []byte
}

// Corpus returns every file of testdata/corpus and testdata/corpus/adversarial
// (testmodel.CorpusFiles), read.
func Corpus(t testing.TB) []CorpusFile {
	t.Helper()
	var out []CorpusFile
	for _, path := range testmodel.CorpusFiles(t) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, CorpusFile{testmodel.CorpusName(path), b})
	}
	return out
}

// Normalize returns text as the test models' normalizer leaves it (the
// identity rules, no dummy prefix, extra whitespace kept): each malformed
// byte becomes U+FFFD as in Normalizer::NormalizePrefix, and each space
// U+2581. Normalizing the result again changes nothing, so the oracle's
// offsets into it are offsets into the model's input.
func Normalize(text []byte) []byte {
	out := make([]byte, 0, len(text)+len(text)/4)
	for len(text) > 0 {
		r, n := utf8.DecodeRune(text)
		switch {
		case r == utf8.RuneError && n <= 1:
			out = append(out, "\uFFFD"...)
		case r == ' ':
			out = append(out, "\u2581"...)
		default:
			out = append(out, text[:n]...)
		}
		text = text[n:]
	}
	return out
}

// Prefix returns the longest prefix of text of at most n bytes that does
// not end inside a UTF-8 sequence.
func Prefix(text []byte, n int) []byte {
	if len(text) <= n {
		return text
	}
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n]
}

// Span is a piece as the C++ processor reports it: an id and the byte
// offsets of its text in the normalized text.
type Span struct{ ID, Begin, End int32 }

// Spans turns a model's output (ids and lengths in bytes of norm) into the
// spans the C++ processor makes of it in PopulateSentencePieceText: with
// byte fallback an unknown piece becomes one byte piece per byte (each
// covering its byte here); without, a run of unknown pieces becomes one.
func Spans(v *vocab.Vocab, norm []byte, ids, lens []int32) []Span {
	var out []Span
	pos := int32(0)
	prevUnk := false
	fallback := v.Trainer().ByteFallback
	for i, id := range ids {
		end := pos + lens[i]
		unk := id == v.Unk()
		switch {
		case unk && fallback:
			for j := pos; j < end; j++ {
				out = append(out, Span{v.ByteID(norm[j]), j, j + 1})
			}
		case unk && prevUnk:
			out[len(out)-1].End = end
		default:
			out = append(out, Span{id, pos, end})
		}
		prevUnk = unk
		pos = end
	}
	return out
}

// Oracle is a running oracle process.
type Oracle struct {
	mu    sync.Mutex // keeps a call's load and its request together
	proc  *lineproc.Proc
	model string // the path or bytes of the loaded model
}

var (
	once    sync.Once
	proc    *Oracle
	procErr error
)

// Get returns the test binary's oracle process, or skips (or fails) t.
func Get(t testing.TB) *Oracle {
	t.Helper()
	once.Do(func() { proc, procErr = start() })
	if procErr != nil {
		if os.Getenv("GEMMATOK_REQUIRE_ORACLE") == "1" {
			t.Fatalf("oracle required but unavailable: %v", procErr)
		}
		t.Skipf("oracle unavailable: %v", procErr)
	}
	return proc
}

func start() (*Oracle, error) {
	py, err := pyfind.Python("sentencepiece")
	if err != nil {
		return nil, fmt.Errorf("%v (apt-get install python3-sentencepiece)", err)
	}
	p, err := lineproc.Start("oracle", exec.Command(py, filepath.Join(dir, "testdata", "oracle.py")))
	if err != nil {
		return nil, err
	}
	return &Oracle{proc: p}, nil
}

// call sends req to the oracle with model loaded (a path, or "b64:" and the
// model's bytes in base64) and decodes the answer into res.
func (o *Oracle) call(model string, req map[string]any, res any) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.model != model {
		load := map[string]any{"op": "load", "path": model}
		if b, ok := strings.CutPrefix(model, "b64:"); ok {
			load = map[string]any{"op": "load", "model_b64": b}
		}
		var r struct{ Size int }
		if err := o.proc.Call(load, &r); err != nil {
			return err
		}
		o.model = model
	}
	return o.proc.Call(req, res)
}

func b64s(texts [][]byte) []string {
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = base64.StdEncoding.EncodeToString(t)
	}
	return out
}

// ModelBytes names a model given by its serialized proto, for the methods'
// model argument.
func ModelBytes(b []byte) string {
	return "b64:" + base64.StdEncoding.EncodeToString(b)
}

func spans(raw [][3]int32) []Span {
	out := make([]Span, len(raw))
	for i, r := range raw {
		out[i] = Span{r[0], r[1], r[2]}
	}
	return out
}

// Encode returns the C++'s pieces of each text under model (a path, or
// ModelBytes).
func (o *Oracle) Encode(t testing.TB, model string, texts [][]byte) [][]Span {
	t.Helper()
	var res struct{ Pieces [][][3]int32 }
	if err := o.call(model, map[string]any{"op": "encode", "texts": b64s(texts)}, &res); err != nil {
		t.Fatal(err)
	}
	out := make([][]Span, len(res.Pieces))
	for i, p := range res.Pieces {
		out[i] = spans(p)
	}
	return out
}

// Normalize returns the texts as model normalizes them, read off the C++'s
// pieces (which hold the normalized text; a byte piece stands for its
// byte). A control piece in the output would be lost: the tests give texts
// that produce none.
func (o *Oracle) Normalize(t testing.TB, model string, texts [][]byte) [][]byte {
	t.Helper()
	var res struct{ Texts [][]byte }
	if err := o.call(model, map[string]any{"op": "normalize", "texts": b64s(texts)}, &res); err != nil {
		t.Fatal(err)
	}
	return res.Texts
}

// SharedModel returns the path of a model of the repository's
// testdata/models.
func SharedModel(name string) string {
	return filepath.Join(dir, "..", "..", "..", "testdata", "models", name+".model")
}

// Path is one segmentation of an n-best list and its score.
type Path struct {
	Score float32
	Spans []Span
}

// NBest returns the C++'s NBestEncode of each text.
func (o *Oracle) NBest(t testing.TB, model string, texts [][]byte, n int) [][]Path {
	t.Helper()
	var res struct {
		NBests [][]struct {
			Score  float32
			Pieces [][3]int32
		}
	}
	if err := o.call(model, map[string]any{"op": "nbest", "texts": b64s(texts), "n": n}, &res); err != nil {
		t.Fatal(err)
	}
	out := make([][]Path, len(res.NBests))
	for i, l := range res.NBests {
		for _, p := range l {
			out[i] = append(out[i], Path{p.Score, spans(p.Pieces)})
		}
	}
	return out
}

// Sample draws count segmentations of text as the C++'s SampleEncode does
// and returns how often each came out, keyed by SampleKey.
func (o *Oracle) Sample(t testing.TB, model string, text []byte, alpha float32, nbestSize, count int, seed uint32) map[string]int {
	t.Helper()
	var res struct{ Samples map[string]int }
	req := map[string]any{"op": "sample", "text": b64s([][]byte{text})[0], "alpha": alpha,
		"nbest_size": nbestSize, "count": count, "seed": seed}
	if err := o.call(model, req, &res); err != nil {
		t.Fatal(err)
	}
	return res.Samples
}

// SampleKey is the key of a segmentation in Sample's answer: the ends of
// its spans.
func SampleKey(s []Span) string {
	var b strings.Builder
	for i, sp := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, sp.End)
	}
	return b.String()
}

// Time returns the best of repeat timings, in seconds, of the C++'s
// sp.encode over texts (normalization included, as a user meets it).
func (o *Oracle) Time(t testing.TB, model string, texts [][]byte, repeat int) float64 {
	t.Helper()
	var res struct{ Seconds float64 }
	if err := o.call(model, map[string]any{"op": "time", "texts": b64s(texts), "repeat": repeat}, &res); err != nil {
		t.Fatal(err)
	}
	return res.Seconds
}

// WithTypes returns the model proto model with the type of each piece
// named in types changed, for models the trainer does not make (unused
// pieces, say). It fails t when a named piece is missing.
func WithTypes(t testing.TB, model []byte, types map[string]vocab.Type) []byte {
	t.Helper()
	var out []byte
	found := 0
	for len(model) > 0 {
		num, typ, n := protowire.ConsumeTag(model)
		if n < 0 {
			t.Fatal("malformed model proto")
		}
		m := protowire.ConsumeFieldValue(num, typ, model[n:])
		if m < 0 {
			t.Fatal("malformed model proto")
		}
		field := model[:n+m]
		model = model[n+m:]
		if num != 1 || typ != protowire.BytesType {
			out = append(out, field...)
			continue
		}
		piece, _ := protowire.ConsumeBytes(field[n:])
		var text string
		var rest []byte // the piece's fields but its type
		for p := piece; len(p) > 0; {
			pn, pt, k := protowire.ConsumeTag(p)
			l := protowire.ConsumeFieldValue(pn, pt, p[k:])
			if k < 0 || l < 0 {
				t.Fatal("malformed piece")
			}
			if pn == 1 {
				s, _ := protowire.ConsumeBytes(p[k:])
				text = string(s)
			}
			if pn != 3 {
				rest = append(rest, p[:k+l]...)
			}
			p = p[k+l:]
		}
		if ty, ok := types[text]; ok {
			found++
			rest = protowire.AppendTag(rest, 3, protowire.VarintType)
			rest = protowire.AppendVarint(rest, uint64(ty))
			out = protowire.AppendTag(out, 1, protowire.BytesType)
			out = protowire.AppendBytes(out, rest)
			continue
		}
		out = append(out, field...)
	}
	if found != len(types) {
		t.Fatalf("%d of the %d pieces to retype found", found, len(types))
	}
	return out
}

// EncodeFunc is a model's segmentation of normalized text, as ids and
// lengths, for CheckCorpus and CheckShared.
type EncodeFunc func(v *vocab.Vocab, norm []byte) (ids, lens []int32)

// Split returns the ids and the lengths of pieces, as an EncodeFunc gives
// them.
func Split(pieces []seg.Piece) (ids, lens []int32) {
	for _, p := range pieces {
		ids = append(ids, p.ID)
		lens = append(lens, p.Len)
	}
	return ids, lens
}

// CheckCorpus compares a model's segmentation with the C++ on the test
// model name (testdata/*.model): every corpus file whole (cut at 16 KiB)
// and line by line (the first 150 lines), and the extra texts, all
// normalized by Normalize.
func CheckCorpus(t *testing.T, name string, extra []string, encode EncodeFunc) {
	t.Helper()
	var texts [][]byte
	for _, f := range Corpus(t) {
		norm := Prefix(Normalize(f.Text), 16<<10)
		texts = append(texts, norm)
		ls := bytes.Split(norm, []byte("\n"))
		texts = append(texts, ls[:min(len(ls), 150)]...)
	}
	for _, s := range extra {
		texts = append(texts, Normalize([]byte(s)))
	}
	check(t, ModelPath(name), texts, texts, encode)
}

// CheckShared compares a model's segmentation with the C++ on the
// repository's test model name (testdata/models), whose normalizer the
// oracle applies: on 8 KiB of each corpus file whole and its first 12
// lines.
func CheckShared(t *testing.T, name string, encode EncodeFunc) {
	t.Helper()
	var texts [][]byte
	for _, f := range Corpus(t) {
		texts = append(texts, Prefix(f.Text, 8<<10))
		ls := bytes.Split(f.Text, []byte("\n"))
		for _, l := range ls[:min(len(ls), 12)] {
			texts = append(texts, Prefix(l, 8<<10))
		}
	}
	path := SharedModel(name)
	check(t, path, texts, Get(t).Normalize(t, path, texts), encode)
}

// check compares encode's segmentation of norms with the C++'s of texts
// (which normalize to norms) under the model at path.
func check(t *testing.T, path string, texts, norms [][]byte, encode EncodeFunc) {
	t.Helper()
	v, err := vocab.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Get(t).Encode(t, path, texts)
	bad := 0
	for i, norm := range norms {
		ids, lens := encode(v, norm)
		if got := Spans(v, norm, ids, lens); !slices.Equal(got, want[i]) {
			if bad++; bad <= 3 {
				t.Errorf("%s: %q:\n got %v\nwant %v", filepath.Base(path), Prefix(norm, 200), got[:min(len(got), 30)], want[i][:min(len(want[i]), 30)])
			}
		}
	}
	t.Logf("%s: %d texts, %d differ", filepath.Base(path), len(texts), bad)
}
