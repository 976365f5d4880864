package tokenizer

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/normalize"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// An IDError reports a token id outside the vocabulary.
type IDError struct {
	Index int   // position of the id in the input
	ID    int32 // the id
	Size  int   // the vocabulary size
}

func (e *IDError) Error() string {
	return fmt.Sprintf("tokenizer: id %d at index %d is outside the vocabulary [0, %d)", e.ID, e.Index, e.Size)
}

// Decode returns the text of ids exactly as SentencePiece's DecodeIds does:
// control ids vanish, the unknown id reads as its surface (" ⁇ "), runs of
// byte pieces are joined into bytes with each malformed byte replaced by
// U+FFFD, and U+2581 becomes a space. An id outside the vocabulary is an
// *IDError.
func (t *Tokenizer) Decode(ids []int32) (string, error) {
	b, err := t.AppendDecode(nil, ids)
	return string(b), err
}

// AppendDecode appends the text of ids to dst; see Decode. On error dst is
// returned unchanged.
func (t *Tokenizer) AppendDecode(dst []byte, ids []int32) ([]byte, error) {
	return t.AppendDecodeWith(dst, ids, DecodeOptions{})
}

// DecodeOptions are the choices of DecodeWith, AppendDecodeWith and
// NewStreamDecoderWith. The zero value decodes as Decode does.
type DecodeOptions struct {
	// SkipSpecial drops the special pieces (see SpecialIDs), such as
	// <end_of_turn>, as if they were not among the ids, like Hugging Face's
	// skip_special_tokens. The unknown piece is not special: it still reads
	// as its surface.
	SkipSpecial bool
}

// DecodeWith returns the text of ids under opts; see Decode.
func (t *Tokenizer) DecodeWith(ids []int32, opts DecodeOptions) (string, error) {
	b, err := t.AppendDecodeWith(nil, ids, opts)
	return string(b), err
}

// AppendDecodeWith appends the text of ids under opts to dst; see Decode.
// On error dst is returned unchanged.
func (t *Tokenizer) AppendDecodeWith(dst []byte, ids []int32, opts DecodeOptions) ([]byte, error) {
	for i, id := range ids {
		if !t.v.Contains(id) {
			return dst, &IDError{Index: i, ID: id, Size: t.v.Size()}
		}
	}
	d := decoder{t: t, out: dst, base: len(dst), bosWS: true, skipSpecial: opts.SkipSpecial}
	for _, id := range ids {
		d.add(id)
	}
	d.flushBytes()
	d.denormalize()
	return d.out, nil
}

// denormalize applies the model's denormalizer, if any, to the text
// decoded so far, as SentencePieceProcessor::Decode does to the whole
// text once its pieces are joined.
func (d *decoder) denormalize() {
	if dn := d.t.denorm; dn != nil && len(d.out) > d.base {
		text := string(d.out[d.base:])
		d.out = dn.Normalize(d.out[:d.base], nil, text, normalize.Whole)
	}
}

// decoder holds the state of one decoding: pending byte pieces and the
// leading-space rule of models with a dummy prefix.
type decoder struct {
	t       *Tokenizer
	out     []byte
	base    int // where this decoding's text starts in out
	bytes   []byte
	bosWS   bool // a leading U+2581 may still be consumed
	bosSeen bool // the last piece had its leading U+2581 consumed

	skipSpecial bool // DecodeOptions.SkipSpecial
}

// pieceType is the type SentencePiece decodes a piece as: that of the id its
// text maps back to.
func (t *Tokenizer) pieceType(id int32) vocab.Type {
	return t.v.Type(t.v.Preferred(id))
}

func (d *decoder) add(id int32) {
	t := d.t
	if d.skipSpecial && t.IsSpecial(id) {
		return
	}
	typ := t.pieceType(id)
	if typ == vocab.Byte {
		b, _ := vocab.ByteValue(t.v.Piece(id))
		d.bytes = append(d.bytes, b)
		return
	}
	d.flushBytes()
	if d.bosSeen || len(d.out) > d.base {
		d.bosWS = false
	}
	piece := t.v.Piece(id)
	switch typ {
	case vocab.Control:
		d.bosSeen = false
		return
	case vocab.Unknown:
		d.bosSeen = false
		d.out = append(d.out, t.unkSurface...)
		return
	}
	spec := t.v.Normalizer()
	d.bosSeen = false
	if d.bosWS && (spec.AddDummyPrefix || spec.RemoveExtraWhitespaces) {
		if strings.HasPrefix(piece, seg.SpaceSymbol) {
			piece = piece[len(seg.SpaceSymbol):]
			d.bosSeen = !spec.RemoveExtraWhitespaces
		}
	}
	d.out = appendUnescaped(d.out, piece)
}

// appendUnescaped appends piece with every U+2581 turned into a space.
func appendUnescaped(dst []byte, piece string) []byte {
	for {
		i := strings.Index(piece, seg.SpaceSymbol)
		if i < 0 {
			return append(dst, piece...)
		}
		dst = append(dst, piece[:i]...)
		dst = append(dst, ' ')
		piece = piece[i+len(seg.SpaceSymbol):]
	}
}

// flushBytes writes pending byte pieces: each valid UTF-8 sequence as it
// is, each other byte as U+FFFD.
func (d *decoder) flushBytes() {
	b := d.bytes
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			d.out = append(d.out, "\uFFFD"...)
		} else {
			d.out = append(d.out, b[:size]...)
		}
		b = b[size:]
	}
	d.bytes = d.bytes[:0]
}
