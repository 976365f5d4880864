package lineproc

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCall speaks to cat, which answers every request with itself.
func TestCall(t *testing.T) {
	if _, err := exec.LookPath("cat"); err != nil {
		t.Skip("no cat")
	}
	p, err := Start("cat", exec.Command("cat"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var res struct{ Op string }
	if err := p.Call(map[string]any{"op": "echo\n"}, &res); err != nil || res.Op != "echo\n" {
		t.Errorf("Call: %+v, %v", res, err)
	}
	err = p.Call(map[string]any{"error": "no such op"}, &res)
	if err == nil || !strings.Contains(err.Error(), "cat: no such op") {
		t.Errorf("an answer with an error: %v", err)
	}
}
