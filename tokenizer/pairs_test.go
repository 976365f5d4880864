package tokenizer

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/gemmatok/gemmatok/vocab"
)

var updatePairs = flag.Bool("update-pairs", false, "rewrite gemma2_pairs.bin from the embedded model")

// TestEmbeddedPairs checks that gemma2_pairs.bin is the pair set of the
// embedded model, as newPairSet builds it; -update-pairs rewrites it.
func TestEmbeddedPairs(t *testing.T) {
	v, err := vocab.Default()
	if err != nil {
		t.Fatal(err)
	}
	built := newPairSet(v).marshal()
	if *updatePairs {
		if err := os.WriteFile("gemma2_pairs.bin", built, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(built, gemma2Pairs) {
		t.Fatalf("gemma2_pairs.bin is stale (%d bytes, the model gives %d): run go test -run TestEmbeddedPairs -update-pairs", len(gemma2Pairs), len(built))
	}
	s, err := unmarshalPairSet(gemma2Pairs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.marshal(), built) {
		t.Error("decoding the embedded pair set does not give it back")
	}
	if _, err := unmarshalPairSet(gemma2Pairs[:len(gemma2Pairs)-3]); err == nil {
		t.Error("a truncated pair set decoded without error")
	}
}
