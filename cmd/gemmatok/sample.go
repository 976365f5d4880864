package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/gemmatok/gemmatok/tokenizer"
)

// sampleFlags are encode's options for n-best and sampled segmentations.
type sampleFlags struct {
	nbest  int
	sample bool
	alpha  float64
	seed   uint64
}

const sampleHelp = `--nbest N prints the N best segmentations of a Unigram model instead, best
first, one a line, each after its score and a tab. --sample prints one
segmentation drawn at random (subword regularization): for a Unigram model
with probability proportional to exp(alpha*score), among the --nbest best
(or among all when --nbest is not given); for a BPE model with BPE-dropout,
--alpha being the probability of dropping a merge. --seed makes the draw
reproducible. Both read the whole input as one text and print ids or pieces.`

// encodeSegmentations writes the n-best or sampled segmentations of the
// text in r, as f says, in format (ids or pieces).
func encodeSegmentations(tok *tokenizer.Tokenizer, r io.Reader, f *sampleFlags, format string, w *bufio.Writer) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	text := string(data)
	fm := &formatter{tok: tok, format: format}
	line := func(ids []int32) {
		for i, id := range ids {
			if i > 0 {
				w.WriteByte(' ')
			}
			if format == "ids" {
				w.WriteString(strconv.Itoa(int(id)))
			} else {
				w.WriteString(fm.show(id))
			}
		}
		w.WriteByte('\n')
	}
	if f.sample {
		opts := tokenizer.SampleOptions{Alpha: float32(f.alpha), NBestSize: -1}
		if f.nbest > 0 {
			opts.NBestSize = f.nbest
		}
		seed := f.seed
		if seed == 0 {
			seed = rand.Uint64()
		}
		ids, err := tok.SampleEncode(text, opts, rand.New(rand.NewPCG(seed, seed)))
		if err != nil {
			return err
		}
		line(ids)
		return nil
	}
	segs, err := tok.EncodeNBest(text, f.nbest)
	if err != nil {
		return err
	}
	for _, s := range segs {
		fmt.Fprintf(w, "%g\t", s.Score)
		line(s.IDs)
	}
	return nil
}
