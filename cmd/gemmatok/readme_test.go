package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestREADMECommands runs the commands of the README's sh blocks, in
// order, in a directory with the files they name: each must succeed and
// print something. "go run ./cmd/gemmatok" runs the binary the tests
// built; "go install" and "go test" are not run.
func TestREADMECommands(t *testing.T) {
	readme := readFile(t, "../../README.md")
	var lines []string
	for _, block := range strings.Split(readme, "```sh\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		lines = append(lines, strings.Split(strings.TrimSpace(block), "\n")...)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"README.md":  readme,
		"notes.txt":  "Notes.\nA second line.\n",
		"msgs/a.txt": "<start_of_turn>user\nhi",
		"msg.txt":    "A message.",
		"chat.json":  `[{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello."}]`,
	})
	// The repository's folders that the commands name.
	for _, name := range []string{"tokenizer", "testdata"} {
		abs, err := filepath.Abs(filepath.Join("../..", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	env := append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, modelEnv+"=") || strings.HasPrefix(kv, "PATH=")
	}), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
	ran := 0
	for _, line := range lines {
		line = strings.Replace(line, "go run ./cmd/gemmatok", "gemmatok", 1)
		if !strings.HasPrefix(line, "gemmatok ") {
			if !strings.HasPrefix(line, "go install ") && !strings.HasPrefix(line, "go test ") {
				t.Errorf("README command %q is neither gemmatok nor go install or go test", line)
			}
			continue
		}
		cmd := exec.Command("sh", "-c", line)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil || len(out) == 0 && !strings.Contains(line, ">") {
			t.Errorf("README command %q: %v, output %q", line, err, out)
		}
		ran++
	}
	if ran < 8 {
		t.Errorf("ran %d README commands, want at least 8", ran)
	}
}
