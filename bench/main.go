// Command bench measures gemmatok against the references it claims to beat,
// go-sentencepiece and Google's C++ SentencePiece, and checks the speed
// targets of issue 3 (the embedded Gemma 2 model) or of issue 17 (any other
// model, the large Unigram model in particular).
//
// Usage, from the repository root:
//
//	go run ./bench [--corpus DIR] [--files REGEXP] [--model FILE] [--json] [--svg FILE] [--refs=false] [--extras=false] [--clock cpu|wall]
//	go run ./bench --from FILE.json [--json] [--svg FILE]
//
// For every language file of the corpus (the *.txt files at its top level;
// by default the copies in testdata/corpus, or ../shared/corpus for the
// full files; --files picks some by name) it times single-thread encode,
// whole text and line by line, and decode with gemmatok, and encode, whole
// text and line by line, with go-sentencepiece and with the C++
// SentencePiece (through its Python binding, when some python3 can import
// sentencepiece), all with the same model (--model, by default the
// embedded one), and checks that all produce the same ids. A reference
// that cannot load the model (go-sentencepiece loads only BPE models) is
// reported as not run, with its error. It also measures model load, memory,
// allocations, batch encode on several goroutines, pathological inputs and
// new processes (the last four unless --extras=false). It prints a
// Markdown report (JSON with --json) ending with a pass/FAIL verdict on
// every target, and with --svg draws the encode throughput as a chart.
// With --from it measures nothing and reports the JSON of an earlier run
// again, as Markdown or a chart.
//
// Every figure is the median of several runs, timed by default by the CPU
// time of the process that runs them (all its threads), so that other
// processes competing for the machine's cores disturb it little; batch
// throughput, which is about using several cores, is timed by the wall
// clock. With --clock wall all figures are. gemmatok's encode figures are
// of a fresh Tokenizer every run, so that its word cache does not already
// hold the words of the text being timed, and of a warm one (see
// encodeFile). go-sentencepiece is timed in this process too; C++
// SentencePiece in a Python child process that times encoding itself. The
// references' figures exclude model load (see refs.go). Progress goes to
// stderr.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gemmatok/gemmatok/bench/internal/refrun"
	"github.com/gemmatok/gemmatok/vocab"
)

func main() {
	corpus := flag.String("corpus", "testdata/corpus", "directory of the corpus `files` (*.txt at its top level)")
	only := flag.String("files", "", "measure only the corpus files whose names (without .txt) match the `regexp`")
	model := flag.String("model", "vocab/gemma2.model", "SentencePiece model `file` to measure; the embedded Gemma 2 is checked against issue 3's targets, any other model against issue 17's")
	extras := flag.Bool("extras", true, "also measure allocations, batch encode, pathological inputs and new processes")
	asJSON := flag.Bool("json", false, "print JSON instead of Markdown")
	svgPath := flag.String("svg", "", "also draw the encode throughput as an SVG chart into `file`")
	refs := flag.Bool("refs", true, "time the references (go-sentencepiece, C++ SentencePiece)")
	refBudget := flag.Duration("ref-budget", 8*time.Second, "time each reference at most about this long per file and mode (at least one run)")
	clk := flag.String("clock", string(cpuClock), "time by `clock`: cpu (CPU time of the timing process, steady when other processes compete for the CPUs) or wall")
	hf := flag.Bool("hf", false, "measure only Gemma 3 against Hugging Face tokenizers under Node (see hf.go)")
	hfJSON := flag.String("hf-json", "", "the tokenizer.json `file` Hugging Face loads for --hf (default: written from the built-in Gemma 3)")
	from := flag.String("from", "", "measure nothing: report what the JSON `file` of an earlier run (--json) holds")
	rssChild := flag.String(rssChildFlag, "", "internal: load the model, count the tokens of `file` and exit")
	rssRun := flag.Bool(rssRunFlag, false, "internal: run the command in the arguments, print its peak RSS and times and exit")
	coldOnly := flag.Bool("cold", false, "measure only new processes on a 4 KB file: gemmatok version, gemmatok count and spm_encode, taking turns")
	flag.Parse()
	pick, err := regexp.Compile(*only)
	if err != nil {
		fatal(fmt.Errorf("-files: %v", err))
	}

	switch {
	case *coldOnly:
		if err := reportCold(os.Stdout, *corpus, pick, *model); err != nil {
			fatal(err)
		}
		return
	case *rssRun:
		if err := runRSSGoBetween(flag.Args()); err != nil {
			fatal(err)
		}
		return
	case *rssChild != "":
		if err := runRSSChild(*rssChild, *model); err != nil {
			fatal(err)
		}
		return
	}
	switch figureClock = clock(*clk); figureClock {
	case cpuClock, wallClock:
	default:
		fatal(fmt.Errorf("-clock must be cpu or wall, not %q", *clk))
	}
	if *hf {
		if err := runHF(os.Stdout, *corpus, pick, *hfJSON); err != nil {
			fatal(err)
		}
		return
	}
	var r *Report
	if *from != "" {
		r, err = readReport(*from)
	} else {
		r, err = run(options{corpus: *corpus, files: pick, model: *model, refs: *refs, refBudget: *refBudget, extras: *extras})
	}
	if err != nil {
		fatal(err)
	}
	if *asJSON {
		err = r.writeJSON(os.Stdout)
	} else {
		err = r.writeMarkdown(os.Stdout)
	}
	if err != nil {
		fatal(err)
	}
	if *svgPath != "" {
		if err := saveSVG(*svgPath, r); err != nil {
			fatal(err)
		}
		progress("chart written to %s", *svgPath)
	}
}

// A corpusFile is one language file of the corpus.
type corpusFile struct {
	name, path, text string
}

// readCorpus reads the *.txt files at the top level of dir whose names
// (without .txt) match pick, by name.
func readCorpus(dir string, pick *regexp.Regexp) ([]corpusFile, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var files []corpusFile
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".txt")
		if !pick.MatchString(name) {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, corpusFile{name, p, string(data)})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.txt files in %s match %q", dir, pick)
	}
	return files, nil
}

// options say what run measures.
type options struct {
	corpus    string
	files     *regexp.Regexp // the corpus files to measure, by name
	model     string         // the model file
	refs      bool           // time the references
	refBudget time.Duration  // per reference, file and mode
	extras    bool           // allocations, batch, pathological inputs, new processes
}

// run measures everything and returns the report with its checks. The
// references run last, one at a time, so that nothing competes with what
// is being timed.
func run(o options) (*Report, error) {
	files, err := readCorpus(o.corpus, o.files)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(o.model)
	if err != nil {
		return nil, err
	}
	if _, err := parseModel(data); err != nil {
		return nil, fmt.Errorf("%s: %v", o.model, err)
	}
	// The embedded model's own bytes, not a copy: vocab.Parse reads them
	// in place, as Default does.
	modelData = vocab.DefaultModel()
	other := !isEmbedded(data)
	if other {
		modelData = data
	}
	r := &Report{Date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), Machine: thisMachine(), Corpus: o.corpus, Model: o.model,
		OtherModel: other, Clock: figureClock}

	progress("load and memory")
	heap := heapAfterLoad() // first, while the heap holds little else
	if r.Load, err = measureLoad(o.model); err != nil {
		return nil, err
	}
	r.Load.HeapBytes = heap
	if o.extras {
		small := prefix(files[0].text, 4<<10)
		if en, ok := findFile(files, "en"); ok {
			small = prefix(en.text, 4<<10)
		}
		r.Load.RSSTextBytes = len(small)
		if err := measureCold(&r.Load, small, o.model); err != nil {
			r.note("RSS and process time not measured: %v", err)
		}
	}

	tok := readyTokenizer()
	whole := make([]refrun.Digest, len(files))
	lines := make([]refrun.Digest, len(files))
	for i, f := range files {
		progress("gemmatok: %s", f.name)
		e := encodeFile(tok, f.text)
		fr := FileResult{Name: f.name, Bytes: len(f.text), Tokens: e.whole.Count,
			Encode: e.fresh, EncodeLines: e.freshLines, EncodeWarm: e.warm, EncodeWarmLines: e.warmLines, Decode: e.decode}
		whole[i], lines[i] = e.whole, e.lines
		for _, ref := range references {
			fr.Refs = append(fr.Refs, RefPair{Name: ref.name})
		}
		r.Files = append(r.Files, fr)
	}
	if o.extras {
		progress("allocations, batch, pathological inputs")
		r.Allocs = measureAllocs(tok, files)
		r.Batch = measureBatch(tok, makeBatch(files))
		en, _ := findFile(files, "en") // no English: empty, and not timed
		r.Patho = measurePatho(pathoInputs(files), en.text)
	} else {
		r.note("allocations, batch encode, pathological inputs and new processes not measured (--extras=false)")
	}

	if o.refs {
		for i, ref := range references {
			runRef(r, i, ref, files, whole, lines, o.model, o.refBudget)
		}
		r.note("references time encoding alone, model load excluded: go-sentencepiece in the harness's process, " +
			"C++ inside its Python process around sp.encode, so line by line includes the Python loop over lines")
	} else {
		r.note("references not run (--refs=false)")
	}
	r.Checks = checks(r)
	r.Machine.LoadEnd = loadAvg()
	return r, nil
}

// runRef times reference i on every file, noting and skipping it when it
// cannot run.
func runRef(r *Report, i int, ref reference, files []corpusFile, whole, lines []refrun.Digest, modelPath string, budget time.Duration) {
	progress("%s: %d files", ref.name, len(files))
	out, err := ref.time(modelPath, budget, files)
	if err != nil {
		r.NotRun = append(r.NotRun, RefError{ref.name, err.Error()})
		return
	}
	r.Load.Refs = append(r.Load.Refs, RefLoad{ref.name + " " + out.Version, newTiming(out.Load.Samples(), 0, 0)})
	for j, f := range files {
		p := &r.Files[j].Refs[i]
		p.Whole = result(out.Files[j].Whole, len(f.text), whole[j])
		p.Lines = result(out.Files[j].Lines, len(f.text), lines[j])
		loudIfDifferent(ref.name+", whole text", f.name, p.Whole)
		loudIfDifferent(ref.name+", line by line", f.name, p.Lines)
	}
}

func findFile(files []corpusFile, name string) (corpusFile, bool) {
	for _, f := range files {
		if f.name == name {
			return f, true
		}
	}
	return corpusFile{}, false
}

// loudIfDifferent shouts on stderr at once when a reference's ids differ
// from gemmatok's: that matters more than any speed.
func loudIfDifferent(ref, file string, res *RefResult) {
	if !res.SameIDs {
		progress("!!! MISMATCH: %s and gemmatok encode %s differently: %s", ref, file, res.Diff)
	}
}

func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

func saveSVG(path string, r *Report) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeSVG(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
