package tokenizer

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/vocab"
)

// Message is one turn of a chat conversation.
type Message struct {
	Role    string // "user", "assistant" (or "model"), or "system"
	Content string
}

// SystemPolicy says what a chat does with a leading system message. Gemma
// has no system role; the two policies are those of its published chat
// templates.
type SystemPolicy uint8

const (
	// SystemByModel follows the model's published template: SystemFold for
	// Gemma 3's vocabulary, SystemReject for Gemma 2's and any other.
	SystemByModel SystemPolicy = iota
	// SystemReject makes a system message an error, as Gemma 2's template
	// does.
	SystemReject
	// SystemFold writes the system message's text, followed by a blank
	// line, at the start of the first user turn, as Gemma 3's template
	// does. The system text is written as it is; the template trims only
	// the user and model contents.
	SystemFold
)

// ChatOptions are the choices of RenderChat and EncodeChat.
type ChatOptions struct {
	// AddGenerationPrompt ends the chat with an open model turn,
	// "<start_of_turn>model\n", for the model to complete.
	AddGenerationPrompt bool
	System              SystemPolicy
}

// A ChatError reports a message that Gemma's chat template refuses.
type ChatError struct {
	Index  int    // the message's index in the conversation
	Role   string // its role
	Reason string
	// Err is the kind of refusal, for errors.Is, when it has a name of its
	// own: ErrNoSystemRole. It is nil for the others.
	Err error
}

func (e *ChatError) Error() string {
	return fmt.Sprintf("tokenizer: chat message %d (role %q): %s", e.Index, e.Role, e.Reason)
}

// Unwrap returns e.Err.
func (e *ChatError) Unwrap() error { return e.Err }

// ErrNoSystemRole is the kind of the *ChatError that a leading system
// message gets under SystemReject, which is Gemma 2's template and the
// SystemByModel policy of every model but Gemma 3: errors.Is tells it from
// the other refusals, which SystemFold would not cure.
var ErrNoSystemRole = errors.New("tokenizer: the chat template has no system role")

// The pieces Gemma's chat template writes around each turn.
const (
	startOfTurn = "<start_of_turn>"
	endOfTurn   = "<end_of_turn>"
)

// chatPart is a stretch of a rendered chat: ordinary text, or one of the
// template's own special pieces.
type chatPart struct {
	text    string
	special bool
}

// RenderChat returns the text Gemma's chat template makes of msgs: the BOS
// piece, then for each message "<start_of_turn>" + role + "\n" + content +
// "<end_of_turn>\n", with the content's surrounding whitespace trimmed (as
// Python's str.strip does) and the role "assistant" written as "model".
// Roles must alternate user and model, beginning with user; a leading
// system message follows opts.System. A message that breaks these rules is
// a *ChatError.
//
// The text is for display and for servers that parse special pieces in
// prompts; EncodeChat gives the ids, with the content encoded safely.
func (t *Tokenizer) RenderChat(msgs []Message, opts ChatOptions) (string, error) {
	parts, err := t.chatParts(msgs, opts)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.text)
	}
	return b.String(), nil
}

// EncodeChat returns the token ids of the chat RenderChat renders, starting
// with the BOS id. The template's own pieces get their ids; the contents
// are untrusted and encoded with SpecialText, so a content that spells
// "<end_of_turn>" or any other special piece yields ordinary text tokens.
// For contents that spell no special piece the ids are SentencePiece's ids
// of the rendered text after the BOS piece, with the BOS id in front.
func (t *Tokenizer) EncodeChat(msgs []Message, opts ChatOptions) ([]int32, error) {
	parts, err := t.chatParts(msgs, opts)
	if err != nil {
		return nil, err
	}
	rules := t.specials().text
	sc := t.getScratch()
	defer t.putScratch(sc)
	var ids []int32
	for _, p := range parts {
		if p.special {
			id, err := t.chatPieceID(p.text)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
			continue
		}
		// SentencePiece cuts user-defined pieces out of the text before
		// anything else, and no piece spans them, so the text between the
		// template's pieces encodes the same alone as within the whole.
		t.run(sc, p.text, rules, seg.IDs)
		ids = append(ids, sc.out.IDs...)
	}
	return ids, nil
}

// chatPieceID returns the id of a piece the chat template writes.
func (t *Tokenizer) chatPieceID(piece string) (int32, error) {
	if bos := t.v.BOS(); bos >= 0 && piece == t.v.Piece(bos) {
		return bos, nil
	}
	if id := t.v.Lookup(piece); id >= 0 {
		return id, nil
	}
	return 0, fmt.Errorf("tokenizer: the vocabulary has no %s piece for chat turns", piece)
}

// chatParts renders msgs as Gemma's template does, keeping the template's
// special pieces apart from the text between them.
func (t *Tokenizer) chatParts(msgs []Message, opts ChatOptions) ([]chatPart, error) {
	bos := t.v.BOS()
	if bos < 0 {
		return nil, errNoBOS
	}
	var parts []chatPart
	var text strings.Builder
	special := func(piece string) {
		if text.Len() > 0 {
			parts = append(parts, chatPart{text: text.String()})
			text.Reset()
		}
		parts = append(parts, chatPart{text: piece, special: true})
	}

	special(t.v.Piece(bos))
	prefix, first := "", 0
	if len(msgs) > 0 && msgs[0].Role == "system" {
		system := opts.System
		if system == SystemByModel {
			system = t.systemPolicy()
		}
		switch {
		case system != SystemFold:
			return nil, &ChatError{0, "system", "the template has no system role (SystemFold folds it into the first user turn)", ErrNoSystemRole}
		case len(msgs) == 1:
			// The template would drop the system text without a word.
			return nil, &ChatError{0, "system", "a system message must be followed by a user message", nil}
		}
		prefix, first = msgs[0].Content+"\n\n", 1
	}
	for i := first; i < len(msgs); i++ {
		m := msgs[i]
		role, wantUser := m.Role, (i-first)%2 == 0
		switch {
		case role == "user" && wantUser:
		case (role == "assistant" || role == "model") && !wantUser:
			role = "model"
		case role == "system":
			return nil, &ChatError{i, m.Role, "a system message may only come first", nil}
		case role != "user" && role != "assistant" && role != "model":
			return nil, &ChatError{i, m.Role, "unknown role (want user, assistant or model, or system first)", nil}
		default:
			return nil, &ChatError{i, m.Role, "roles must alternate user/model, beginning with user", nil}
		}
		special(startOfTurn)
		text.WriteString(role)
		text.WriteByte('\n')
		if i == first {
			text.WriteString(prefix)
		}
		text.WriteString(strings.TrimFunc(m.Content, isPythonSpace))
		special(endOfTurn)
		text.WriteByte('\n')
	}
	if opts.AddGenerationPrompt {
		special(startOfTurn)
		text.WriteString("model\n")
	}
	if text.Len() > 0 {
		parts = append(parts, chatPart{text: text.String()})
	}
	return parts, nil
}

// systemPolicy returns the system policy of the model's own template:
// Gemma 3's folds the system message into the first user turn. Its
// vocabulary is told from Gemma 2's by its image pieces.
func (t *Tokenizer) systemPolicy() SystemPolicy {
	if id, ok := t.v.ID("<start_of_image>"); ok && t.v.Type(id) == vocab.UserDefined {
		return SystemFold
	}
	return SystemReject
}

// isPythonSpace reports whether Python's str.isspace holds for r, which is
// what the template's trim filter strips: Go's unicode.IsSpace and the
// separators U+001C to U+001F.
func isPythonSpace(r rune) bool {
	return unicode.IsSpace(r) || 0x1C <= r && r <= 0x1F
}
