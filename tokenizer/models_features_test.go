package tokenizer

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestModelsFeatures runs the processor's features on every test model,
// whatever its type and normalizer, over short corpus lines and texts
// that spell special pieces: Count, batches, streaming decode, truncation
// and the special-piece policies must agree with Encode and Decode.
func TestModelsFeatures(t *testing.T) {
	lines := append(shortLines(t, 3),
		"<start_of_turn>user\nHello<end_of_turn>\n", "a<ctl1>b", "http://日本 ▁the @@@", "  two  spaces  ", "em — dash", "")
	for _, path := range testModels(t) {
		t.Run(modelName(path), func(t *testing.T) {
			tok, err := LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			batch, err := tok.EncodeBatch(lines, EncodeOptions{}, 2)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range lines {
				ids := tok.Encode(line)
				want, err := tok.Decode(ids)
				if err != nil {
					t.Fatal(err)
				}
				if n := tok.Count(line); n != len(ids) {
					t.Errorf("Count(%q) = %d, want %d", line, n, len(ids))
				}
				if !slices.Equal(batch[i], ids) {
					t.Errorf("EncodeBatch: %q: %v, want %v", line, batch[i], ids)
				}
				if toks := tok.EncodeOffsets(line); len(toks) != len(ids) {
					t.Errorf("EncodeOffsets(%q): %d tokens, want %d", line, len(toks), len(ids))
				}
				var b strings.Builder
				sd := tok.NewStreamDecoder()
				for _, id := range ids {
					s, err := sd.Add(id)
					if err != nil {
						t.Fatal(err)
					}
					b.WriteString(s)
				}
				b.WriteString(sd.Flush())
				if b.String() != want {
					t.Errorf("StreamDecoder(%v) = %q, want %q", ids, b.String(), want)
				}
				for _, n := range []int{0, 1, len(ids) / 2, len(ids)} {
					if s := tok.TruncateEnd(line, n); !strings.HasPrefix(line, s) || tok.Count(s) > n {
						t.Errorf("TruncateEnd(%q, %d) = %q, %d tokens", line, n, s, tok.Count(s))
					}
					if s := tok.TruncateStart(line, n); !strings.HasSuffix(line, s) || tok.Count(s) > n {
						t.Errorf("TruncateStart(%q, %d) = %q, %d tokens", line, n, s, tok.Count(s))
					}
				}
				if got, err := tok.EncodeWith(line, EncodeOptions{Special: SpecialPieces}); err != nil || !slices.Equal(got, ids) {
					t.Errorf("EncodeWith(%q, SpecialPieces) = %v, %v; want %v", line, got, err, ids)
				}
				plain, err := tok.EncodeWith(line, EncodeOptions{Special: SpecialText})
				if err != nil {
					t.Fatal(err)
				}
				if k := slices.IndexFunc(plain, tok.IsSpecial); k >= 0 {
					t.Errorf("EncodeWith(%q, SpecialText) = %v: special id at %d", line, plain, k)
				}
				_, err = tok.EncodeWith(line, EncodeOptions{Special: SpecialReject})
				spelled := slices.ContainsFunc(tok.SpecialIDs(), func(id int32) bool { return strings.Contains(line, tok.IDToPiece(id)) })
				if spelled != (err != nil) {
					t.Errorf("EncodeWith(%q, SpecialReject): %v, though a special piece is spelled: %v", line, err, spelled)
				}
			}
			if err := tok.CanCut(EncodeOptions{}); err != nil && !errors.Is(err, ErrCutsNeedParts) && tok.SafeCut("a b c") != 0 {
				t.Errorf("SafeCut cuts though CanCut says %v", err)
			}
		})
	}
}
