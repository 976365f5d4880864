package charsmap

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/internal/pyfind"
)

// The oracles here are Google's C++ SentencePiece 0.1.97: its spm_normalize
// and spm_train tools (Debian's sentencepiece) and its Python binding
// (python3-sentencepiece). Tests that need one skip when it is missing,
// unless GEMMATOK_REQUIRE_ORACLE=1, when they fail.

// needOracle skips or fails t for a missing oracle.
func needOracle(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("GEMMATOK_REQUIRE_ORACLE") == "1" {
		t.Fatalf("oracle required but unavailable: %v", err)
	}
	t.Skipf("oracle unavailable: %v", err)
}

// tool returns the path of a SentencePiece command-line tool.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	needOracle(t, err)
	return p
}

// builtinCharsMap returns the precompiled charsmap spm_train compiles for a
// built-in rule name, taken from a tiny char model trained for it.
func builtinCharsMap(t testing.TB, rule string) []byte {
	t.Helper()
	train := tool(t, "spm_train")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.txt"), []byte("abc def\nghi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(train, "--input=in.txt", "--model_prefix=m", "--model_type=char",
		"--vocab_size=20", "--hard_vocab_limit=false", "--minloglevel=2",
		"--normalization_rule_name="+rule)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("spm_train for %s: %v\n%s", rule, err, out)
	}
	return readModel(t, filepath.Join(dir, "m.model")).charsmap
}

// normSource is one normalizer to compare: the charsmap blob Map reads, the
// spm_normalize flags that select the same rules, and the flags
// spm_normalize --use_internal_normalization applies (a bare Normalizer,
// so never treat_whitespace_as_suffix).
type normSource struct {
	name     string
	charsmap []byte
	args     []string
	internal spec
}

func normSources(t *testing.T) []normSource {
	var srcs []normSource
	for _, model := range []string{
		"unigram8k_nmt_nfkc.model",            // nmt_nfkc
		"unigram_nfkc_cf_bytefb_suffix.model", // nfkc_cf
		"unigram_rule_tsv.model",              // rule.tsv
		"unigram_noprefix_noescape.model",     // nmt_nfkc, other flags
		"bpe_llama.model",                     // identity: no charsmap
		"bpe_identity_rmws.model",             // identity, remove_extra_whitespaces
	} {
		path := filepath.Join(modelsDir, model)
		ms := readModel(t, path)
		in := ms.spec
		in.suffix = false
		srcs = append(srcs, normSource{model, ms.charsmap, []string{"--model=" + path}, in})
	}
	tsv := readModel(t, filepath.Join(modelsDir, "unigram_rule_tsv.model"))
	defaults := spec{addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true}
	srcs = append(srcs,
		normSource{"rule.tsv", tsv.charsmap, []string{"--normalization_rule_tsv=" + filepath.Join(modelsDir, "rule.tsv")}, defaults},
		normSource{"denorm_rule.tsv", tsv.denormCharsmap, []string{"--normalization_rule_tsv=" + filepath.Join(modelsDir, "denorm_rule.tsv")}, defaults})
	for _, rule := range []string{"nfkc", "nmt_nfkc_cf"} {
		srcs = append(srcs, normSource{rule, builtinCharsMap(t, rule), []string{"--normalization_rule_name=" + rule}, defaults})
	}
	return srcs
}

// runBytes is how much of a long adversarial file TestSpmNormalize reads.
const runBytes = 256 << 10

// getlines splits text into lines as spm_normalize reads them (std::getline:
// on '\n', no empty line after a final '\n'; '\r' stays).
func getlines(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// TestSpmNormalize compares normalization with spm_normalize, line by line,
// over every corpus and adversarial file, for every normalizer source in
// three modes: the charsmap alone (--remove_extra_whitespaces=false, which
// leaves no whitespace rule on), with remove_extra_whitespaces, and with
// the source's own flags (--use_internal_normalization).
func TestSpmNormalize(t *testing.T) {
	bin := tool(t, "spm_normalize")
	// The long adversarial runs (a megabyte of one character) are cut to
	// runBytes: the rest of them repeats the same lines.
	files := corpusFiles(t)
	texts := make([]string, len(files))
	dir := t.TempDir()
	for i, f := range files {
		texts[i] = readCorpus(t, f, runBytes)
		if len(texts[i]) == runBytes {
			files[i] = filepath.Join(dir, filepath.Base(f))
			if err := os.WriteFile(files[i], []byte(texts[i]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	lines, inBytes := 0, 0
	for _, src := range normSources(t) {
		m, err := New(src.charsmap)
		if err != nil {
			t.Fatalf("%s: %v", src.name, err)
		}
		runs := m.Runs(nil, false, false)
		for _, mode := range []struct {
			name string
			flag string
			sp   spec
		}{
			{"charsmap", "--remove_extra_whitespaces=false", spec{}},
			{"remove_extra_whitespaces", "--remove_extra_whitespaces=true", spec{removeExtraWhitespaces: true}},
			{"internal", "--use_internal_normalization", src.internal},
		} {
			out := filepath.Join(t.TempDir(), "out.txt")
			args := append(append([]string{}, src.args...), mode.flag, "--output="+out)
			cmd := exec.Command(bin, append(args, files...)...)
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s %s: spm_normalize: %v\n%s", src.name, mode.name, err, msg)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for fi, text := range texts {
				for li, line := range getlines(text) {
					var want string
					if mode.name == "charsmap" {
						want = runs.apply(line)
					} else {
						want = normalize(m.Prefix, mode.sp, line)
					}
					// Every output line ends in '\n' (WriteLine), and a
					// normalized line could hold one: compare by length.
					if !bytes.HasPrefix(got, []byte(want+"\n")) {
						n := min(len(got), len(want)+40)
						t.Fatalf("%s %s: %s line %d (%q):\n got %q\nwant %q", src.name, mode.name,
							files[fi], li+1, trim(line), trim(string(got[:n])), trim(want+"\n"))
					}
					got = got[len(want)+1:]
					lines++
					inBytes += len(line)
				}
			}
			if len(got) != 0 {
				t.Fatalf("%s %s: %d bytes more from spm_normalize", src.name, mode.name, len(got))
			}
		}
	}
	t.Logf("%d files, %d lines, %d input bytes compared", len(files), lines, inBytes)
}

func trim(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// wholeScript encodes the first wholeBytes bytes of each file named on
// stdin (one a line, after the limit and the model's path) with the Python
// binding and writes the
// normalized text the pieces spell (byte pieces as their byte), each with
// its length as 8 bytes little-endian before it.
const wholeScript = `
import struct, sys
import sentencepiece as spm
lines = sys.stdin.read().split("\n")
limit = int(lines[0])
sp = spm.SentencePieceProcessor(model_file=lines[1])
has_bytes = any(sp.is_byte(i) for i in range(sp.get_piece_size()))
out = sys.stdout.buffer
for path in lines[2:]:
    if not path:
        continue
    data = open(path, "rb").read()[:limit]
    pieces = sp.encode(data, out_type=str)
    if not has_bytes:
        norm = b"".join(pieces)
    else:
        norm = b"".join(bytes([int(p[3:5], 16)]) if sp.is_byte(i) else p
                        for i, p in zip(sp.encode(data), pieces))
    out.write(struct.pack("<Q", len(norm)))
    out.write(norm)
out.flush()
`

// wholeBytes is how much of each file TestWholeText normalizes as one text:
// the C++ Unigram takes seconds on the megabyte-long runs.
const wholeBytes = 64 << 10

// TestWholeText compares the normalization of each corpus and adversarial
// file as one text (up to wholeBytes, newlines and all) with the normalized text the C++
// segments, spelled by the pieces its Encode returns, for models without
// user-defined pieces: charsmap and whitespace rules together, with the
// model's flags and treat_whitespace_as_suffix.
func TestWholeText(t *testing.T) {
	py, err := pyfind.Python("sentencepiece")
	needOracle(t, err)
	files := corpusFiles(t)
	compared := 0
	for _, model := range []string{
		"unigram8k_nmt_nfkc.model",
		"unigram_nfkc_cf_bytefb_suffix.model",
		"unigram_rule_tsv.model",
		"unigram_noprefix_noescape.model",
	} {
		path := filepath.Join(modelsDir, model)
		ms := readModel(t, path)
		m, err := New(ms.charsmap)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(py, "-c", wholeScript)
		cmd.Stdin = strings.NewReader(fmt.Sprint(wholeBytes, "\n", path, "\n", strings.Join(files, "\n"), "\n"))
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: python: %v", model, err)
		}
		r := bufio.NewReader(bytes.NewReader(out))
		for _, f := range files {
			var n uint64
			if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
				t.Fatalf("%s %s: %v", model, f, err)
			}
			want := make([]byte, n)
			if _, err := io.ReadFull(r, want); err != nil {
				t.Fatal(err)
			}
			text := readCorpus(t, f, wholeBytes)
			got := normalize(m.Prefix, ms.spec, text)
			if got != string(want) {
				t.Errorf("%s %s: %s", model, f, firstDiff(got, string(want)))
			}
			compared += len(text)
		}
	}
	t.Logf("%d files, %d input bytes compared", len(files), compared)
}

// firstDiff describes where two strings first differ.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-20)
	return fmt.Sprintf("differ at byte %d of %d/%d: got %q, want %q", i, len(got), len(want),
		got[lo:min(len(got), i+20)], want[lo:min(len(want), i+20)])
}
