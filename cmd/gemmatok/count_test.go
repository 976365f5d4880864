package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// countReport is the --json output of count.
type countReport struct {
	Files []fileCounts `json:"files"`
	Total counts       `json:"total"`
}

func parseReport(t *testing.T, out string) countReport {
	t.Helper()
	var r countReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	return r
}

// wantCounts returns what count must report for text.
func wantCounts(t *testing.T, text string) counts {
	return counts{
		Tokens: int64(defaultTok(t).Count(text)),
		Chars:  int64(utf8.RuneCountInString(text)),
		Bytes:  int64(len(text)),
	}
}

func TestCountStdin(t *testing.T) {
	text := "Hello, world!\nHow many tokens is this?\n"
	n := wantCounts(t, text).Tokens
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, fmt.Sprintf("%d\n", n)},
		{[]string{"-"}, fmt.Sprintf("%d -\n", n)},
		{[]string{"--bytes", "--chars"}, fmt.Sprintf("%7d %7d %7d\n", n, len(text), len(text))},
		{[]string{"--jsonl"}, fmt.Sprintf(`{"path":"-","tokens":%d,"chars":%d,"bytes":%d}`+"\n", n, len(text), len(text))},
	} {
		if got := mustRun(t, text, append([]string{"count"}, tc.args...)...); got != tc.want {
			t.Errorf("count %q = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// TestCountTable checks the wc-like layout: numbers right-aligned to the
// width of the total size, names as given, a total for several inputs.
func TestCountTable(t *testing.T) {
	dir := t.TempDir()
	a, b := "Hello, world\n", "héllo wörld, encore\n"
	writeFiles(t, dir, map[string]string{"a": a, "b": b})
	pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	ca, cb := wantCounts(t, a), wantCounts(t, b)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{pa}, fmt.Sprintf("%d %s\n", ca.Tokens, pa)},
		{[]string{"-c", pa}, fmt.Sprintf("%2d %2d %s\n", ca.Tokens, ca.Bytes, pa)},
		{[]string{pa, pb}, fmt.Sprintf("%2d %s\n%2d %s\n%2d total\n", ca.Tokens, pa, cb.Tokens, pb, ca.Tokens+cb.Tokens)},
		{[]string{"-m", "-c", pa, pb}, fmt.Sprintf("%2d %2d %2d %s\n%2d %2d %2d %s\n%2d %2d %2d total\n",
			ca.Tokens, ca.Chars, ca.Bytes, pa, cb.Tokens, cb.Chars, cb.Bytes, pb,
			ca.Tokens+cb.Tokens, ca.Chars+cb.Chars, ca.Bytes+cb.Bytes)},
		{[]string{pa, "-"}, fmt.Sprintf("%7d %s\n%7d -\n%7d total\n", ca.Tokens, pa, ca.Tokens, ca.Tokens*2)},
	} {
		if got := mustRun(t, a, append([]string{"count"}, tc.args...)...); got != tc.want {
			t.Errorf("count %q:\n%s\nwant:\n%s", tc.args, got, tc.want)
		}
	}
}

// TestCountWalk counts directory trees: hidden entries, .git, binary files,
// patterns, links and files that cannot be read.
func TestCountWalk(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"tree/a.txt":          "alpha beta gamma\n",
		"tree/sub/b.md":       "# Title\n\nSome *text*.\n",
		"tree/sub/c.bin":      "PK\x03\x04\x00\x00binary",
		"tree/sub/skip/x.txt": "x marks the spot\n",
		"tree/.hidden/d.txt":  "hidden away\n",
		"tree/.e.txt":         "dotfile\n",
		"tree/.git/config":    "[core]\n",
		"broken/ok.txt":       "still counted\n",
		"dotted/.x.txt":       "hidden only\n",
		"bins/a.bin":          "\x00\x01",
		"bins/sub/b.bin":      "\x7fELF\x00",
	})
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"tree/link.txt":   "a.txt",
		"tree/sub/up":     "..", // a link to a directory is not followed
		"treelink":        "tree",
		"broken/dangling": "missing",
		"broken/loop":     "loop",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	binaryNote := "gemmatok: tree/sub/c.bin: binary file skipped\n"
	for _, tc := range []struct {
		args       []string
		paths      []string
		code       int
		stderrHas  []string
		stderrNone bool
	}{
		{
			args:      []string{"tree"},
			paths:     []string{"tree/a.txt", "tree/sub/b.md", "tree/sub/skip/x.txt"},
			stderrHas: []string{binaryNote, "gemmatok: tree/link.txt: symbolic link skipped (--follow follows it)\n", "gemmatok: tree/sub/up: symbolic link skipped"},
		},
		{
			args:      []string{"--hidden", "tree"},
			paths:     []string{"tree/.e.txt", "tree/.hidden/d.txt", "tree/a.txt", "tree/sub/b.md", "tree/sub/skip/x.txt"},
			stderrHas: []string{binaryNote},
		},
		{
			args:      []string{"--include", "*.md", "tree"},
			paths:     []string{"tree/sub/b.md"},
			stderrHas: []string{"gemmatok: tree/link.txt: symbolic link skipped"},
		},
		{
			args:      []string{"--exclude", "skip", "--exclude", "*.md", "--exclude", "link.txt", "tree"},
			paths:     []string{"tree/a.txt"},
			stderrHas: []string{binaryNote},
		},
		{
			args:      []string{"--exclude", "sub/skip/*", "tree"},
			paths:     []string{"tree/a.txt", "tree/sub/b.md"},
			stderrHas: []string{binaryNote},
		},
		{ // a link to a directory named on the command line is walked
			args:      []string{"treelink"},
			paths:     []string{"treelink/a.txt", "treelink/sub/b.md", "treelink/sub/skip/x.txt"},
			stderrHas: []string{"gemmatok: treelink/sub/c.bin: binary file skipped\n"},
		},
		{ // with --follow, links are followed, and a loop is skipped
			args:      []string{"--follow", "tree"},
			paths:     []string{"tree/a.txt", "tree/link.txt", "tree/sub/b.md", "tree/sub/skip/x.txt"},
			stderrHas: []string{binaryNote, "gemmatok: tree/sub/up: symbolic link loop skipped\n"},
		},
		{ // a binary file named on the command line is counted
			args:       []string{"tree/sub/c.bin", "tree/.e.txt", "tree/link.txt"},
			paths:      []string{"tree/sub/c.bin", "tree/.e.txt", "tree/link.txt"},
			stderrNone: true,
		},
		{ // dangling links and loops do not fail a walk that does not follow them
			args:      []string{"broken"},
			paths:     []string{"broken/ok.txt"},
			stderrHas: []string{"gemmatok: broken/dangling: symbolic link skipped", "gemmatok: broken/loop: symbolic link skipped"},
		},
		{ // failures are reported and do not stop the others
			args:  []string{"tree/a.txt", "missing.txt", "-L", "broken"},
			paths: []string{"tree/a.txt", "missing.txt", "broken/dangling", "broken/loop", "broken/ok.txt"},
			code:  1,
			stderrHas: []string{
				"gemmatok: missing.txt: no such file or directory\n",
				"gemmatok: broken/dangling: no such file or directory\n",
				"gemmatok: broken/loop: too many levels of symbolic links\n",
			},
		},
		{ // --include matching nothing is a failure
			args:      []string{"--include", "*.rs", "tree"},
			paths:     []string{"tree"},
			code:      1,
			stderrHas: []string{"gemmatok: tree: no file matches --include\n"},
		},
		{ // so is a directory with no file to count (it passed silently)
			args:      []string{"empty", "tree/a.txt", "dotted"},
			paths:     []string{"empty", "tree/a.txt", "dotted"},
			code:      1,
			stderrHas: []string{"gemmatok: empty: no file to count\n", "gemmatok: dotted: no file to count (hidden files need --hidden)\n"},
		},
		{ // and so is one of binary files only (it passed with status 0)
			args:      []string{"bins", "tree/a.txt"},
			paths:     []string{"bins", "tree/a.txt"},
			code:      1,
			stderrHas: []string{"gemmatok: bins/a.bin: binary file skipped\n", "gemmatok: bins/sub/b.bin: binary file skipped\ngemmatok: bins: no file to count: every file is binary\n"},
		},
		{
			args:       []string{"--hidden", "dotted"},
			paths:      []string{"dotted/.x.txt"},
			stderrNone: true,
		},
	} {
		cmd := command(append([]string{"count", "--jsonl"}, tc.args...)...)
		cmd.Dir = dir
		r := runCommand(t, cmd)
		if r.code != tc.code {
			t.Errorf("count %q: exit %d, want %d (stderr %q)", tc.args, r.code, tc.code, r.stderr)
		}
		for _, s := range tc.stderrHas {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("count %q: stderr %q lacks %q", tc.args, r.stderr, s)
			}
		}
		if tc.stderrNone && r.stderr != "" {
			t.Errorf("count %q: stderr %q, want none", tc.args, r.stderr)
		}
		var paths []string
		for line := range strings.Lines(r.stdout) {
			var fc fileCounts
			if err := json.Unmarshal([]byte(line), &fc); err != nil {
				t.Fatalf("count %q: line %q: %v", tc.args, line, err)
			}
			paths = append(paths, fc.Path)
			if fc.Error != "" {
				if fc.counts != (counts{}) || !strings.Contains(r.stderr, fc.Path+": "+fc.Error+"\n") {
					t.Errorf("count %q: %s: error %q with counts %v, or not on stderr %q", tc.args, fc.Path, fc.Error, fc.counts, r.stderr)
				}
				continue
			}
			if want := wantCounts(t, readFile(t, filepath.Join(dir, fc.Path))); fc.counts != want {
				t.Errorf("count %q: %s: %+v, want %+v", tc.args, fc.Path, fc.counts, want)
			}
		}
		if !slices.Equal(paths, tc.paths) {
			t.Errorf("count %q counted %q, want %q", tc.args, paths, tc.paths)
		}
	}
}

// TestCountUnreadable counts a tree with a file and a directory that
// cannot be read. Root reads them anyway, so as root the binary runs as
// nobody.
func TestCountUnreadable(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"t/a.txt": "a\n", "t/secret.txt": "s\n", "t/locked/b.txt": "b\n", "t/z.txt": "z\n"})
	for _, p := range []string{"t/secret.txt", "t/locked"} {
		if err := os.Chmod(filepath.Join(dir, p), 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(filepath.Join(dir, p), 0o755) })
	}
	cmd := command("count", "--json", "t")
	cmd.Dir = dir
	if os.Geteuid() == 0 {
		// nobody must reach the binary and the tree.
		for _, d := range []string{filepath.Dir(binary), filepath.Dir(dir), dir, filepath.Join(dir, "t")} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	r := runCommand(t, cmd)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, s := range []string{"gemmatok: t/secret.txt: permission denied\n", "gemmatok: t/locked: permission denied\n"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr %q lacks %q", r.stderr, s)
		}
	}
	// The JSON has every input, the failed ones with their error.
	var got []string
	rep := parseReport(t, r.stdout)
	for _, fc := range rep.Files {
		got = append(got, fc.Path+" "+fc.Error)
	}
	if want := []string{"t/a.txt ", "t/locked permission denied", "t/secret.txt permission denied", "t/z.txt "}; !slices.Equal(got, want) || rep.Total.Bytes != 4 {
		t.Errorf("counted %q, total %+v; want %q, 4 bytes", got, rep.Total, want)
	}
}

// TestCountJSON checks --json and --jsonl against the library on the
// corpus, counted in parallel.
func TestCountJSON(t *testing.T) {
	files := append(corpusFiles(t), bigCorpusFile(t))
	args := append([]string{"count", "-j", "3", "--json"}, files...)
	rep := parseReport(t, mustRun(t, "", args...))
	if len(rep.Files) != len(files) {
		t.Fatalf("%d files in the report, want %d", len(rep.Files), len(files))
	}
	var sum counts
	for i, fc := range rep.Files {
		if fc.Path != files[i] {
			t.Errorf("file %d is %s, want %s", i, fc.Path, files[i])
		}
		if want := wantCounts(t, readFile(t, files[i])); fc.counts != want {
			t.Errorf("%s: %+v, want %+v", fc.Path, fc.counts, want)
		}
		sum.add(fc.counts)
	}
	if rep.Total != sum {
		t.Errorf("total %+v, want %+v", rep.Total, sum)
	}
	args[3] = "--jsonl"
	var lines []string
	for _, fc := range rep.Files {
		b, _ := json.Marshal(fc)
		lines = append(lines, string(b)+"\n")
	}
	if got, want := mustRun(t, "", args...), strings.Join(lines, ""); got != want {
		t.Errorf("--jsonl:\n%s\nwant:\n%s", got, want)
	}
}

// TestCountSplitFile counts one file larger than several parts with 1 to 4
// workers, so that it is split at different places, and on stdin, which is
// never split; all must give the library's count of the whole.
func TestCountSplitFile(t *testing.T) {
	path := bigCorpusFile(t)
	text := readFile(t, path)
	want := fmt.Sprintf("%d %s\n", defaultTok(t).Count(text), path)
	for _, j := range []string{"1", "2", "3", "4"} {
		if got := mustRun(t, "", "count", "-j", j, path); got != want {
			t.Errorf("count -j %s = %q, want %q", j, got, want)
		}
	}
	if got := mustRun(t, text, "count", "-"); got != strings.Replace(want, path, "-", 1) {
		t.Errorf("count of stdin = %q, want %q", got, want)
	}
}

// TestCountOracle compares count with C++ SentencePiece.
func TestCountOracle(t *testing.T) {
	files, oracle := corpusOracle(t)
	rep := parseReport(t, mustRun(t, "", append([]string{"count", "--json"}, files...)...))
	for i, fc := range rep.Files {
		if want := len(strings.Fields(oracle[i])); fc.Tokens != int64(want) {
			t.Errorf("%s: %d tokens, SentencePiece %d", fc.Path, fc.Tokens, want)
		}
	}
}

// longRuns returns texts over 1 MiB without a safe cut: one letter
// repeated and random DNA without line breaks (a shorter one with -short).
func longRuns(t *testing.T) map[string]string {
	rnd := rand.New(rand.NewSource(1))
	n := 3_000_000
	if testing.Short() {
		n = 1_100_000
	}
	dna := make([]byte, n)
	for i := range dna {
		dna[i] = "ACGT"[rnd.Intn(4)]
	}
	return map[string]string{"2 MiB of a": strings.Repeat("a", 2<<20), "random ACGT": string(dna)}
}

// TestLongRuns checks that count, encode and truncate encode a run without
// a safe cut whole, as the library does, up to --max-run.
func TestLongRuns(t *testing.T) {
	tok := defaultTok(t)
	for name, text := range longRuns(t) {
		ids := tok.Encode(text)
		if got, want := mustRun(t, text, "count"), fmt.Sprintf("%d\n", len(ids)); got != want {
			t.Errorf("count of %s: %q, want %q", name, got, want)
		}
		if got, want := mustRun(t, text, "encode"), idsLine(ids); got != want {
			t.Errorf("encode of %s: %d bytes of ids, want the library's %d", name, len(got), len(want))
		}
		head := tok.TruncateEnd(text, len(ids)/2)
		if got := mustRun(t, text, "truncate", "-n", fmt.Sprint(len(ids)/2)); got != head {
			t.Errorf("truncate of %s: %d bytes, want the library's %d", name, len(got), len(head))
		}
	}
}

// TestCountLongRun checks that a text which cannot be cut into parts is a
// failure beyond --max-run, with a message that names the bound and the
// flag.
func TestCountLongRun(t *testing.T) {
	r := gemmatok(t, strings.Repeat("a", 1<<20+1), "count", "--max-run", "1MiB", "-", "-")
	if r.code != 1 || !strings.Contains(r.stderr, "gemmatok: -: more than 1MiB of text without a place to cut it into parts; encoding it whole would take over 50 MB of memory (--max-run 1MiB bounds it; raise it to encode the run)") {
		t.Errorf("count of a run over --max-run: exit %d, stderr %q", r.code, r.stderr)
	}
	// The second "-" reads the rest of stdin, nothing.
	if !strings.HasSuffix(r.stdout, "      0 -\n      0 total\n") {
		t.Errorf("stdout %q, want the count of the empty rest", r.stdout)
	}
	for _, args := range [][]string{{"encode"}, {"truncate", "-n", "5"}} {
		r := gemmatok(t, strings.Repeat("a", 3<<20), append(args, "--max-run", "2MiB")...)
		if r.code != 1 || !strings.Contains(r.stderr, "more than 2MiB of text without a place to cut") {
			t.Errorf("%s of a run over --max-run: exit %d, stderr %q", args[0], r.code, r.stderr)
		}
	}
	for _, bad := range []string{"lots", "0", "-1M", "1T"} {
		if r := gemmatok(t, "", "count", "--max-run", bad); r.code != 2 {
			t.Errorf("--max-run %s: exit %d, want 2", bad, r.code)
		}
	}
	if got := mustRun(t, "aaaa", "count", "--max-run", "64KB"); got != "1\n" {
		t.Errorf("--max-run 64KB: %q", got)
	}
}

// TestCountSharedCorpus counts the larger shared corpus, when it is there,
// as the performance comparison does: walked, on one worker and on two,
// which split its largest file. Each count must be the library's.
func TestCountSharedCorpus(t *testing.T) {
	const dir = "../../../shared/corpus"
	if _, err := os.Stat(dir); err != nil || testing.Short() {
		t.Skip("no shared corpus, or -short")
	}
	var reports [2]countReport
	for i, j := range []string{"1", "2"} {
		r := gemmatok(t, "", "count", "--json", "-j", j, dir)
		// The corpus has a file with control bytes, which the walk skips.
		if r.code != 0 || strings.Count(r.stderr, ": binary file skipped\n") != strings.Count(r.stderr, "\n") {
			t.Fatalf("count -j %s: exit %d, stderr %q", j, r.code, r.stderr)
		}
		reports[i] = parseReport(t, r.stdout)
	}
	one, two := reports[0], reports[1]
	if !slices.Equal(one.Files, two.Files) || one.Total != two.Total {
		t.Errorf("-j 1 and -j 2 differ: %+v, %+v", one.Total, two.Total)
	}
	for _, fc := range two.Files {
		if want := wantCounts(t, readFile(t, fc.Path)); fc.counts != want {
			t.Errorf("%s: %+v, want %+v", fc.Path, fc.counts, want)
		}
	}
	if len(two.Files) < 28 {
		t.Errorf("counted %d files", len(two.Files))
	}
}

// TestDummyPrefixModel counts and encodes an ordinary file of over 3 MB
// under models whose normalizer treats the start and the end of a text
// apart (a dummy prefix; the removal of extra whitespace), with --max-run
// 1MiB: it must be cut into parts encoded as parts (SafeCutParts), on one
// worker and on two, to the library's ids of the whole and, with the
// oracle, to the C++'s.
func TestDummyPrefixModel(t *testing.T) {
	big := readFile(t, bigCorpusFile(t))
	text := strings.Repeat(big, (3<<20)/len(big)+1)
	path := filepath.Join(t.TempDir(), "big3.txt")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	// The languages' texts, without the adversarial ones that spell
	// special pieces.
	files, err := filepath.Glob("../../testdata/corpus/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var langs string
	for _, f := range files {
		langs += readFile(t, f)
	}
	for _, model := range []string{"../../testdata/models/bpe_llama.model", "../../testdata/models/bpe_identity_rmws.model"} {
		t.Run(filepath.Base(model), func(t *testing.T) {
			tok, err := tokenizer.LoadFile(model)
			if err != nil {
				t.Fatal(err)
			}
			ids := tok.Encode(text)
			for _, j := range []string{"1", "2"} {
				args := []string{"--model", model, "--max-run", "1MiB", "-j", j, path}
				if got, want := mustRun(t, "", append([]string{"count"}, args...)...), fmt.Sprintf("%d %s\n", len(ids), path); got != want {
					t.Errorf("count -j %s: %q, want %q", j, got, want)
				}
				if got := mustRun(t, "", append([]string{"encode"}, args...)...); got != idsLine(ids) {
					t.Errorf("encode -j %s: %d bytes of ids, want the library's %d", j, len(got), len(idsLine(ids)))
				}
			}
			// Under reject, encode writes the ids of the text before the
			// special piece as that text alone encodes: here "hello"
			// without the space after it, which the second model drops
			// at the end of a text.
			spelled := langs[:len(langs)/2] + "hello </s> world" + langs[len(langs)/2:]
			sp := filepath.Join(t.TempDir(), "special.txt")
			if err := os.WriteFile(sp, []byte(spelled), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = tok.EncodeWith(spelled, tokenizer.EncodeOptions{Special: tokenizer.SpecialReject})
			se, ok := err.(*tokenizer.SpecialError)
			if !ok {
				t.Fatalf("the library rejects no special piece: %v", err)
			}
			before := idsLine(tok.Encode(spelled[:se.Offset]))
			for _, j := range []string{"1", "2"} {
				r := gemmatok(t, "", "encode", "--model", model, "--max-run", "1MiB", "-j", j, "--special", "reject", sp)
				if r.code != 1 || r.stdout != before || !strings.Contains(r.stderr, fmt.Sprintf("byte %d:", se.Offset)) {
					t.Errorf("encode --special reject -j %s: exit %d, %d bytes of ids (want the %d of the text before the piece), stderr %q", j, r.code, len(r.stdout), len(before), r.stderr)
				}
			}
			t.Run("oracle", func(t *testing.T) {
				want, err := runOracle(oraclePython(t), model, []string{path})
				if err != nil {
					t.Fatal(err)
				}
				if got := idsLine(ids); got != want[0]+"\n" {
					t.Errorf("the library's %d ids differ from the C++'s %d", len(ids), len(strings.Fields(want[0])))
				}
			})
		})
	}
}

// TestCountLines checks that count --lines gives spm_encode's counts, which
// encodes line by line, on the corpus, split between workers and not.
func TestCountLines(t *testing.T) {
	spmEncode, err := exec.LookPath("spm_encode")
	if err != nil {
		if os.Getenv("GEMMATOK_REQUIRE_ORACLE") == "1" {
			t.Fatalf("oracle required but spm_encode missing: %v", err)
		}
		t.Skip("no spm_encode")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"crlf.txt": "one\r\ntwo  three\r\n\r\n  four", "empty.txt": "", "lf.txt": "\n\n\n"})
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if testing.Short() {
		files = append(files, corpusFiles(t)[:3]...)
	} else {
		files = append(files, corpusFiles(t)...)
		files = append(files, bigCorpusFile(t))
	}
	for _, f := range files {
		in, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(spmEncode, "--model", "../../vocab/gemma2.model", "--output_format", "id")
		cmd.Stdin = in
		out, err := cmd.Output()
		in.Close()
		if err != nil {
			t.Fatalf("spm_encode %s: %v", f, err)
		}
		want := len(strings.Fields(string(out)))
		for _, j := range []string{"1", "2"} {
			if got := mustRun(t, "", "count", "--lines", "-j", j, f); got != fmt.Sprintf("%d %s\n", want, f) {
				t.Errorf("count --lines -j %s: %q, spm_encode %d", j, got, want)
			}
		}
	}
}
