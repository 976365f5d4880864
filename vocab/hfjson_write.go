package vocab

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TokenizerJSON returns v as a Hugging Face tokenizer.json, which the
// tokenizers library encodes with as SentencePiece does with the .model.
//
// A BPE vocabulary gets merges made from its scores: every way of joining
// two pieces into a third, ordered by the score of the third, highest
// first (and by ids among equal scores), as Hugging Face converts a
// SentencePiece model. Control, unknown and user-defined pieces become
// added tokens; the control and unknown ones are special (see readMetaspace
// and the comments below for what the flags do). A Unigram vocabulary
// keeps its scores, its charsmap as a Precompiled normalizer and its
// whitespace options as a Metaspace pre-tokenizer, prepend_scheme "first":
// like the C++'s dummy prefix, and unlike "always", it puts no "▁" after an
// added token in the middle of the text.
//
// Settings without a counterpart in tokenizer.json (whitespace as a
// suffix, the word and char models, pieces that are not UTF-8) make an
// error.
func (v *Vocab) TokenizerJSON() ([]byte, error) {
	tr, ns := &v.trainer, &v.normalizer
	if tr.Model != BPE && tr.Model != Unigram {
		return nil, fmt.Errorf("vocab: tokenizer.json has no %v model", tr.Model)
	}
	if tr.TreatWhitespaceAsSuffix {
		return nil, fmt.Errorf("vocab: tokenizer.json cannot treat whitespace as a suffix")
	}
	for id := range v.types {
		if p := v.piece(int32(id)); !utf8.ValidString(p) {
			return nil, fmt.Errorf("vocab: piece %d (%q) is not UTF-8, which tokenizer.json cannot hold", id, p)
		}
	}
	w := &jsonWriter{}
	w.raw(`{"version":"1.0","truncation":null,"padding":null,"added_tokens":[`)
	// User-defined pieces are matched in the normalized text, as the C++
	// matches them, when the normalizer leaves their text as it is: it
	// then only turns spaces into "▁", which a user-defined piece holds
	// already. Hugging Face normalizes an added token's own text too, so a
	// Prepend or a charsmap would change what it looks for.
	inNormalized := tr.Model == BPE && len(ns.PrecompiledCharsMap) == 0 && !ns.RemoveExtraWhitespaces && !ns.AddDummyPrefix
	n := 0
	for id, t := range v.types {
		if t != Control && t != Unknown && t != UserDefined {
			continue
		}
		if n > 0 {
			w.raw(",")
		}
		n++
		p := v.piece(int32(id))
		w.raw(`{"id":` + strconv.Itoa(id) + `,"content":`)
		w.str(p)
		// special: Hugging Face's decode with skip_special_tokens drops
		// the token, as the C++'s DecodeIds drops a control piece and keeps
		// a user-defined one's text.
		w.raw(`,"single_word":false,"lstrip":false,"rstrip":false,"normalized":` +
			strconv.FormatBool(t == UserDefined && inNormalized && !strings.Contains(p, " ")) +
			`,"special":` + strconv.FormatBool(t != UserDefined) + `}`)
	}
	w.raw(`],"normalizer":`)
	var steps []string
	if len(ns.PrecompiledCharsMap) > 0 {
		steps = append(steps, `{"type":"Precompiled","precompiled_charsmap":"`+
			base64.StdEncoding.EncodeToString(ns.PrecompiledCharsMap)+`"}`)
	}
	if ns.RemoveExtraWhitespaces {
		steps = append(steps, `{"type":"Strip","strip_left":true,"strip_right":true}`,
			`{"type":"Replace","pattern":{"Regex":" {2,}"},"content":" "}`)
	}
	metaspace := tr.Model == Unigram && ns.EscapeWhitespaces
	if !metaspace {
		if ns.AddDummyPrefix {
			steps = append(steps, `{"type":"Prepend","prepend":"▁"}`)
		}
		if ns.EscapeWhitespaces {
			steps = append(steps, `{"type":"Replace","pattern":{"String":" "},"content":"▁"}`)
		}
	}
	w.sequence("normalizers", steps)
	w.raw(`,"pre_tokenizer":`)
	if metaspace {
		scheme := "never"
		if ns.AddDummyPrefix {
			scheme = "first"
		}
		// Splitting at "▁" is faster under Hugging Face, and the same
		// unless a piece spans words (see checkSplit).
		split := true
		for id := range v.types {
			split = split && !spansWords(v.piece(int32(id)))
		}
		w.raw(`{"type":"Metaspace","replacement":"▁","prepend_scheme":"` + scheme + `","split":` + strconv.FormatBool(split) + `}`)
	} else {
		w.raw("null")
	}
	w.raw(`,"post_processor":null,"decoder":`)
	steps = []string{`{"type":"Replace","pattern":{"String":"▁"},"content":" "}`}
	if tr.ByteFallback {
		steps = append(steps, `{"type":"ByteFallback"}`)
	}
	steps = append(steps, `{"type":"Fuse"}`)
	if ns.AddDummyPrefix {
		steps = append(steps, `{"type":"Strip","content":" ","start":1,"stop":0}`)
	}
	w.sequence("decoders", steps)
	w.raw(`,"model":`)
	if tr.Model == BPE {
		v.writeBPE(w)
	} else {
		v.writeUnigram(w)
	}
	w.raw("}\n")
	return w.Bytes(), nil
}

func (v *Vocab) writeBPE(w *jsonWriter) {
	w.raw(`{"type":"BPE","dropout":null,"unk_token":`)
	w.str(v.piece(v.unk))
	w.raw(`,"continuing_subword_prefix":null,"end_of_word_suffix":null,"fuse_unk":true,"byte_fallback":` +
		strconv.FormatBool(v.trainer.ByteFallback) + `,"ignore_merges":false,"vocab":{`)
	for id := range v.types {
		if id > 0 {
			w.raw(",")
		}
		w.str(v.piece(int32(id)))
		w.raw(":" + strconv.Itoa(id))
	}
	w.raw(`},"merges":[`)
	for i, m := range v.merges() {
		if i > 0 {
			w.raw(",")
		}
		w.raw("[")
		w.str(v.piece(m[0]))
		w.raw(",")
		w.str(v.piece(m[1]))
		w.raw("]")
	}
	w.raw("]}")
}

// merges returns the pairs of pieces whose join is a piece that BPE
// produces by merging (normal, user-defined or unused), in the order of
// SentencePiece's preference: the joined piece's score, highest first.
// Among equal scores, as Hugging Face's converter orders them, the pair
// with the longer left piece (in characters) comes first, then the one
// with the longer right piece: merging a run of spaces then grows one
// piece from the left, as SentencePiece's longest match of user-defined
// whitespace runs does.
func (v *Vocab) merges() [][2]int32 {
	type merge struct{ l, r, to, ln, rn int32 }
	var ms []merge
	for id, t := range v.types {
		if t != Normal && t != UserDefined && t != Unused {
			continue
		}
		p := v.piece(int32(id))
		for i := 1; i < len(p); i++ {
			if !utf8.RuneStart(p[i]) {
				continue
			}
			if l, r := v.Lookup(p[:i]), v.Lookup(p[i:]); l >= 0 && r >= 0 {
				ln := int32(utf8.RuneCountInString(p[:i]))
				ms = append(ms, merge{l, r, int32(id), ln, int32(utf8.RuneCountInString(p)) - ln})
			}
		}
	}
	slices.SortFunc(ms, func(a, b merge) int {
		if c := cmp.Compare(v.scores[b.to], v.scores[a.to]); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(b.ln, a.ln), cmp.Compare(b.rn, a.rn), cmp.Compare(a.to, b.to), cmp.Compare(a.l, b.l))
	})
	out := make([][2]int32, len(ms))
	for i, m := range ms {
		out[i] = [2]int32{m.l, m.r}
	}
	return out
}

func (v *Vocab) writeUnigram(w *jsonWriter) {
	w.raw(`{"type":"Unigram","unk_id":` + strconv.Itoa(int(v.unk)) + `,"vocab":[`)
	for id := range v.types {
		if id > 0 {
			w.raw(",")
		}
		w.raw("[")
		w.str(v.piece(int32(id)))
		w.raw("," + strconv.FormatFloat(float64(v.scores[id]), 'g', -1, 32) + "]")
	}
	w.raw(`],"byte_fallback":` + strconv.FormatBool(v.trainer.ByteFallback) + "}")
}

// jsonWriter builds a JSON document by hand, so that objects keep the
// order of their keys (the vocabulary's, in id order) and the output is
// not HTML-escaped.
type jsonWriter struct{ bytes.Buffer }

func (w *jsonWriter) raw(s string) { w.WriteString(s) }

// sequence writes steps as null, the one step, or a Sequence of them
// under key.
func (w *jsonWriter) sequence(key string, steps []string) {
	switch len(steps) {
	case 0:
		w.raw("null")
	case 1:
		w.raw(steps[0])
	default:
		w.raw(`{"type":"Sequence","` + key + `":[`)
		for i, s := range steps {
			if i > 0 {
				w.raw(",")
			}
			w.raw(s)
		}
		w.raw("]}")
	}
}

// str writes s, valid UTF-8, as a JSON string.
func (w *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	w.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			w.WriteByte('\\')
			w.WriteByte(c)
		case c == '\n':
			w.raw(`\n`)
		case c == '\t':
			w.raw(`\t`)
		case c == '\r':
			w.raw(`\r`)
		case c < 0x20:
			w.raw(`\u00`)
			w.WriteByte(hex[c>>4])
			w.WriteByte(hex[c&15])
		default:
			w.WriteByte(c)
		}
	}
	w.WriteByte('"')
}
