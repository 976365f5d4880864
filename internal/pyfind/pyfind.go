// Package pyfind finds a Python interpreter that can import a module. The
// tests and the benchmark harness use it to reach the C++ SentencePiece
// oracle (Debian's python3-sentencepiece) and Jinja, which Debian installs
// for /usr/bin/python3: that need not be the python3 first on PATH.
package pyfind

import (
	"fmt"
	"os/exec"
)

// Python returns the path of a python3 that can import module, trying
// /usr/bin/python3 first and then the python3 on PATH.
func Python(module string) (string, error) {
	cands := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		cands = append(cands, p)
	}
	for _, p := range cands {
		if exec.Command(p, "-c", "import "+module).Run() == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no python3 can import %s", module)
}
