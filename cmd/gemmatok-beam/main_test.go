package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/gemmatok/gemmatok/internal/pyfind"
	"github.com/gemmatok/gemmatok/tokenizer"
	"github.com/gemmatok/gemmatok/vocab"
)

// TestMain runs the tests' pipelines on prism, as beamx.Run does, so that
// a DoFn or type that is not registered fails a test.
func TestMain(m *testing.M) {
	ptest.Main(m)
}

// testRangeSize is small enough that the large file of the test corpus is
// read in many ranges.
const testRangeSize = 96 << 10

// corpus is a sharded copy of the repository's corpus: each language's
// text in a plain text shard, a gzipped one and a JSON-lines one (gzipped
// for every other language), the adversarial texts, and one large file of
// all languages that the pipeline splits into ranges.
type corpus struct {
	dir   string
	globs []string
	big   string
	// docs are the texts of each file, in order: one for a text file, one
	// a record for JSON lines.
	docs map[string][]string
}

func newCorpus(t *testing.T, adversarial bool) *corpus {
	t.Helper()
	c := &corpus{dir: t.TempDir(), docs: make(map[string][]string)}
	c.globs = []string{c.dir + "/*.txt", c.dir + "/*.gz", c.dir + "/*.jsonl"}
	langs, err := filepath.Glob("../../testdata/corpus/*.txt")
	if err != nil || len(langs) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	var all []byte
	for i, path := range langs {
		data := readTestFile(t, path)
		all = append(all, data...)
		lines := strings.SplitAfter(string(data), "\n")
		third := len(lines) / 3
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		c.add(t, name+"-0.txt", []string{strings.Join(lines[:third], "")})
		c.add(t, name+"-1.txt.gz", []string{strings.Join(lines[third:2*third], "")})
		jsonl := name + "-2.jsonl"
		if i%2 == 1 {
			jsonl += ".gz"
		}
		c.add(t, jsonl, slices.DeleteFunc(lines[2*third:], func(s string) bool { return s == "" }))
	}
	c.big = c.add(t, "big.txt", []string{string(all)})
	if adversarial {
		advs, _ := filepath.Glob("../../testdata/corpus/adversarial/*.txt")
		for _, path := range advs {
			c.add(t, "adv-"+filepath.Base(path), []string{string(readTestFile(t, path))})
		}
	}
	return c
}

// add writes the file name of the corpus with docs as its text, or its
// records, and returns its path.
func (c *corpus) add(t *testing.T, name string, docs []string) string {
	t.Helper()
	var data []byte
	if kindOf(name, false) == jsonLines {
		for i, d := range docs {
			// Records with other fields, in other places, as real ones.
			rec := map[string]any{"text": d, "id": i}
			line, _ := json.Marshal(rec)
			data = append(append(data, line...), '\n')
		}
	} else {
		data = []byte(docs[0])
	}
	if isGzip(name) {
		data = gzipped(data)
	}
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c.docs[path] = docs
	return path
}

func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// paths returns the corpus's files in the order of the run.
func (c *corpus) paths() []string {
	var ps []string
	for p := range c.docs {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// runJob runs the job of opts, as main does, and returns the exit status
// and stdout.
func runJob(t *testing.T, opts options) (int, string) {
	t.Helper()
	if opts.TextField == "" {
		opts.TextField = "text"
	}
	if opts.RangeSize == 0 {
		opts.RangeSize = testRangeSize
	}
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), opts, &stdout, &stderr)
	if status == exitUsage {
		t.Fatalf("exit status %d: %s", status, stderr.String())
	}
	return status, stdout.String()
}

// readJSONLines reads a JSON-lines output into values of T.
func readJSONLines[T any](t *testing.T, path string) []T {
	t.Helper()
	var vs []T
	sc := bufio.NewScanner(bytes.NewReader(readTestFile(t, path)))
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		vs = append(vs, v)
	}
	return vs
}

func readSummary(t *testing.T, dir string) summary {
	t.Helper()
	var s summary
	if err := json.Unmarshal(readTestFile(t, filepath.Join(dir, summaryFile)), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCount checks count on the sharded corpus against the library's
// counts, which are gemmatok count's, and the C++ oracle's, per file and
// in total, and that the large file was really read in ranges.
func TestCount(t *testing.T) {
	c := newCorpus(t, true)
	out := t.TempDir()
	if status, _ := runJob(t, options{Job: "count", Inputs: c.globs, Output: out}); status != exitOK {
		t.Fatalf("exit status %d; failures: %s", status, readTestFile(t, filepath.Join(out, failuresFile)))
	}
	tok, err := tokenizer.Default()
	if err != nil {
		t.Fatal(err)
	}
	got := readJSONLines[fileCounts](t, filepath.Join(out, countsFile))
	var want []fileCounts
	var total fileCounts
	for _, p := range c.paths() {
		fc := fileCounts{Path: p, Parts: 1}
		for _, d := range c.docs[p] {
			fc.Tokens += int64(tok.Count(d))
			fc.Chars += int64(utf8.RuneCountInString(d))
			fc.Bytes += int64(len(d))
		}
		if kindOf(p, false) == jsonLines {
			fc.Records = int64(len(c.docs[p]))
		}
		total.Tokens += fc.Tokens
		total.Chars += fc.Chars
		total.Bytes += fc.Bytes
		total.Records += fc.Records
		want = append(want, fc)
	}
	for i := range got {
		switch got[i].Path {
		case c.big:
			if got[i].Parts < 10 {
				t.Errorf("%s read in %d parts, want at least 10", c.big, got[i].Parts)
			}
		case filepath.Join(c.dir, "adv-run_a_1MiB.txt"):
			// One letter repeated has no cut: the file is one part.
			if got[i].Parts != 1 {
				t.Errorf("%s read in %d parts, want 1", got[i].Path, got[i].Parts)
			}
		}
		if i < len(want) {
			// The count of parts depends on where the cuts fall.
			want[i].Parts = got[i].Parts
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("counts.jsonl:\n got %v\nwant %v", got, want)
	}
	s := readSummary(t, out)
	if s.Tokens != total.Tokens || s.Chars != total.Chars || s.Bytes != total.Bytes || s.Records != total.Records ||
		s.Files != len(want) || s.Failures != 0 || s.Model.SHA256 == "" {
		t.Errorf("summary %+v, want totals %+v of %d files", s, total, len(want))
	}

	oracle := oracleCounts(t, c)
	if oracle == nil {
		return
	}
	var oracleTotal int64
	for _, fc := range got {
		oracleTotal += oracle[fc.Path]
		if fc.Tokens != oracle[fc.Path] {
			t.Errorf("%s: %d tokens, the C++ %d", fc.Path, fc.Tokens, oracle[fc.Path])
		}
	}
	if s.Tokens != oracleTotal {
		t.Errorf("total: %d tokens, the C++ %d", s.Tokens, oracleTotal)
	}
}

// oracleScript counts the tokens of each document of the files given as
// JSON on stdin, with C++ SentencePiece, and prints {path: tokens}.
const oracleScript = `
import base64, json, sys
import sentencepiece as spm
req = json.load(sys.stdin)
sp = spm.SentencePieceProcessor()
sp.load(req["model"])
counts = {}
for path, docs in req["docs"].items():
    counts[path] = sum(len(sp.encode(base64.b64decode(d))) for d in docs)
json.dump(counts, sys.stdout)
`

// oracleCounts returns the C++ SentencePiece's token counts of c's files,
// or nil when the oracle is missing and not required.
func oracleCounts(t *testing.T, c *corpus) map[string]int64 {
	t.Helper()
	py, err := pyfind.Python("sentencepiece")
	if err != nil {
		if os.Getenv("GEMMATOK_REQUIRE_ORACLE") == "1" {
			t.Fatalf("oracle required: %v", err)
		}
		t.Logf("no oracle: %v", err)
		return nil
	}
	model := filepath.Join(t.TempDir(), "gemma.model")
	if err := os.WriteFile(model, vocab.DefaultModel(), 0o644); err != nil {
		t.Fatal(err)
	}
	// The texts travel as base64, as []byte marshals, since some are
	// not UTF-8.
	docs := make(map[string][][]byte)
	for p, ds := range c.docs {
		for _, d := range ds {
			docs[p] = append(docs[p], []byte(d))
		}
	}
	req, _ := json.Marshal(map[string]any{"model": model, "docs": docs})
	cmd := exec.Command(py, "-c", oracleScript)
	cmd.Stdin = bytes.NewReader(req)
	cmd.Stderr = os.Stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v", err)
	}
	var counts map[string]int64
	if err := json.Unmarshal(res, &counts); err != nil {
		t.Fatalf("oracle: %v", err)
	}
	return counts
}

// tokens is what tokenize wrote: its manifest, the ids of its shards
// joined, and its index.
type tokens struct {
	m     manifestInfo
	ids   []int32
	index []uint64
}

// readTokens reads the output of tokenize in dir and checks that the
// manifest, the shards and their indexes and index.bin agree.
func readTokens(t *testing.T, dir string) tokens {
	t.Helper()
	var out tokens
	if err := json.Unmarshal(readTestFile(t, filepath.Join(dir, manifestFile)), &out.m); err != nil {
		t.Fatal(err)
	}
	width := map[string]int{"uint16": 2, "uint32": 4}[out.m.Dtype]
	if width == 0 {
		t.Fatalf("dtype %q", out.m.Dtype)
	}
	idx := readTestFile(t, filepath.Join(dir, out.m.Index))
	for i := 0; i+8 <= len(idx); i += 8 {
		out.index = append(out.index, binary.LittleEndian.Uint64(idx[i:]))
	}
	if int64(len(out.index)) != out.m.Documents+1 || len(idx)%8 != 0 {
		t.Fatalf("index.bin: %d bytes for %d documents", len(idx), out.m.Documents)
	}
	if !slices.IsSorted(out.index) || out.index[len(out.index)-1] != uint64(out.m.Tokens) {
		t.Errorf("index.bin is not the ascending starts of the documents then the end %d: %v", out.m.Tokens, out.index)
	}
	var docs int64
	for _, sh := range out.m.Shards {
		if sh.FirstToken != int64(len(out.ids)) || sh.FirstDocument != docs {
			t.Errorf("%s: starts at token %d and document %d, want %d and %d", sh.Bin, sh.FirstToken, sh.FirstDocument, len(out.ids), docs)
		}
		bin := readTestFile(t, filepath.Join(dir, sh.Bin))
		if int64(len(bin)) != sh.Tokens*int64(width) {
			t.Errorf("%s: %d bytes for %d tokens of %d bytes", sh.Bin, len(bin), sh.Tokens, width)
		}
		for i := 0; i+width <= len(bin); i += width {
			if width == 2 {
				out.ids = append(out.ids, int32(binary.LittleEndian.Uint16(bin[i:])))
			} else {
				out.ids = append(out.ids, int32(binary.LittleEndian.Uint32(bin[i:])))
			}
		}
		own := readTestFile(t, filepath.Join(dir, sh.Idx))
		if int64(len(own)) != 8*sh.Documents {
			t.Fatalf("%s: %d bytes for %d documents", sh.Idx, len(own), sh.Documents)
		}
		for i := range sh.Documents {
			if got, want := binary.LittleEndian.Uint64(own[8*i:])+uint64(sh.FirstToken), out.index[docs+i]; got != want {
				t.Errorf("%s: document %d starts at %d, index.bin says %d", sh.Idx, i, got, want)
			}
		}
		docs += sh.Documents
	}
	if int64(len(out.ids)) != out.m.Tokens || docs != out.m.Documents {
		t.Errorf("shards hold %d tokens and %d documents, the manifest says %d and %d", len(out.ids), docs, out.m.Tokens, out.m.Documents)
	}
	return out
}

// doc returns the ids of document i.
func (tk *tokens) doc(i int) []int32 { return tk.ids[tk.index[i]:tk.index[i+1]] }

// TestTokenize checks that tokenize writes the ids of each document of
// the corpus, whole files and lines, in order, that they are the library's
// ids and decode to the documents byte for byte, and that the manifest,
// index and shards agree.
func TestTokenize(t *testing.T) {
	c := newCorpus(t, true)
	tok, err := tokenizer.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, lineDocs := range []bool{false, true} {
		t.Run(fmt.Sprintf("lines=%v", lineDocs), func(t *testing.T) {
			out := t.TempDir()
			opts := options{Job: "tokenize", Inputs: c.globs, Output: out, LineDocs: lineDocs, BOS: true, EOS: !lineDocs}
			if status, _ := runJob(t, opts); status != exitOK {
				t.Fatalf("exit status %d", status)
			}
			tk := readTokens(t, out)
			if tk.m.Dtype != "uint32" || !tk.m.BOS || tk.m.EOS != !lineDocs {
				t.Errorf("manifest: dtype %s, bos %v, eos %v", tk.m.Dtype, tk.m.BOS, tk.m.EOS)
			}
			// The large file, one document or many, is written in parts
			// whose ids must join in order.
			if n := len(slices.DeleteFunc(slices.Clone(tk.m.Shards), func(sh shardInfo) bool { return sh.Source != c.big })); n < 10 {
				t.Errorf("%s written in %d shards, want at least 10", c.big, n)
			}
			var want []string
			var adv []bool // the document is an adversarial text
			for _, p := range c.paths() {
				n := len(want)
				switch {
				case !lineDocs || kindOf(p, false) == jsonLines:
					want = append(want, c.docs[p]...)
				default:
					for l := range strings.Lines(c.docs[p][0]) {
						if l = strings.TrimSuffix(l, "\n"); l != "" {
							want = append(want, l)
						}
					}
				}
				for range len(want) - n {
					adv = append(adv, strings.HasPrefix(filepath.Base(p), "adv-"))
				}
			}
			if int(tk.m.Documents) != len(want) {
				t.Fatalf("%d documents, want %d", tk.m.Documents, len(want))
			}
			eo := tokenizer.EncodeOptions{AddBOS: true, AddEOS: !lineDocs}
			for i, d := range want {
				ids := tk.doc(i)
				if wantIDs, _ := tok.EncodeWith(d, eo); !slices.Equal(ids, wantIDs) {
					t.Errorf("document %d (%.40q): %d ids, not the library's %d", i, d, len(ids), len(wantIDs))
					continue
				}
				if adv[i] {
					// SentencePiece's decoding does not invert its encoding
					// of everything: it writes U+FFFD for malformed bytes
					// and a space for U+2581, and drops control pieces.
					continue
				}
				if text, err := tok.Decode(ids); err != nil || text != d {
					t.Errorf("document %d decodes to %.40q, %v; want %.40q", i, text, err, d)
				}
			}
		})
	}
}

// TestBadInput checks that each kind of bad input is reported with its
// file and place, counted in the summary and manifest, and makes the exit
// status say so, while the good input around it is counted.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.txt", []byte("Good text, counted.\n"))
	whole := bytes.Repeat([]byte("Some text that a gzip stream holds.\n"), 2000)
	z := gzipped(whole)
	trunc := write("trunc.txt.gz", z[:len(z)/2])
	special := write("special.txt", []byte("Hello <start_of_turn>user\n"))
	unreadable := filepath.Join(dir, "dir.txt") // a directory matching *.txt
	if err := os.Mkdir(unreadable, 0o755); err != nil {
		t.Fatal(err)
	}
	lines := []string{
		`{"text": "first good record"}`,
		`{"text": "malformed`,
		`{"body": "no text field"}`,
		``,
		`{"text": 5}`,
		`{"text": "spells <start_of_turn> here"}`,
		`{"text": "last good record"}`,
	}
	records := write("records.jsonl", []byte(strings.Join(lines, "\n")+"\n"))
	at := func(line int) int64 { return int64(len(strings.Join(lines[:line-1], "\n")) + 1) }
	want := []failure{
		{Path: unreadable, Error: "is a directory", File: true},
		{Path: records, Offset: at(2), Line: 2, Error: "malformed JSON"},
		{Path: records, Offset: at(3), Line: 3, Error: `no field "text"`},
		{Path: records, Offset: at(5), Line: 5, Error: `"text" is not a string`},
		{Path: records, Offset: at(6), Line: 6, Error: `special piece "<start_of_turn>" at its byte 7`},
		{Path: special, Offset: 6, Error: `special piece "<start_of_turn>"`, File: true},
		{Path: trunc, Error: "unexpected EOF", File: true},
	}
	// runBad runs job over the bad input and checks its failures; it
	// returns the output directory.
	runBad := func(t *testing.T, job string) string {
		t.Helper()
		out := t.TempDir()
		opts := options{Job: job, Inputs: []string{dir + "/*.txt", dir + "/*.gz", dir + "/*.jsonl"}, Output: out, Special: tokenizer.SpecialReject}
		status, _ := runJob(t, opts)
		if status != exitFailed {
			t.Errorf("exit status %d, want %d", status, exitFailed)
		}
		got := readJSONLines[failure](t, filepath.Join(out, failuresFile))
		if len(got) != len(want) {
			t.Fatalf("failures:\n%s\nwant %d", readTestFile(t, filepath.Join(out, failuresFile)), len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.Path == trunc {
				// Where the stream breaks off depends on gzip's blocks.
				if g.Offset <= 0 || g.Offset > int64(len(whole)) {
					t.Errorf("%s: offset %d", trunc, g.Offset)
				}
				g.Offset = 0
			}
			if g.Path != w.Path || g.Offset != w.Offset || g.Line != w.Line || g.File != w.File || !strings.Contains(g.Error, w.Error) {
				t.Errorf("failure %d: %+v, want %+v", i, g, w)
			}
		}
		return out
	}

	t.Run("count", func(t *testing.T) {
		out := runBad(t, "count")
		s := readSummary(t, out)
		if s.Failures != len(want) || s.FailedFiles != 3 || s.Records != 2 || s.Files != 5 {
			t.Errorf("summary %+v: want %d failures, 3 failed files, 2 records of 5 files", s, len(want))
		}
		tok, _ := tokenizer.Default()
		wantTokens := tok.Count("Good text, counted.\n") + tok.Count("first good record") + tok.Count("last good record")
		if s.Tokens != int64(wantTokens) {
			t.Errorf("%d tokens, want %d (of the good input)", s.Tokens, wantTokens)
		}
		for _, fc := range readJSONLines[fileCounts](t, filepath.Join(out, countsFile)) {
			failed := fc.Path == trunc || fc.Path == special || fc.Path == unreadable
			if fc.Failed != failed || fc.Path == records && (fc.Records != 2 || fc.Failures != 4) || fc.Path == good && fc.Tokens == 0 {
				t.Errorf("counts.jsonl: %+v", fc)
			}
		}
	})
	t.Run("tokenize", func(t *testing.T) {
		out := runBad(t, "tokenize")
		tk := readTokens(t, out)
		if tk.m.Documents != 3 || tk.m.Failures != len(want) || tk.m.FailedFiles != 3 {
			t.Errorf("manifest: %d documents, %d failures, %d failed files; want 3, %d, 3", tk.m.Documents, tk.m.Failures, tk.m.FailedFiles, len(want))
		}
		for _, sh := range tk.m.Shards {
			if sh.Source != good && sh.Source != records {
				t.Errorf("the manifest lists %s, of the failed %s", sh.Bin, sh.Source)
			}
		}
		left, _ := filepath.Glob(filepath.Join(out, shardsDir, "*"))
		if len(left) != 2*len(tk.m.Shards) {
			t.Errorf("shard files %v; want those of the manifest only", left)
		}
	})
}

// TestModel checks --model with a small model trained by spm_train,
// normalizing nothing: its ids fit
// uint16, which the manifest says, the manifest names the model
// and its sha256, the ids are the model's own and decode to the text, and
// a worker refuses a model file that is not the one the run was submitted
// with.
func TestModel(t *testing.T) {
	spmTrain, err := exec.LookPath("spm_train")
	if err != nil {
		t.Skip("no spm_train")
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "m.model")
	cmd := exec.Command(spmTrain, "--input=../../testdata/corpus/en.txt", "--model_prefix="+strings.TrimSuffix(model, ".model"),
		"--vocab_size=1000", "--model_type=bpe", "--byte_fallback=true", "--normalization_rule_name=identity", "--add_dummy_prefix=false", "--remove_extra_whitespaces=false", "--minloglevel=2")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("spm_train: %v\n%s", err, out)
	}
	tok, err := tokenizer.LoadFile(model)
	if err != nil {
		t.Skipf("gemmatok cannot load spm_train's model: %v", err)
	}
	text := string(readTestFile(t, "../../testdata/corpus/en.txt"))
	in := filepath.Join(dir, "en.txt")
	if err := os.WriteFile(in, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if status, _ := runJob(t, options{Job: "tokenize", Inputs: []string{in}, Output: out, Model: model, EOS: true, RangeSize: 16 << 10}); status != exitOK {
		t.Fatalf("exit status %d", status)
	}
	tk := readTokens(t, out)
	sum := sha256.Sum256(readTestFile(t, model))
	if tk.m.Dtype != "uint16" || tk.m.Model.Name != model || tk.m.Model.SHA256 != hex.EncodeToString(sum[:]) || len(tk.m.Shards) < 2 {
		t.Errorf("manifest: dtype %s, model %+v, %d shards; want uint16, %s %x, several", tk.m.Dtype, tk.m.Model, len(tk.m.Shards), model, sum)
	}
	want, _ := tok.EncodeWith(text, tokenizer.EncodeOptions{AddEOS: true})
	if tk.m.Documents != 1 || !slices.Equal(tk.doc(0), want) {
		t.Fatalf("%d documents; the ids are not the model's", tk.m.Documents)
	}
	if got, err := tok.Decode(tk.doc(0)); err != nil || got != text {
		t.Errorf("the ids decode to %.40q, %v", got, err)
	}

	_, err = loadVocab(context.Background(), Model{Name: model, Path: model, SHA256: strings.Repeat("0", 64)})
	if err == nil || !strings.Contains(err.Error(), "not the") {
		t.Errorf("a worker loads a model of another sha256: %v", err)
	}
}

// TestDummyPrefixModel counts and tokenizes a large text under models whose
// normalizer treats the start and the end of a text apart (a Llama-style
// dummy prefix; the removal of extra whitespace; a charsmap): the file
// must be split into ranges, and a range longer than a chunk read in
// pieces, encoded as parts, with the counts and ids of the whole text. A
// Unigram model's file is one range, read in pieces encoded in order with
// a Carry.
func TestDummyPrefixModel(t *testing.T) {
	langs, err := filepath.Glob("../../testdata/corpus/*.txt")
	if err != nil || len(langs) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	var b strings.Builder
	for _, l := range langs {
		b.Write(readTestFile(t, l))
	}
	text := b.String()
	in := filepath.Join(t.TempDir(), "all.txt")
	if err := os.WriteFile(in, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bpe_llama", "bpe_identity_rmws", "bpe_nmt_nfkc", "char", "word", "unigram8k_nmt_nfkc"} {
		model := "../../testdata/models/" + name + ".model"
		split := name != "unigram8k_nmt_nfkc"
		tok, err := tokenizer.LoadFile(model)
		if err != nil {
			t.Fatal(err)
		}
		// Ranges of 256 KiB, and one range read in chunks of textChunk.
		for _, size := range []int64{256 << 10, 1 << 30} {
			out := t.TempDir()
			if status, _ := runJob(t, options{Job: "count", Inputs: []string{in}, Output: out, Model: model, RangeSize: size}); status != exitOK {
				t.Fatalf("%s: exit status %d", model, status)
			}
			got := readJSONLines[fileCounts](t, filepath.Join(out, countsFile))
			if len(got) != 1 || got[0].Tokens != int64(tok.Count(text)) || size < 1<<20 && split != (got[0].Parts > 1) {
				t.Errorf("%s, ranges of %d: counts %+v, want %d tokens in several parts (%v)", model, size, got, tok.Count(text), split)
			}
		}
		out := t.TempDir()
		if status, _ := runJob(t, options{Job: "tokenize", Inputs: []string{in}, Output: out, Model: model, BOS: true, EOS: true, RangeSize: 256 << 10}); status != exitOK {
			t.Fatalf("%s: exit status %d", model, status)
		}
		tk := readTokens(t, out)
		want, _ := tok.EncodeWith(text, tokenizer.EncodeOptions{AddBOS: true, AddEOS: true})
		if tk.m.Documents != 1 || !slices.Equal(tk.doc(0), want) {
			t.Errorf("%s: %d documents; the ids are not those of the whole text", model, tk.m.Documents)
		}
	}
}

// TestParseArgs checks the command line: the job's name, then flags.
func TestParseArgs(t *testing.T) {
	saved := flags
	defer func() { flags = saved }()
	for _, tc := range []struct {
		args []string
		err  string // "" for none
	}{
		{[]string{"count", "--input", "a/*.txt", "--input", "b.jsonl", "--output", "out", "--special", "reject"}, ""},
		{[]string{"tokenize", "--input", "a", "--output", "out", "--docs", "line", "--bos"}, ""},
		{[]string{"--input", "a", "--output", "out"}, "want a job"},
		{[]string{"frob", "--input", "a", "--output", "out"}, "want a job"},
		{[]string{"count", "--output", "out"}, "no --input"},
		{[]string{"count", "--input", "a"}, "no --output"},
		{[]string{"count", "--input", "a", "--output", "out", "b"}, "unexpected argument"},
		{[]string{"count", "--input", "a", "--output", "out", "--range-size", "0"}, "--range-size"},
		{[]string{"count", "--input", "a", "--output", "out", "--special", "maybe"}, "want pieces, text or reject"},
		{[]string{"tokenize", "--input", "a", "--output", "out", "--docs", "page"}, "want file or line"},
		{[]string{"count", "--input", "a", "--output", "out", "--no-such-flag"}, "-no-such-flag"},
		// count encodes each text file whole; parts cut at newlines would
		// not add up to its counts.
		{[]string{"count", "--input", "a", "--output", "out", "--docs", "line"}, "--docs is for tokenize"},
		{[]string{"count", "--input", "a", "--output", "out", "--eos"}, "--eos is for tokenize"},
		{[]string{"count", "-h"}, flag.ErrHelp.Error()},
	} {
		flags = saved
		var out strings.Builder
		flag.CommandLine.SetOutput(&out)
		err := parseArgs(tc.args)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("parseArgs(%q) = %v, want %q", tc.args, err, tc.err)
		}
		// The usage, some 150 lines with Beam's flags, is printed for -h
		// only; an error is one line that main prints.
		if help := errors.Is(err, flag.ErrHelp); help != strings.HasPrefix(out.String(), "usage:") || !help && out.Len() > 0 {
			t.Errorf("parseArgs(%q) printed %d bytes: %.100q", tc.args, out.Len(), out.String())
		}
	}
	flag.CommandLine.SetOutput(io.Discard)
	flags = saved
	if err := parseArgs([]string{"count", "--input", "a", "--input", "b", "--output", "o", "--special", "text"}); err != nil {
		t.Fatal(err)
	}
	if flags.Job != "count" || !slices.Equal(flags.Inputs, []string{"a", "b"}) || flags.Special != tokenizer.SpecialText || flags.Output != "o" {
		t.Errorf("flags %+v", flags)
	}
}

// TestOpenEmptyGzip checks that a gzip file of 0 bytes is reported as
// such, not as a bare "EOF".
func TestOpenEmptyGzip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.txt.gz")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var w worker
	rc, err := w.open(context.Background(), Part{File: File{Path: path}, End: -1})
	if err == nil {
		rc.Close()
		t.Fatal("an empty gzip file opened")
	}
	if !strings.Contains(err.Error(), "empty") {
		t.Errorf("error %q does not say the file is empty", err)
	}
}

// TestOutputNotDirectory checks that a local --output that cannot be a
// directory is refused before the pipeline runs, not after all its work.
func TestOutputNotDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{file, filepath.Join(file, "sub")} {
		_, err := newConfig(context.Background(), options{Job: "count", Inputs: []string{file}, Output: out, RangeSize: 1 << 20})
		if err == nil || !strings.Contains(err.Error(), "--output") {
			t.Errorf("--output %s: error %v, want one about --output", out, err)
		}
	}
}
