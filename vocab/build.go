package vocab

import (
	"fmt"
	"unsafe"
)

// An Entry is one piece of a vocabulary being built: its text, score and
// type. The zero Type means Normal.
type Entry struct {
	Piece string
	Score float32
	Type  Type
}

// Build returns the vocabulary of the given pieces, which get ids in the
// order given, with the trainer and normalizer settings. Empty piece names
// in the trainer settings (UnkPiece and the like) mean SentencePiece's
// defaults; UnkSurface is taken as it is. Build checks the vocabulary as Parse does: no empty or
// duplicate pieces, exactly one unknown piece, and all 256 byte pieces
// under byte fallback.
//
// A Vocab from Build behaves as one read from the .model file that
// MarshalBinary writes of it.
func Build(pieces []Entry, trainer TrainerSpec, normalizer NormalizerSpec) (*Vocab, error) {
	// The pieces are laid end to end in one string, as Parse leaves them
	// in the model bytes, and checked by the same index.
	size := 0
	for _, e := range pieces {
		size += len(e.Piece)
	}
	data := make([]byte, 0, size)
	v := &Vocab{
		starts: make([]uint32, len(pieces)),
		lens:   make([]uint16, len(pieces)),
		scores: make([]float32, len(pieces)),
		types:  make([]Type, len(pieces)),
	}
	for i, e := range pieces {
		if len(e.Piece) > 1<<16-1 {
			return nil, fmt.Errorf("vocab: piece %d is %d bytes long", i, len(e.Piece))
		}
		if uint64(len(data)) > 1<<32-1-uint64(len(e.Piece)) {
			return nil, fmt.Errorf("vocab: pieces too large")
		}
		t := e.Type
		if t == 0 {
			t = Normal
		}
		if t < Normal || t > Byte {
			return nil, fmt.Errorf("vocab: piece %d (%q) has invalid type %d", i, e.Piece, t)
		}
		v.starts[i] = uint32(len(data))
		v.lens[i] = uint16(len(e.Piece))
		v.maxLen = max(v.maxLen, len(e.Piece))
		v.scores[i] = e.Score
		v.types[i] = t
		data = append(data, e.Piece...)
	}
	if len(data) > 0 {
		v.data = unsafe.String(&data[0], len(data))
	}
	v.trainer = trainer.withDefaultPieces()
	v.normalizer = normalizer
	v.normalizer.PrecompiledCharsMap = append([]byte(nil), normalizer.PrecompiledCharsMap...)
	if err := v.index(); err != nil {
		return nil, err
	}
	return v, nil
}
