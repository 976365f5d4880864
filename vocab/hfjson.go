package vocab

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// ErrUnsupportedJSON is wrapped by the errors of tokenizer.json files that
// are valid but not of a kind SentencePiece can run: byte-level BPE
// (GPT-2, Llama 3), WordPiece (BERT), WordLevel, and normalizers or
// pre-tokenizers without a SentencePiece counterpart.
var ErrUnsupportedJSON = errors.New("unsupported tokenizer.json")

// ErrMalformedJSON is wrapped by the errors of tokenizer.json files that are
// not valid: bad JSON, a model without a vocabulary, duplicate tokens,
// merges naming unknown tokens.
var ErrMalformedJSON = errors.New("malformed tokenizer.json")

// LoadJSONFile reads a Hugging Face tokenizer.json file; see ParseJSON.
func LoadJSONFile(path string) (*Vocab, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := ParseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// LoadJSON reads a Hugging Face tokenizer.json from r; see ParseJSON.
func LoadJSON(r io.Reader) (*Vocab, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxModelSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxModelSize {
		return nil, fmt.Errorf("vocab: tokenizer.json larger than %d bytes", MaxModelSize)
	}
	return ParseJSON(data)
}

// ParseJSON reads a Hugging Face tokenizer.json of the SentencePiece kinds
// into a Vocab:
//
//   - BPE as SentencePiece trains it (Gemma, Llama 2, Mistral): normalizer
//     Replace(" " → "▁") and Prepend("▁"), or a Metaspace pre-tokenizer;
//     byte fallback; merges. Hugging Face orders merges by their rank in
//     the merges list and SentencePiece by the score of the merged piece,
//     so scores are made from the ranks: when the ranks follow the ids, as
//     in every model converted from SentencePiece, a normal piece scores
//     minus its distance from the first normal piece, which gives back the
//     scores of the original .model; otherwise a piece scores minus the rank
//     of the first merge that makes it.
//   - Unigram (T5, mT5, XLM-R, ALBERT): pieces and scores, the Precompiled
//     normalizer's charsmap, Metaspace's options.
//
// Added tokens become user-defined pieces, which SentencePiece, as Hugging
// Face, matches in the text before segmentation; the unknown token becomes
// the unknown piece, and the BOS, EOS and padding tokens (by the
// post-processor's template, else by the names <bos>, <s>, <eos>, </s>,
// <pad>) control pieces, which are never matched in text.
//
// Other kinds fail with an error wrapping ErrUnsupportedJSON that names
// them; invalid files with one wrapping ErrMalformedJSON.
func ParseJSON(data []byte) (*Vocab, error) {
	var f hfFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("vocab: %w: %v", ErrMalformedJSON, err)
	}
	if len(f.Model) == 0 || string(f.Model) == "null" {
		return nil, malformedJSON("no model")
	}
	var m hfModel
	if err := json.Unmarshal(f.Model, &m); err != nil {
		return nil, malformedJSON("model: %v", err)
	}
	if m.Type == "" {
		m.Type = guessModelType(&m)
	}
	if m.Type == "" {
		if len(m.Vocab) == 0 || string(m.Vocab) == "null" {
			return nil, malformedJSON("model has no type and no vocab")
		}
		return nil, unsupported("model without a type, neither BPE (with merges) nor Unigram (a list of [token, score])")
	}
	switch m.Type {
	case "BPE":
		return f.readBPE(&m)
	case "Unigram":
		return f.readUnigram(&m)
	case "WordPiece":
		return nil, unsupported("WordPiece model (BERT style)")
	case "WordLevel":
		return nil, unsupported("WordLevel model")
	}
	return nil, unsupported("model type %q", m.Type)
}

func malformedJSON(format string, args ...any) error {
	return fmt.Errorf("vocab: %w: %s", ErrMalformedJSON, fmt.Sprintf(format, args...))
}

func unsupported(format string, args ...any) error {
	return fmt.Errorf("vocab: %w: %s", ErrUnsupportedJSON, fmt.Sprintf(format, args...))
}

// hfFile is the top level of a tokenizer.json.
type hfFile struct {
	AddedTokens   []hfAdded       `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Model         json.RawMessage `json:"model"`
}

type hfAdded struct {
	ID         *int32 `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

type hfModel struct {
	Type                    string          `json:"type"`
	UnkToken                *string         `json:"unk_token"`
	UnkID                   *int            `json:"unk_id"`
	ByteFallback            bool            `json:"byte_fallback"`
	FuseUnk                 bool            `json:"fuse_unk"`
	Dropout                 *float64        `json:"dropout"`
	ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string         `json:"end_of_word_suffix"`
	IgnoreMerges            bool            `json:"ignore_merges"`
	Vocab                   json.RawMessage `json:"vocab"`
	Merges                  json.RawMessage `json:"merges"`
}

// guessModelType names the model of a file old enough to leave out "type",
// as the Hugging Face reader tells them apart.
func guessModelType(m *hfModel) string {
	switch {
	case len(m.Merges) > 0:
		return "BPE"
	case bytes.HasPrefix(bytes.TrimSpace(m.Vocab), []byte("[")):
		return "Unigram"
	}
	return ""
}

// hfStep is one normalizer or pre-tokenizer: the fields of all the kinds
// this reader knows, by name.
type hfStep struct {
	Type          string            `json:"type"`
	Normalizers   []json.RawMessage `json:"normalizers"`
	PreTokenizers []json.RawMessage `json:"pretokenizers"`
	Pattern       struct {
		String *string `json:"String"`
		Regex  *string `json:"Regex"`
	} `json:"pattern"`
	Content        string  `json:"content"`
	Prepend        string  `json:"prepend"`
	Replacement    string  `json:"replacement"`
	PrependScheme  string  `json:"prepend_scheme"`
	AddPrefixSpace *bool   `json:"add_prefix_space"`
	Split          *bool   `json:"split"`
	Behavior       string  `json:"behavior"`
	Invert         bool    `json:"invert"`
	StripLeft      bool    `json:"strip_left"`
	StripRight     bool    `json:"strip_right"`
	CharsMap       *string `json:"precompiled_charsmap"`
}

// flatten returns the steps of a normalizer or pre-tokenizer, Sequences
// opened.
func flatten(raw json.RawMessage, what string) ([]hfStep, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s hfStep
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, malformedJSON("%s: %v", what, err)
	}
	if s.Type != "Sequence" {
		return []hfStep{s}, nil
	}
	var out []hfStep
	for _, r := range append(s.Normalizers, s.PreTokenizers...) {
		steps, err := flatten(r, what)
		if err != nil {
			return nil, err
		}
		out = append(out, steps...)
	}
	return out, nil
}

// hfSettings are what a file's normalizer and pre-tokenizer mean in
// SentencePiece's terms.
type hfSettings struct {
	normalizer NormalizerSpec
	splitWords bool // Metaspace splits the text into words at "▁"
}

// readSteps reads the normalizer and the pre-tokenizer.
func (f *hfFile) readSteps(unigram bool) (hfSettings, error) {
	var s hfSettings
	norms, err := flatten(f.Normalizer, "normalizer")
	if err != nil {
		return s, err
	}
	pres, err := flatten(f.PreTokenizer, "pre_tokenizer")
	if err != nil {
		return s, err
	}
	n := &s.normalizer
	for _, st := range norms {
		switch {
		case st.Type == "Replace" && st.Pattern.String != nil && *st.Pattern.String == " " && st.Content == "▁":
			n.EscapeWhitespaces = true
		case st.Type == "Prepend" && st.Prepend == "▁":
			n.AddDummyPrefix = true
			// Hugging Face normalizes a normalized added token's own text
			// too, and looks for "▁" and the token: not a piece the C++
			// can match.
			for _, a := range f.AddedTokens {
				if a.Normalized {
					return s, unsupported("added token %q normalized under a Prepend normalizer", a.Content)
				}
			}
		case st.Type == "Precompiled" && st.CharsMap != nil:
			cm, err := base64.StdEncoding.DecodeString(*st.CharsMap)
			if err != nil {
				return s, malformedJSON("Precompiled normalizer: %v", err)
			}
			n.PrecompiledCharsMap = cm
			n.Name = "nmt_nfkc"
		case unigram && st.Type == "Strip" && st.StripRight:
			n.RemoveExtraWhitespaces = true
		case unigram && st.Type == "Replace" && st.Pattern.Regex != nil && *st.Pattern.Regex == " {2,}":
			n.RemoveExtraWhitespaces = true
		default:
			return s, unsupported("normalizer %s", describe(st))
		}
	}
	wordSplit := false // a WhitespaceSplit came before
	for _, st := range pres {
		switch {
		case st.Type == "Metaspace":
			if err := s.readMetaspace(st, wordSplit); err != nil {
				return s, err
			}
		case unigram && st.Type == "WhitespaceSplit":
			// Older converters' stand-in for remove_extra_whitespaces.
			n.RemoveExtraWhitespaces = true
			wordSplit = true
		case st.Type == "Split" && n.EscapeWhitespaces && st.Pattern.String != nil && *st.Pattern.String == " ":
			// Gemma's: the normalizer has left no space to split at.
		case st.Type == "ByteLevel":
			return s, unsupported("byte-level BPE (GPT-2 and Llama 3 style): pre-tokenizer ByteLevel")
		default:
			return s, unsupported("pre-tokenizer %s", describe(st))
		}
	}
	if n.Name == "" {
		n.Name = "identity" // SentencePiece's name for no charsmap
	}
	return s, nil
}

// readMetaspace reads a Metaspace pre-tokenizer. Hugging Face's Metaspace
// turns each " " into "▁" in every stretch of text that it is given (the
// text is cut at the added tokens, and at whitespace by a WhitespaceSplit
// before it), then puts a "▁" before a stretch that does not start with one:
// before every stretch under prepend_scheme "always" (the default), before
// the one that starts the text under "first", before none under "never";
// "split" then cuts the stretch before each "▁". SentencePiece's dummy
// prefix (normalizer.cc) is one "▁" at the start of the text, whatever
// follows: it is "always" and "first" on text that neither starts with a
// space nor has an added token, which is as close as a model proto comes.
func (s *hfSettings) readMetaspace(st hfStep, wordSplit bool) error {
	if st.Replacement != "▁" {
		return unsupported("Metaspace with replacement %q (SentencePiece's is \"▁\")", st.Replacement)
	}
	scheme := st.PrependScheme
	switch scheme {
	case "":
		scheme = "always"
	case "always", "first", "never":
	default:
		return unsupported("Metaspace prepend_scheme %q", st.PrependScheme)
	}
	// Hugging Face refuses the pair rather than pick one.
	if st.AddPrefixSpace != nil && !*st.AddPrefixSpace && scheme != "never" {
		return malformedJSON("Metaspace add_prefix_space false does not match prepend_scheme %q", scheme)
	}
	if wordSplit && scheme != "always" {
		// Every word but the first would lose the "▁" that its space was.
		return unsupported("Metaspace prepend_scheme %q after WhitespaceSplit", scheme)
	}
	s.normalizer.EscapeWhitespaces = true
	s.normalizer.AddDummyPrefix = scheme != "never"
	s.splitWords = st.Split == nil || *st.Split
	return nil
}

// checkSplit refuses a Metaspace that splits words when a token holds a
// "▁" after its start. Split words never make such a token; SentencePiece,
// which does not split, makes it (BPE by merging across "▁", Unigram by
// choosing it in the lattice), so there the two would differ.
func (s *hfSettings) checkSplit(byID []string) error {
	if !s.splitWords {
		return nil
	}
	if i := slices.IndexFunc(byID, spansWords); i >= 0 {
		return unsupported("Metaspace with split and a token with an inner \"▁\" (%q)", byID[i])
	}
	return nil
}

// spansWords reports whether p holds a "▁" after its start.
func spansWords(p string) bool {
	i := strings.Index(p, "▁")
	return i > 0 || i == 0 && strings.Contains(p[len("▁"):], "▁")
}

// describe names a normalizer or pre-tokenizer for an error message.
func describe(st hfStep) string {
	switch {
	case st.Pattern.String != nil:
		return fmt.Sprintf("%s(%q → %q)", st.Type, *st.Pattern.String, st.Content)
	case st.Pattern.Regex != nil:
		return fmt.Sprintf("%s(regex %q → %q)", st.Type, *st.Pattern.Regex, st.Content)
	case st.Type == "":
		return "without a type"
	}
	return st.Type
}

// readVocabObject reads a BPE vocabulary, a JSON object of token → id,
// into pieces by id.
func readVocabObject(raw json.RawMessage) ([]string, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, malformedJSON("model.vocab is not an object")
	}
	var byID []string
	seen := map[string]bool{}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, malformedJSON("model.vocab: %v", err)
		}
		piece := t.(string) // object keys are strings
		var id int64
		if err := d.Decode(&id); err != nil {
			return nil, malformedJSON("model.vocab[%q]: %v", piece, err)
		}
		if seen[piece] {
			return nil, malformedJSON("token %q appears twice in model.vocab", piece)
		}
		seen[piece] = true
		if id < 0 || id > math.MaxInt32/2 || id >= int64(len(raw)) {
			return nil, malformedJSON("token %q has id %d", piece, id)
		}
		for int64(len(byID)) <= id {
			byID = append(byID, "")
		}
		if byID[id] != "" {
			return nil, malformedJSON("tokens %q and %q have the same id %d", byID[id], piece, id)
		}
		if piece == "" {
			return nil, malformedJSON("empty token (id %d)", id)
		}
		byID[id] = piece
	}
	if _, err := d.Token(); err != nil {
		return nil, malformedJSON("model.vocab: %v", err)
	}
	if len(byID) == 0 {
		return nil, malformedJSON("model.vocab is empty")
	}
	for id, p := range byID {
		if p == "" {
			return nil, malformedJSON("no token has id %d", id)
		}
	}
	return byID, nil
}

// readMerges reads the merges, in either form: "a b" or ["a", "b"].
func readMerges(raw json.RawMessage) ([][2]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, malformedJSON("model.merges: %v", err)
	}
	merges := make([][2]string, len(items))
	for i, it := range items {
		var s string
		if json.Unmarshal(it, &s) == nil {
			a, b, ok := strings.Cut(s, " ")
			if !ok || strings.Contains(b, " ") {
				return nil, malformedJSON("merge %d (%q) is not two tokens", i, s)
			}
			merges[i] = [2]string{a, b}
			continue
		}
		var pair []string
		if err := json.Unmarshal(it, &pair); err != nil || len(pair) != 2 {
			return nil, malformedJSON("merge %d is neither \"a b\" nor [a, b]", i)
		}
		merges[i] = [2]string{pair[0], pair[1]}
	}
	return merges, nil
}

func (f *hfFile) readBPE(m *hfModel) (*Vocab, error) {
	if m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "" ||
		m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "" {
		return nil, unsupported("BPE with a continuing-subword prefix or end-of-word suffix")
	}
	if m.Dropout != nil && *m.Dropout != 0 {
		return nil, unsupported("BPE with dropout %v", *m.Dropout)
	}
	if m.IgnoreMerges {
		return nil, unsupported("BPE with ignore_merges")
	}
	set, err := f.readSteps(false)
	if err != nil {
		return nil, err
	}
	if len(m.Vocab) == 0 {
		return nil, malformedJSON("model has no vocab")
	}
	byID, err := readVocabObject(m.Vocab)
	if err != nil {
		return nil, err
	}
	merges, err := readMerges(m.Merges)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]int32, len(byID))
	for id, p := range byID {
		ids[p] = int32(id)
	}
	// rank[id] is the rank of the first merge that makes the piece, or -1.
	rank := make([]int32, len(byID))
	for i := range rank {
		rank[i] = -1
	}
	for r, mg := range merges {
		for _, p := range mg {
			if _, ok := ids[p]; !ok {
				return nil, malformedJSON("merge %d (%q %q) names %q, which is not in the vocabulary", r, mg[0], mg[1], p)
			}
		}
		id, ok := ids[mg[0]+mg[1]]
		if !ok {
			return nil, malformedJSON("merge %d (%q %q) makes %q, which is not in the vocabulary", r, mg[0], mg[1], mg[0]+mg[1])
		}
		if rank[id] < 0 {
			rank[id] = int32(r)
		}
	}
	if !m.FuseUnk && !m.ByteFallback {
		return nil, unsupported("BPE with fuse_unk false (SentencePiece fuses unknown runs)")
	}
	if err := set.checkSplit(byID); err != nil {
		return nil, err
	}
	es, tr, err := f.entries(byID, m.UnkToken, m.ByteFallback)
	if err != nil {
		return nil, err
	}
	tr.Model = BPE
	bpeScores(es, rank, len(merges))
	return Build(es, tr, set.normalizer)
}

// bpeScores gives the normal pieces scores that order merges as their
// ranks do. See ParseJSON.
func bpeScores(es []Entry, rank []int32, merges int) {
	first := -1
	last, ordered := int32(-1), true
	for id := range es {
		if es[id].Type != Normal {
			continue
		}
		if first < 0 {
			first = id
		}
		if r := rank[id]; r >= 0 {
			ordered = ordered && r > last
			last = r
		}
	}
	for id := range es {
		switch {
		case es[id].Type != Normal:
		case ordered:
			es[id].Score = float32(first - id)
		case rank[id] >= 0:
			es[id].Score = -float32(rank[id])
		default: // below every merge
			es[id].Score = -float32(merges + id)
		}
	}
}

// entries returns the pieces of a vocabulary by id with their types, the
// added tokens appended or typed, and the trainer settings they imply.
func (f *hfFile) entries(byID []string, unkToken *string, byteFallback bool) ([]Entry, TrainerSpec, error) {
	tr := TrainerSpec{ByteFallback: byteFallback, UnkSurface: " \u2047 "}
	es := make([]Entry, len(byID), len(byID)+len(f.AddedTokens))
	for id, p := range byID {
		es[id] = Entry{Piece: p, Type: Normal}
		if _, ok := ByteValue(p); ok && byteFallback {
			es[id].Type = Byte
		}
	}
	added := map[string]bool{}
	beyond := map[string]int{} // the added tokens past the model's vocabulary, by id
	for _, a := range f.AddedTokens {
		if a.ID == nil || *a.ID < 0 {
			return nil, tr, malformedJSON("added token %q has no id", a.Content)
		}
		id := int(*a.ID)
		if a.Content == "" {
			return nil, tr, malformedJSON("added token %d is empty", id)
		}
		switch {
		case id < len(es) && es[id].Piece != a.Content:
			return nil, tr, malformedJSON("added token %q has the id %d of %q", a.Content, id, es[id].Piece)
		case id == len(es):
			es = append(es, Entry{Piece: a.Content})
			beyond[a.Content] = id
		case id > len(es):
			return nil, tr, malformedJSON("added token %q has id %d, past the vocabulary's end %d", a.Content, id, len(es))
		}
		if added[a.Content] {
			return nil, tr, malformedJSON("added token %q appears twice", a.Content)
		}
		added[a.Content] = true
		if a.SingleWord || (!a.Special && (a.LStrip || a.RStrip)) {
			return nil, tr, unsupported("added token %q with single_word, lstrip or rstrip", a.Content)
		}
		es[id].Type = UserDefined
	}
	for id := 0; len(beyond) > 0 && id < len(byID); id++ {
		if other, ok := beyond[byID[id]]; ok {
			return nil, tr, malformedJSON("added token %q has id %d, and the model's vocabulary has it as id %d", byID[id], other, id)
		}
	}
	tr.BOSPiece = f.specialName(es, added, f.templateBOS(), "<bos>", "<s>")
	tr.EOSPiece = f.specialName(es, added, "<eos>", "</s>")
	tr.PadPiece = f.specialName(es, added, "<pad>")
	for id := range es {
		switch p := es[id].Piece; {
		case unkToken != nil && p == *unkToken:
			es[id].Type = Unknown
			tr.UnkPiece = p
		case added[p] && (p == tr.BOSPiece || p == tr.EOSPiece || p == tr.PadPiece):
			es[id].Type = Control
		}
	}
	if unkToken != nil && tr.UnkPiece == "" {
		return nil, tr, malformedJSON("unk_token %q is not in the vocabulary", *unkToken)
	}
	return es, tr, nil
}

// specialName returns the first of names that is an added token, or "".
func (f *hfFile) specialName(es []Entry, added map[string]bool, names ...string) string {
	for _, n := range names {
		if n != "" && added[n] {
			return n
		}
	}
	return ""
}

// templateBOS returns the special token a TemplateProcessing
// post-processor puts first, or "".
func (f *hfFile) templateBOS() string {
	var pp struct {
		Type   string `json:"type"`
		Single []struct {
			SpecialToken *struct {
				ID string `json:"id"`
			} `json:"SpecialToken"`
		} `json:"single"`
	}
	if json.Unmarshal(f.PostProcessor, &pp) != nil || pp.Type != "TemplateProcessing" ||
		len(pp.Single) == 0 || pp.Single[0].SpecialToken == nil {
		return ""
	}
	return pp.Single[0].SpecialToken.ID
}

func (f *hfFile) readUnigram(m *hfModel) (*Vocab, error) {
	set, err := f.readSteps(true)
	if err != nil {
		return nil, err
	}
	if len(m.Vocab) == 0 || string(m.Vocab) == "null" {
		return nil, malformedJSON("model has no vocab")
	}
	var items [][2]json.RawMessage
	if err := json.Unmarshal(m.Vocab, &items); err != nil {
		return nil, malformedJSON("model.vocab: %v", err)
	}
	byID := make([]string, len(items))
	scores := make([]float64, len(items))
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		if json.Unmarshal(it[0], &byID[i]) != nil || json.Unmarshal(it[1], &scores[i]) != nil {
			return nil, malformedJSON("model.vocab[%d] is not [token, score]", i)
		}
		if seen[byID[i]] {
			return nil, malformedJSON("token %q appears twice in model.vocab", byID[i])
		}
		if byID[i] == "" {
			return nil, malformedJSON("model.vocab[%d] is empty", i)
		}
		seen[byID[i]] = true
	}
	if len(byID) == 0 {
		return nil, malformedJSON("model.vocab is empty")
	}
	if err := set.checkSplit(byID); err != nil {
		return nil, err
	}
	var unk *string
	if m.UnkID != nil {
		if *m.UnkID < 0 || *m.UnkID >= len(byID) {
			return nil, malformedJSON("unk_id %d is outside the vocabulary", *m.UnkID)
		}
		unk = &byID[*m.UnkID]
	}
	es, tr, err := f.entries(byID, unk, m.ByteFallback)
	if err != nil {
		return nil, err
	}
	tr.Model = Unigram
	for i, s := range scores {
		es[i].Score = float32(s)
	}
	return Build(es, tr, set.normalizer)
}
