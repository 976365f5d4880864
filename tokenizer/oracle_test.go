package tokenizer

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gemmatok/gemmatok/internal/lineproc"
	"github.com/gemmatok/gemmatok/internal/pyfind"
)

// The oracle is Google's C++ SentencePiece behind its Python binding
// (Debian's python3-sentencepiece), run as one long-lived process
// (testdata/oracle.py). Tests that need it skip when no interpreter can
// import sentencepiece, unless GEMMATOK_REQUIRE_ORACLE=1, when they fail.

type oracle struct{ *lineproc.Proc }

var (
	oracleOnce sync.Once
	oracleProc *oracle
	oracleErr  error
)

// oracleModel is the model the shared oracle process has loaded.
const oracleModel = "../vocab/gemma2.model"

func startOracle() (*oracle, error) { return startOracleWith(oracleModel) }

// startOracleWith starts an oracle process with the model at path loaded.
func startOracleWith(model string) (*oracle, error) {
	py, err := pyfind.Python("sentencepiece")
	if err != nil {
		return nil, fmt.Errorf("%v (apt-get install python3-sentencepiece)", err)
	}
	p, err := lineproc.Start("oracle", exec.Command(py, "../testdata/oracle.py"))
	if err != nil {
		return nil, err
	}
	o := &oracle{p}
	path, _ := filepath.Abs(model)
	var res struct{ Size int }
	if err := o.call(map[string]any{"op": "load", "path": path}, &res); err != nil {
		return nil, err
	}
	return o, nil
}

// getOracle returns the shared oracle process, or skips (or fails) t.
func getOracle(t testing.TB) *oracle {
	t.Helper()
	oracleOnce.Do(func() { oracleProc, oracleErr = startOracle() })
	if oracleErr != nil {
		if os.Getenv("GEMMATOK_REQUIRE_ORACLE") == "1" {
			t.Fatalf("oracle required but unavailable: %v", oracleErr)
		}
		t.Skipf("oracle unavailable: %v", oracleErr)
	}
	return oracleProc
}

func (o *oracle) call(req map[string]any, res any) error { return o.Call(req, res) }

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func (o *oracle) encode(t testing.TB, text string) []int32 {
	t.Helper()
	var res struct{ IDs []int32 }
	if err := o.call(map[string]any{"op": "encode", "text": b64(text)}, &res); err != nil {
		t.Fatal(err)
	}
	return res.IDs
}

func (o *oracle) encodeLines(t testing.TB, text string) [][]int32 {
	t.Helper()
	var res struct{ IDs [][]int32 }
	if err := o.call(map[string]any{"op": "encode_lines", "text": b64(text)}, &res); err != nil {
		t.Fatal(err)
	}
	return res.IDs
}

func (o *oracle) decode(t testing.TB, ids []int32) string {
	t.Helper()
	if ids == nil {
		ids = []int32{}
	}
	var res struct{ Text string }
	if err := o.call(map[string]any{"op": "decode", "ids": ids}, &res); err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(res.Text)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (o *oracle) pieces(t testing.TB, text string) []string {
	t.Helper()
	var res struct{ Pieces []string }
	if err := o.call(map[string]any{"op": "pieces", "text": b64(text)}, &res); err != nil {
		t.Fatal(err)
	}
	for i, p := range res.Pieces {
		b, _ := base64.StdEncoding.DecodeString(p)
		res.Pieces[i] = string(b)
	}
	return res.Pieces
}

func (o *oracle) decodeMany(t testing.TB, ids [][]int32) []string {
	t.Helper()
	for i := range ids {
		if ids[i] == nil {
			ids[i] = []int32{}
		}
	}
	var res struct{ Texts []string }
	if err := o.call(map[string]any{"op": "decode_many", "ids": ids}, &res); err != nil {
		t.Fatal(err)
	}
	for i, s := range res.Texts {
		b, _ := base64.StdEncoding.DecodeString(s)
		res.Texts[i] = string(b)
	}
	return res.Texts
}
