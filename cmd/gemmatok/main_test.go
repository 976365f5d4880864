package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/gemmatok/gemmatok/internal/pyfind"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// The tests run the gemmatok binary as a user would; TestMain builds it.
var binary string

func TestMain(m *testing.M) {
	if out := os.Getenv(rssEnv); out != "" {
		os.Exit(runRSSHelper(out))
	}
	dir, err := os.MkdirTemp("", "gemmatok-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "gemmatok")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building gemmatok: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is the outcome of one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// command returns a command running the binary with args, in an
// environment without GEMMATOK_MODEL.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, modelEnv+"=")
	})
	return cmd
}

// runCommand runs cmd, which must not have its output set, to its end.
func runCommand(t testing.TB, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := errors.AsType[*exec.ExitError](err); !ok {
			t.Fatalf("%v: %v", cmd.Args, err)
		}
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// rssEnv, when set, makes the test binary a helper that runs the command
// of its arguments and writes the command's peak RSS to the file the
// variable names. The tests hold hundreds of MB, and a child's peak RSS
// counts its parent's until the child execs; the helper is small.
const rssEnv = "GEMMATOK_TEST_RSS_FILE"

func runRSSHelper(out string) int {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, err)
		return 125
	}
	rss := int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10
	if err := os.WriteFile(out, []byte(strconv.FormatInt(rss, 10)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 125
	}
	return cmd.ProcessState.ExitCode()
}

// runMeasured runs cmd, made by command, through the RSS helper and
// returns its result and peak RSS in bytes.
func runMeasured(t testing.TB, cmd *exec.Cmd) (result, int64) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "rss")
	cmd.Path, cmd.Args = self, append([]string{self}, cmd.Args...)
	cmd.Args[1] = binary
	cmd.Env = append(cmd.Env, rssEnv+"="+out)
	r := runCommand(t, cmd)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no RSS measured: %v (stderr %q)", err, r.stderr)
	}
	rss, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return r, rss
}

// gemmatok runs the binary with args and stdin as its input.
func gemmatok(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	cmd := command(args...)
	cmd.Stdin = strings.NewReader(stdin)
	return runCommand(t, cmd)
}

// mustRun is gemmatok for runs that must succeed, with nothing on stderr.
func mustRun(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	r := gemmatok(t, stdin, args...)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("gemmatok %q: exit %d, stderr %q", args, r.code, r.stderr)
	}
	return r.stdout
}

// defaultTok returns the library's tokenizer, which the binary must agree
// with.
func defaultTok(t testing.TB) *tokenizer.Tokenizer {
	t.Helper()
	tok, err := tokenizer.Default()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// corpusFiles returns the repository's test corpus: texts in many scripts
// and adversarial files (long runs, malformed UTF-8, control bytes).
func corpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../../testdata/corpus/*.txt")
	if err == nil {
		var adv []string
		adv, err = filepath.Glob("../../testdata/corpus/adversarial/*.txt")
		files = append(files, adv...)
	}
	if err != nil || len(files) < 28 {
		t.Fatalf("found %d corpus files (%v), want at least 28", len(files), err)
	}
	return files
}

var (
	bigOnce sync.Once
	bigPath string
	bigErr  error
)

// bigCorpusFile returns a file that joins the corpus texts, larger than a
// chunk and a part, so that streaming and splitting cut it many times. The
// 1 MiB runs are left out, as they are slow to encode and tested alone.
func bigCorpusFile(t testing.TB) string {
	t.Helper()
	bigOnce.Do(func() {
		var buf bytes.Buffer
		for _, f := range corpusFiles(t) {
			data, err := os.ReadFile(f)
			if err != nil {
				bigErr = err
				return
			}
			if len(data) < 1<<20 {
				buf.Write(data)
			}
		}
		bigPath = filepath.Join(filepath.Dir(binary), "big.txt")
		bigErr = os.WriteFile(bigPath, buf.Bytes(), 0o644)
	})
	if bigErr != nil {
		t.Fatal(bigErr)
	}
	return bigPath
}

// readFile returns the content of path as a string.
func readFile(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// writeFiles creates files under dir from a map of slash-separated paths
// to contents.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The oracle is C++ SentencePiece behind Debian's python3-sentencepiece.
// Tests that need it skip when no python3 can import it, unless
// GEMMATOK_REQUIRE_ORACLE=1, when they fail.
const oracleScript = `
import sys, sentencepiece
sp = sentencepiece.SentencePieceProcessor(model_file=sys.argv[1])
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        print(" ".join(map(str, sp.encode(f.read()))))
`

var (
	corpusOracleOnce sync.Once
	corpusOracleIDs  []string
	corpusOracleErr  error
)

// corpusOracle returns the corpus files and the big file, and the ids
// SentencePiece gives the content of each, as lines of decimal ids
// separated by spaces. They are computed once for the tests that need them.
func corpusOracle(t testing.TB) (files, ids []string) {
	t.Helper()
	python := oraclePython(t)
	files = append(corpusFiles(t), bigCorpusFile(t))
	corpusOracleOnce.Do(func() { corpusOracleIDs, corpusOracleErr = runOracle(python, "../../vocab/gemma2.model", files) })
	if corpusOracleErr != nil {
		t.Fatalf("oracle: %v", corpusOracleErr)
	}
	return files, corpusOracleIDs
}

// oraclePython returns a python3 that can import sentencepiece, or skips
// (or fails) t.
func oraclePython(t testing.TB) string {
	t.Helper()
	p, err := pyfind.Python("sentencepiece")
	if err == nil {
		return p
	}
	if os.Getenv("GEMMATOK_REQUIRE_ORACLE") == "1" {
		t.Fatalf("oracle required but unavailable: %v", err)
	}
	t.Skipf("oracle unavailable: %v", err)
	return ""
}

func runOracle(python, model string, files []string) ([]string, error) {
	args := append([]string{"-c", oracleScript, model}, files...)
	out, err := exec.Command(python, args...).Output()
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(files) {
		return nil, fmt.Errorf("%d lines for %d files", len(lines), len(files))
	}
	return lines, nil
}
