package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gemmatok/gemmatok/vocab"
)

func (a *app) infoCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Describe the model",
		Long: `info describes the model in use: its file and sha256, type and vocabulary
size, the special and user-defined pieces, and the normalizer and trainer
settings that encoding depends on. Lines are fitted to the terminal (80
columns when stdout is not one), and pieces numbered in the order of their
ids, such as <unused0> to <unused98>, are shown as one range; --json lists
every piece.`,
		Example: `  gemmatok info
  gemmatok info --model tokenizer.model --json | jq .sha256`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				// cobra's "unknown command" would not say where a model goes.
				return fmt.Errorf("info takes no argument: name the model with --model %s", args[0])
			}
			return nil
		},
		RunE: a.runE(func(args []string) error {
			return a.info(asJSON)
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

// modelInfo is what info reports.
type modelInfo struct {
	File        string          `json:"file"` // a path, or a built-in model's name
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
	// The vocabulary, not a Tokenizer: info describes models that gemmatok
	// cannot encode with too.
	path := a.modelSource()
	data, err := modelBytes(path)
	if err != nil {
		return a.modelError(path, err)
	}
	parse := vocab.Parse
	if isJSONModel(path) {
		parse = vocab.ParseJSON
	}
	v, err := parse(data)
	if err != nil {
		return a.modelError(path, fmt.Errorf("%s: %w", path, err))
	}
	name := path
	if name == "" {
		name = "gemma2" // the default, named as --model names it
	}
	in := describe(v, name, data)
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(in)
	}
	width := infoWidth
	if f, ok := a.stdout.(*os.File); ok && isTerminal(f) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			width = w
		}
	}
	return in.write(a.stdout, width)
}

// describe gathers the facts info reports on v, read from data at path.
func describe(v *vocab.Vocab, path string, data []byte) *modelInfo {
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
		Special:     list(v.Special()),
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

// infoWidth is the width info fits its lines to when stdout is not a
// terminal.
const infoWidth = 80

// write prints m as aligned "name  value" lines, each at most width
// columns wide where its items allow: a long value goes on over indented
// lines, between its items.
func (m *modelInfo) write(w io.Writer, width int) error {
	file := m.File
	if isBuiltin(file) {
		file += " (built in)"
	}
	n, t := m.Normalizer, m.Trainer
	rows := []struct {
		name  string
		items []string
	}{
		{"file", []string{file}},
		{"sha256", []string{m.SHA256}},
		{"bytes", []string{strconv.Itoa(m.Bytes)}},
		{"type", []string{m.Type}},
		{"vocab size", []string{strconv.Itoa(m.VocabSize)}},
		{"unk", []string{formatSpecial(m.Unk)}},
		{"bos", []string{formatSpecial(m.BOS)}},
		{"eos", []string{formatSpecial(m.EOS)}},
		{"pad", []string{formatSpecial(m.Pad)}},
		{"special", formatPieces(m.Special)},
		{"user-defined", formatPieces(m.UserDefined)},
		{"normalizer", []string{fmt.Sprintf("%s (charsmap %d bytes),", n.Name, n.CharsMapBytes),
			fmt.Sprintf("add_dummy_prefix=%t,", n.AddDummyPrefix), fmt.Sprintf("remove_extra_whitespaces=%t,", n.RemoveExtraWhitespaces),
			fmt.Sprintf("escape_whitespaces=%t", n.EscapeWhitespaces)}},
		{"trainer", []string{fmt.Sprintf("byte_fallback=%t,", t.ByteFallback), fmt.Sprintf("split_digits=%t,", t.SplitDigits),
			fmt.Sprintf("treat_whitespace_as_suffix=%t,", t.TreatWhitespaceAsSuffix),
			fmt.Sprintf("allow_whitespace_only_pieces=%t", t.AllowWhitespaceOnlyPieces)}},
	}
	const indent = 14
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s", indent, r.name)
		col := indent
		for i, item := range r.items {
			switch {
			case i == 0:
			case col+1+utf8.RuneCountInString(item) > width:
				fmt.Fprintf(&b, "\n%*s", indent, "")
				col = indent
			default:
				b.WriteByte(' ')
				col++
			}
			b.WriteString(item)
			col += utf8.RuneCountInString(item)
		}
		b.WriteByte('\n')
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

// formatPieces returns the number of pieces, then each as id=piece,
// quoted, or "none". A run of three or more pieces with consecutive ids that count up
// is one item: numbered pieces as first..last="<unused0>".."<unused98>",
// repeats of a character as first..last="\n"×1..31.
func formatPieces(ps []idPiece) []string {
	if len(ps) == 0 {
		return []string{"none"} // as for a missing unk, bos, eos or pad
	}
	items := []string{fmt.Sprintf("%d:", len(ps))}
	for i := 0; i < len(ps); {
		j, item := pieceRun(ps[i:])
		items = append(items, item)
		i += j
	}
	return items
}

// pieceRun returns how many pieces at the start of ps formatPieces writes
// as one item, and the item.
func pieceRun(ps []idPiece) (int, string) {
	for _, next := range []func(a, b string) bool{numberedAfter, repeatedAfter} {
		j := 1
		for j < len(ps) && ps[j].ID == ps[j-1].ID+1 && next(ps[j-1].Piece, ps[j].Piece) {
			j++
		}
		if j < 3 {
			continue
		}
		first, last := ps[0], ps[j-1]
		if r, ok := repeats(first.Piece); ok && repeatedAfter(first.Piece, ps[1].Piece) {
			return j, fmt.Sprintf("%d..%d=%s×%d..%d", first.ID, last.ID, strconv.Quote(string(r)),
				utf8.RuneCountInString(first.Piece), utf8.RuneCountInString(last.Piece))
		}
		return j, fmt.Sprintf("%d..%d=%s..%s", first.ID, last.ID, strconv.Quote(first.Piece), strconv.Quote(last.Piece))
	}
	return 1, fmt.Sprintf("%d=%s", ps[0].ID, strconv.Quote(ps[0].Piece))
}

// repeats returns the character that s repeats, if it is made of one.
func repeats(s string) (rune, bool) {
	r, size := utf8.DecodeRuneInString(s)
	return r, size > 0 && strings.Repeat(s[:size], len(s)/size) == s
}

// repeatedAfter reports whether b is a, made of one character repeated,
// with one more.
func repeatedAfter(a, b string) bool {
	r, ok := repeats(a)
	return ok && b == a+string(r)
}

// numberedAfter reports whether b is a with the decimal number in it one
// more, as <unused1> is after <unused0>.
func numberedAfter(a, b string) bool {
	pa, na, sa, okA := splitNumber(a)
	pb, nb, sb, okB := splitNumber(b)
	return okA && okB && pa == pb && sa == sb && nb == na+1
}

// splitNumber splits s around its first decimal number.
func splitNumber(s string) (prefix string, n int, suffix string, ok bool) {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return "", 0, "", false
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(s[i:j])
	return s[:i], n, s[j:], err == nil
}
