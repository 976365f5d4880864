// Package matcher finds user-defined pieces in text.
package matcher

import (
	"cmp"
	"slices"
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

	// plain says which bytes are ASCII and start no piece: the bytes of
	// most words, which the word scan steps over in a loop of its own.
	plain [256]bool
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
	order := make([]int32, len(pieces)) // pieces' indices, sorted by text
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := strings.Compare(pieces[a], pieces[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b) // the first of equal pieces first
	})
	sorted := make([]string, len(pieces))
	for i, k := range order {
		sorted[i] = pieces[k]
	}
	// Build level by level from the sorted keys so that each node's edges
	// are contiguous: a node is a (prefix, range of keys) pair.
	type pending struct {
		node   int32
		depth  int
		lo, hi int
	}
	// A node for every byte of the pieces is the most there can be; sized
	// once, the trie is not copied as it grows.
	size := 1
	for _, p := range pieces {
		size += len(p)
	}
	m.nodes = make([]trieNode, 1, size)
	m.edges = make([]trieEdge, 0, size)
	queue := make([]pending, 1, size)
	queue[0] = pending{0, 0, 0, len(sorted)}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		lo := p.lo
		if lo < p.hi && len(sorted[lo]) == p.depth {
			m.nodes[p.node].piece = order[lo] + 1
			for lo < p.hi && len(sorted[lo]) == p.depth {
				lo++
			}
		}
		m.nodes[p.node].edges = int32(len(m.edges))
		for i := lo; i < p.hi; {
			b := sorted[i][p.depth]
			j := i
			for j < p.hi && sorted[j][p.depth] == b {
				j++
			}
			child := int32(len(m.nodes))
			m.nodes = append(m.nodes, trieNode{})
			m.edges = append(m.edges, trieEdge{b, child})
			queue = append(queue, pending{child, p.depth + 1, i, j})
			i = j
		}
		m.nodes[p.node].numEdges = int32(len(m.edges)) - m.nodes[p.node].edges
	}
	for _, p := range sorted {
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
	for c := range utf8.RuneSelf {
		m.plain[c] = !m.First[c]
	}
	return m
}

// SkipPlain returns the index of the first byte of s from i on that is not
// plain: not ASCII, or the start of some piece.
func (m *Matcher) SkipPlain(s []byte, i int) int {
	for i < len(s) && m.plain[s[i]] {
		i++
	}
	return i
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
