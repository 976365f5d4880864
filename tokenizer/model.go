package tokenizer

import (
	"fmt"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// model is a segmentation model as the processor sees it, SentencePiece's
// ModelInterface: it segments normalized text into pieces, each an id and
// a length in normalized bytes (an unknown span carrying the unknown id),
// and hands them to the processor's sink, which applies byte fallback and
// joins unknown runs. Optional capabilities, such as n-best or sampling,
// are further interfaces that a model may satisfy, found by type
// assertion as the C++'s IsNBestEncodeAvailable finds them.
type model interface {
	// NewRules returns the model's rules for one way of encoding: the
	// user-defined pieces that m finds are pieces, and, when banned is not
	// nil, no piece id with banned[id] comes out of text (the special
	// pieces under SpecialText).
	NewRules(m *matcher.Matcher, banned []bool) seg.Rules
	// NewScratch returns buffers for one encoding at a time.
	NewScratch() seg.Scratch
	// Encode segments the normalized text s under rules r, with the
	// buffers sc, into out.
	Encode(sc seg.Scratch, s []byte, r seg.Rules, out *seg.Sink)
	// Cuts returns where the model's output decomposes, or an error that
	// says why it never does.
	Cuts() (seg.Cuts, error)
}

// models holds how to build the model of each type the processor knows:
// the file of each type's adapter (model_bpe.go, model_unigram.go, ...)
// registers it, so that a new type adds a file, not a branch.
var models = map[vocab.ModelType]func(*vocab.Vocab) (model, error){}

// newModel returns the model of v.
func newModel(v *vocab.Vocab) (model, error) {
	typ := v.Trainer().Model
	build, ok := models[typ]
	if !ok {
		return nil, fmt.Errorf("tokenizer: model type %v is not supported", typ)
	}
	return build(v)
}

// pieceRules is one way of encoding: the user-defined pieces that are
// found in text, and the model's rules that go with them. SentencePiece
// has one; encoding special pieces as plain text uses another.
type pieceRules struct {
	matcher *matcher.Matcher
	model   seg.Rules
}

// newRules returns the rules of t's model for the user-defined pieces m
// finds and the pieces banned (nil for none).
func (t *Tokenizer) newRules(m *matcher.Matcher, banned []bool) *pieceRules {
	return &pieceRules{matcher: m, model: t.model.NewRules(m, banned)}
}
