package tokenizer

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// cutRules holds what SafeCut needs to know about a model and its
// normalizer; see newCutRules.
type cutRules struct {
	err         error    // why no text is ever cut, or nil
	model       seg.Cuts // where the model's output decomposes
	beforeSpace bool     // a cut before a space that follows a non-space is safe
	afterLF     bool     // a cut after a newline that a non-newline follows is safe
	// A cut between two characters that no piece holds side by side is
	// safe, unless both are unknown and unknown pieces merge.
	unknownsMerge bool
	// pairs marks the byte pairs that occur inside some user-defined piece;
	// a cut between two such bytes could split a piece. It is set for
	// every model (TruncateStart reads it too).
	pairs [256][256]bool
}

// newCutRules works out where a text may be cut: where the normalizer
// allows it (normalize.Normalizer.CutAt) and the model's output
// decomposes (seg.Cuts). What the normalizer allows is worked out when
// first asked (CanCut): for a precompiled charsmap that walks its trie.
func newCutRules(t *Tokenizer) *cutRules {
	c := &cutRules{}
	for _, id := range t.v.UserDefined() {
		p := t.v.Piece(id)
		for i := 0; i+1 < len(p); i++ {
			c.pairs[p[i]][p[i+1]] = true
		}
	}
	c.model, c.err = t.model.Cuts()
	if c.err != nil {
		c.err = neverCut(c.err)
		return c
	}
	// Before U+2581 no normal piece spans, and the piece there starts with
	// U+2581, which is never unknown, so runs of unknown pieces are not
	// merged across the cut.
	c.beforeSpace = c.model.SpaceStartsPieces() && t.norm.EscapesSpaces() && t.v.Lookup(seg.SpaceSymbol) >= 0
	c.afterLF = cutsNewline(c.model, t.rules.matcher)
	// Between two characters that no piece holds side by side the output
	// decomposes, and with byte fallback no unknown pieces are merged
	// either.
	c.unknownsMerge = !t.v.Trainer().ByteFallback
	return c
}

// cutsNewline reports whether the user-defined pieces of some rules, that
// m finds, have the newline and model cuts them out: the newline is then
// never merged with what follows, so a cut after it is safe.
func cutsNewline(model seg.Cuts, m *matcher.Matcher) bool {
	l, _ := m.Match("\n")
	return l == 1 && model.UserPiecesApart()
}

// neverCut returns the error of CanCut for a model or normalizer that
// never cuts a text, for the reason err.
func neverCut(err error) error { return fmt.Errorf("tokenizer: texts are never cut: %w", err) }

// Carry is what encoding a part of a text leaves for the next part, under
// a model whose segmentation of a part depends on the parts before it by
// more than their text: a Unigram model's path score, which the C++ sums in
// float32 over the whole text, so that rounding at the score a part starts
// from may decide its segmentation. The zero Carry is the start of a text.
// See EncodeOptions.Carry.
type Carry struct{ score float32 }

// carrier is a model whose parts are encoded from a Carry: it encodes the
// normalized part s from the score from and returns the score at its end.
type carrier interface {
	EncodeFrom(sc seg.Scratch, s []byte, r seg.Rules, out *seg.Sink, from float32) float32
}

// ErrCutsNeedCarry is what CanCut returns for a Tokenizer, a Unigram
// model's, whose texts may be cut only into parts that are encoded in
// order with a Carry (EncodeOptions.Carry), when opts has none.
var ErrCutsNeedCarry = errors.New("tokenizer: the parts of a text must be encoded in order with a Carry (see EncodeOptions.Carry)")

// runWith is runPart for opts, from and to opts.Carry under a carrier.
func (t *Tokenizer) runWith(sc *scratch, text string, r *pieceRules, mode seg.Mode, opts EncodeOptions) {
	c, ok := t.model.(carrier)
	if opts.Carry == nil || !ok {
		t.runPart(sc, text, r, mode, opts.part())
		return
	}
	t.normalize(sc, text, mode, opts.part())
	sc.out.Reset(t.v, sc.norm, mode)
	opts.Carry.score = c.EncodeFrom(sc.model, sc.norm, r.model, &sc.out, opts.Carry.score)
}

var errSpecialMode = errors.New("tokenizer: unknown special mode")

// ErrCutsNeedParts is what CanCut returns for a Tokenizer whose normalizer
// is not a plain character map: it treats the start or the end of a text
// apart, as Llama-style models' dummy prefix does, or copies a user-defined
// piece that is not UTF-8 whole. Encoding the parts of a text as whole
// texts may then give other ids than the whole, so SafeCutWith never cuts;
// SafeCutParts does.
var ErrCutsNeedParts = errors.New("tokenizer: the normalizer is not a plain character map: parts must be encoded as parts (see SafeCutParts)")

// CanCut returns nil when SafeCutWith may find cuts under opts,
// ErrCutsNeedParts when only SafeCutParts may, ErrCutsNeedCarry when
// neither does because opts has no Carry that a Unigram model's parts need,
// or another error that says why neither ever does, whatever the text: the
// model or its normalizer allows none. A cut function that returns 0 for a text that CanCut allows
// it to cut means that this text has no cut.
func (t *Tokenizer) CanCut(opts EncodeOptions) error {
	switch opts.Special {
	case SpecialPieces, SpecialText, SpecialReject:
	default:
		return errSpecialMode
	}
	if t.cut.err != nil {
		return t.cut.err
	}
	if err := t.norm.Cuts(); err != nil {
		return neverCut(err)
	}
	if m, ok := t.model.(interface{ CutsErr() error }); ok {
		if err := m.CutsErr(); err != nil {
			return neverCut(err)
		}
	}
	if opts.Special == SpecialText {
		if err := rulesCutsErr(t.specials().text); err != nil {
			return neverCut(err)
		}
	}
	if _, ok := t.model.(carrier); ok && opts.Carry == nil {
		return ErrCutsNeedCarry
	}
	if !t.norm.Identity() {
		return ErrCutsNeedParts
	}
	return nil
}

// rulesCutsErr returns why a text encoded under r is never cut, or nil:
// rules may need the whole text where the model does not, as BPE's that
// respell special normal pieces do.
func rulesCutsErr(r *pieceRules) error {
	if c, ok := r.model.(interface{ CutsErr() error }); ok {
		return c.CutsErr()
	}
	return nil
}

// SafeCut returns the largest n < len(text) such that, whatever follows
// text, encoding text[:n] and the rest separately gives the same ids as
// encoding them together; it returns 0 when it knows of no such n. It lets
// a stream be encoded in parts.
//
// For Gemma's model the cuts are before a space that follows a non-space,
// after a newline that a character other than a newline follows, and
// between two characters that no piece of the vocabulary holds side by
// side, which most text without spaces has: only runs that the pieces
// cover throughout, like one letter repeated, have no cut. CanCut tells a
// model whose texts are never cut from a text without a cut.
func (t *Tokenizer) SafeCut(text string) int {
	return t.SafeCutWith(text, EncodeOptions{})
}

// SafeCutWith is SafeCut for encoding under opts: the parts encode under
// opts.Special to the ids of the whole (give AddBOS to the first part
// only, and AddEOS to the last). Under SpecialReject no special piece
// spans the cut either, so that the whole text spells one exactly when a
// part does, and the first part that does reports the text's first.
func (t *Tokenizer) SafeCutWith(text string, opts EncodeOptions) int {
	if t.CanCut(opts) != nil {
		return 0
	}
	return t.safeCut(text, opts)
}

// SafeCutParts is SafeCutWith for parts encoded as parts: text[:n] with
// BeforeCut set and the rest with AfterCut set, each keeping what opts has
// of them. Then only the whole text gets the rules that a normalizer may
// have for the start and the end of a text, such as the dummy prefix of
// Llama-style models, and their texts can be cut as Gemma's are. Under a
// normalizer without such rules it is SafeCutWith.
func (t *Tokenizer) SafeCutParts(text string, opts EncodeOptions) int {
	if err := t.CanCut(opts); err != nil && err != ErrCutsNeedParts {
		return 0
	}
	return t.safeCut(text, opts)
}

// safeCut is SafeCutParts for a Tokenizer whose texts may be cut.
func (t *Tokenizer) safeCut(text string, opts EncodeOptions) int {
	c := t.cutter(opts)
	for n := len(text) - 1; n > 0; n-- {
		if c.at(text, n) {
			return n
		}
	}
	return 0
}

// cutter tests places of a text for SafeCutParts under opts, one at a
// time, for a Tokenizer whose texts may be cut.
type cutter struct {
	t       *Tokenizer
	opts    EncodeOptions
	afterLF bool
	reject  *specialSet
}

// cutter returns the cutter of SafeCutParts under opts.
func (t *Tokenizer) cutter(opts EncodeOptions) cutter {
	c := cutter{t: t, opts: opts, afterLF: t.cut.afterLF}
	switch opts.Special {
	case SpecialText:
		c.afterLF = t.specials().afterLF
	case SpecialReject:
		c.reject = t.specials()
	}
	return c
}

// at reports whether text may be cut at n, 0 < n < len(text), as
// SafeCutParts would cut it.
func (c cutter) at(text string, n int) bool {
	t := c.t
	a, b, ok := t.norm.CutAt(text, n)
	if !ok {
		return false
	}
	switch {
	case t.cut.beforeSpace && b == seg.SpaceRune && a != seg.SpaceRune,
		c.afterLF && a == '\n' && b != '\n':
		ok = !t.cut.pairs[lastByte(a)][firstByte(b)]
	default:
		ok = t.pairCut(text, n, a, b, c.opts)
	}
	return ok && (c.reject == nil || !c.reject.spans(text, n))
}

// pairCut reports whether text may be cut at n, where the normalizer
// allows a cut between a and b, characters of its normalized form, because
// no piece holds them side by side and they are not both in unknown pieces
// that the processor would join.
func (t *Tokenizer) pairCut(text string, n int, a, b rune, opts EncodeOptions) bool {
	if t.cut.model.Together(a, b) {
		return false
	}
	if !t.cut.unknownsMerge {
		return true
	}
	if w, ok := t.cut.model.(wordPieces); ok && w.Words() {
		return t.knownBefore(text, n, opts)
	}
	var buf [2 * utf8.UTFMax]byte
	la := utf8.EncodeRune(buf[:], a)
	lb := utf8.EncodeRune(buf[la:], b)
	return t.known(buf[:la], opts) || t.known(buf[la:la+lb], opts)
}

// known reports whether the character c, taken alone, is a piece that the
// model gives under opts: under SpecialText, one of the special pieces is
// no longer one.
func (t *Tokenizer) known(c []byte, opts EncodeOptions) bool {
	if !t.cut.model.Known(c) {
		return false
	}
	id := t.v.LookupBytes(c)
	return opts.Special != SpecialText || id < 0 || !t.specials().is[id]
}

// wordPieces is what a seg.Cuts also has when its pieces are whole words
// (word.Model): whether the piece before a cut is unknown then depends on
// its word, which Known, given a character, cannot tell.
type wordPieces interface{ Words() bool }

// lookBack is how far knownBefore looks back from a cut for the start of
// the piece before it.
const lookBack = 256

// knownBefore reports whether the piece of text that ends at n, a place
// where the model's output decomposes, is known, so that the processor
// does not join it with an unknown piece after n. It finds the last place
// k before n where the output decomposes too, and encodes text[k:n] as a
// part under opts: its pieces are the whole's. The place k is at least
// utf8.UTFMax bytes into text, as CutAt reads the character before it
// whole (see cmd/gemmatok's windows).
func (t *Tokenizer) knownBefore(text string, n int, opts EncodeOptions) bool {
	for k := n - 1; k > max(utf8.UTFMax, n-lookBack); k-- {
		a, b, ok := t.norm.CutAt(text, k)
		if !ok || t.cut.model.Together(a, b) {
			continue
		}
		opts.AfterCut, opts.BeforeCut = true, true
		opts.AddBOS, opts.AddEOS = false, false
		ids, err := t.EncodeWith(text[k:n], opts)
		return err == nil && len(ids) > 0 && ids[len(ids)-1] != t.v.Unk()
	}
	return false
}

// lastByte and firstByte return the last and the first byte of r in UTF-8.
func lastByte(r rune) byte {
	var buf [utf8.UTFMax]byte
	return buf[utf8.EncodeRune(buf[:], r)-1]
}

func firstByte(r rune) byte {
	var buf [utf8.UTFMax]byte
	utf8.EncodeRune(buf[:], r)
	return buf[0]
}
