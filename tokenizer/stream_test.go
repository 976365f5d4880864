package tokenizer

import (
	"errors"
	"math/rand"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

func TestStreamDecoder(t *testing.T) {
	tok := defaultTokenizer(t)
	by := func(bs ...byte) []int32 {
		ids := make([]int32, len(bs))
		for i, b := range bs {
			ids[i] = tok.Vocab().ByteID(b)
		}
		return ids
	}
	a := tok.Encode("a")
	for _, tc := range []struct {
		name  string
		adds  [][]int32
		want  []string // what each Add returns
		flush string
	}{
		{"character over four byte pieces", [][]int32{by(0xF0), by(0x9F), by(0x98), by(0x80)}, []string{"", "", "", "😀"}, ""},
		{"two at once", [][]int32{by(0xF0, 0x9F), by(0x98, 0x80, 'x')}, []string{"", "😀x"}, ""},
		{"unfinished, then a piece", [][]int32{by(0xF0, 0x9F), a}, []string{"", "\uFFFD\uFFFDa"}, ""},
		{"unfinished at the end", [][]int32{by('x', 0xE4, 0xB8)}, []string{"x"}, "\uFFFD\uFFFD"},
		{"never valid", [][]int32{by(0xFF), by(0x80)}, []string{"\uFFFD", "\uFFFD"}, ""},
		{"broken by a byte", [][]int32{by(0xE4, 0xB8), by('A')}, []string{"", "\uFFFD\uFFFDA"}, ""},
		{"broken by a control piece", [][]int32{by(0xE4), {tok.BOS()}, a}, []string{"", "\uFFFD", "a"}, ""},
		{"unknown piece", [][]int32{{tok.Unk()}}, []string{" ⁇ "}, ""},
		{"nothing", [][]int32{{}}, []string{""}, ""},
	} {
		d := tok.NewStreamDecoder()
		var all []int32
		for i, ids := range tc.adds {
			all = append(all, ids...)
			got, err := d.Add(ids...)
			if err != nil || got != tc.want[i] {
				t.Errorf("%s: Add %d = %q, %v; want %q", tc.name, i, got, err, tc.want[i])
			}
		}
		if got := d.Flush(); got != tc.flush {
			t.Errorf("%s: Flush = %q, want %q", tc.name, got, tc.flush)
		}
		if want, _ := tok.Decode(all); strings.Join(tc.want, "")+tc.flush != want {
			t.Errorf("%s: the case disagrees with Decode: %q", tc.name, want)
		}
	}
}

func TestStreamDecoderBadID(t *testing.T) {
	tok := defaultTokenizer(t)
	d := tok.NewStreamDecoder()
	if got, _ := d.Add(tok.Vocab().ByteID(0xC3)); got != "" {
		t.Fatalf("Add = %q", got)
	}
	_, err := d.Add(tok.Encode("a")[0], -1)
	var ie *IDError
	if !errors.As(err, &ie) || ie.Index != 1 || ie.ID != -1 {
		t.Fatalf("error %v, want an *IDError at index 1", err)
	}
	// The failed call left the pending byte alone.
	if got, err := d.Add(tok.Vocab().ByteID(0xA9)); got != "é" || err != nil {
		t.Errorf("after the error: %q, %v", got, err)
	}
	var zero StreamDecoder
	if _, err := zero.Add(1); err == nil {
		t.Error("the zero StreamDecoder: no error")
	}
	// Flush readies the decoder for a new sequence.
	d.Add(tok.Vocab().ByteID(0xC3))
	d.Flush()
	if got, _ := d.Add(tok.Encode("ok")...); got != "ok" {
		t.Errorf("after Flush: %q", got)
	}
}

// checkStream feeds ids to a StreamDecoder in chunks of random sizes and
// checks that the texts it returns add up to Decode(ids).
func checkStream(t *testing.T, tok *Tokenizer, ids []int32, rng *rand.Rand) {
	t.Helper()
	want, err := tok.Decode(ids)
	if err != nil {
		t.Fatal(err)
	}
	d := tok.NewStreamDecoder()
	var b strings.Builder
	for rest := ids; len(rest) > 0; {
		n := min(len(rest), rng.Intn(4))
		s, err := d.Add(rest[:n]...)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(s)
		rest = rest[n:]
	}
	b.WriteString(d.Flush())
	if got := b.String(); got != want {
		t.Fatalf("streamed %q, Decode gives %q", got, want)
	}
}

// TestStreamDecoderCorpus streams the ids of every corpus file, and random
// ids rich in byte pieces.
func TestStreamDecoderCorpus(t *testing.T) {
	tok := defaultTokenizer(t)
	rng := rand.New(rand.NewSource(2))
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkStream(t, tok, tok.Encode(capText(string(data), 64<<10)), rng)
	}
	for range 200 {
		checkStream(t, tok, fuzzIDs(tok, randBytes(rng, 300)), rng)
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, rng.Intn(n))
	rng.Read(b)
	return b
}

// fuzzIDs turns bytes into ids, most of them byte pieces (of UTF-8 lead,
// continuation and invalid bytes alike), the rest control, unknown,
// user-defined and normal pieces.
func fuzzIDs(tok *Tokenizer, data []byte) []int32 {
	var ids []int32
	for i := 0; i+1 < len(data); i += 2 {
		k, x := data[i], data[i+1]
		switch {
		case k < 160:
			ids = append(ids, tok.Vocab().ByteID(x))
		case k < 170:
			ids = append(ids, int32(x%8)) // control, unknown, <mask>...
		case k < 180:
			ids = append(ids, 106+int32(x%64)) // turns, newline and space runs
		default:
			ids = append(ids, int32(k)<<8|int32(x))
		}
	}
	return ids
}

// FuzzStreamDecoder checks that streamed text adds up to Decode's.
func FuzzStreamDecoder(f *testing.F) {
	tok := defaultTokenizer(f)
	f.Add([]byte{0, 0xF0, 0, 0x9F, 0, 0x98, 0, 0x80}, int64(1))
	f.Add([]byte{0, 0xE4, 165, 2, 0, 0xB8, 200, 1}, int64(2))
	f.Add([]byte("some ordinary bytes"), int64(3))
	f.Fuzz(func(t *testing.T, data []byte, seed int64) {
		checkStream(t, tok, fuzzIDs(tok, data), rand.New(rand.NewSource(seed)))
	})
}

// TestStreamDecoderLeadingSpace streams ids under models whose decoding
// drops the leading space of the first piece, a rule that depends on
// whether text came before.
func TestStreamDecoderLeadingSpace(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, fields := range [][]string{{"add_dummy_prefix"}, {"add_dummy_prefix", "remove_extra_whitespaces"}} {
		m := testmodel.GemmaProto(t)
		for _, f := range fields {
			testmodel.SetField(t, m, true, "normalizer_spec", f)
		}
		tok := loadModel(t, m)
		word := tok.Encode(" word  x") // ▁word ▁▁ x under these models
		for _, prefix := range [][]int32{nil, {tok.BOS()}, {tok.Unk()}, {tok.Vocab().ByteID('a')}, {tok.Vocab().ByteID(0xC3)}, tok.Encode("a")} {
			for range 20 {
				checkStream(t, tok, append(slices.Clone(prefix), word...), rng)
			}
		}
		for range 100 {
			checkStream(t, tok, fuzzIDs(tok, randBytes(rng, 40)), rng)
		}
	}
}

// TestDecodeSkipSpecial checks that SkipSpecial decodes ids as if their
// special pieces were not there, whole and as a stream, on random
// sequences of special, byte and ordinary pieces.
func TestDecodeSkipSpecial(t *testing.T) {
	tok := defaultTokenizer(t)
	special := tok.SpecialIDs()
	pool := slices.Concat(special, tok.Encode(" Hello, wörld 😀\n"),
		[]int32{tok.Vocab().ByteID(0xC3), tok.Vocab().ByteID(0xA9), tok.Vocab().ByteID(0xF0), tok.Unk()})
	if len(special) == 0 || !tok.IsSpecial(special[0]) {
		t.Fatal("no special pieces")
	}
	rnd := rand.New(rand.NewSource(1))
	opts := DecodeOptions{SkipSpecial: true}
	for range 2000 {
		ids := make([]int32, rnd.Intn(12))
		for i := range ids {
			ids[i] = pool[rnd.Intn(len(pool))]
		}
		want, err := tok.Decode(slices.DeleteFunc(slices.Clone(ids), tok.IsSpecial))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := tok.DecodeWith(ids, opts); got != want || err != nil {
			t.Fatalf("DecodeWith(%v) = %q, %v; want %q", ids, got, err, want)
		}
		d := tok.NewStreamDecoderWith(opts)
		var b strings.Builder
		for _, id := range ids {
			text, err := d.Add(id)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(text)
		}
		if b.WriteString(d.Flush()); b.String() != want {
			t.Fatalf("a StreamDecoder skipping special pieces on %v gives %q, want %q", ids, b.String(), want)
		}
	}
	// Without the option, a special piece reads as its text.
	eot, _ := tok.Vocab().ID("<end_of_turn>")
	if got, _ := tok.DecodeWith([]int32{eot}, DecodeOptions{}); got != "<end_of_turn>" {
		t.Errorf("DecodeWith(<end_of_turn>) = %q", got)
	}
}
