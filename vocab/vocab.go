// Package vocab loads SentencePiece model protos into an immutable, compact
// vocabulary: pieces and their ids, scores and types, the special ids, and the
// normalizer and trainer settings that encoding depends on.
//
// A Vocab holds no encoding logic; package tokenizer builds the normalizer
// and the segmentation model on top of it. A Vocab is safe for concurrent use.
package vocab

import (
	"fmt"
	"iter"
	"strings"
	"unsafe"

	"github.com/gemmatok/gemmatok/internal/vocabhook"
)

// Type is the type of a piece, as in SentencePiece's ModelProto.
type Type uint8

// Piece types. The values are those of the proto enum.
const (
	Normal      Type = 1 // an ordinary piece, produced by the model
	Unknown     Type = 2 // the unknown piece (<unk>)
	Control     Type = 3 // control pieces (<bos>, <eos>, <pad>), never produced from text
	UserDefined Type = 4 // matched in the text before segmentation and never merged
	Unused      Type = 5 // known to the model but resegmented into smaller pieces
	Byte        Type = 6 // byte-fallback pieces <0x00>...<0xFF>
)

var typeNames = [...]string{Normal: "normal", Unknown: "unknown", Control: "control",
	UserDefined: "user-defined", Unused: "unused", Byte: "byte"}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", t)
}

// ModelType is the segmentation algorithm a model was trained for.
type ModelType uint8

// Model types. The values are those of the proto enum.
const (
	Unigram ModelType = 1
	BPE     ModelType = 2
	Word    ModelType = 3
	Char    ModelType = 4
)

func (m ModelType) String() string {
	switch m {
	case Unigram:
		return "Unigram"
	case BPE:
		return "BPE"
	case Word:
		return "word"
	case Char:
		return "char"
	}
	return fmt.Sprintf("ModelType(%d)", m)
}

// NormalizerSpec holds the normalization settings of a model.
type NormalizerSpec struct {
	Name                   string
	PrecompiledCharsMap    []byte // empty for the identity normalizer
	AddDummyPrefix         bool
	RemoveExtraWhitespaces bool
	EscapeWhitespaces      bool
}

// TrainerSpec holds the trainer settings that encoding and decoding read.
type TrainerSpec struct {
	Model                     ModelType
	ByteFallback              bool
	TreatWhitespaceAsSuffix   bool
	AllowWhitespaceOnlyPieces bool
	SplitDigits               bool
	UnkSurface                string
	UnkPiece, BOSPiece        string
	EOSPiece, PadPiece        string
}

// Vocab is an immutable SentencePiece vocabulary.
type Vocab struct {
	// The pieces are not copied out of the model bytes: piece i is
	// data[starts[i]:starts[i]+lens[i]]. Loading is bound by how much fresh
	// memory it touches, and this saves touching megabytes.
	data   string
	starts []uint32
	lens   []uint16
	maxLen int
	scores []float32
	types  []Type

	// table is an open-addressing hash table of the pieces the model may
	// produce by merging (normal, user-defined and unused). A slot holds
	// id+1 in its low idBits and bits of the piece's hash above them, so
	// that most misses are settled without reading the piece.
	table []uint32
	mask  uint64
	// filter says of most texts that are not pieces that they are not,
	// without probing table: it is a blocked Bloom filter of two bits a
	// piece, one word for each 16 slots, small enough to stay in the
	// processor's cache where table does not. About half the texts that
	// merging asks about are not pieces.
	filter []uint64
	idBits uint

	reserved map[string]int32 // control, unknown and byte pieces

	unk, bos, eos, pad int32
	byteIDs            [256]int32 // -1 where absent
	userDefined        []int32

	builtin string // the name of the embedded model this one is, byte for byte, or ""

	hasUnused bool
	// shadow maps a piece that segmentation may produce to the control,
	// unknown or byte piece of the same text, which PieceToId prefers.
	shadow map[int32]int32

	trainer      TrainerSpec
	normalizer   NormalizerSpec
	denormalizer *NormalizerSpec
	selfTests    []SelfTest
}

func init() {
	vocabhook.Pieces = func(x any) vocabhook.Raw {
		v := x.(*Vocab)
		types := unsafe.Slice((*uint8)(unsafe.SliceData(v.types)), len(v.types))
		return vocabhook.Raw{Data: v.data, Starts: v.starts, Lens: v.lens, Scores: v.scores, Types: types}
	}
}

// SelfTest is an (input, expected pieces) pair stored in a model proto.
type SelfTest struct{ Input, Expected string }

// Size returns the number of pieces.
func (v *Vocab) Size() int { return len(v.types) }

// Piece returns the piece of id, or "" when id is outside the vocabulary.
func (v *Vocab) Piece(id int32) string {
	if uint(id) >= uint(len(v.types)) {
		return ""
	}
	return v.piece(id)
}

func (v *Vocab) piece(id int32) string {
	start := v.starts[id]
	return v.data[start : start+uint32(v.lens[id])]
}

// Score returns the score of id (0 outside the vocabulary).
func (v *Vocab) Score(id int32) float32 {
	if uint(id) >= uint(len(v.types)) {
		return 0
	}
	return v.scores[id]
}

// Type returns the type of id (0 outside the vocabulary).
func (v *Vocab) Type(id int32) Type {
	if uint(id) >= uint(len(v.types)) {
		return 0
	}
	return v.types[id]
}

// Occurrences yields every place where sub occurs inside a piece: the
// piece's id and the byte offset in it, in id order. It scans the whole
// vocabulary at memory speed.
func (v *Vocab) Occurrences(sub string) iter.Seq2[int32, int] {
	return func(yield func(int32, int) bool) {
		if sub == "" {
			return
		}
		id := int32(0)
		for at := 0; id < int32(len(v.types)); {
			i := strings.Index(v.data[at:], sub)
			if i < 0 {
				return
			}
			at += i
			// Pieces lie in the model bytes in id order, between framing.
			for id < int32(len(v.types)) && int(v.starts[id])+int(v.lens[id]) <= at {
				id++
			}
			if id < int32(len(v.types)) && int(v.starts[id]) <= at && at+len(sub) <= int(v.starts[id])+int(v.lens[id]) {
				if !yield(id, at-int(v.starts[id])) {
					return
				}
			}
			at++
		}
	}
}

// MaxPieceLen returns the length in bytes of the longest piece.
func (v *Vocab) MaxPieceLen() int { return v.maxLen }

// IsDefault reports whether the vocabulary was read from a model identical,
// byte for byte, to the embedded one, wherever it came from. Tables derived
// from the embedded model may then be used instead of being rebuilt.
func (v *Vocab) IsDefault() bool { return v.builtin == "gemma2" }

// Builtin returns the name of the embedded model (see Builtins) that the
// vocabulary was read from, byte for byte, wherever it came from, or "".
// Tables derived from that model may then be used instead of being
// rebuilt.
func (v *Vocab) Builtin() string { return v.builtin }

// HasUnused reports whether some piece is of type Unused.
func (v *Vocab) HasUnused() bool { return v.hasUnused }

// Preferred returns the id that SentencePiece's PieceToId gives for the
// text of piece id: that of a control, unknown or byte piece of the same
// text, which it looks up first, or else id itself. Segmentation produces
// pieces by text, so this is the id such a piece ends up as.
func (v *Vocab) Preferred(id int32) int32 {
	if v.shadow != nil {
		if r, ok := v.shadow[id]; ok {
			return r
		}
	}
	return id
}

// Contains reports whether id is a valid id of the vocabulary.
func (v *Vocab) Contains(id int32) bool { return uint(id) < uint(len(v.types)) }

// ID returns the id of piece as SentencePiece's PieceToId does: control,
// unknown and byte pieces first, then the others, and the unknown id (with
// ok false) when the piece is not in the vocabulary.
func (v *Vocab) ID(piece string) (id int32, ok bool) {
	if id, ok := v.reserved[piece]; ok {
		return id, true
	}
	if id := v.Lookup(piece); id >= 0 {
		return id, true
	}
	return v.unk, false
}

// IDBytes is ID for a byte slice; it does not allocate.
func (v *Vocab) IDBytes(piece []byte) (id int32, ok bool) {
	// ID keeps nothing, so the bytes need not be copied into a string.
	return v.ID(unsafe.String(unsafe.SliceData(piece), len(piece)))
}

// Lookup returns the id of a normal, user-defined or unused piece, the pieces
// that segmentation may produce by merging, or -1.
func (v *Vocab) Lookup(piece string) int32 {
	return v.find(piece, hashString(piece))
}

// LookupBytes is Lookup for a byte slice; it does not allocate.
func (v *Vocab) LookupBytes(piece []byte) int32 {
	// find keeps nothing, so the bytes need not be copied into a string.
	s := unsafe.String(unsafe.SliceData(piece), len(piece))
	return v.find(s, hashString(s))
}

// find looks up piece, whose hash is h.
func (v *Vocab) find(piece string, h uint64) int32 {
	if f := filterBits(h); *v.filterWord(h)&f != f {
		return -1
	}
	tag := v.tag(h)
	idMask := uint32(1)<<v.idBits - 1
	for i := h & v.mask; ; i = (i + 1) & v.mask {
		e := v.table[i]
		if e == 0 {
			return -1
		}
		if e&^idMask == tag {
			if id := int32(e&idMask) - 1; v.piece(id) == piece {
				return id
			}
		}
	}
}

// filterShift makes a table slot's index the index of its filter word.
const filterShift = 4

// filterWord returns the filter word of a piece of hash h: the one of the
// 16 table slots that its probe starts in.
func (v *Vocab) filterWord(h uint64) *uint64 { return &v.filter[h&v.mask>>filterShift] }

// filterBits returns the bits that a piece of hash h sets in its filter
// word. They are taken from the top of the hash, which the slot index
// and (but in vocabularies of under 2,048 pieces) the slot's hash bits
// do not use.
func filterBits(h uint64) uint64 { return 1<<(h>>52&63) | 1<<(h>>58) }

// tag returns the hash bits a table slot keeps above the id.
func (v *Vocab) tag(h uint64) uint32 {
	return uint32(h>>32) << v.idBits
}

// Unk returns the id of the unknown piece.
func (v *Vocab) Unk() int32 { return v.unk }

// BOS returns the id of the beginning-of-sentence piece, or -1.
func (v *Vocab) BOS() int32 { return v.bos }

// EOS returns the id of the end-of-sentence piece, or -1.
func (v *Vocab) EOS() int32 { return v.eos }

// Pad returns the id of the padding piece, or -1.
func (v *Vocab) Pad() int32 { return v.pad }

// ByteID returns the id of the byte-fallback piece of b, or -1.
func (v *Vocab) ByteID(b byte) int32 { return v.byteIDs[b] }

// UserDefined returns the ids of the user-defined pieces, in id order.
func (v *Vocab) UserDefined() []int32 { return append([]int32(nil), v.userDefined...) }

// Trainer returns the trainer settings.
func (v *Vocab) Trainer() TrainerSpec { return v.trainer }

// Normalizer returns the normalizer settings.
func (v *Vocab) Normalizer() NormalizerSpec { return v.normalizer }

// Denormalizer returns the denormalizer settings, or nil when the model has
// none (the usual case).
func (v *Vocab) Denormalizer() *NormalizerSpec { return v.denormalizer }

// SelfTests returns the self-test samples stored in the model.
func (v *Vocab) SelfTests() []SelfTest { return append([]SelfTest(nil), v.selfTests...) }

// ByteValue returns the byte that a piece of the form <0xHH> stands for.
func ByteValue(piece string) (byte, bool) {
	if len(piece) != 6 || !strings.HasPrefix(piece, "<0x") || piece[5] != '>' {
		return 0, false
	}
	hi, ok1 := hexUpper(piece[3])
	lo, ok2 := hexUpper(piece[4])
	return hi<<4 | lo, ok1 && ok2
}

// hexUpper decodes an upper-case hex digit, as SentencePiece prints them.
func hexUpper(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
