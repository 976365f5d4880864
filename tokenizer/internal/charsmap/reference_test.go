package charsmap

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// This file holds the tests' reference: a Map decompiled into a dictionary
// (a different walk of the trie from Prefix's, checked against
// spm_normalize --decompile), a brute-force longest match over it, and the
// whole of normalizer.cc's Normalize (whitespace rules included) on top of
// any prefix function, to compare with spm_normalize.

// dict is a decompiled charsmap: every key with its replacement.
type dict struct {
	rules  map[string]string
	maxKey int // length in bytes of the longest key
}

// decompile enumerates the keys of m's trie depth first, as
// builder.cc's DecompileCharsMap does: at each node, every byte whose child
// unit carries that byte as its label is an edge.
func decompile(t testing.TB, m *Map) dict {
	t.Helper()
	d := dict{rules: map[string]string{}}
	if len(m.units) == 0 {
		return d
	}
	var key []byte
	var walk func(base uint32)
	walk = func(base uint32) {
		if len(key) > 64 {
			t.Fatalf("decompile: key %q longer than any rule", key)
		}
		for c := 0; c < 256; c++ {
			p := base ^ uint32(c)
			if p >= uint32(len(m.units)) || label(m.units[p]) != uint32(c) {
				continue
			}
			u := m.units[p]
			child := p ^ offset(u)
			key = append(key, byte(c))
			if u&leafBit != 0 {
				d.rules[string(key)] = m.replacement(m.units[child] &^ valueBit)
				d.maxKey = max(d.maxKey, len(key))
			}
			walk(child)
			key = key[:len(key)-1]
		}
	}
	walk(offset(m.units[0]))
	return d
}

// prefix is the brute-force Prefix: try every length, longest first.
func (d dict) prefix(in string) (string, int) {
	for l := min(len(in), d.maxKey); l > 0; l-- {
		if r, ok := d.rules[in[:l]]; ok {
			return r, l
		}
	}
	r, size := utf8.DecodeRuneInString(in)
	if r == utf8.RuneError && size == 1 {
		return "\uFFFD", 1
	}
	return in[:size], size
}

// spec is the part of a NormalizerSpec (and TrainerSpec) that Normalize
// reads besides the charsmap.
type spec struct {
	addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces, suffix bool
}

// normalize is normalizer.cc's Normalizer::Normalize without a
// user-defined-piece matcher, over the prefix function next. It is the
// reference the integrated normalizer answers to; here it lets
// spm_normalize check Prefix with every whitespace setting.
func normalize(next func(string) (string, int), sp spec, in string) string {
	if in == "" {
		return ""
	}
	if sp.removeExtraWhitespaces {
		for in != "" {
			s, n := next(in)
			if s != " " {
				break
			}
			in = in[n:]
		}
	}
	if in == "" {
		return ""
	}
	space := " "
	if sp.escapeWhitespaces {
		space = "\u2581"
	}
	var out strings.Builder
	if sp.addDummyPrefix && !sp.suffix {
		out.WriteString(space)
	}
	prevSpace := sp.removeExtraWhitespaces
	for in != "" {
		s, n := next(in)
		for prevSpace && strings.HasPrefix(s, " ") {
			s = s[1:]
		}
		if s != "" {
			if sp.escapeWhitespaces {
				out.WriteString(strings.ReplaceAll(s, " ", space))
			} else {
				out.WriteString(s)
			}
			prevSpace = strings.HasSuffix(s, " ")
		}
		in = in[n:]
		if !sp.removeExtraWhitespaces {
			prevSpace = false
		}
	}
	res := out.String()
	if sp.removeExtraWhitespaces {
		for strings.HasSuffix(res, space) {
			res = res[:len(res)-len(space)]
		}
	}
	if sp.addDummyPrefix && sp.suffix {
		res += space
	}
	return res
}

// apply is Prefix over the whole of in, with Apply's shortcuts: the plain
// concatenation when no whitespace rule applies.
func (r *Runs) apply(in string) string {
	return string(r.appendApply(nil, in))
}

// appendApply appends apply's result to dst, taking the steps Apply leaves
// (at a byte that starts no character) with Prefix.
func (r *Runs) appendApply(dst []byte, in string) []byte {
	out := Run{Dst: dst}
	for in != "" {
		if n := r.Apply(&out, in); n > 0 {
			in = in[n:]
			continue
		}
		s, n := r.m.Prefix(in)
		out.Dst = append(out.Dst, s...)
		in = in[n:]
	}
	return out.Dst
}

// modelSpec is what a .model file says about its normalizer.
type modelSpec struct {
	charsmap, denormCharsmap []byte
	spec
}

// readModel reads the normalizer and denormalizer specs and
// treat_whitespace_as_suffix of a SentencePiece .model file with a minimal
// protobuf walk, which keeps this package free of the model reader.
func readModel(t testing.TB, path string) modelSpec {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ms := modelSpec{spec: spec{addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true}}
	err = walkProto(b, func(field int, v uint64, data []byte) error {
		switch field {
		case 2: // trainer_spec
			return walkProto(data, func(f int, v uint64, _ []byte) error {
				if f == 24 { // treat_whitespace_as_suffix
					ms.suffix = v != 0
				}
				return nil
			})
		case 3: // normalizer_spec
			return walkProto(data, func(f int, v uint64, data []byte) error {
				switch f {
				case 2:
					ms.charsmap = data
				case 3:
					ms.addDummyPrefix = v != 0
				case 4:
					ms.removeExtraWhitespaces = v != 0
				case 5:
					ms.escapeWhitespaces = v != 0
				}
				return nil
			})
		case 5: // denormalizer_spec
			return walkProto(data, func(f int, _ uint64, data []byte) error {
				if f == 2 {
					ms.denormCharsmap = data
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ms
}

// walkProto calls fn with each field of a protobuf message: its number and
// either its varint value or its bytes.
func walkProto(b []byte, fn func(field int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return fmt.Errorf("bad field key")
		}
		b = b[n:]
		var v uint64
		var data []byte
		switch key & 7 {
		case 0:
			v, n = binary.Uvarint(b)
			if n <= 0 {
				return fmt.Errorf("bad varint")
			}
			b = b[n:]
		case 1, 5:
			w := 8
			if key&7 == 5 {
				w = 4
			}
			if len(b) < w {
				return fmt.Errorf("short fixed field")
			}
			b = b[w:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return fmt.Errorf("bad length")
			}
			data, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return fmt.Errorf("wire type %d", key&7)
		}
		if err := fn(int(key>>3), v, data); err != nil {
			return err
		}
	}
	return nil
}

const (
	modelsDir = "../../../testdata/models"
	corpusDir = "../../../testdata/corpus"
)

// corpusFiles returns every corpus and adversarial file, in a fixed order.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.txt", "adversarial/*"} {
		m, err := filepath.Glob(filepath.Join(corpusDir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no corpus files")
	}
	return files
}

// readCorpus returns the text of a corpus file; with limit > 0, only its
// first limit bytes (the checks that visit every byte offset of the text
// with a brute-force reference use a sample, to stay fast).
func readCorpus(t testing.TB, path string, limit int) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if limit > 0 && len(b) > limit {
		b = b[:limit]
	}
	return string(b)
}

// sampleBytes is how much of each file the brute-force checks visit.
const sampleBytes = 16 << 10

// mustNew reads the charsmap of a committed model.
func mustNew(t testing.TB, model string) *Map {
	t.Helper()
	m, err := New(readModel(t, filepath.Join(modelsDir, model)).charsmap)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var (
	dictMu    sync.Mutex
	dictCache = map[string]dict{}
)

// modelDict returns the Map of a committed model and its decompiled
// dictionary, decompiled once per test binary (it takes a while).
func modelDict(t testing.TB, model string) (*Map, dict) {
	t.Helper()
	m := mustNew(t, model)
	dictMu.Lock()
	defer dictMu.Unlock()
	d, ok := dictCache[model]
	if !ok {
		d = decompile(t, m)
		dictCache[model] = d
	}
	return m, d
}
