package tokenizer

import (
	"bytes"
	"strings"
	"testing"
)

// TestAppendDecodeDenormalizedCapacity checks that AppendDecode under a
// model with a denormalizer writes nothing into dst's spare capacity past
// the text it decoded before denormalizing, though the normalizer's
// copying loops store 8 bytes at a time.
func TestAppendDecodeDenormalizedCapacity(t *testing.T) {
	tok, err := LoadFile("../testdata/models/unigram_rule_tsv.model")
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"x—y", "a — b", "words—and more words", "—"} {
		want, err := tok.Decode(tok.Encode(text))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(want, "--") {
			t.Fatalf("Decode(Encode(%q)) = %q: the denormalizer's rule (— to --) did not apply", text, want)
		}
		// Each "--" was a "—", a byte longer, before denormalizing.
		decoded := len(want) + strings.Count(want, "--")
		buf := bytes.Repeat([]byte{'#'}, 256)
		got, err := tok.AppendDecode(buf[:0], tok.Encode(text))
		if err != nil || string(got) != want {
			t.Fatalf("AppendDecode(%q) = %q, %v, want %q", text, got, err, want)
		}
		if tail := buf[decoded:]; bytes.Count(tail, []byte{'#'}) != len(tail) {
			t.Errorf("AppendDecode(%q) wrote past the %d bytes it decoded: %q", text, decoded, buf[:decoded+16])
		}
	}
}
