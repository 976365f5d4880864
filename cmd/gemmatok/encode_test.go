package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// jsonToken is a token in the json format.
type jsonToken struct {
	ID    int32  `json:"id"`
	Piece string `json:"piece"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// idsLine formats ids as encode does.
func idsLine(ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, " ") + "\n"
}

// TestEncodeOracle compares encode with C++ SentencePiece on the corpus,
// each file encoded as one text, streamed in parts for the big one.
func TestEncodeOracle(t *testing.T) {
	files, oracle := corpusOracle(t)
	for i, f := range files {
		if got := mustRun(t, "", "encode", f); got != oracle[i]+"\n" {
			t.Errorf("encode %s differs from SentencePiece", f)
		}
	}
}

// TestEncodeFormats checks each format and --bos/--eos against the
// library on a text streamed in many parts.
func TestEncodeFormats(t *testing.T) {
	tok := defaultTok(t)
	path := bigCorpusFile(t)
	text := readFile(t, path)
	for _, tc := range []struct {
		bos, eos bool
	}{{false, false}, {true, false}, {true, true}} {
		opts := tokenizer.EncodeOptions{AddBOS: tc.bos, AddEOS: tc.eos}
		args := []string{"encode", path}
		if tc.bos {
			args = append(args, "--bos")
		}
		if tc.eos {
			args = append(args, "--eos")
		}
		toks, err := tok.EncodeOffsetsWith(text, opts)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int32, len(toks))
		for i, tk := range toks {
			ids[i] = tk.ID
		}
		if got := mustRun(t, "", args...); got != idsLine(ids) {
			t.Errorf("%q: ids differ from the library's", args)
		}

		jsonOut := mustRun(t, "", append(args, "--format", "json")...)
		if short := mustRun(t, "", append(args, "--json")...); short != jsonOut {
			t.Errorf("%q --json differs from --format json", args)
		}
		var got []jsonToken
		if err := json.Unmarshal([]byte(jsonOut), &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(toks) {
			t.Fatalf("%q --format json: %d tokens, want %d", args, len(got), len(toks))
		}
		for i, tk := range toks {
			if want := (jsonToken{tk.ID, tok.IDToPiece(tk.ID), tk.Start, tk.End}); got[i] != want {
				t.Fatalf("%q --format json: token %d is %+v, want %+v", args, i, got[i], want)
			}
		}
	}
}

func TestEncodeSmall(t *testing.T) {
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", nil, "\n"},
		{"", []string{"--bos", "--eos"}, "2 1\n"},
		{"Hello, world", nil, "4521 235269 2134\n"},
		{"Hello, world\n", []string{"-f", "pieces", "--bos"}, `<bos> Hello , ▁world "\n"` + "\n"},
		{"a\nb\\", []string{"-f", "pieces"}, `a "\n" b "\\"` + "\n"},
		{"", []string{"-f", "json"}, "[\n]\n"},
		{"a<b>", []string{"-f", "json", "--eos"}, `[
{"id":235250,"piece":"a","start":0,"end":1},
{"id":201,"piece":"<b>","start":1,"end":4},
{"id":1,"piece":"<eos>","start":4,"end":4}
]
`},
	} {
		if got := mustRun(t, tc.stdin, append([]string{"encode"}, tc.args...)...); got != tc.want {
			t.Errorf("encode %q of %q = %q, want %q", tc.args, tc.stdin, got, tc.want)
		}
	}
}

// TestDecode decodes what encode gives back into the text, and checks the
// reading of ids and the errors.
func TestDecode(t *testing.T) {
	tok := defaultTok(t)
	for _, f := range append(corpusFiles(t), bigCorpusFile(t)) {
		text := readFile(t, f)
		want, err := tok.Decode(tok.Encode(text))
		if err != nil {
			t.Fatal(err)
		}
		if got := mustRun(t, mustRun(t, "", "encode", f), "decode"); got != want {
			t.Errorf("decode of encode %s differs from the library's decode", f)
		}
	}
	for _, tc := range []struct {
		stdin, stdout, stderr string
		code                  int
	}{
		{"", "", "", 0},
		{"4521 235269 2134", "Hello, world", "", 0},
		{"[4521, 235269,\n2134]\n", "Hello, world", "", 0},
		{"2 4521 1", "Hello", "", 0},
		{"4521 x 2134", "Hello", "gemmatok: -: word 2: \"x\" is not a token id\n", 1},
		{"4521 256000", "Hello", "gemmatok: -: word 2: id 256000 is outside the vocabulary (256000 pieces)\n", 1},
		{"-1", "", "gemmatok: -: word 1: id -1 is outside the vocabulary (256000 pieces)\n", 1},
		// Held-back bytes before a failure are written as decoding the
		// ids before it would: 0xC3 alone is U+FFFD.
		{"4521 412 x", "Hello\uFFFD", "gemmatok: -: word 3: \"x\" is not a token id\n", 1},
		{"4521\n412\n386\n", "Helloé", "", 0},
		{"2 4521 107 1", "Hello<end_of_turn>", "", 0},
	} {
		r := gemmatok(t, tc.stdin, "decode")
		if r.stdout != tc.stdout || r.stderr != tc.stderr || r.code != tc.code {
			t.Errorf("decode %q: %q, %q, exit %d; want %q, %q, exit %d", tc.stdin, r.stdout, r.stderr, r.code, tc.stdout, tc.stderr, tc.code)
		}
	}
	if got := mustRun(t, "2 4521 107 1", "decode", "--skip-special"); got != "Hello" {
		t.Errorf("decode --skip-special of <bos> Hello <end_of_turn> <eos> = %q, want %q", got, "Hello")
	}
}

// TestDecodeFailure checks that a bad id far into a large input leaves on
// stdout the text of the ids before it, as it does in a short input.
func TestDecodeFailure(t *testing.T) {
	tok := defaultTok(t)
	text := readFile(t, corpusFiles(t)[0])
	ids := tok.Encode(text)
	k := len(ids) - 10
	input := idsLine(ids[:k]) + " 999999 " + idsLine(ids[k:])
	want, err := tok.Decode(ids[:k])
	if err != nil {
		t.Fatal(err)
	}
	r := gemmatok(t, input, "decode")
	if r.code != 1 || r.stdout != want || !strings.Contains(r.stderr, fmt.Sprintf("word %d: id 999999", k+1)) {
		t.Errorf("decode with a bad id at word %d of %d: exit %d, stderr %q, %d bytes of the %d before it", k+1, len(ids)+1, r.code, r.stderr, len(r.stdout), len(want))
	}
}

// TestDecodeLongWord checks that a word too long to be an id fails as a
// bad word, with its number, after the text of the ids before it.
func TestDecodeLongWord(t *testing.T) {
	r := gemmatok(t, "4521 "+strings.Repeat("1", 100_000), "decode")
	if r.code != 1 || r.stdout != "Hello" || !strings.HasPrefix(r.stderr, "gemmatok: -: word 2: not a token id") {
		t.Errorf("decode of an id and a word of 100,000 digits: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestDecodeStreams checks that decode writes the text of each line of ids
// as the line comes, before the input ends, holding back a character
// whose byte pieces continue on the next line.
func TestDecodeStreams(t *testing.T) {
	cmd := command("decode")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()
	got := make(chan string)
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := out.Read(buf)
			if n > 0 {
				got <- string(buf[:n])
			}
			if err != nil {
				close(got)
				return
			}
		}
	}()
	// 4521 is "Hello", 412 and 386 the bytes of "é", 235269 ",".
	for _, step := range []struct{ line, want string }{
		{"4521\n", "Hello"},
		{"412\n", ""},
		{"386 235269\n", "é,"},
	} {
		if _, err := io.WriteString(in, step.line); err != nil {
			t.Fatal(err)
		}
		if step.want == "" {
			continue
		}
		select {
		case text := <-got:
			if text != step.want {
				t.Errorf("after %q decode wrote %q, want %q", step.line, text, step.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("decode wrote nothing after %q while its input stayed open", step.line)
		}
	}
	in.Close()
	if rest := <-got; rest != "" {
		t.Errorf("at the end decode wrote %q more", rest)
	}
}

// tinyModel writes a BPE model of a few pieces and no byte fallback, so
// that text outside them is unknown, and returns its path.
func tinyModel(t *testing.T) string {
	t.Helper()
	var m []byte
	for _, p := range []struct {
		piece string
		typ   uint64 // 1 normal, 2 unknown, 3 control
	}{{"<unk>", 2}, {"<s>", 3}, {"</s>", 3}, {"a", 1}, {"b", 1}, {"ab", 1}} {
		var sp []byte
		sp = protowire.AppendTag(sp, 1, protowire.BytesType)
		sp = protowire.AppendString(sp, p.piece)
		sp = protowire.AppendTag(sp, 2, protowire.Fixed32Type)
		sp = protowire.AppendFixed32(sp, math.Float32bits(-float32(len(m))))
		sp = protowire.AppendTag(sp, 3, protowire.VarintType)
		sp = protowire.AppendVarint(sp, p.typ)
		m = protowire.AppendTag(m, 1, protowire.BytesType)
		m = protowire.AppendBytes(m, sp)
	}
	var trainer, normalizer []byte
	trainer = protowire.AppendTag(trainer, 3, protowire.VarintType) // model_type
	trainer = protowire.AppendVarint(trainer, 2)                    // BPE
	normalizer = protowire.AppendTag(normalizer, 1, protowire.BytesType)
	normalizer = protowire.AppendString(normalizer, "identity")
	for _, field := range []protowire.Number{3, 4} { // no dummy prefix, keep whitespace
		normalizer = protowire.AppendTag(normalizer, field, protowire.VarintType)
		normalizer = protowire.AppendVarint(normalizer, 0)
	}
	m = protowire.AppendTag(m, 2, protowire.BytesType)
	m = protowire.AppendBytes(m, trainer)
	m = protowire.AppendTag(m, 3, protowire.BytesType)
	m = protowire.AppendBytes(m, normalizer)
	path := filepath.Join(t.TempDir(), "tiny.model")
	if err := os.WriteFile(path, m, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEncodeUnknown checks how encode shows an unknown run, which the
// C++ makes one token: as its normalized text in the pieces format,
// quoted when it does not print, and as the unknown piece with the run's
// offsets in the json format.
func TestEncodeUnknown(t *testing.T) {
	model := tinyModel(t)
	text := "abxy\x01a"
	if got, want := mustRun(t, text, "encode", "--model", model, "--format", "pieces"), "ab \"xy\\x01\" a\n"; got != want {
		t.Errorf("pieces: %q, want %q", got, want)
	}
	var got []jsonToken
	if err := json.Unmarshal([]byte(mustRun(t, text, "encode", "--model", model, "--format", "json")), &got); err != nil {
		t.Fatal(err)
	}
	want := []jsonToken{{5, "ab", 0, 2}, {0, "<unk>", 2, 5}, {3, "a", 5, 6}}
	if !slices.Equal(got, want) {
		t.Errorf("json: %+v, want %+v", got, want)
	}
	// Text without unknown runs goes the way without offsets.
	if got, want := mustRun(t, "abba", "encode", "--model", model, "--format", "pieces"), "ab b a\n"; got != want {
		t.Errorf("pieces of abba: %q, want %q", got, want)
	}
	// ㍿ is NFKC 株式会社, of which 株 is unknown: the C++ shows "株", not
	// the input's "㍿". The pieces stay one an id with BOS and EOS, and
	// across the parts of a long text.
	nfkc := "../../testdata/models/unigram8k_nmt_nfkc.model"
	if got, want := mustRun(t, "㍿ ｱ x", "encode", "--model", nfkc, "--format", "pieces", "--bos", "--eos"), "<s> ▁ 株 式 会 社 ▁ ア ▁x </s>\n"; got != want {
		t.Errorf("pieces of ㍿ ｱ x: %q, want %q", got, want)
	}
	long := strings.Repeat("㍿ ｱ x\n", 100<<10)
	if got, want := mustRun(t, long, "encode", "--model", nfkc, "--format", "pieces"), strings.Repeat("▁ 株 式 会 社 ▁ ア ▁x ", 100<<10); got != strings.TrimSuffix(want, " ")+"\n" {
		t.Errorf("pieces of a long text: %d bytes, want %d", len(got), len(want))
	}
}

// TestEncodeParts checks that encoding a text in parts on several workers
// writes what encoding it as one part does, in every format, with BOS and
// EOS and without.
func TestEncodeParts(t *testing.T) {
	tok := defaultTok(t)
	encode := func(text string, chunk int, f encodeFlags) string {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		out := &tokenWriter{w: w, format: f.format}
		out.begin()
		if err := encodeParts(&splitter{tok: tok, chunk: chunk}, strings.NewReader(text), &f, out); err != nil {
			t.Fatal(err)
		}
		out.end()
		w.Flush()
		return b.String()
	}
	files := corpusFiles(t)
	if testing.Short() {
		files = files[:3]
	}
	for _, path := range files {
		text := readFile(t, path)
		for _, format := range []string{"ids", "pieces", "json"} {
			for _, ends := range []bool{false, true} {
				f := encodeFlags{format: format, bos: ends, eos: ends, workers: 1}
				whole := encode(text, len(text)+1, f)
				for _, workers := range []int{1, 2, 3} {
					f.workers = workers
					if got := encode(text, 4<<10, f); got != whole {
						i := 0
						for i < min(len(got), len(whole)) && got[i] == whole[i] {
							i++
						}
						t.Fatalf("%s, %s, BOS and EOS %v, %d workers: parts of 4 KiB differ from the whole at byte %d", path, format, ends, workers, i)
					}
				}
			}
		}
	}
}

// TestTextFlag checks that count and encode take their text from --text,
// as ttok users pass it, and refuse it beside files.
func TestTextFlag(t *testing.T) {
	tok := defaultTok(t)
	text := "Hello, world: <start_of_turn>"
	if got, want := mustRun(t, "", "count", "--text", text), fmt.Sprintf("%d\n", tok.Count(text)); got != want {
		t.Errorf("count --text: %q, want %q", got, want)
	}
	if got, want := mustRun(t, "", "count", "--text", "", "--json"), `{"files":[{"path":"--text","tokens":0,"chars":0,"bytes":0}],"total":{"tokens":0,"chars":0,"bytes":0}}`+"\n"; got != want {
		t.Errorf("count --text '' --json: %q, want %q", got, want)
	}
	if got, want := mustRun(t, "", "encode", "--text", text), idsLine(tok.Encode(text)); got != want {
		t.Errorf("encode --text: %q, want %q", got, want)
	}
	ids, _ := tok.EncodeWith(text, tokenizer.EncodeOptions{Special: tokenizer.SpecialText})
	if got, want := mustRun(t, "", "encode", "--special", "text", "--text", text), idsLine(ids); got != want {
		t.Errorf("encode --special text --text: %q, want %q", got, want)
	}
	for _, cmd := range []string{"count", "encode"} {
		if r := gemmatok(t, "", cmd, "--text", "x", "file.txt"); r.code != 2 {
			t.Errorf("%s --text with a file: exit %d, want 2", cmd, r.code)
		}
	}
}

// TestEncodeFiles checks that encode takes several files, stdin among
// them, a line each, and stops at the first that fails.
func TestEncodeFiles(t *testing.T) {
	tok := defaultTok(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.txt": "alpha beta", "b.txt": "gamma\n", "s.txt": "a <eos>"})
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	want := idsLine(tok.Encode("alpha beta")) + idsLine(tok.Encode("stdin")) + idsLine(tok.Encode("gamma\n"))
	if got := mustRun(t, "stdin", "encode", a, "-", b); got != want {
		t.Errorf("encode a - b: %q, want %q", got, want)
	}
	r := gemmatok(t, "", "encode", "--special", "reject", a, filepath.Join(dir, "s.txt"), b)
	if want := idsLine(tok.Encode("alpha beta")) + idsLine(tok.Encode("a ")); r.code != 1 || r.stdout != want || !strings.Contains(r.stderr, "s.txt: byte 2") {
		t.Errorf("encode with a failing second file: exit %d, %q, stderr %q; want 1, %q", r.code, r.stdout, r.stderr, want)
	}
}

// TestEncodeSegmentations checks --nbest and --sample on the test models:
// the n best of a Unigram model with their scores, a sampled segmentation
// that decodes to the text, and the errors for what a model cannot do.
func TestEncodeSegmentations(t *testing.T) {
	uni, bpe := "../../testdata/models/unigram8k_nmt_nfkc.model", "../../testdata/models/bpe_llama.model"
	out := mustRun(t, "", "encode", "--model", uni, "--nbest", "3", "-f", "pieces", "--text", "Hello world")
	if want := "-47.268322\t▁He ll o ▁wo r l d\n-47.569206\t▁He l lo ▁wo r l d\n-48.11066\t▁He ll o ▁w or l d\n"; out != want {
		t.Errorf("--nbest 3: %q, want %q", out, want)
	}
	// --bos and --eos frame each segmentation, as they frame encode's ids.
	out = mustRun(t, "", "encode", "--model", uni, "--nbest", "2", "--bos", "--eos", "--text", "Hello world")
	if want := "-47.268322\t1 904 195 17 1150 12 29 20 2\n-47.569206\t1 904 29 174 1150 12 29 20 2\n"; out != want {
		t.Errorf("--nbest 2 --bos --eos: %q, want %q", out, want)
	}
	if out := mustRun(t, "", "encode", "--model", uni, "--sample", "--seed", "1", "--bos", "--text", "Hello"); !strings.HasPrefix(out, "1 ") {
		t.Errorf("--sample --bos: %q, want it to start with the BOS id 1", out)
	}
	// Pieces show an unknown run as its normalized text, as
	// NBestEncodeAsPieces and SampleEncodeAsPieces do: ㍿ is NFKC 株式会社,
	// of which 株 is unknown.
	out = mustRun(t, "", "encode", "--model", uni, "--nbest", "2", "-f", "pieces", "--bos", "--text", "㍿ x")
	if want := "-62.44767\t<s> ▁ 株 式 会 社 ▁x\n-62.892048\t<s> ▁ 株 式 会 社 ▁ x\n"; out != want {
		t.Errorf("--nbest 2 -f pieces: %q, want %q", out, want)
	}
	for _, model := range []string{uni, "../../testdata/models/bpe_nmt_nfkc.model"} {
		out = mustRun(t, "", "encode", "--model", model, "--sample", "--seed", "3", "-f", "pieces", "--eos", "--text", "㍿ x")
		if !strings.HasPrefix(out, "▁ 株 式 会 社 ") || !strings.HasSuffix(out, " </s>\n") {
			t.Errorf("%s: --sample -f pieces --eos: %q, want 株 for the unknown run and </s> at the end", model, out)
		}
	}
	// --seed 0 is a seed as any other (it drew at random), and without
	// --seed the draws differ. A draw over this text is one of thousands.
	text := "The quick brown fox jumps over the lazy dog, and the lazy dog sleeps on."
	draw := func(args ...string) string {
		return mustRun(t, "", append([]string{"encode", "--model", uni, "--sample", "--alpha", "0.05", "--text", text}, args...)...)
	}
	if a, b := draw("--seed", "0"), draw("--seed", "0"); a != b {
		t.Errorf("--seed 0 drew %q, then %q", a, b)
	}
	if a, b, c := draw(), draw(), draw(); a == b && b == c {
		t.Errorf("three draws without --seed gave %q", a)
	}
	for _, model := range []string{uni, bpe} {
		ids := mustRun(t, "", "encode", "--model", model, "--sample", "--alpha", "0.5", "--seed", "7", "--text", "Hello world")
		if text := mustRun(t, ids, "decode", "--model", model); strings.TrimSuffix(text, "\n") != "Hello world" {
			t.Errorf("%s: --sample gave %q, which decodes to %q", model, ids, text)
		}
	}
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"encode", "--model", bpe, "--nbest", "2", "--text", "x"}, 1, "gemmatok: --text: tokenizer: n-best encoding is available for Unigram models only"},
		{[]string{"encode", "--model", "../../testdata/models/char.model", "--sample", "--text", "x"}, 1, "gemmatok: --text: tokenizer: sampling is available"},
		{[]string{"encode", "--sample", "-f", "json"}, 2, "gemmatok: --nbest and --sample print ids or pieces, not json\n"},
		{[]string{"encode", "--nbest", "-1"}, 2, "gemmatok: --nbest must not be negative\n"},
		{[]string{"encode", "--sample", "--special", "text"}, 2, "gemmatok: --nbest and --sample encode special pieces as SentencePiece does: --special text is not available with them\n"},
		{[]string{"encode", "--sample", "--alpha", "NaN"}, 2, "gemmatok: --alpha must be a finite number\n"},
		{[]string{"encode", "--seed", "1", "--text", "x"}, 2, "gemmatok: --seed seeds --sample's draws: give --sample too\n"},
		{[]string{"encode", "--sample", "--seed", "-1"}, 2, "gemmatok: invalid argument \"-1\" for --seed: want a whole number"},
		{[]string{"encode", "--model", uni, "--nbest", "2", "--special", "reject", "--text", "Hi <s>"}, 1, "gemmatok: --text: byte 3: the text spells the special piece \"<s>\""},
		{[]string{"encode", "--sample", "--seed", "1", "--special", "reject", "--text", "Hi <start_of_turn>"}, 1, "gemmatok: --text: byte 3: the text spells"},
		{[]string{"encode", "--model", uni, "--nbest", "2", "--max-run", "1KiB", "--text", strings.Repeat("a", 1025)}, 1, "gemmatok: --text: more than 1KiB of text"},
	} {
		r := gemmatok(t, "", tc.args...)
		if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.stderr) {
			t.Errorf("gemmatok %q: exit %d, stderr %q; want exit %d, stderr %q", tc.args, r.code, r.stderr, tc.code, tc.stderr)
		}
	}
}
