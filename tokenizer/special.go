package tokenizer

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/vocab"
)

// SpecialMode says how encoding treats text that spells a special piece
// (see Tokenizer.SpecialIDs), such as "<start_of_turn>" written by a user.
type SpecialMode uint8

const (
	// SpecialPieces is SentencePiece's behaviour: a user-defined piece
	// written in the text, special or not, becomes its id. Control pieces
	// such as <bos> never do; they are always text.
	SpecialPieces SpecialMode = iota
	// SpecialText treats special pieces written in the text as ordinary
	// text: no special id can come out, and decoding the ids gives the text
	// back. Use it for untrusted text.
	//
	// A special piece that is a normal piece of the vocabulary (see
	// WithSpecial) is spelled by other pieces: a Unigram model takes the
	// best segmentation without it; a BPE model still merges it and then
	// spells it as the pair it was made of, recursively, as SentencePiece
	// spells an unused piece. A special piece of one character comes out as
	// an unknown character does: as byte pieces under byte fallback, else as
	// the unknown id, which decodes to the unknown surface, not the text.
	SpecialText
	// SpecialReject makes text that contains a special piece an error, a
	// *SpecialError, as tiktoken does by default.
	SpecialReject
)

func (m SpecialMode) String() string {
	switch m {
	case SpecialPieces:
		return "pieces"
	case SpecialText:
		return "text"
	case SpecialReject:
		return "reject"
	}
	return fmt.Sprintf("SpecialMode(%d)", m)
}

// A SpecialError reports text that spells a special piece, under
// SpecialReject.
type SpecialError struct {
	Piece  string // the special piece
	Offset int    // its byte offset in the text
}

func (e *SpecialError) Error() string {
	return fmt.Sprintf("tokenizer: text contains the special piece %q at byte %d", e.Piece, e.Offset)
}

// specialSet is a Tokenizer's set of special pieces and what encoding
// needs to treat them as text. It is built on first use: New must stay
// cheap.
type specialSet struct {
	custom bool    // ids were given to WithSpecial; else the vocabulary's default
	ids    []int32 // sorted

	once sync.Once
	is   []bool           // by id; also the ids merges may not produce
	find *matcher.Matcher // the special pieces' texts
	text *pieceRules      // SentencePiece's rules minus the special pieces
	// afterLF is cutRules.afterLF for text rules, whose newline may be
	// special and so no longer cut out.
	afterLF bool
}

// specials returns t's special set, built.
func (t *Tokenizer) specials() *specialSet {
	s := t.special
	s.once.Do(func() { s.build(t) })
	return s
}

func (s *specialSet) build(t *Tokenizer) {
	v := t.v
	if !s.custom {
		s.ids = v.Special()
	}
	s.is = make([]bool, v.Size())
	texts := make([]string, 0, len(s.ids))
	for _, id := range s.ids {
		s.is[id] = true
		texts = append(texts, v.Piece(id))
	}
	// A merge that makes a piece whose text is also that of a special
	// control piece yields the control id (SentencePiece's PieceToId
	// prefers it), so that merge is banned too.
	for _, id := range s.ids {
		if other := v.Lookup(v.Piece(id)); other >= 0 {
			s.is[other] = true
		}
	}
	var plain []string
	for _, id := range v.UserDefined() {
		if !s.is[id] {
			plain = append(plain, v.Piece(id))
		}
	}
	s.find = matcher.New(texts)
	// Without the ban, BPE could still merge "<start_of_turn" and ">" into
	// the user-defined piece, since merges look pieces up by text.
	s.text = t.newRules(matcher.New(plain), s.is)
	s.afterLF = t.cut.model != nil && cutsNewline(t.cut.model, s.text.matcher)
}

// index returns the byte offset and length of the first special piece
// spelled in text, or -1 and 0.
func (s *specialSet) index(text string) (int, int) {
	for i := 0; i < len(text); i++ {
		if s.find.First[text[i]] {
			if l, _ := s.find.Match(text[i:]); l > 0 {
				return i, l
			}
		}
	}
	return -1, 0
}

// spans reports whether a special piece could span offset n of text,
// whatever follows text: whether one starts before n and runs past it.
func (s *specialSet) spans(text string, n int) bool {
	for i := max(0, n-s.find.MaxLen+1); i < n; i++ {
		if s.find.First[text[i]] && s.find.StartsLonger(text[i:n]) {
			return true
		}
	}
	return false
}

// SpecialIDs returns the ids of the special pieces, in id order: the pieces
// that SpecialText and SpecialReject keep out of encoded text. By default
// they are the vocabulary's (see vocab.Vocab.Special); WithSpecial sets
// others.
func (t *Tokenizer) SpecialIDs() []int32 {
	return slices.Clone(t.specials().ids)
}

// IsSpecial reports whether id is a special piece; see SpecialIDs.
func (t *Tokenizer) IsSpecial(id int32) bool {
	_, ok := slices.BinarySearch(t.specials().ids, id)
	return ok
}

// WithSpecial returns a Tokenizer that shares t's model but counts exactly
// the given pieces as special. Each must be a control, user-defined or
// normal piece of the vocabulary; unknown and byte pieces cannot be kept
// out of encoded text, so they are refused. Under SpecialText a BPE model
// spells a special normal piece by the pair it was last made of anywhere
// in the text, as the C++ does an unused piece, and a special piece of one
// character as an unknown character (see SpecialText): texts are then
// never cut (CanCut), and encode whole, without the word cache.
func (t *Tokenizer) WithSpecial(pieces ...string) (*Tokenizer, error) {
	ids := make([]int32, 0, len(pieces))
	for _, p := range pieces {
		id, ok := t.v.ID(p)
		if !ok {
			return nil, fmt.Errorf("tokenizer: special piece %q is not in the vocabulary", p)
		}
		if typ := t.v.Type(id); typ == vocab.Unknown || typ == vocab.Byte {
			return nil, fmt.Errorf("tokenizer: piece %q is %v and cannot be special", p, typ)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	u := &Tokenizer{v: t.v, norm: t.norm, model: t.model, rules: t.rules, unkSurface: t.unkSurface, cut: t.cut,
		special: &specialSet{custom: true, ids: slices.Compact(ids)}}
	u.scratch = new(scratchPool)
	return u, nil
}
