package tokenizer

import (
	"errors"
	"fmt"

	"github.com/gemmatok/gemmatok/tokenizer/internal/normalize"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// EncodeOptions are the choices of EncodeWith and the other ...With
// methods. The zero value encodes as Encode does.
type EncodeOptions struct {
	AddBOS  bool        // start with the BOS id, like SentencePiece's add_bos
	AddEOS  bool        // end with the EOS id, like SentencePiece's add_eos
	Special SpecialMode // how to treat special pieces spelled in the text

	// AfterCut and BeforeCut say that the text is a part of a longer one,
	// cut where SafeCutWith allows: it starts at a cut (it is not the
	// first part) or ends at one (it is not the last). The normalizer's
	// rules for the start and the end of a text, such as a dummy prefix,
	// then apply only where the whole text starts and ends.
	AfterCut, BeforeCut bool

	// Carry, when not nil, carries what a model needs of the parts of a
	// text before this one, encoded in order with the same Carry from its
	// zero value on: a Unigram model's path score (see Carry). EncodeWith,
	// AppendEncodeWith, CountWith and EncodeOffsetsWith read and update it;
	// for a model that needs none it changes nothing.
	Carry *Carry
}

// part returns where the text lies in a longer one, as opts says.
func (o EncodeOptions) part() normalize.Part {
	p := normalize.Whole
	if o.AfterCut {
		p |= normalize.AfterCut
	}
	if o.BeforeCut {
		p |= normalize.BeforeCut
	}
	return p
}

var (
	errNoBOS = errors.New("tokenizer: the vocabulary has no BOS piece")
	errNoEOS = errors.New("tokenizer: the vocabulary has no EOS piece")
)

// EncodeWith returns the token ids of text under opts. Its only errors are
// a *SpecialError under SpecialReject and a BOS or EOS the vocabulary
// lacks.
func (t *Tokenizer) EncodeWith(text string, opts EncodeOptions) ([]int32, error) {
	return t.AppendEncodeWith(nil, text, opts)
}

// AppendEncodeWith appends the token ids of text under opts to dst and
// returns the extended slice; see EncodeWith. On error dst is returned
// unchanged.
func (t *Tokenizer) AppendEncodeWith(dst []int32, text string, opts EncodeOptions) ([]int32, error) {
	r, err := t.rulesFor(text, opts)
	if err != nil {
		return dst, err
	}
	if opts.AddBOS {
		dst = append(dst, t.v.BOS())
	}
	sc := t.getScratch()
	t.runWith(sc, text, r, seg.IDs, opts)
	dst = append(dst, sc.out.IDs...)
	t.putScratch(sc)
	if opts.AddEOS {
		dst = append(dst, t.v.EOS())
	}
	return dst, nil
}

// CountWith returns the number of tokens of text under opts,
// len(EncodeWith(text, opts)), without building a slice of ids. Its errors
// are those of EncodeWith.
func (t *Tokenizer) CountWith(text string, opts EncodeOptions) (int, error) {
	r, err := t.rulesFor(text, opts)
	if err != nil {
		return 0, err
	}
	if opts.Carry != nil {
		sc := t.getScratch()
		t.runWith(sc, text, r, seg.Count, opts)
		n := sc.out.N
		t.putScratch(sc)
		return n + opts.extra(), nil
	}
	return t.count(text, r, opts.part()) + opts.extra(), nil
}

// extra returns the number of ids that opts adds around the text's.
func (o EncodeOptions) extra() int {
	n := 0
	if o.AddBOS {
		n++
	}
	if o.AddEOS {
		n++
	}
	return n
}

// rulesFor checks text and opts and returns the piece rules to encode the
// text with.
func (t *Tokenizer) rulesFor(text string, opts EncodeOptions) (*pieceRules, error) {
	if opts.AddBOS && t.v.BOS() < 0 {
		return nil, errNoBOS
	}
	if opts.AddEOS && t.v.EOS() < 0 {
		return nil, errNoEOS
	}
	switch opts.Special {
	case SpecialPieces:
		return t.rules, nil
	case SpecialText:
		return t.specials().text, nil
	case SpecialReject:
		s := t.specials()
		if i, n := s.index(text); i >= 0 {
			return nil, &SpecialError{Piece: text[i : i+n], Offset: i}
		}
		// The text spells no special piece, so these rules encode it as
		// SentencePiece does, and guarantee no special id besides.
		return s.text, nil
	}
	return nil, fmt.Errorf("tokenizer: unknown %v", opts.Special)
}
