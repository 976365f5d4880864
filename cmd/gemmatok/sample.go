package main

import (
	"bufio"
	"cmp"
	"errors"
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
	seed   seedFlag
}

// seedFlag is --seed: a seed given, 0 as any other, or none, for a random
// one. A 0 that meant random surprised users who reran --seed 0 for the
// same draw.
type seedFlag struct {
	n   uint64
	set bool
}

func (f *seedFlag) String() string {
	if !f.set {
		return "" // no default to show: the help says random
	}
	return strconv.FormatUint(f.n, 10)
}

func (f *seedFlag) Set(s string) error {
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return errors.New("want a whole number from 0 to 2^64-1")
	}
	f.n, f.set = n, true
	return nil
}

func (f *seedFlag) Type() string { return "S" }

const sampleHelp = `--nbest N prints the N best segmentations of a Unigram model instead, best
first, one a line, each after its score and a tab. --sample prints one
segmentation drawn at random (subword regularization): for a Unigram model
with probability proportional to exp(alpha*score), among the --nbest best
(or among all when --nbest is not given); for a BPE model with BPE-dropout,
--alpha being the probability of dropping a merge. --seed S makes the draw
reproducible, for any S, 0 included; without it every run draws anew. Both
read the whole input as one text, of at most --max-run bytes, and print ids
or pieces, with --bos and --eos around each line's. They encode special
pieces as SentencePiece does: --special reject fails on a text that spells
one, writing nothing, and --special text is refused.`

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
	// line writes a segmentation: its ids, or its pieces when it has them
	// (an unknown run as its normalized text, which the ids do not tell),
	// between BOS and EOS when f asks for them.
	line := func(ids []int32, pieces []string) {
		sep := ""
		word := func(s string) {
			w.WriteString(sep)
			w.WriteString(s)
			sep = " "
		}
		id := func(id int32) {
			if f.format == "ids" {
				word(strconv.Itoa(int(id)))
			} else {
				word(fm.show(id))
			}
		}
		if f.bos {
			id(tok.BOS())
		}
		if pieces == nil {
			for _, x := range ids {
				id(x)
			}
		}
		for _, p := range pieces {
			word(pieceText(p))
		}
		if f.eos {
			id(tok.EOS())
		}
		w.WriteByte('\n')
	}
	if f.seg.sample {
		opts := tokenizer.SampleOptions{Alpha: float32(f.seg.alpha), NBestSize: -1}
		if f.seg.nbest > 0 {
			opts.NBestSize = f.seg.nbest
		}
		seed := f.seg.seed.n
		if !f.seg.seed.set {
			seed = rand.Uint64()
		}
		rng := rand.New(rand.NewPCG(seed, seed))
		var ids []int32
		var pieces []string
		if f.format == "pieces" {
			pieces, err = tok.SampleEncodePieces(text, opts, rng)
		} else {
			ids, err = tok.SampleEncode(text, opts, rng)
		}
		if err != nil {
			return err
		}
		line(ids, pieces)
		return nil
	}
	nbest := tok.EncodeNBest
	if f.format == "pieces" {
		nbest = tok.EncodeNBestPieces
	}
	segs, err := nbest(text, f.seg.nbest)
	if err != nil {
		return err
	}
	for _, s := range segs {
		fmt.Fprintf(w, "%g\t", s.Score)
		line(s.IDs, s.Pieces)
	}
	return nil
}
