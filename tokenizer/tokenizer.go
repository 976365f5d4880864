package tokenizer

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/normalize"
	"github.com/gemmatok/gemmatok/vocab"
)

// Tokenizer encodes and decodes text with one SentencePiece model.
type Tokenizer struct {
	v          *vocab.Vocab
	norm       *normalize.Normalizer
	denorm     *normalize.Normalizer // applied to decoded text, or nil
	model      model
	rules      *pieceRules // SentencePiece's: every user-defined piece is matched
	unkSurface string
	cut        *cutRules
	special    *specialSet
	scratch    *scratchPool
}

// New builds a Tokenizer for a vocabulary. It fails for model types and
// normalizers this package does not implement yet, and for a nil v.
func New(v *vocab.Vocab) (*Tokenizer, error) {
	if v == nil {
		return nil, errors.New("tokenizer: New of a nil vocabulary")
	}
	tr := v.Trainer()
	m, err := newModel(v)
	if err != nil {
		return nil, err
	}
	ud := make([]string, 0, len(v.UserDefined()))
	for _, id := range v.UserDefined() {
		ud = append(ud, v.Piece(id))
	}
	um := matcher.New(ud)
	norm, err := normalize.New(v.Normalizer(), tr.TreatWhitespaceAsSuffix, um)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	t := &Tokenizer{v: v, norm: norm, model: m, unkSurface: tr.UnkSurface, special: &specialSet{}}
	// SentencePieceProcessor builds its denormalizer from the spec alone:
	// no user-defined pieces, whitespace as a prefix.
	if ds := v.Denormalizer(); ds != nil {
		if t.denorm, err = normalize.New(*ds, false, nil); err != nil {
			return nil, fmt.Errorf("tokenizer: denormalizer: %w", err)
		}
	}
	t.rules = t.newRules(um, nil)
	t.scratch = new(scratchPool)
	t.cut = newCutRules(t)
	if err := t.selfTest(); err != nil {
		return nil, err
	}
	return t, nil
}

// selfTest runs the samples a model may carry, as SentencePiece does when
// it loads one.
func (t *Tokenizer) selfTest() error {
	for _, s := range t.v.SelfTests() {
		if got := strings.Join(t.EncodePieces(s.Input), " "); got != s.Expected {
			return fmt.Errorf("tokenizer: model self-test failed for %q: got %q, want %q", s.Input, got, s.Expected)
		}
	}
	return nil
}

// Load reads a SentencePiece model proto from r and builds a Tokenizer.
func Load(r io.Reader) (*Tokenizer, error) {
	v, err := vocab.Load(r)
	if err != nil {
		return nil, err
	}
	return New(v)
}

// LoadFile reads a SentencePiece model proto (a tokenizer.model file).
func LoadFile(path string) (*Tokenizer, error) {
	v, err := vocab.LoadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := New(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Default returns the Tokenizer of the embedded Gemma model (256,000
// pieces). It is built once and shared.
func Default() (*Tokenizer, error) { return Builtin("gemma2") }

// Vocab returns the vocabulary the Tokenizer uses.
func (t *Tokenizer) Vocab() *vocab.Vocab { return t.v }

// VocabSize returns the number of pieces in the vocabulary.
func (t *Tokenizer) VocabSize() int { return t.v.Size() }

// PieceToID returns the id of piece. When the vocabulary lacks it, it
// returns the unknown id and false, as SentencePiece's PieceToId does.
func (t *Tokenizer) PieceToID(piece string) (int32, bool) { return t.v.ID(piece) }

// IDToPiece returns the piece of id, or "" when id is not in the vocabulary.
func (t *Tokenizer) IDToPiece(id int32) string { return t.v.Piece(id) }

// BOS returns the id of the beginning-of-sequence piece, or -1.
func (t *Tokenizer) BOS() int32 { return t.v.BOS() }

// EOS returns the id of the end-of-sequence piece, or -1.
func (t *Tokenizer) EOS() int32 { return t.v.EOS() }

// Pad returns the id of the padding piece, or -1.
func (t *Tokenizer) Pad() int32 { return t.v.Pad() }

// Unk returns the id of the unknown piece.
func (t *Tokenizer) Unk() int32 { return t.v.Unk() }
