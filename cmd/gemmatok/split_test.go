package main

import (
	"math/rand"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// TestSplitFile splits corpus files, and the larger shared corpus when it
// is there, into parts of several sizes and checks that the parts are
// contiguous and that their token counts add up to that of the whole.
func TestSplitFile(t *testing.T) {
	tok := defaultTok(t)
	files := corpusFiles(t)
	if shared, err := os.ReadDir("../../../shared/corpus"); err == nil && !testing.Short() {
		for _, e := range shared {
			if strings.HasSuffix(e.Name(), ".txt") {
				files = append(files, "../../../shared/corpus/"+e.Name())
			}
		}
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		data := readFile(t, path)
		whole := tok.Count(data)
		for _, part := range []int64{1000, 64 << 10, partSize} {
			spans, err := splitFile(f, fi.Size(), part, safeCuts(tok, tokenizer.SpecialPieces))
			if err != nil {
				t.Fatal(err)
			}
			var next int64
			count := 0
			for _, s := range spans {
				if s.start != next || s.end <= s.start {
					t.Fatalf("%s, part %d: spans %v are not contiguous", path, part, spans)
				}
				next = s.end
				if len(spans) > 1 { // a text without cuts is slow to count again
					count += tok.Count(data[s.start:s.end])
				}
			}
			if next != fi.Size() {
				t.Fatalf("%s, part %d: spans end at %d of %d", path, part, next, fi.Size())
			}
			if len(spans) > 1 && count != whole {
				t.Errorf("%s cut in %d parts of about %d bytes: %d tokens, whole %d", path, len(spans), part, count, whole)
			}
		}
		f.Close()
	}
}

// TestSplitFileDummyPrefix splits the corpus under models whose normalizer
// treats the start and the end of a text apart, as a Llama-style model's
// dummy prefix does, or is a precompiled charsmap, and checks that the
// file is split and that its parts, encoded as parts, give the ids of the
// whole. A Unigram model's file is not split.
func TestSplitFileDummyPrefix(t *testing.T) {
	text := readFile(t, bigCorpusFile(t))
	uni, err := tokenizer.LoadFile("../../testdata/models/unigram8k_nmt_nfkc.model")
	if err != nil {
		t.Fatal(err)
	}
	if spans, err := splitFile(strings.NewReader(text), int64(len(text)), 64<<10, safeCuts(uni, tokenizer.SpecialPieces)); err != nil || len(spans) != 1 {
		t.Errorf("unigram8k_nmt_nfkc: %d spans, %v; want 1", len(spans), err)
	}
	for _, name := range []string{"bpe_llama", "bpe_identity_rmws", "bpe_nmt_nfkc", "char", "word"} {
		model := "../../testdata/models/" + name + ".model"
		tok, err := tokenizer.LoadFile(model)
		if err != nil {
			t.Fatal(err)
		}
		spans, err := splitFile(strings.NewReader(text), int64(len(text)), 64<<10, safeCuts(tok, tokenizer.SpecialPieces))
		if err != nil {
			t.Fatal(err)
		}
		if len(spans) < len(text)/(128<<10) {
			t.Errorf("%s: %d bytes in %d spans", model, len(text), len(spans))
		}
		var ids []int32
		for _, s := range spans {
			opts := partOptions(tokenizer.EncodeOptions{}, s.start, s.end == int64(len(text)))
			part, err := tok.EncodeWith(text[s.start:s.end], opts)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, part...)
		}
		if want := tok.Encode(text); !slices.Equal(ids, want) {
			t.Errorf("%s: %d spans encode to %d ids, the whole to %d", model, len(spans), len(ids), len(want))
		}
	}
}

// TestSplitFileParts checks that text with a cut at every word is split
// into parts about as long as asked or shorter: a file of 2.5 parts in 3,
// not 2 of 1.25, which would leave one worker counting a long last part
// alone. Cuts are looked for before each boundary, so the last part may
// be longer by a word.
func TestSplitFileParts(t *testing.T) {
	tok := defaultTok(t)
	const part int64 = 4 << 10
	for _, tc := range []struct {
		size  int64
		parts int
	}{{part / 2, 1}, {part, 1}, {part + 100, 2}, {5 * part / 2, 3}, {4 * part, 4}} {
		text := strings.Repeat("word ", int(tc.size)/5+1)[:tc.size]
		spans, err := splitFile(strings.NewReader(text), int64(len(text)), part, safeCuts(tok, tokenizer.SpecialPieces))
		if err != nil {
			t.Fatal(err)
		}
		if len(spans) != tc.parts {
			t.Errorf("%d bytes in parts of %d: %d spans, want %d", tc.size, part, len(spans), tc.parts)
		}
		for _, s := range spans {
			if s.end-s.start > part+int64(len("word ")) {
				t.Errorf("%d bytes in parts of %d: span %v is longer", tc.size, part, s)
			}
		}
	}
}

// TestSplitFileSpecial splits text with special pieces spelled all over
// it under --special text and reject, and checks that the parts' counts
// add up to the whole's, and that under reject the first part that fails
// names the whole's first special piece, at its offset.
func TestSplitFileSpecial(t *testing.T) {
	tok := defaultTok(t)
	var specials []string
	for _, id := range tok.SpecialIDs() {
		specials = append(specials, tok.IDToPiece(id))
	}
	rng := rand.New(rand.NewSource(5))
	var texts []string
	for _, path := range corpusFiles(t) {
		data := readFile(t, path)
		data = data[:min(len(data), 64<<10)]
		// A special piece every 300 bytes or so, anywhere, even inside a
		// character; and the text with one only near its end.
		var b strings.Builder
		for rest := data; len(rest) > 0; {
			k := min(len(rest), rng.Intn(600))
			b.WriteString(rest[:k])
			b.WriteString(specials[rng.Intn(len(specials))])
			rest = rest[k:]
		}
		texts = append(texts, b.String(), data+"<start_of_turn>"+data[:min(len(data), 100)])
	}
	// The part boundary of 2,000 bytes split in two falls at every byte of
	// "x <pad>", where SafeCut, for which "<pad>" is text, would cut.
	words := strings.Repeat("word ", 400)
	for p := 980; p < 1000; p++ {
		texts = append(texts, words[:p]+"x <pad>"+words[p:])
	}
	for _, mode := range []tokenizer.SpecialMode{tokenizer.SpecialText, tokenizer.SpecialReject} {
		opts := tokenizer.EncodeOptions{Special: mode}
		splits := 0
		for i, text := range texts {
			whole, werr := tok.CountWith(text, opts)
			for _, part := range []int64{1100, 16 << 10} {
				spans, err := splitFile(strings.NewReader(text), int64(len(text)), part, safeCuts(tok, mode))
				if err != nil {
					t.Fatal(err)
				}
				splits += len(spans) - 1
				count := 0
				var perr error
				for _, s := range spans {
					n, err := tok.CountWith(text[s.start:s.end], opts)
					count += n
					if perr == nil && err != nil {
						perr = atOffset(err, s.start)
					}
				}
				if perr != nil || werr != nil {
					if want := atOffset(werr, 0); !reflect.DeepEqual(perr, want) {
						t.Errorf("%v, text %d, parts of %d: the parts fail with %v, the whole with %v", mode, i, part, perr, want)
					}
				} else if count != whole {
					t.Errorf("%v, text %d, parts of %d: %d tokens, whole %d", mode, i, part, count, whole)
				}
			}
		}
		if splits < 100 {
			t.Errorf("%v: only %d splits", mode, splits)
		}
	}
}
