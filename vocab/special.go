package vocab

import (
	"slices"
	"strings"
)

// Special returns the ids of the vocabulary's special pieces, in id order:
// the pieces that carry meaning for the model rather than text, which
// untrusted text must never produce. They are
//
//   - the control pieces (for Gemma <pad>, <eos>, <bos>), and
//   - the user-defined pieces, except those that are plain text the model
//     was merely given whole pieces for: runs of whitespace (spaces, U+2581,
//     tabs, newlines) and HTML tags such as <table> or </code>.
//
// For Gemma that makes <mask>, <2mass>, [@BOS@], <unused0>...<unused99>,
// <start_of_turn>, <end_of_turn> and [toxicity=0] special, and keeps the
// newline, whitespace and tab runs and the HTML tags ordinary text.
func (v *Vocab) Special() []int32 {
	var ids []int32
	for id, t := range v.types {
		if t == Control {
			ids = append(ids, int32(id))
		}
	}
	for _, id := range v.userDefined {
		if p := v.Piece(id); !isWhitespaceRun(p) && !isHTMLTag(p) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// isWhitespaceRun reports whether p is made only of whitespace.
func isWhitespaceRun(p string) bool {
	return p != "" && strings.Trim(p, " \t\n\r\u2581") == ""
}

// isHTMLTag reports whether p is an opening or closing tag of an HTML
// element, without attributes.
func isHTMLTag(p string) bool {
	name, ok := strings.CutPrefix(p, "<")
	if !ok {
		return false
	}
	name, _ = strings.CutPrefix(name, "/")
	name, ok = strings.CutSuffix(name, ">")
	return ok && htmlElements[name]
}

// htmlElements holds the names of the HTML elements, lower case.
var htmlElements = func() map[string]bool {
	m := map[string]bool{}
	for _, name := range strings.Fields(`
		a abbr address area article aside audio b base bdi bdo blockquote body
		br button canvas caption cite code col colgroup data datalist dd del
		details dfn dialog div dl dt em embed fieldset figcaption figure footer
		form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input
		ins kbd label legend li link main map mark menu meta meter nav noscript
		object ol optgroup option output p param picture pre progress q rp rt
		ruby s samp script search section select slot small source span strong
		style sub summary sup table tbody td template textarea tfoot th thead
		time title tr track u ul var video wbr`) {
		m[name] = true
	}
	return m
}()
