package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gemmatok/gemmatok/tokenizer"
)

func (a *app) infoCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Describe the model",
		Long: `info describes the model in use: its file and sha256, type and vocabulary
size, the special and user-defined pieces, and the normalizer and trainer
settings that encoding depends on.`,
		Example: `  gemmatok info
  gemmatok info --model tokenizer.model --json | jq .sha256`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(args []string) error {
			return a.info(asJSON)
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

// modelInfo is what info reports.
type modelInfo struct {
	File        string          `json:"file"` // "" for the embedded model
	SHA256      string          `json:"sha256"`
	Bytes       int             `json:"bytes"`
	Type        string          `json:"type"`
	VocabSize   int             `json:"vocab_size"`
	Unk         *idPiece        `json:"unk"`
	BOS         *idPiece        `json:"bos"`
	EOS         *idPiece        `json:"eos"`
	Pad         *idPiece        `json:"pad"`
	Special     []idPiece       `json:"special"`
	UserDefined []idPiece       `json:"user_defined"`
	Normalizer  normalizerInfo  `json:"normalizer"`
	Trainer     trainerSettings `json:"trainer"`
}

type idPiece struct {
	ID    int32  `json:"id"`
	Piece string `json:"piece"`
}

type normalizerInfo struct {
	Name                   string `json:"name"`
	CharsMapBytes          int    `json:"precompiled_charsmap_bytes"`
	AddDummyPrefix         bool   `json:"add_dummy_prefix"`
	RemoveExtraWhitespaces bool   `json:"remove_extra_whitespaces"`
	EscapeWhitespaces      bool   `json:"escape_whitespaces"`
}

type trainerSettings struct {
	ByteFallback              bool `json:"byte_fallback"`
	SplitDigits               bool `json:"split_digits"`
	TreatWhitespaceAsSuffix   bool `json:"treat_whitespace_as_suffix"`
	AllowWhitespaceOnlyPieces bool `json:"allow_whitespace_only_pieces"`
}

func (a *app) info(asJSON bool) error {
	tok, err := a.tokenizer()
	if err != nil {
		return err
	}
	path := a.modelSource()
	data, err := modelBytes(path)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	in := describe(tok, path, data)
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(in)
	}
	return in.write(a.stdout)
}

// describe gathers the facts info reports on tok, read from data at path.
func describe(tok *tokenizer.Tokenizer, path string, data []byte) *modelInfo {
	v := tok.Vocab()
	sum := sha256.Sum256(data)
	idp := func(id int32) idPiece { return idPiece{id, v.Piece(id)} }
	special := func(id int32) *idPiece {
		if id < 0 {
			return nil
		}
		p := idp(id)
		return &p
	}
	list := func(ids []int32) []idPiece {
		ps := make([]idPiece, len(ids))
		for i, id := range ids {
			ps[i] = idp(id)
		}
		return ps
	}
	n, tr := v.Normalizer(), v.Trainer()
	return &modelInfo{
		File:        path,
		SHA256:      hex.EncodeToString(sum[:]),
		Bytes:       len(data),
		Type:        tr.Model.String(),
		VocabSize:   v.Size(),
		Unk:         special(v.Unk()),
		BOS:         special(v.BOS()),
		EOS:         special(v.EOS()),
		Pad:         special(v.Pad()),
		Special:     list(tok.SpecialIDs()),
		UserDefined: list(v.UserDefined()),
		Normalizer: normalizerInfo{
			Name:                   n.Name,
			CharsMapBytes:          len(n.PrecompiledCharsMap),
			AddDummyPrefix:         n.AddDummyPrefix,
			RemoveExtraWhitespaces: n.RemoveExtraWhitespaces,
			EscapeWhitespaces:      n.EscapeWhitespaces,
		},
		Trainer: trainerSettings{
			ByteFallback:              tr.ByteFallback,
			SplitDigits:               tr.SplitDigits,
			TreatWhitespaceAsSuffix:   tr.TreatWhitespaceAsSuffix,
			AllowWhitespaceOnlyPieces: tr.AllowWhitespaceOnlyPieces,
		},
	}
}

// write prints m as aligned "name  value" lines.
func (m *modelInfo) write(w io.Writer) error {
	file := m.File
	if file == "" {
		file = "(embedded Gemma model)"
	}
	n, t := m.Normalizer, m.Trainer
	rows := [][2]string{
		{"file", file},
		{"sha256", m.SHA256},
		{"bytes", strconv.Itoa(m.Bytes)},
		{"type", m.Type},
		{"vocab size", strconv.Itoa(m.VocabSize)},
		{"unk", formatSpecial(m.Unk)},
		{"bos", formatSpecial(m.BOS)},
		{"eos", formatSpecial(m.EOS)},
		{"pad", formatSpecial(m.Pad)},
		{"special", formatPieces(m.Special)},
		{"user-defined", formatPieces(m.UserDefined)},
		{"normalizer", fmt.Sprintf("%s (charsmap %d bytes), add_dummy_prefix=%t, remove_extra_whitespaces=%t, escape_whitespaces=%t",
			n.Name, n.CharsMapBytes, n.AddDummyPrefix, n.RemoveExtraWhitespaces, n.EscapeWhitespaces)},
		{"trainer", fmt.Sprintf("byte_fallback=%t, split_digits=%t, treat_whitespace_as_suffix=%t, allow_whitespace_only_pieces=%t",
			t.ByteFallback, t.SplitDigits, t.TreatWhitespaceAsSuffix, t.AllowWhitespaceOnlyPieces)},
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-13s %s\n", r[0], r[1])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func formatSpecial(p *idPiece) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprintf("%d %s", p.ID, strconv.Quote(p.Piece))
}

// formatPieces writes the number of pieces, then each as id=piece, quoted.
func formatPieces(ps []idPiece) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:", len(ps))
	for _, p := range ps {
		fmt.Fprintf(&b, " %d=%s", p.ID, strconv.Quote(p.Piece))
	}
	return b.String()
}
