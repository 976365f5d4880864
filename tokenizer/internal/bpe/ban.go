package bpe

import (
	"errors"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/vocab"
)

// banRules returns the rules that cut out the user-defined pieces m
// matches and never let a piece id with banned[id] come out of text.
// Merges may not make a banned user-defined piece, as newRules has it; a
// banned normal piece (a special piece that WithSpecial chose) they still
// make, and the output spells it as the C++ spells an unused piece: as the
// pair it was made of, recursively (bpe_model.cc's resegment). Had merges
// not made it, its text would merge otherwise, into pieces that no model
// proto gives. A banned piece of one character, normal or user-defined,
// is made of no pair: it comes out as an unknown character does.
func (b *Model) banRules(m *matcher.Matcher, banned []bool) *Rules {
	var respell []bool
	pairs := false
	for id, ban := range banned {
		// A normal piece whose text is a control piece's yields the control
		// id (vocab.Preferred); merges may not make it.
		if ban && (b.v.Type(int32(id)) == vocab.Normal && b.v.Preferred(int32(id)) == int32(id) ||
			utf8.RuneCountInString(b.v.Piece(int32(id))) == 1) {
			if respell == nil {
				respell = make([]bool, len(banned))
			}
			respell[id] = true
			pairs = pairs || utf8.RuneCountInString(b.v.Piece(int32(id))) > 1
		}
	}
	if respell == nil {
		return b.newRules(m, banned)
	}
	merge := make([]bool, len(banned))
	for id, ban := range banned {
		merge[id] = ban && !respell[id]
	}
	r := b.newRules(m, merge)
	r.respell, r.pairsSpelled = respell, pairs
	return r
}

// resegments reports whether the output spells piece id as the pair it
// was made of: an unused piece, as in the C++, or one that r respells.
func (b *Model) resegments(id int32, r *Rules) bool {
	return id >= 0 && (b.v.Type(id) == vocab.Unused || r.respell != nil && r.respell[id])
}

var errRespell = errors.New("special normal pieces are spelled by the pair they were made of, which the C++ takes from the whole text")

// CutsErr returns why a text encoded under r is never cut, or nil: where
// r respells pieces of more than one character, each is respelled by the
// pair it was last seen made of anywhere in the text, as the C++
// resegments unused pieces. A respelled character comes out unknown
// wherever it stands, and merges as before, so it keeps every cut.
func (r *Rules) CutsErr() error {
	if r.pairsSpelled {
		return errRespell
	}
	return nil
}
