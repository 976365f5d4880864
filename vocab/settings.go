package vocab

import (
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gemmatok/gemmatok/vocab/internal/spmpb"
)

// readSettingsWire is readSettings reading the settings straight off the
// wire, as parse reads the pieces, instead of with the generated types,
// whose reflection tables, set up on their first use, cost a new process
// more than all the rest of parsing a large model. It reports false,
// leaving v as it was, for settings that proto.Unmarshal might reject,
// which readSettings then reads and reports as it does.
func (v *Vocab) readSettingsWire(trainer, normalizer, denormalizer, selfTest []byte, hasDenormalizer bool) bool {
	ts := TrainerSpec{
		Model:      ModelType(spmpb.Default_TrainerSpec_ModelType),
		UnkSurface: spmpb.Default_TrainerSpec_UnkSurface,
	}
	ok := fields(trainer, func(num protowire.Number, typ protowire.Type, x uint64, s []byte) bool {
		// The field numbers and types are TrainerSpec's.
		switch {
		case typ == protowire.VarintType:
			switch num {
			case 3:
				ts.Model = ModelType(int32(x))
			case 35:
				ts.ByteFallback = x != 0
			case 24:
				ts.TreatWhitespaceAsSuffix = x != 0
			case 26:
				ts.AllowWhitespaceOnlyPieces = x != 0
			case 25:
				ts.SplitDigits = x != 0
			}
		case typ == protowire.BytesType:
			switch num {
			case 44:
				ts.UnkSurface = string(s)
			case 45:
				ts.UnkPiece = string(s)
			case 46:
				ts.BOSPiece = string(s)
			case 47:
				ts.EOSPiece = string(s)
			case 48:
				ts.PadPiece = string(s)
			}
		}
		return true
	})
	ns, ok1 := readNormalizer(normalizer)
	ds, ok2 := readNormalizer(denormalizer)
	var tests []SelfTest
	ok3 := fields(selfTest, func(num protowire.Number, typ protowire.Type, _ uint64, s []byte) bool {
		if num != 1 || typ != protowire.BytesType {
			return true
		}
		// SelfTestData.Sample
		var t SelfTest
		tests = append(tests, t)
		return fields(s, func(num protowire.Number, typ protowire.Type, _ uint64, s []byte) bool {
			if typ == protowire.BytesType && num == 1 {
				tests[len(tests)-1].Input = string(s)
			} else if typ == protowire.BytesType && num == 2 {
				tests[len(tests)-1].Expected = string(s)
			}
			return true
		})
	})
	if !ok || !ok1 || !ok2 || !ok3 {
		return false
	}
	v.trainer, v.normalizer, v.selfTests = ts.withDefaultPieces(), ns, tests
	// SentencePiece builds a denormalizer only from a non-empty charsmap.
	if hasDenormalizer && len(ds.PrecompiledCharsMap) > 0 {
		v.denormalizer = &ds
	}
	return true
}

// readNormalizer reads a NormalizerSpec off the wire, or reports false
// where fields does.
func readNormalizer(b []byte) (NormalizerSpec, bool) {
	ns := NormalizerSpec{
		AddDummyPrefix:         spmpb.Default_NormalizerSpec_AddDummyPrefix,
		RemoveExtraWhitespaces: spmpb.Default_NormalizerSpec_RemoveExtraWhitespaces,
		EscapeWhitespaces:      spmpb.Default_NormalizerSpec_EscapeWhitespaces,
	}
	ok := fields(b, func(num protowire.Number, typ protowire.Type, x uint64, s []byte) bool {
		switch {
		case typ == protowire.BytesType && num == 1:
			ns.Name = string(s)
		case typ == protowire.BytesType && num == 2:
			// A copy, never nil once set, as proto.Unmarshal leaves it.
			ns.PrecompiledCharsMap = append(make([]byte, 0, len(s)), s...)
		case typ == protowire.VarintType && num == 3:
			ns.AddDummyPrefix = x != 0
		case typ == protowire.VarintType && num == 4:
			ns.RemoveExtraWhitespaces = x != 0
		case typ == protowire.VarintType && num == 5:
			ns.EscapeWhitespaces = x != 0
		}
		return true
	})
	return ns, ok
}

// fields calls yield with each field of the message b, its number and
// wire type, and its value: x for a varint, s for a length-delimited
// field. It skips the fields of other wire types. It reports false when
// yield does, or when b is not a message that proto.Unmarshal reads
// without error as far as fields can tell: a tag, varint or length that
// does not parse, a field number out of range, a group left open or one
// closed that was not opened.
func fields(b []byte, yield func(num protowire.Number, typ protowire.Type, x uint64, s []byte) bool) bool {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num > protowire.MaxValidNumber {
			return false
		}
		b = b[n:]
		var x uint64
		var s []byte
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			s, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return false
		}
		b = b[n:]
		if (typ == protowire.VarintType || typ == protowire.BytesType) && !yield(num, typ, x, s) {
			return false
		}
	}
	return true
}
