package vocab

import (
	"google.golang.org/protobuf/proto"

	"github.com/gemmatok/gemmatok/vocab/internal/spmpb"
)

// MarshalBinary returns v as a serialized SentencePiece ModelProto, the
// contents of a .model file: every piece with its score and type, and the
// trainer, normalizer and denormalizer settings and self-tests that v
// holds. Trainer settings that encoding does not read (the training
// corpus, sizes, seeds) are not kept by a Vocab and so are not written.
//
// Parse of the result gives a Vocab equal to v.
func (v *Vocab) MarshalBinary() ([]byte, error) {
	m := &spmpb.ModelProto{
		Pieces:         make([]*spmpb.ModelProto_SentencePiece, v.Size()),
		TrainerSpec:    v.trainerProto(),
		NormalizerSpec: normalizerProto(&v.normalizer),
	}
	// One backing array for all the piece messages: a vocabulary may have
	// hundreds of thousands.
	msgs := make([]spmpb.ModelProto_SentencePiece, v.Size())
	for i := range msgs {
		id := int32(i)
		p := &msgs[i]
		p.Piece = proto.String(v.piece(id))
		p.Score = proto.Float32(v.scores[id])
		if t := v.types[id]; t != Normal {
			p.Type = spmpb.ModelProto_SentencePiece_Type(t).Enum()
		}
		m.Pieces[i] = p
	}
	if v.denormalizer != nil {
		m.DenormalizerSpec = normalizerProto(v.denormalizer)
	}
	if len(v.selfTests) > 0 {
		m.SelfTestData = &spmpb.SelfTestData{}
		for _, s := range v.selfTests {
			m.SelfTestData.Samples = append(m.SelfTestData.Samples,
				&spmpb.SelfTestData_Sample{Input: proto.String(s.Input), Expected: proto.String(s.Expected)})
		}
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// trainerProto returns the trainer settings of v as a proto message. The
// special ids are written too (-1 where absent), for the tools that read
// them rather than look the special pieces up.
func (v *Vocab) trainerProto() *spmpb.TrainerSpec {
	tr := &v.trainer
	ts := &spmpb.TrainerSpec{
		VocabSize:                 proto.Int32(int32(v.Size())),
		ByteFallback:              proto.Bool(tr.ByteFallback),
		TreatWhitespaceAsSuffix:   proto.Bool(tr.TreatWhitespaceAsSuffix),
		AllowWhitespaceOnlyPieces: proto.Bool(tr.AllowWhitespaceOnlyPieces),
		SplitDigits:               proto.Bool(tr.SplitDigits),
		UnkSurface:                proto.String(tr.UnkSurface),
		UnkPiece:                  proto.String(tr.UnkPiece),
		BosPiece:                  proto.String(tr.BOSPiece),
		EosPiece:                  proto.String(tr.EOSPiece),
		PadPiece:                  proto.String(tr.PadPiece),
		UnkId:                     proto.Int32(v.unk),
		BosId:                     proto.Int32(v.bos),
		EosId:                     proto.Int32(v.eos),
		PadId:                     proto.Int32(v.pad),
	}
	if tr.Model != 0 {
		ts.ModelType = spmpb.TrainerSpec_ModelType(tr.Model).Enum()
	}
	return ts
}

// normalizerProto returns normalizer settings as a proto message; every
// field is set, since the proto's defaults are not the zero values.
func normalizerProto(ns *NormalizerSpec) *spmpb.NormalizerSpec {
	p := &spmpb.NormalizerSpec{
		AddDummyPrefix:         proto.Bool(ns.AddDummyPrefix),
		RemoveExtraWhitespaces: proto.Bool(ns.RemoveExtraWhitespaces),
		EscapeWhitespaces:      proto.Bool(ns.EscapeWhitespaces),
	}
	if ns.Name != "" {
		p.Name = proto.String(ns.Name)
	}
	if len(ns.PrecompiledCharsMap) > 0 {
		p.PrecompiledCharsmap = ns.PrecompiledCharsMap
	}
	return p
}
