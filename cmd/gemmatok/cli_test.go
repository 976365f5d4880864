package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/vocab"
)

// TestExitCodes checks the exit statuses: 0 when all went well, 1 when
// some input failed, 2 for bad usage.
func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"count"}, 0, ""},
		{[]string{"version"}, 0, ""},
		{[]string{"help"}, 0, ""},
		// No command does nothing: the help goes to stderr, as go's does.
		{nil, 2, "gemmatok counts, encodes and decodes text"},
		{[]string{"count", "no-such-file"}, 1, "gemmatok: no-such-file: no such file or directory\n"},
		{[]string{"encode", "no-such-file"}, 1, "gemmatok: no-such-file: no such file or directory\n"},
		// A missing model is named once, with the built-in names when a
		// name was given rather than a path.
		{[]string{"count", "--model", "no-such-model"}, 1, "gemmatok: model: no-such-model: no such file or directory, nor a built-in model (gemma2, gemma3)\n"},
		{[]string{"info", "--model", "no/such.model"}, 1, "gemmatok: model: no/such.model: no such file or directory\n"},
		{[]string{"count", "--model", "."}, 1, "gemmatok: model: .: is a directory\n"},
		{[]string{"convert", "no-such.model", "out.json"}, 1, "gemmatok: no-such.model: no such file or directory\n"},
		{[]string{"convert", "gemma2", "no/such/dir/out.json"}, 1, "gemmatok: no/such/dir/out.json: no such file or directory\n"},
		{[]string{"count", "--model", "main.go"}, 1, "gemmatok: model: main.go: "},
		{[]string{"frobnicate"}, 2, "gemmatok: unknown command \"frobnicate\" for \"gemmatok\"\nRun 'gemmatok --help' for usage.\n"},
		{[]string{"count", "--no-such-flag"}, 2, "gemmatok: unknown flag: --no-such-flag\nRun 'gemmatok count --help' for usage.\n"},
		{[]string{"count", "--json", "--jsonl"}, 2, "gemmatok: if any flags in the group [json jsonl] are set none of the others can be;"},
		{[]string{"count", "-j", "-1"}, 2, "gemmatok: --workers must not be negative\n"},
		// A malformed number is named so, without Go's strconv message.
		{[]string{"count", "-j", "abc"}, 2, "gemmatok: invalid argument \"abc\" for -j (--workers): want a whole number\n"},
		{[]string{"truncate", "-n", "99999999999999999999"}, 2, "gemmatok: invalid argument \"99999999999999999999\" for -n (--tokens): out of range\n"},
		{[]string{"encode", "--sample", "--alpha", "x"}, 2, "gemmatok: invalid argument \"x\" for --alpha: want a number\n"},
		{[]string{"decode", "--skip-special=maybe"}, 2, "gemmatok: invalid argument \"maybe\" for --skip-special: want true or false\n"},
		// A mistyped -j must not allocate for billions of workers (it ran
		// out of memory).
		{[]string{"count", "-j", "99999999999", "--text", "x"}, 2, "gemmatok: --workers must be at most 1024\n"},
		{[]string{"encode", "-j", "99999999999", "--text", "x"}, 2, "gemmatok: --workers must be at most 1024\n"},
		{[]string{"count", "--include", "[", "."}, 2, "gemmatok: bad pattern \"[\": syntax error in pattern\n"},
		{[]string{"decode", "a", "b"}, 2, "gemmatok: accepts at most 1 arg(s), received 2\n"},
		{[]string{"encode", "--format", "xml"}, 2, "gemmatok: unknown --format \"xml\": want ids, pieces or json\n"},
		{[]string{"truncate"}, 2, "gemmatok: required flag(s) \"tokens\" not set\n"},
		{[]string{"truncate", "-n", "-1"}, 2, "gemmatok: -n must not be negative\n"},
		{[]string{"truncate", "-n", "5", "--from", "middle"}, 2, "gemmatok: unknown --from \"middle\": want start or end\n"},
		{[]string{"encode", "--text", "a", "--text", "b"}, 2, "gemmatok: invalid argument \"b\" for --text: the flag may be given only once\n"},
		// Flags of gemmatok's own types are worded as pflag's numbers are.
		{[]string{"count", "--max-run", "12x", "--text", "x"}, 2, "gemmatok: invalid argument \"12x\" for --max-run: want a positive number of bytes, such as 64MiB\nRun 'gemmatok count --help' for usage.\n"},
		{[]string{"encode", "--sample", "--seed", "abc"}, 2, "gemmatok: invalid argument \"abc\" for --seed: want a whole number from 0 to 2^64-1\nRun 'gemmatok encode --help' for usage.\n"},
		{[]string{"info", "my.model"}, 2, "gemmatok: info takes no argument: name the model with --model my.model\nRun 'gemmatok info --help' for usage.\n"},
	} {
		r := gemmatok(t, "", tc.args...)
		if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.stderr) || (tc.stderr == "") != (r.stderr == "") {
			t.Errorf("gemmatok %q: exit %d, stderr %q; want exit %d, stderr %q", tc.args, r.code, r.stderr, tc.code, tc.stderr)
		}
	}
}

// TestNoCommand checks that gemmatok without a command writes its whole
// help, commands and flags included, on stderr, and exits 2.
func TestNoCommand(t *testing.T) {
	r := gemmatok(t, "")
	if help := mustRun(t, "", "--help"); r.code != 2 || r.stdout != "" || r.stderr != help {
		t.Errorf("gemmatok: exit %d, stdout %q, stderr %q; want 2, nothing and the help, %q", r.code, r.stdout, r.stderr, help)
	}
}

// TestHelp checks that every command has help with an example, that a
// flag's placeholder names its argument, that --model shows where a
// model is used, and that every line, the flags' too, fits 80 columns.
func TestHelp(t *testing.T) {
	placeholder := regexp.MustCompile(`--[a-z-]+ ([a-z]\w*)   `)
	for _, name := range []string{"", "count", "encode", "decode", "chat", "truncate", "info", "convert", "version"} {
		args := append(strings.Fields(name), "--help")
		out := mustRun(t, "", args...)
		if !strings.Contains(out, "Examples:\n  gemmatok "+name) || strings.Contains(out, "--model PATH") == (name == "version" || name == "convert") {
			t.Errorf("gemmatok %q lacks an example, or --model where a model is used:\n%s", args, out)
		}
		for line := range strings.Lines(out) {
			if n := utf8.RuneCountInString(strings.TrimSuffix(line, "\n")); n > 80 {
				t.Errorf("gemmatok %q: a help line of %d characters: %q", args, n, line)
			}
		}
		if m := placeholder.FindString(out); m != "" {
			t.Errorf("gemmatok %q: the placeholder in %q is a value, not the argument's name", args, m)
		}
	}
	// The overview names every kind of model --model takes, not BPE alone.
	out := mustRun(t, "", "--help")
	for _, s := range []string{"Gemma 3", "Unigram", "tokenizer.json"} {
		if !strings.Contains(out, s) {
			t.Errorf("gemmatok --help does not mention %s:\n%s", s, out)
		}
	}
}

// modelInfoOf runs info --json with args.
func modelInfoOf(t *testing.T, cmdArgs []string, env ...string) modelInfo {
	t.Helper()
	cmd := command(append([]string{"info", "--json"}, cmdArgs...)...)
	cmd.Env = append(cmd.Env, env...)
	r := runCommand(t, cmd)
	if r.code != 0 {
		t.Fatalf("info %q with %q: exit %d, %s", cmdArgs, env, r.code, r.stderr)
	}
	var m modelInfo
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestInfo(t *testing.T) {
	sum := sha256.Sum256(vocab.DefaultModel())
	m := modelInfoOf(t, nil)
	if m.File != "gemma2" || m.SHA256 != hex.EncodeToString(sum[:]) || m.Type != "BPE" || m.VocabSize != 256000 ||
		*m.BOS != (idPiece{2, "<bos>"}) || *m.EOS != (idPiece{1, "<eos>"}) || *m.Unk != (idPiece{3, "<unk>"}) || *m.Pad != (idPiece{0, "<pad>"}) ||
		!m.Trainer.ByteFallback || !m.Normalizer.EscapeWhitespaces || m.Normalizer.AddDummyPrefix {
		t.Errorf("info of the embedded model: %+v", m)
	}
	if !slices.Contains(m.Special, idPiece{106, "<start_of_turn>"}) || !slices.Contains(m.UserDefined, idPiece{108, "\n"}) {
		t.Errorf("info lacks <start_of_turn> among special pieces or the newline among user-defined ones")
	}
	text := mustRun(t, "", "info")
	for _, line := range []string{"file          gemma2 (built in)\n", "sha256        " + m.SHA256 + "\n", "vocab size    256000\n", "bos           2 \"<bos>\"\n",
		` 7..105="<unused0>".."<unused98>" `, ` 108..138="\n"×1..31 `, ` 106="<start_of_turn>"`} {
		if !strings.Contains(text, line) {
			t.Errorf("info lacks %q:\n%s", line, text)
		}
	}
	// Off a terminal, lines fit 80 columns.
	for line := range strings.Lines(text) {
		if n := utf8.RuneCountInString(strings.TrimSuffix(line, "\n")); n > infoWidth {
			t.Errorf("info has a line of %d characters: %.100q...", n, line)
		}
	}
	// No user-defined pieces are none, as a missing pad is (it was "0:").
	if out := mustRun(t, "", "info", "--model", "../../testdata/models/unigram8k_nmt_nfkc.model"); !strings.Contains(out, "\nuser-defined  none\n") {
		t.Errorf("info of a model without user-defined pieces:\n%s", out)
	}
}

// TestVersion checks that --version prints what version does.
func TestVersion(t *testing.T) {
	if v, flag := mustRun(t, "", "version"), mustRun(t, "", "--version"); v != flag || !strings.HasPrefix(v, "gemmatok ") {
		t.Errorf("version printed %q, --version %q", v, flag)
	}
}

// TestInfoEveryModel checks that info describes every test model, those
// that gemmatok cannot encode with among them: its type and vocabulary size
// as the model file has them.
func TestInfoEveryModel(t *testing.T) {
	paths, err := filepath.Glob("../../testdata/models/*.model")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test models: %v", err)
	}
	for _, path := range paths {
		v, err := vocab.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := modelInfoOf(t, []string{"--model", path})
		if m.Type != v.Trainer().Model.String() || m.VocabSize != v.Size() || m.Bytes == 0 {
			t.Errorf("info of %s: type %q, vocab size %d, %d bytes; want %q, %d", path, m.Type, m.VocabSize, m.Bytes, v.Trainer().Model, v.Size())
		}
		if r := runCommand(t, command("info", "--model", path)); r.code != 0 || !strings.Contains(r.stdout, "type          "+m.Type+"\n") {
			t.Errorf("info --model %s: exit %d, %q, stderr %q", path, r.code, r.stdout, r.stderr)
		}
	}
}

// TestModelChoice checks that --model and GEMMATOK_MODEL choose the model,
// --model first.
func TestModelChoice(t *testing.T) {
	model, err := filepath.Abs("../../vocab/gemma2.model")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	for _, tc := range []struct {
		args []string
		env  []string
	}{
		{[]string{"--model", model}, nil},
		{nil, []string{modelEnv + "=" + model}},
		{[]string{"--model", model}, []string{modelEnv + "=/no/such/model"}},
	} {
		if m := modelInfoOf(t, tc.args, tc.env...); m.File != model || m.SHA256 != want {
			t.Errorf("info %q with %q: file %q, sha256 %s; want %q, %s", tc.args, tc.env, m.File, m.SHA256, model, want)
		}
	}
	text := "Counting with a model from a file.\n"
	if got, want := mustRun(t, text, "encode", "--model", model), mustRun(t, text, "encode"); got != want {
		t.Errorf("encode with --model %s: %q, embedded %q", model, got, want)
	}
	cmd := command("count")
	cmd.Env = append(cmd.Env, modelEnv+"=/no/such/model")
	// The message says where the path came from.
	if r := runCommand(t, cmd); r.code != 1 || r.stderr != "gemmatok: model (from $GEMMATOK_MODEL): /no/such/model: no such file or directory\n" {
		t.Errorf("count with a missing %s: exit %d, stderr %q", modelEnv, r.code, r.stderr)
	}
}

// TestSizeFlag checks the sizes --max-run takes and how it writes them.
func TestSizeFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		out  string
	}{
		{"16MiB", 16 << 20, "16MiB"},
		{"16M", 16 << 20, "16MiB"},
		{"64KB", 64000, "64000"},
		{"3GB", 3e9, "3000000000"},
		{"1G", 1 << 30, "1GiB"},
		{"2048", 2048, "2KiB"},
		{"7B", 7, "7"},
	} {
		var f sizeFlag
		if err := f.Set(tc.in); err != nil || int64(f) != tc.want || f.String() != tc.out {
			t.Errorf("Set(%q): %d (%s), %v; want %d (%s)", tc.in, f, f.String(), err, tc.want, tc.out)
		}
	}
	for _, in := range []string{"", "M", "0", "-5", "1.5M", "9000000000G"} {
		var f sizeFlag
		if err := f.Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, f)
		}
	}
}
