package main

import (
	"bufio"
	"cmp"
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
reproducible. Both read the whole input as one text, of at most --max-run
bytes, and print ids or pieces, with --bos and --eos around each line's.
They encode special pieces as SentencePiece does: --special reject fails on
a text that spells one, writing nothing, and --special text is refused.`

// encodeSegmentations writes the n-best or sampled segmentations of the
// text in r, as f says, in f.format (ids or pieces).
func encodeSegmentations(tok *tokenizer.Tokenizer, r io.Reader, f *encodeFlags, w *bufio.Writer) error {
	// The whole text is one lattice: bound it as a run without a cut.
	maxRun := cmp.Or(int64(f.maxRun), defaultMaxRun)
	data, err := io.ReadAll(io.LimitReader(r, maxRun+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > maxRun {
		return longRunError{maxRun}
	}
	text := string(data)
	// CountWith fails as encode would: on a special piece under reject, or
	// on a BOS or EOS that the model lacks.
	if _, err := tok.CountWith(text, tokenizer.EncodeOptions{AddBOS: f.bos, AddEOS: f.eos, Special: f.special.mode()}); err != nil {
		return atOffset(err, 0)
	}
	fm := &formatter{tok: tok, format: f.format}
	line := func(ids []int32) {
		if f.bos {
			ids = append([]int32{tok.BOS()}, ids...)
		}
		if f.eos {
			ids = append(ids, tok.EOS())
		}
		for i, id := range ids {
			if i > 0 {
				w.WriteByte(' ')
			}
			if f.format == "ids" {
				w.WriteString(strconv.Itoa(int(id)))
			} else {
				w.WriteString(fm.show(id))
			}
		}
		w.WriteByte('\n')
	}
	if f.seg.sample {
		opts := tokenizer.SampleOptions{Alpha: float32(f.seg.alpha), NBestSize: -1}
		if f.seg.nbest > 0 {
			opts.NBestSize = f.seg.nbest
		}
		seed := f.seg.seed
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
	segs, err := tok.EncodeNBest(text, f.seg.nbest)
	if err != nil {
		return err
	}
	for _, s := range segs {
		fmt.Fprintf(w, "%g\t", s.Score)
		line(s.IDs)
	}
	return nil
}
