package tokenizer

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
)

// corpusLines returns up to n lines of each corpus file.
func corpusLines(t testing.TB, n int) []string {
	t.Helper()
	var lines []string
	for _, path := range testmodel.CorpusFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ls := strings.Split(capText(string(data), 16<<10), "\n")
		lines = append(lines, ls[:min(n, len(ls))]...)
	}
	return lines
}

func TestEncodeBatch(t *testing.T) {
	tok := defaultTokenizer(t)
	texts := corpusLines(t, 100)
	opts := EncodeOptions{AddBOS: true, Special: SpecialText}
	for _, workers := range []int{0, 1, 3, 1000} {
		got, err := tok.EncodeBatch(texts, opts, workers)
		if err != nil || len(got) != len(texts) {
			t.Fatalf("workers %d: %d results, %v", workers, len(got), err)
		}
		for i, text := range texts {
			if want, _ := tok.EncodeWith(text, opts); !slices.Equal(got[i], want) {
				t.Fatalf("workers %d: text %d differs", workers, i)
			}
		}
	}
	if got, err := tok.EncodeBatch(nil, EncodeOptions{}, 4); err != nil || len(got) != 0 {
		t.Errorf("empty batch: %v, %v", got, err)
	}
	bad := []string{"fine", "<end_of_turn>", "fine", "<bos>"}
	_, err := tok.EncodeBatch(bad, EncodeOptions{Special: SpecialReject}, 2)
	var se *SpecialError
	if !errors.As(err, &se) || se.Piece != "<end_of_turn>" || !strings.Contains(err.Error(), "text 1") {
		t.Errorf("error %v, want text 1's *SpecialError", err)
	}
}

// TestConcurrentInference shares one new Tokenizer, whose special set is
// built lazily, among goroutines that use every part of the inference API
// at once; run it with -race.
func TestConcurrentInference(t *testing.T) {
	ref := defaultTokenizer(t)
	tok, err := New(ref.Vocab())
	if err != nil {
		t.Fatal(err)
	}
	texts := corpusLines(t, 20)
	chats := corpusChats(t, 1)
	type result struct {
		ids, text, offs, stream, chat, trunc string
	}
	// do computes every result for text i; the reference Tokenizer gives the
	// expected ones.
	do := func(tk *Tokenizer, i int) result {
		text := texts[i%len(texts)]
		c := chats[i%len(chats)]
		ids, _ := tk.EncodeWith(text, EncodeOptions{Special: SpecialText, AddEOS: true})
		d := tk.NewStreamDecoder()
		var streamed strings.Builder
		for _, id := range ids {
			s, _ := d.Add(id)
			streamed.WriteString(s)
		}
		streamed.WriteString(d.Flush())
		chat, chatErr := tk.EncodeChat(c.msgs, c.opts)
		return result{
			ids:    fmt.Sprint(ids),
			text:   fmt.Sprint(tk.SpecialIDs()),
			offs:   fmt.Sprint(tk.EncodeOffsets(text)),
			stream: streamed.String(),
			chat:   fmt.Sprint(chat, chatErr),
			trunc:  tk.TruncateStart(text, 5),
		}
	}
	const n = 64
	want := make([]result, n)
	for i := range want {
		want[i] = do(ref, i)
	}
	got := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i] = do(tok, i) })
	}
	wg.Wait()
	for i := range n {
		if got[i] != want[i] {
			t.Errorf("goroutine %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
