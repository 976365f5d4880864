package charsmap

import (
	"bytes"
	"encoding/binary"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gemmatok/gemmatok/internal/lineproc"
	"github.com/gemmatok/gemmatok/internal/pyfind"
)

// Fuzz targets. Without -fuzz they run their seeds as tests; run them with
// e.g. go test -run=^$ -fuzz=FuzzCharsMap -fuzztime=1m ./tokenizer/internal/charsmap.

// textSeeds returns text seeds: the first lines of each adversarial file,
// a line of each language, and hand-picked edge cases for the rules.
func textSeeds(f *testing.F) []string {
	var seeds []string
	for _, path := range corpusFiles(f) {
		lines := getlines(readCorpus(f, path, 8<<10))
		for _, l := range lines[:min(len(lines), 8)] {
			seeds = append(seeds, l[:min(len(l), 256)])
		}
	}
	return append(seeds, "", " ", "  a  b  ", "\t\n\r", "\u3000\u3000x", "ffi fi ff f", "---",
		"\u00AD\u200B", "1234123", "\uFF21\uFF22", "\u30AB\u3099\uFF76\uFF9E", "\u1100\u1161\u11A8",
		"\u00E9e\u0301", "\U0001F600", "\x00", "\xff\xfe", "\xe2\x96", "\xed\xa0\x80", "\xc0\xaf",
		"\uFFFD", "\u2028\u2029\u0085", "\u2581 \u2581")
}

// FuzzCharsMap reads arbitrary blobs and normalizes text with whatever
// loads: no blob may make New or a Map panic, Prefix always makes progress,
// Runs.Copy's run is one Prefix leaves as it is, and agrees with
// the walk of the trie at every character, with stops and without.
func FuzzCharsMap(f *testing.F) {
	tsv := readModel(f, filepath.Join(modelsDir, "unigram_rule_tsv.model"))
	blobs := [][]byte{tsv.charsmap, tsv.denormCharsmap, nil, {1, 0, 0, 0, 0}}
	// Damaged copies: cut short, a wrong trie size, flipped units.
	b := tsv.charsmap
	blobs = append(blobs, b[:len(b)/2], b[:5], binary.LittleEndian.AppendUint32(nil, uint32(len(b)-5)))
	for _, at := range []int{4, 8, 100, len(b) / 2, len(b) - 10} {
		c := bytes.Clone(b)
		c[at] ^= 0xFF
		blobs = append(blobs, c)
	}
	texts := textSeeds(f)
	for i, blob := range blobs {
		f.Add(blob, texts[i%len(texts)])
	}
	f.Fuzz(func(t *testing.T, blob []byte, text string) {
		m, err := New(blob)
		if err != nil {
			if m != nil {
				t.Fatalf("New returned a Map and %v", err)
			}
			return
		}
		runs, stopped := m.Runs(nil, false, false), m.Runs(&fuzzStops, false, false)
		spaces := m.Runs(&fuzzStops, true, true)
		var c quickCheck
		for i := range min(len(text), 64) {
			c.apply(t, "fuzzed", m, runs, nil, text[i:])
			c.apply(t, "fuzzed", m, stopped, &fuzzStops, text[i:])
			c.apply(t, "fuzzed", m, spaces, &fuzzStops, text[i:])
		}
	})
}

// splitChars splits s into UTF-8 characters (a malformed byte alone).
func splitChars(s string) []string {
	var cs []string
	for s != "" {
		_, n := (&Map{}).Prefix(s)
		cs, s = append(cs, s[:n]), s[n:]
	}
	return cs
}

// FuzzPrefix compares Prefix with the brute-force longest match over the
// decompiled nmt_nfkc and rule.tsv dictionaries at every byte offset.
func FuzzPrefix(f *testing.F) {
	for _, s := range textSeeds(f) {
		f.Add(s)
	}
	type pair struct {
		m *Map
		d dict
	}
	var maps []pair
	for _, model := range []string{"unigram8k_nmt_nfkc.model", "unigram_rule_tsv.model"} {
		m, d := modelDict(f, model)
		maps = append(maps, pair{m, d})
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, p := range maps {
			for i := range len(text) {
				gs, gn := p.m.Prefix(text[i:])
				ws, wn := p.d.prefix(text[i:])
				if gs != ws || gn != wn {
					t.Fatalf("Prefix(%q) = %q, %d; dictionary %q, %d", text[i:], gs, gn, ws, wn)
				}
			}
		}
	})
}

// encodeOracle is a Python process that normalizes with the C++: it spells
// the normalized text from the pieces Encode returns (the models it loads
// have no byte fallback and no user-defined pieces, so the pieces, the
// unknown ones included, are the normalized text). It speaks lineproc's
// JSON lines: {"model": I, "text": B64} -> {"text": B64}.
type encodeOracle struct{ p *lineproc.Proc }

var oracleModels = []string{"unigram8k_nmt_nfkc.model", "unigram_rule_tsv.model", "unigram_noprefix_noescape.model"}

const encodeScript = `
import base64, json, sys
import sentencepiece as spm
sps = [spm.SentencePieceProcessor(model_file=p) for p in sys.argv[1:]]
for line in sys.stdin:
    req = json.loads(line)
    pieces = sps[req["model"]].encode(base64.b64decode(req["text"]), out_type=str)
    sys.stdout.write(json.dumps({"text": base64.b64encode(b"".join(pieces)).decode()}) + "\n")
    sys.stdout.flush()
`

var (
	encodeOnce sync.Once
	encodeProc encodeOracle
	encodeErr  error
)

func startEncodeOracle() (encodeOracle, error) {
	py, err := pyfind.Python("sentencepiece")
	if err != nil {
		return encodeOracle{}, err
	}
	args := []string{"-c", encodeScript}
	for _, m := range oracleModels {
		args = append(args, filepath.Join(modelsDir, m))
	}
	p, err := lineproc.Start("normalize oracle", exec.Command(py, args...))
	return encodeOracle{p}, err
}

func (o encodeOracle) normalize(model int, text string) (string, error) {
	var res struct{ Text []byte }
	err := o.p.Call(struct {
		Model int    `json:"model"`
		Text  []byte `json:"text"`
	}{model, []byte(text)}, &res)
	return string(res.Text), err
}

// FuzzNormalizeOracle compares the whole normalization (charsmap and
// whitespace rules, with each model's flags) with the C++'s, through the
// Python binding.
func FuzzNormalizeOracle(f *testing.F) {
	for _, s := range textSeeds(f) {
		f.Add(s)
	}
	encodeOnce.Do(func() { encodeProc, encodeErr = startEncodeOracle() })
	needOracle(f, encodeErr)
	type model struct {
		m  *Map
		sp spec
	}
	var models []model
	for _, name := range oracleModels {
		ms := readModel(f, filepath.Join(modelsDir, name))
		m, err := New(ms.charsmap)
		if err != nil {
			f.Fatal(err)
		}
		models = append(models, model{m, ms.spec})
	}
	f.Fuzz(func(t *testing.T, text string) {
		for i, md := range models {
			want, err := encodeProc.normalize(i, text)
			if err != nil {
				t.Fatal(err)
			}
			if got := normalize(md.m.Prefix, md.sp, text); got != want {
				t.Fatalf("%s: normalize(%q) = %q; C++ %q", oracleModels[i], text, got, want)
			}
		}
	})
}
