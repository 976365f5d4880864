// Package seg is what the processor and the segmentation models exchange:
// a model segments normalized text into Pieces and hands them to the
// processor's Sink, which turns them into ids the way SentencePiece's
// PopulateSentencePieceText does.
package seg

import (
	"slices"
	"unsafe"

	"github.com/gemmatok/gemmatok/vocab"
)

// SpaceSymbol (U+2581) stands for a space in normalized text and pieces.
const SpaceSymbol = "\u2581"

// SpaceRune is SpaceSymbol as a rune.
const SpaceRune = '\u2581'

// Piece is one piece of a model's output: its id, which is the
// vocabulary's unknown id for an unknown piece, and its length in the
// normalized text.
type Piece struct {
	ID  int32
	Len int32
}

// Span is the normalized byte range a token came from.
type Span struct{ Start, End int32 }

// Mode says what a Sink keeps of the tokens.
type Mode uint8

const (
	Count Mode = iota // only their number
	IDs               // their ids
	Spans             // their ids and normalized spans
)

// Sink receives a model's pieces and turns them into ids the way
// SentencePiece's PopulateSentencePieceText does: an unknown piece becomes
// its UTF-8 bytes under byte fallback, and otherwise a run of unknown
// pieces becomes one unknown id.
type Sink struct {
	v        *vocab.Vocab
	norm     []byte
	mode     Mode
	N        int // tokens so far
	IDs      []int32
	Spans    []Span // with Spans
	unk      int32
	fallback bool
	prevUnk  bool
}

// Reset readies o for the normalized text norm of vocabulary v, keeping
// what mode says.
func (o *Sink) Reset(v *vocab.Vocab, norm []byte, mode Mode) {
	if o.v != v {
		// What o keeps of v, asked once: Trainer copies a struct.
		o.v = v
		o.unk = v.Unk()
		o.fallback = v.Trainer().ByteFallback
	}
	o.norm = norm
	o.mode = mode
	o.N = 0
	o.IDs = o.IDs[:0]
	o.Spans = o.Spans[:0]
	o.prevUnk = false
}

// unknown records an unknown piece covering norm[start:end].
func (o *Sink) unknown(start, end int) {
	if o.fallback {
		for k := start; k < end; k++ {
			// Only the last byte carries the character's surface.
			e := start
			if k == end-1 {
				e = end
			}
			o.add(o.v.ByteID(o.norm[k]), start, e)
		}
		o.prevUnk = true
		return
	}
	if o.prevUnk {
		if o.mode == Spans {
			o.Spans[len(o.Spans)-1].End = int32(end)
		}
		return
	}
	o.prevUnk = true
	o.add(o.unk, start, end)
}

// add records one token.
func (o *Sink) add(id int32, start, end int) {
	o.N++
	if o.mode == Count {
		return
	}
	o.IDs = append(o.IDs, id)
	if o.mode == Spans {
		o.Spans = append(o.Spans, Span{int32(start), int32(end)})
	}
}

// Replay records pieces that follow each other from normalized offset
// base on. Ids of known pieces that fit in the room o.IDs has are stored
// in a loop that keeps nothing else: a model replays each word, and most
// words' pieces are all known. The rest goes to replay.
func (o *Sink) Replay(pieces []Piece, base int) {
	if n := len(o.IDs); o.mode == IDs && len(pieces) <= cap(o.IDs)-n && len(pieces) > 0 {
		out, unk := o.IDs[n:n+len(pieces)], o.unk
		for i, p := range pieces {
			if p.ID == unk {
				o.replay(pieces, base)
				return
			}
			out[i] = p.ID
		}
		o.IDs = o.IDs[:n+len(pieces)]
		o.N += len(pieces)
		o.prevUnk = false
		return
	}
	o.replay(pieces, base)
}

// ReplayOne records the piece of id alone as Replay would, and reports
// true, when it is known and o counts tokens or keeps ids with room for
// it; else it does nothing and reports false, for Replay to do. It is
// small enough to be inlined where it is called: most words of most
// texts are one piece.
func (o *Sink) ReplayOne(id int32) bool {
	if id == o.unk || o.mode == Spans {
		return false
	}
	if o.mode == IDs {
		if len(o.IDs) == cap(o.IDs) {
			return false
		}
		o.IDs = append(o.IDs, id)
	}
	o.N++
	o.prevUnk = false
	return true
}

// replay is Replay's general case. Without spans, known pieces are taken
// in a loop of their own up to the next unknown one, which goes out of
// line.
func (o *Sink) replay(pieces []Piece, base int) {
	if o.mode == Spans {
		for _, p := range pieces {
			end := base + int(p.Len)
			if p.ID == o.unk {
				o.unknown(base, end)
			} else {
				o.prevUnk = false
				o.add(p.ID, base, end)
			}
			base = end
		}
		return
	}
	for len(pieces) > 0 {
		k := 0
		if unk := o.unk; o.mode == Count {
			for k < len(pieces) && pieces[k].ID != unk {
				k++
			}
		} else {
			// Stored by index into room for them all.
			ids := slices.Grow(o.IDs, len(pieces))
			out := ids[len(ids) : len(ids)+len(pieces)]
			for i, p := range pieces {
				if p.ID == unk {
					break
				}
				out[i] = p.ID
				k = i + 1
			}
			o.IDs = ids[:len(ids)+k]
		}
		if k > 0 {
			o.N += k
			o.prevUnk = false
			if k == len(pieces) {
				return
			}
			if o.fallback {
				// Only the bytes of an unknown piece need where it starts.
				for _, p := range pieces[:k] {
					base += int(p.Len)
				}
			}
		}
		end := base + int(pieces[k].Len)
		o.unknown(base, end)
		base, pieces = end, pieces[k+1:]
	}
}

// PrefixCounts returns counts, reused if large enough, with counts[p] the
// number of tokens that Replay records for the pieces that follow last
// back from p (see unigram.Model.LastPieces): the token count of each
// prefix of the normalized text, for every p where last[p] ends a piece
// (and 0 at 0). Elsewhere counts[p] is -1. Replay's rules apply: an
// unknown piece is a token per byte under byte fallback, and otherwise
// one token with the unknown pieces right before it.
func (o *Sink) PrefixCounts(counts []int32, last []Piece) []int32 {
	if cap(counts) < len(last) {
		counts = make([]int32, len(last))
	}
	counts = counts[:len(last)]
	// unk[p] says that the last piece before p is unknown: a bit per offset.
	unk := make([]uint64, (len(last)+63)/64)
	for p := range last {
		counts[p] = -1
		if p == 0 {
			counts[p] = 0
			continue
		}
		l := last[p]
		start := p - int(l.Len)
		if l.Len <= 0 || counts[start] < 0 {
			continue
		}
		n := counts[start] + 1
		if l.ID == o.unk {
			unk[p/64] |= 1 << (p % 64)
			switch {
			case o.fallback:
				n = counts[start] + l.Len
			case unk[start/64]&(1<<(start%64)) != 0:
				n = counts[start]
			}
		}
		counts[p] = n
	}
	return counts
}

// TooBig reports whether a scratch buffer is too big to keep between
// encodings: a text of a few megabytes fits.
func TooBig[T any](b []T) bool {
	var v T
	return cap(b)*int(unsafe.Sizeof(v)) > 16<<20
}

// Rules is a model's rules for one way of encoding, made by the model and
// handed back to it: which user-defined pieces it cuts out or scores, and
// which pieces it must not produce from text. Each model asserts its own
// type.
type Rules any

// Scratch is a model's buffers for one encoding at a time, made by the
// model and handed back to it.
type Scratch interface {
	// Trim drops buffers that an unusually long text made big, rather
	// than pinning them between encodings.
	Trim()
}

// Cuts is what a model tells about where its output decomposes: places in
// the normalized text where encoding the parts on either side apart gives
// the pieces of the whole.
type Cuts interface {
	// SpaceStartsPieces reports whether no piece spans the start of a
	// U+2581 that follows another character, so that the output
	// decomposes there.
	SpaceStartsPieces() bool
	// UserPiecesApart reports whether the model takes user-defined pieces
	// out of the text before segmenting the rest, so that the output
	// decomposes on either side of one (where no longer one spans).
	UserPiecesApart() bool
	// Together reports whether some piece holds character a followed by
	// b, which are as the normalizer makes them: between two that no
	// piece holds side by side the output decomposes, unless both are
	// unknown and the processor joins unknown pieces.
	Together(a, b rune) bool
	// Known reports whether the character c, taken alone, is a piece.
	Known(c []byte) bool
	// PartsKeepPieces reports whether a prefix or suffix of a normalized
	// text that ends or starts at a boundary between two of the text's
	// pieces segments alone into the text's pieces on its side.
	PartsKeepPieces() bool
}
