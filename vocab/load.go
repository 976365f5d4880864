package vocab

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/gemmatok/gemmatok/vocab/internal/spmpb"
)

// MaxModelSize bounds the size of a model proto that Load reads.
const MaxModelSize = 1 << 30

//go:embed gemma2.model
var gemma2Model []byte

// Default returns the embedded Gemma (1 and 2) vocabulary: BPE, 256,000
// pieces. It is parsed once; later calls return the same Vocab.
func Default() (*Vocab, error) { return Builtin("gemma2") }

// DefaultModel returns the bytes of the embedded model proto. The caller
// must not modify them.
func DefaultModel() []byte { return gemma2Model }

// LoadFile reads a model proto from a file.
func LoadFile(path string) (*Vocab, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > MaxModelSize {
		return nil, fmt.Errorf("%s: vocab: model larger than %d bytes", path, MaxModelSize)
	}
	// os.ReadFile reads into a buffer of the file's size at once, where
	// io.ReadAll would regrow and copy it several times.
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := parseOwned(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// Load reads a model proto from r.
func Load(r io.Reader) (*Vocab, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxModelSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxModelSize {
		return nil, fmt.Errorf("vocab: model larger than %d bytes", MaxModelSize)
	}
	return parseOwned(data)
}

// parseOwned parses data, which the caller hands over and never writes
// again, so that the Vocab may keep it without a copy.
func parseOwned(data []byte) (*Vocab, error) {
	if len(data) == 0 {
		return parse("")
	}
	return parse(unsafe.String(&data[0], len(data)))
}

// ErrMalformed is wrapped by the errors of models that are not valid
// SentencePiece model protos.
var ErrMalformed = errors.New("malformed model proto")

// Parse decodes a serialized SentencePiece ModelProto. It checks the
// vocabulary as SentencePiece does when it loads a model: no empty or
// duplicate pieces, exactly one unknown piece, and all 256 byte pieces when
// byte fallback is on.
//
// The pieces are read straight off the wire to keep loading fast; the
// settings are decoded with the generated ModelProto types. Parse copies
// data, unless it is a built-in model's (BuiltinModel), whose bytes and
// prebuilt index it reads in place, as it does for a copy of one; Load and
// LoadFile read into a buffer of their own and skip the copy.
func Parse(data []byte) (*Vocab, error) {
	if b := builtinOf(unsafe.String(unsafe.SliceData(data), len(data))); b != nil {
		return b.parse()
	}
	return parseWith(string(data), nil)
}

// parse decodes a model proto; the Vocab keeps data. A built-in model,
// wherever its bytes come from, is read from the embedded bytes with its
// index, so that the caller's copy may be freed.
func parse(data string) (*Vocab, error) {
	if b := builtinOf(data); b != nil {
		return b.parse()
	}
	return parseWith(data, nil)
}

// parseWith is parse, taking the pieces and the lookup table from ix, the
// model's index, unless ix is nil.
func parseWith(data string, ix *indexed) (*Vocab, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("vocab: %w: empty input", ErrMalformed)
	}
	wire := unsafe.Slice(unsafe.StringData(data), len(data)) // read only
	v := &Vocab{data: data}
	b := wire
	if ix != nil {
		v.starts, v.lens, v.scores, v.types = ix.starts, ix.lens, ix.scores, ix.types
		v.maxLen, v.table, v.filter = ix.maxLen, ix.table, ix.filter
		b = wire[ix.piecesEnd:] // the settings
	} else {
		n := countPieces(wire)
		v.starts, v.lens = make([]uint32, 0, n), make([]uint16, 0, n)
		v.scores, v.types = make([]float32, 0, n), make([]Type, 0, n)
	}
	var trainer, normalizer, denormalizer, selfTest []byte
	hasDenormalizer := false

	for len(b) > 0 {
		if ix == nil && uint64(len(wire)) <= math.MaxUint32 {
			if b = wire[v.readPieces(data, len(wire)-len(b)):]; len(b) == 0 {
				break
			}
		}
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, malformed(len(wire)-len(b), protowire.ParseError(n))
		}
		off := len(wire) - len(b)
		b = b[n:]
		if typ != protowire.BytesType || num < 1 || num > 5 {
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return nil, malformed(off, protowire.ParseError(m))
			}
			b = b[m:]
			continue
		}
		val, m := protowire.ConsumeBytes(b)
		if m < 0 {
			return nil, malformed(off, protowire.ParseError(m))
		}
		b = b[m:]
		switch num {
		case 1:
			piece, score, typ, err := parsePiece(val)
			if err != nil {
				return nil, malformed(off, err)
			}
			if len(piece) > math.MaxUint16 {
				return nil, fmt.Errorf("vocab: piece %d is %d bytes long", len(v.types), len(piece))
			}
			start := 0
			if len(piece) > 0 {
				start = int(uintptr(unsafe.Pointer(&piece[0])) - uintptr(unsafe.Pointer(&wire[0])))
			}
			if uint64(start) > math.MaxUint32 {
				return nil, fmt.Errorf("vocab: model too large")
			}
			v.starts = append(v.starts, uint32(start))
			v.lens = append(v.lens, uint16(len(piece)))
			v.maxLen = max(v.maxLen, len(piece))
			v.scores = append(v.scores, score)
			v.types = append(v.types, typ)
		case 2: // repeated occurrences of a message field merge, as concatenation does
			trainer = append(trainer, val...)
		case 3:
			normalizer = append(normalizer, val...)
		case 4:
			selfTest = append(selfTest, val...)
		case 5:
			denormalizer = append(denormalizer, val...)
			hasDenormalizer = true
		}
	}
	if err := v.readSettings(trainer, normalizer, denormalizer, selfTest, hasDenormalizer); err != nil {
		return nil, err
	}
	if err := v.index(); err != nil {
		return nil, err
	}
	return v, nil
}

// countPieces counts the pieces of a model proto, for parse to size its
// arrays: the fields numbered 1 up to the first field it cannot read, which
// parse then reports.
func countPieces(b []byte) int {
	n, off := 0, 0
	for off < len(b) {
		// The usual pieces: tag 0x0A and a length of one byte.
		for off+1 < len(b) && b[off] == 0x0A && b[off+1] < 0x80 {
			n++
			off += 2 + int(b[off+1])
		}
		if off >= len(b) {
			break
		}
		num, typ, k := protowire.ConsumeTag(b[off:])
		if k < 0 {
			break
		}
		m := protowire.ConsumeFieldValue(num, typ, b[off+k:])
		if m < 0 {
			break
		}
		if num == 1 && typ == protowire.BytesType {
			n++
		}
		off += k + m
	}
	return n
}

// readPieces reads the run of pieces at data[off:] (data is at most 4 GiB
// long) laid out as every writer lays them out, which parsePiece's fast
// path reads, in a message of a one-byte length: the piece with a
// one-byte length, the score, and the type or nothing. It appends them to
// v's arrays, as parseWith's loop does a piece at a time, and returns the
// offset of the first field that is not such a piece. Every field it
// reads, the loop would read the same way, without error.
func (v *Vocab) readPieces(data string, off int) int {
	// Only where all the arrays have room, so that the loop stores
	// without growing them.
	i, n := len(v.types), min(cap(v.starts), cap(v.lens), cap(v.scores), cap(v.types))
	starts, lens, scores, types := v.starts[:n], v.lens[:n], v.scores[:n], v.types[:n]
	maxLen := v.maxLen
	// The fields are read a word at a time: a few loads and masks a piece.
	for ; i < n && off+4 <= len(data); i++ {
		// The message's tag and length m, its piece's tag and length l.
		head := le32(data, off)
		if head&0x80FF80FF != 0x000A000A {
			break
		}
		m, l := int(head>>8&0xFF), int(head>>24)
		// After the piece, the score's tag and score, then the type's tag
		// and a one-byte type, or nothing; read as one word, which may run
		// into the next field.
		rest := m - l - 7
		if rest != 0 && rest != 2 || off+12+l > len(data) {
			break
		}
		tail := le64(data, off+4+l)
		if byte(tail) != 0x15 {
			break
		}
		typ := Normal
		if rest == 2 {
			if byte(tail>>40) != 0x18 || byte(tail>>48)-byte(Normal) > byte(Byte-Normal) {
				break
			}
			typ = Type(tail >> 48)
		}
		starts[i] = uint32(off + 4)
		lens[i] = uint16(l)
		scores[i] = math.Float32frombits(uint32(tail >> 8))
		types[i] = typ
		maxLen = max(maxLen, l)
		off += 2 + m
	}
	v.starts, v.lens, v.scores, v.types = starts[:i], lens[:i], scores[:i], types[:i]
	v.maxLen = maxLen
	return off
}

func malformed(off int, err error) error {
	return fmt.Errorf("vocab: %w at byte %d: %v", ErrMalformed, off, err)
}

// parsePiece decodes one ModelProto.SentencePiece message.
func parsePiece(b []byte) (piece []byte, score float32, typ Type, err error) {
	// Fast path for the layout every writer produces: piece (a one-byte
	// length), score, then type or nothing.
	if len(b) >= 7 && b[0] == 0x0A && b[1] < 0x80 && int(b[1])+2+5 <= len(b) && b[int(b[1])+2] == 0x15 {
		l := int(b[1])
		rest := b[l+7:]
		if len(rest) == 0 || (len(rest) == 2 && rest[0] == 0x18 && rest[1] >= byte(Normal) && rest[1] <= byte(Byte)) {
			typ = Normal
			if len(rest) == 2 {
				typ = Type(rest[1])
			}
			return b[2 : 2+l], math.Float32frombits(binary.LittleEndian.Uint32(b[l+3:])), typ, nil
		}
	}
	typ = Normal
	for len(b) > 0 {
		num, wt, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, 0, 0, protowire.ParseError(n)
		}
		b = b[n:]
		switch {
		case num == 1 && wt == protowire.BytesType:
			piece, n = protowire.ConsumeBytes(b)
		case num == 2 && wt == protowire.Fixed32Type:
			var u uint32
			u, n = protowire.ConsumeFixed32(b)
			score = math.Float32frombits(u)
		case num == 3 && wt == protowire.VarintType:
			var u uint64
			u, n = protowire.ConsumeVarint(b)
			// proto2 keeps an unknown enum value out of the field, which
			// then reads as it was: its default, NORMAL, unless set before.
			if u >= uint64(Normal) && u <= uint64(Byte) {
				typ = Type(u)
			}
		default:
			n = protowire.ConsumeFieldValue(num, wt, b)
		}
		if n < 0 {
			return nil, 0, 0, protowire.ParseError(n)
		}
		b = b[n:]
	}
	return piece, score, typ, nil
}

// readSettings reads the trainer and normalizer settings and the
// self-test samples, off the wire (readSettingsWire) or else, to report
// the error as it always has, with the generated types.
func (v *Vocab) readSettings(trainer, normalizer, denormalizer, selfTest []byte, hasDenormalizer bool) error {
	if v.readSettingsWire(trainer, normalizer, denormalizer, selfTest, hasDenormalizer) {
		return nil
	}
	return v.readSettingsProto(trainer, normalizer, denormalizer, selfTest, hasDenormalizer)
}

// readSettingsProto is readSettings with the generated types.
func (v *Vocab) readSettingsProto(trainer, normalizer, denormalizer, selfTest []byte, hasDenormalizer bool) error {
	var ts spmpb.TrainerSpec
	var ns, ds spmpb.NormalizerSpec
	var st spmpb.SelfTestData
	for _, m := range []struct {
		name string
		b    []byte
		msg  proto.Message
	}{{"trainer_spec", trainer, &ts}, {"normalizer_spec", normalizer, &ns},
		{"denormalizer_spec", denormalizer, &ds}, {"self_test_data", selfTest, &st}} {
		if err := proto.Unmarshal(m.b, m.msg); err != nil {
			return fmt.Errorf("vocab: %w: %s: %v", ErrMalformed, m.name, err)
		}
	}
	v.trainer = TrainerSpec{
		Model:                     ModelType(ts.GetModelType()),
		ByteFallback:              ts.GetByteFallback(),
		TreatWhitespaceAsSuffix:   ts.GetTreatWhitespaceAsSuffix(),
		AllowWhitespaceOnlyPieces: ts.GetAllowWhitespaceOnlyPieces(),
		SplitDigits:               ts.GetSplitDigits(),
		UnkSurface:                ts.GetUnkSurface(),
		UnkPiece:                  ts.GetUnkPiece(),
		BOSPiece:                  ts.GetBosPiece(),
		EOSPiece:                  ts.GetEosPiece(),
		PadPiece:                  ts.GetPadPiece(),
	}.withDefaultPieces()
	v.normalizer = normalizerSpec(&ns)
	// SentencePiece builds a denormalizer only from a non-empty charsmap.
	if hasDenormalizer && len(ds.GetPrecompiledCharsmap()) > 0 {
		d := normalizerSpec(&ds)
		v.denormalizer = &d
	}
	for _, s := range st.GetSamples() {
		v.selfTests = append(v.selfTests, SelfTest{Input: s.GetInput(), Expected: s.GetExpected()})
	}
	return nil
}

func normalizerSpec(ns *spmpb.NormalizerSpec) NormalizerSpec {
	return NormalizerSpec{
		Name:                   ns.GetName(),
		PrecompiledCharsMap:    ns.GetPrecompiledCharsmap(),
		AddDummyPrefix:         ns.GetAddDummyPrefix(),
		RemoveExtraWhitespaces: ns.GetRemoveExtraWhitespaces(),
		EscapeWhitespaces:      ns.GetEscapeWhitespaces(),
	}
}

// withDefaultPieces returns ts with the unk, bos, eos and pad pieces that
// it leaves empty set to their defaults in SentencePiece's TrainerSpec.
func (ts TrainerSpec) withDefaultPieces() TrainerSpec {
	ts.UnkPiece = orDefault(ts.UnkPiece, "<unk>")
	ts.BOSPiece = orDefault(ts.BOSPiece, "<s>")
	ts.EOSPiece = orDefault(ts.EOSPiece, "</s>")
	ts.PadPiece = orDefault(ts.PadPiece, "<pad>")
	return ts
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// index builds the lookup structures and checks the vocabulary the way
// SentencePiece's ModelInterface::InitializePieces does.
func (v *Vocab) index() error {
	n := len(v.types)
	if n == 0 {
		return fmt.Errorf("vocab: %w: the model has no pieces", ErrMalformed)
	}
	if n > math.MaxInt32/2 {
		return fmt.Errorf("vocab: too many pieces (%d)", n)
	}
	// The embedded model's table and filter come built (index.go), with
	// its pieces checked when the index was made.
	built := v.table != nil
	if !built {
		v.table, v.filter = newTable(n)
	}
	v.mask = uint64(len(v.table) - 1)
	v.idBits = uint(bits.Len32(uint32(n)))
	empty, dup := n, error(nil) // the first empty piece that the table would hold; a duplicate
	if !built {
		empty, dup = v.fill()
	}
	v.reserved = make(map[string]int32)
	v.unk = -1
	for i := range v.byteIDs {
		v.byteIDs[i] = -1
	}
	for i := 0; i < n; i++ {
		if i = skipNormal(v.types, i); i >= empty {
			if empty < n {
				return fmt.Errorf("vocab: piece %d is empty", empty)
			}
			break
		}
		id := int32(i)
		piece := v.piece(id)
		if piece == "" {
			return fmt.Errorf("vocab: piece %d is empty", id)
		}
		switch t := v.types[i]; t {
		case UserDefined, Unused:
			if t == UserDefined {
				v.userDefined = append(v.userDefined, id)
			}
			if t == Unused {
				v.hasUnused = true
			}
		default:
			if prev, dup := v.reserved[piece]; dup {
				return fmt.Errorf("vocab: piece %q (id %d) is already defined (id %d)", piece, id, prev)
			}
			v.reserved[piece] = id
			if t == Unknown {
				if v.unk >= 0 {
					return fmt.Errorf("vocab: unknown piece is defined twice (ids %d and %d)", v.unk, id)
				}
				v.unk = id
			}
			if t == Byte {
				if !v.trainer.ByteFallback {
					return fmt.Errorf("vocab: byte piece %q (id %d) found although byte_fallback is false", piece, id)
				}
				b, ok := ByteValue(piece)
				if !ok {
					return fmt.Errorf("vocab: byte piece %q (id %d) is invalid", piece, id)
				}
				v.byteIDs[b] = id
			}
		}
	}
	if dup != nil {
		return dup
	}
	if v.unk < 0 {
		return fmt.Errorf("vocab: the model defines no unknown piece")
	}
	if v.trainer.ByteFallback {
		for b, id := range v.byteIDs {
			if id < 0 {
				return fmt.Errorf("vocab: byte_fallback is true but byte piece <0x%02X> is missing", b)
			}
		}
	}
	v.bos = v.special(v.trainer.BOSPiece, Control)
	v.eos = v.special(v.trainer.EOSPiece, Control)
	v.pad = v.special(v.trainer.PadPiece, Control)
	for piece, id := range v.reserved {
		if other := v.Lookup(piece); other >= 0 {
			if v.shadow == nil {
				v.shadow = make(map[int32]int32)
			}
			v.shadow[other] = id
		}
	}
	return nil
}

// skipNormal returns the index of the first piece from i on that is not
// Normal, or len(types). It compares eight types at a time: most pieces
// are normal.
func skipNormal(types []Type, i int) int {
	const normals = 0x0101010101010101 * uint64(Normal)
	b := unsafe.Slice((*byte)(unsafe.SliceData(types)), len(types))
	for ; i+8 <= len(b) && binary.LittleEndian.Uint64(b[i:]) == normals; i += 8 {
	}
	for ; i < len(types) && types[i] == Normal; i++ {
	}
	return i
}

// newTable returns an empty hash table and filter for n pieces.
func newTable(n int) (table []uint32, filter []uint64) {
	size := 1
	for size < 2*n {
		size <<= 1
	}
	table = make([]uint32, size)
	// Written before it is probed, so that each page is mapped once and
	// not first to the kernel's shared page of zeros.
	clear(table)
	return table, make([]uint64, max(1, size>>filterShift))
}

// fill puts the pieces that the table holds, the normal, user-defined and
// unused ones, into v's empty table and filter, in id order. It returns
// the id of the first such piece that is empty, which index reports, or
// else the number of pieces, and the error for the first piece whose text
// is in the table already.
//
// The table of a large vocabulary is larger than the first cache levels,
// but inserting in id order costs less than grouping the pieces by slot
// first, as fill once did (see groupedTable): a pass over them and two
// more arrays of their size.
func (v *Vocab) fill() (empty int, err error) {
	// The loop keeps what it reads in locals: it runs for nearly every
	// piece, and a hash of a few bytes costs little more than the loop.
	data, starts, lens, types, filter, table := v.data, v.starts, v.lens, v.types, v.filter, v.table
	// idBits is at most 30; masked, the shifts by it need no test for more.
	mask, idBits := v.mask, v.idBits&31
	idMask := uint32(1)<<idBits - 1
	for i, t := range types {
		if !inTable(t) {
			continue
		}
		l := lens[i]
		if l == 0 {
			return i, nil
		}
		start := starts[i]
		h := hashString(data[start : start+uint32(l)])
		e := uint32(h>>32)<<idBits | uint32(i+1) // v.tag(h) | id+1
		filter[h&mask>>filterShift] |= filterBits(h)
		j := h & mask
		for ; table[j] != 0; j = (j + 1) & mask {
			if o := table[j]; o&^idMask == e&^idMask {
				if other := int32(o&idMask) - 1; v.piece(other) == v.piece(int32(i)) {
					return v.firstEmpty(i + 1), fmt.Errorf("vocab: piece %q (id %d) is already defined (id %d)", v.piece(other), i, other)
				}
			}
		}
		table[j] = e
	}
	return len(types), nil
}

// inTable reports whether the hash table holds the pieces of type t.
func inTable(t Type) bool { return t == Normal || t == UserDefined || t == Unused }

// firstEmpty returns the id of the first piece from i on that the table
// would hold and is empty, or the number of pieces.
func (v *Vocab) firstEmpty(i int) int {
	for ; i < len(v.types); i++ {
		if inTable(v.types[i]) && v.lens[i] == 0 {
			break
		}
	}
	return i
}

// special returns the id of a special piece when it has the wanted type, as
// SentencePieceProcessor's bos_id and friends do, or -1.
func (v *Vocab) special(piece string, want Type) int32 {
	id, ok := v.ID(piece)
	if !ok || v.types[id] != want {
		return -1
	}
	return id
}
