package tokenizer

import (
	"os"
	"testing"
	"unicode/utf8"

	gosp "github.com/eliben/go-sentencepiece"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

// TestGoSentencepiece compares Encode with go-sentencepiece, the second
// oracle, linked into the same process: that it links at all is part of the
// test, since both register a SentencePiece model schema with protobuf.
// go-sentencepiece handles valid UTF-8 text only, so the texts are the valid
// lines of the corpus, up to 16 KiB a file (it is slow).
func TestGoSentencepiece(t *testing.T) {
	ref, err := gosp.NewProcessorFromPath("../vocab/gemma2.model")
	if err != nil {
		t.Fatal(err)
	}
	tok := defaultTokenizer(t)
	compared := 0
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data[:min(len(data), 16<<10)])
		if !utf8.ValidString(text) {
			continue
		}
		want := ref.Encode(text)
		got := tok.Encode(text)
		same := len(got) == len(want)
		for i := 0; same && i < len(got); i++ {
			same = int(got[i]) == want[i].ID
		}
		if !same {
			t.Errorf("%s: ids differ from go-sentencepiece's (%d and %d tokens)", testmodel.CorpusName(path), len(got), len(want))
		}
		compared++
	}
	if compared < 20 {
		t.Errorf("compared %d files, want at least 20", compared)
	}
}
