package pyfind

import (
	"os/exec"
	"testing"
)

func TestPython(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3 here")
	}
	p, err := Python("json") // in every Python's standard library
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(p, "-c", "import json").Run(); err != nil {
		t.Errorf("%s cannot import json: %v", p, err)
	}
	if p, err := Python("no_such_module_gemmatok"); err == nil {
		t.Errorf("found %s for a module that does not exist", p)
	}
}
