// Package matcher finds user-defined pieces in text.
package matcher

import (
	"strings"
	"unicode/utf8"

	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
)

// Matcher finds the longest user-defined piece at the start of a text, as
// SentencePiece's PrefixMatcher does. It is a byte trie whose edges are kept
// sorted per node.
type Matcher struct {
	Pieces    []string  // as given to New; Match reports an index
	First     [256]bool // bytes that start some piece
	nodes     []trieNode
	edges     []trieEdge
	ValidUTF8 bool // every piece is valid UTF-8
	MaxLen    int  // the longest piece, in bytes

	// U+2581 starts every word, so the matcher is asked about it most: these
	// settle most of those questions without walking the trie.
	// spacePiece says that U+2581 alone, or its first bytes (a piece need
	// not be UTF-8), are a piece, which matches at every U+2581.
	spacePiece bool
	afterSpace [256]bool // bytes that follow U+2581 at the start of a piece
}

type trieNode struct {
	edges    int32 // index of the first edge in Matcher.edges
	numEdges int32
	piece    int32 // 1 + the index of the piece that ends here, or 0
}

type trieEdge struct {
	b     byte
	child int32
}

// New returns a Matcher of pieces. Of equal pieces (a control and a
// user-defined piece may share a text), Match reports the first.
func New(pieces []string) *Matcher {
	m := &Matcher{Pieces: pieces, ValidUTF8: true}
	// A node for every byte of the pieces is the most there can be; sized
	// once, the tries are not copied as they grow.
	size := 1
	for _, p := range pieces {
		size += len(p)
	}
	// The pieces go first into a trie that keeps each node's children in a
	// list, by byte from the highest: sorting the pieces instead, to lay
	// the trie out from them, compared their long shared prefixes over and
	// over, most of a Gemma 3 Tokenizer's construction. Pieces tend to come
	// in increasing order (<unused0>, <unused1>, ..., runs of characters),
	// whose new child then goes first, without a walk down the list.
	type listNode struct {
		child, next int32 // the first child and the next sibling, or 0
		piece       int32 // 1 + the index of the piece that ends here, or 0
		b           byte
	}
	list := make([]listNode, 1, size)
	// path holds the nodes that the last piece passed, by depth: a piece
	// starts from where its common prefix with the last one ends.
	path := []int32{0}
	last := ""
	for i, p := range pieces {
		d, common := 0, min(len(p), len(last))
		for d < common && p[d] == last[d] {
			d++
		}
		n := path[d]
		path, last = path[:d+1], p
		for j := d; j < len(p); j++ {
			c := p[j]
			prev, k := int32(-1), list[n].child
			for k != 0 && list[k].b > c {
				prev, k = k, list[k].next
			}
			if k == 0 || list[k].b != c {
				nk := int32(len(list))
				list = append(list, listNode{next: k, b: c})
				if prev < 0 {
					list[n].child = nk
				} else {
					list[prev].next = nk
				}
				k = nk
			}
			n = k
			path = append(path, n)
		}
		if list[n].piece == 0 { // the first of equal pieces
			list[n].piece = int32(i) + 1
		}
	}
	// Then it is laid out level by level, so that each node's edges are
	// contiguous.
	m.nodes = make([]trieNode, 1, len(list))
	m.edges = make([]trieEdge, 0, len(list)-1)
	queue := make([]int32, 1, len(list)) // the list nodes of m.nodes
	for i := 0; i < len(queue); i++ {
		l := list[queue[i]]
		m.nodes[i] = trieNode{edges: int32(len(m.edges)), piece: l.piece}
		for k := l.child; k != 0; k = list[k].next {
			m.edges = append(m.edges, trieEdge{list[k].b, int32(len(m.nodes))})
			m.nodes = append(m.nodes, trieNode{})
			queue = append(queue, k)
		}
		m.nodes[i].numEdges = int32(len(m.edges)) - m.nodes[i].edges
	}
	for _, p := range pieces {
		if p == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(p, seg.SpaceSymbol); ok && rest != "" {
			m.afterSpace[rest[0]] = true
		} else if strings.HasPrefix(seg.SpaceSymbol, p) {
			m.spacePiece = true
		}
		m.First[p[0]] = true
		m.MaxLen = max(m.MaxLen, len(p))
		if !utf8.ValidString(p) {
			m.ValidUTF8 = false
		}
	}
	return m
}

// MayFollowSpace reports whether a piece may match at a U+2581 followed
// by rest: false means surely not.
func (m *Matcher) MayFollowSpace(rest []byte) bool {
	return m.spacePiece || len(rest) > 0 && m.afterSpace[rest[0]]
}

// Match returns the length of the longest piece that s starts with and
// its index in the pieces given to New, or 0 and -1.
func (m *Matcher) Match(s string) (int, int) {
	if len(s) == 0 || !m.First[s[0]] {
		return 0, -1
	}
	best, piece, node := 0, -1, int32(0)
	for i := 0; i < len(s); i++ {
		if node = m.child(node, s[i]); node < 0 {
			break
		}
		if p := m.nodes[node].piece; p > 0 {
			best, piece = i+1, int(p-1)
		}
	}
	return best, piece
}

// child returns the node that byte c leads to from node, or -1.
func (m *Matcher) child(node int32, c byte) int32 {
	n := m.nodes[node]
	for _, e := range m.edges[n.edges : n.edges+n.numEdges] {
		if e.b == c {
			return e.child
		}
	}
	return -1
}

// StartsLonger reports whether some piece starts with s and is longer.
func (m *Matcher) StartsLonger(s string) bool {
	node := int32(0)
	for i := 0; i < len(s) && node >= 0; i++ {
		node = m.child(node, s[i])
	}
	return node >= 0 && m.nodes[node].numEdges > 0
}
