package tokenizer

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/vocab"
)

// loadTestModel loads the test model at path with an oracle process of its
// own.
func loadTestModel(t *testing.T, path string) (*Tokenizer, *oracle) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return loadOracleModel(t, data)
}

// shortLines returns up to n lines of at most 120 bytes from each corpus
// file.
func shortLines(t testing.TB, n int) []string {
	_, starts := corpusTexts(t, 8<<10)
	var lines []string
	for _, nt := range starts {
		k := 0
		for _, line := range strings.Split(nt.Text, "\n") {
			if k < n && len(line) > 0 && len(line) <= 120 {
				lines = append(lines, line)
				k++
			}
		}
	}
	return lines
}

// TestOracleNBest compares EncodeNBest with the C++'s NBestEncode on every
// Unigram test model: the same segmentations in the same order with the
// same scores. Other model types must refuse.
func TestOracleNBest(t *testing.T) {
	lines := append(shortLines(t, 4), "", " ", "Hello world", "日本語のテキスト")
	for _, path := range testModels(t) {
		t.Run(modelName(path), func(t *testing.T) {
			t.Parallel()
			tok, o := loadTestModel(t, path)
			if tok.Vocab().Trainer().Model != vocab.Unigram {
				if _, err := tok.EncodeNBest("Hello", 2); !errors.Is(err, ErrNoNBest) {
					t.Errorf("EncodeNBest: %v, want ErrNoNBest", err)
				}
				return
			}
			compared := 0
			for _, n := range []int{1, 2, 10} {
				for _, line := range lines {
					var res struct {
						IDs    [][]int32
						Scores []float64
					}
					if err := o.call(map[string]any{"op": "nbest", "text": b64(line), "n": n}, &res); err != nil {
						t.Fatal(err)
					}
					got, err := tok.EncodeNBest(line, n)
					if err != nil {
						t.Fatal(err)
					}
					ok := len(got) == len(res.IDs)
					for i := 0; ok && i < len(got); i++ {
						ok = slices.Equal(got[i].IDs, res.IDs[i]) && got[i].Score == float32(res.Scores[i])
					}
					if !ok {
						t.Errorf("EncodeNBest(%q, %d) = %v, want %v with scores %v", line, n, got, res.IDs, res.Scores)
					}
					compared++
				}
			}
			t.Logf("%d n-best lists compared", compared)
		})
	}
}

// TestOracleSample draws segmentations with SampleEncode and the C++'s
// SampleEncode on every Unigram and BPE test model. Every sample must
// decode as Encode's ids do; with no randomness (BPE's alpha 0, Unigram's
// NBestSize 1) it must be Encode's; and over draws drawsPerSide a side the
// frequency of each segmentation must agree with the C++'s within five
// standard deviations of the difference of two such frequencies (plus two
// draws), a bound that a correct sampler fails by chance about once in
// three million segmentations.
func TestOracleSample(t *testing.T) {
	const drawsPerSide = 1000
	texts := []string{"Hello", "world", "tokenization", "Привет", "日本語", "the United Nations", "2024-01-01"}
	lines := shortLines(t, 2)
	for _, path := range testModels(t) {
		t.Run(modelName(path), func(t *testing.T) {
			t.Parallel()
			tok, o := loadTestModel(t, path)
			var optss []SampleOptions
			var exact SampleOptions
			switch tok.Vocab().Trainer().Model {
			case vocab.Unigram:
				optss = []SampleOptions{{Alpha: 0.5, NBestSize: -1}, {Alpha: 0.1, NBestSize: -1}, {Alpha: 0.8, NBestSize: 4}}
				exact = SampleOptions{Alpha: 0.5, NBestSize: 1}
			case vocab.BPE:
				// The binding wants an nbest_size, which BPE ignores.
				optss = []SampleOptions{{Alpha: 0.1, NBestSize: -1}, {Alpha: 0.5, NBestSize: 64}, {Alpha: 1, NBestSize: -1}}
				exact = SampleOptions{Alpha: 0}
			default:
				if _, err := tok.SampleEncode("Hello", SampleOptions{Alpha: 0.1}, rand.New(rand.NewPCG(1, 1))); !errors.Is(err, ErrNoSampling) {
					t.Errorf("SampleEncode: %v, want ErrNoSampling", err)
				}
				return
			}
			rng := rand.New(rand.NewPCG(1, 2))
			for _, line := range lines {
				got, err := tok.SampleEncode(line, exact, rng)
				if want := tok.Encode(line); err != nil || !slices.Equal(got, want) {
					t.Errorf("SampleEncode(%q, %+v) = %v, %v; want Encode's %v", line, exact, got, err, want)
				}
			}
			draws := 0
			for _, opts := range optss {
				for i, text := range append(texts, lines[:4]...) {
					want, _ := tok.Decode(tok.Encode(text))
					counts := map[string]int{}
					for range drawsPerSide {
						ids, err := tok.SampleEncode(text, opts, rng)
						if err != nil {
							t.Fatal(err)
						}
						if got, _ := tok.Decode(ids); got != want {
							t.Fatalf("SampleEncode(%q, %+v) = %v, which decodes to %q, want %q", text, opts, ids, got, want)
						}
						counts[idsKey(ids)]++
					}
					var res struct{ Counts map[string]int }
					req := map[string]any{"op": "sample", "text": b64(text), "alpha": opts.Alpha,
						"nbest_size": opts.NBestSize, "count": drawsPerSide, "seed": i + 1}
					if err := o.call(req, &res); err != nil {
						t.Fatal(err)
					}
					checkFrequencies(t, text, opts, counts, res.Counts, drawsPerSide)
					draws += drawsPerSide
				}
			}
			t.Logf("%d draws a side compared", draws)
		})
	}
}

// idsKey is how the oracle writes a segmentation: its ids joined by commas.
func idsKey(ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return strings.Join(s, ",")
}

// checkFrequencies checks that each segmentation is drawn about as often
// in got as in want, n draws each (see TestOracleSample for the bound).
func checkFrequencies(t *testing.T, text string, opts SampleOptions, got, want map[string]int, n int) {
	t.Helper()
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	for k := range keys {
		p1, p2 := float64(got[k])/float64(n), float64(want[k])/float64(n)
		p := (p1 + p2) / 2
		if bound := 5*math.Sqrt(2*p*(1-p)/float64(n)) + 2/float64(n); math.Abs(p1-p2) > bound {
			t.Errorf("SampleEncode(%q, %+v): segmentation %s drawn %d times in %d, the C++ %d times", text, opts, k, got[k], n, want[k])
		}
	}
}

// TestSampleEncodeErrors checks the bound on NBestSize, which the C++
// checks for every model type.
func TestSampleEncodeErrors(t *testing.T) {
	tok := loadModel(t, testmodel.SmallModel(t))
	if _, err := tok.SampleEncode("ab", SampleOptions{NBestSize: 513}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("SampleEncode with NBestSize 513 succeeded")
	}
}
