package charsmap

import "unicode/utf8"

// Runs copies runs of characters that a Map's rules leave as they are,
// most of them with a table lookup a character: the bulk of the text in
// every script, for which normalizer.cc's NormalizePrefix would walk the
// trie character by character. A Runs is safe for concurrent use.
type Runs struct {
	m *Map
	// A character is plain when it is no stop, no key is a prefix of it
	// and none goes on past it, so that Prefix at it returns it whatever
	// follows. It is of class cont when the same holds but keys go on
	// past it: it is plain when the byte after it is not in follow.
	//
	// two and three have a bit for each character of two and three bytes
	// that is plain, twoCont and threeCont for each of class cont: bit b&0x3F
	// of word c&0x1F for the character c b, and bit b2&0x3F of word
	// (c&0x0F)<<6 | b1&0x3F for c b1 b2. Overlong forms and surrogates
	// have no bit.
	two, twoCont     [32]uint64
	three, threeCont [1024]uint64
	// ascii has the plain, cont and isSpace bits of each ASCII byte;
	// asciiOK is set for one that is plain, or of class cont when follow
	// has no ASCII byte: then it is plain when an ASCII byte follows.
	ascii   [256]uint8
	asciiOK [256]bool
	follow  [256]bool
	// stop marks the bytes before which a run ends, where they start a
	// character.
	stop [256]bool
	// escape says that a space in a run becomes U+2581; collapse, that a
	// space right after another becomes nothing.
	escape, collapse bool
}

const (
	plain = 1 << iota
	cont
	isSpace
)

// Runs returns the Runs of m whose runs end before a character that starts
// with a byte of stop (none when stop is nil). With escape or collapse,
// runs hold the spaces that are no stop and that no key starts with, as
// normalizer.cc writes them: U+2581 with escape (escape_whitespaces), and
// with collapse (remove_extra_whitespaces) none right after another.
// Without either a space is like any other character.
func (m *Map) Runs(stop *[256]bool, escape, collapse bool) *Runs {
	r := &Runs{m: m, escape: escape, collapse: collapse}
	if stop != nil {
		r.stop = *stop
	}
	b := classes{m: m}
	for c := range utf8.RuneSelf {
		switch {
		case r.stop[c]:
		case c == ' ' && (escape || collapse):
			if m.root[c] == 0 {
				r.ascii[c] = isSpace
			}
		default:
			r.ascii[c] = b.class(m.root[c])
		}
	}
	for c := 0xC2; c < 0xE0; c++ {
		if !r.stop[c] {
			b.set(&r.two[c&0x1F], &r.twoCont[c&0x1F], m.root[c])
		}
	}
	for c := 0xE0; c < 0xF0; c++ {
		if r.stop[c] {
			continue
		}
		lo, hi := 0x80, 0xC0
		if c == 0xE0 {
			lo = 0xA0 // below: overlong
		} else if c == 0xED {
			hi = 0xA0 // above: surrogates
		}
		p := m.root[c]
		if p != 0 && m.units[p-1]&leafBit != 0 {
			continue // a key ends inside a character: ask the trie
		}
		for b1 := lo; b1 < hi; b1++ {
			q := p
			if p != 0 {
				if q = m.child(p-1, byte(b1)); q != 0 && m.units[q-1]&leafBit != 0 {
					continue
				}
			}
			w := (c&0x0F)<<6 | b1&0x3F
			b.set(&r.three[w], &r.threeCont[w], q)
		}
	}
	r.follow = m.labelsFrom(b.conts)
	asciiFollows := false
	for c := range utf8.RuneSelf {
		asciiFollows = asciiFollows || r.follow[c]
	}
	for c := range utf8.RuneSelf {
		r.asciiOK[c] = r.ascii[c]&plain != 0 || r.ascii[c]&cont != 0 && !asciiFollows
	}
	return r
}

// classes works out the classes of characters from the nodes their bytes
// lead to, and keeps the nodes of class cont.
type classes struct {
	m     *Map
	conts []uint32
}

// class returns the class of a character whose bytes lead to node p (one
// more than its position, or 0 when the walk left the trie at one of
// them), with no key ending before p.
func (b *classes) class(p uint32) uint8 {
	switch {
	case p == 0:
		return plain
	case b.m.units[p-1]&leafBit != 0:
		return 0
	}
	b.conts = append(b.conts, p-1)
	return cont
}

// set sets the bits of the 64 characters that share all but their last
// byte, whose other bytes lead to node p (as in class).
func (b *classes) set(plainBits, contBits *uint64, p uint32) {
	if p == 0 || b.m.units[p-1]&leafBit != 0 {
		// The walk has left the trie, or a key ends before the last byte.
		if p == 0 {
			*plainBits = ^uint64(0)
		}
		return
	}
	for c := range 64 {
		switch b.class(b.m.child(p-1, byte(0x80+c))) {
		case plain:
			*plainBits |= 1 << c
		case cont:
			*contBits |= 1 << c
		}
	}
}

// labelsFrom returns the labels of the edges that leave the nodes at
// positions nodes: the units labelled c at base^c, for the base of each.
func (m *Map) labelsFrom(nodes []uint32) [256]bool {
	var labels [256]bool
	if len(nodes) == 0 {
		return labels
	}
	// Every base that an edge may leave from is below len(units)+256.
	bases := make([]bool, len(m.units)+256)
	for _, p := range nodes {
		if b := p ^ offset(m.units[p]); b < uint32(len(bases)) {
			bases[b] = true
		}
	}
	for q, u := range m.units {
		if c := label(u); c <= 0xFF && bases[uint32(q)^c] {
			labels[c] = true
		}
	}
	return labels
}

// Run is where Copy writes, and what it needs to know of what went before.
type Run struct {
	Dst []byte
	// Offs, when Offsets is set, gets for each byte of Dst the input
	// offset it comes from (normalizer.cc's norm_to_orig): the start of
	// its character.
	Offs    []int32
	Offsets bool
	// At is the input offset of the text Copy is given, and AfterSpace
	// says whether the next space is to be dropped, after a space, under
	// collapse; Copy moves them both on.
	At         int
	AfterSpace bool
}

// Copy copies to out the longest prefix of in that the rules leave as it
// is, character by character, and that holds no stop, and returns its
// length: no key matches at any of its characters, it holds no malformed
// UTF-8, and none of its characters starts with a byte of stop. Over that
// prefix, Prefix would return each character unchanged. Spaces go as Runs
// says.
func (r *Runs) Copy(out *Run, in string) int {
	afterSpace := out.AfterSpace
	i, j := 0, 0 // in[i:j] is to be copied
	for {
		j = r.scan(in, j)
		if j < len(in) && r.ascii[in[j]]&isSpace == 0 {
			if size := r.slowSize(in[j:]); size > 0 {
				j += size
				continue
			}
		}
		if j > i {
			out.Dst = append(out.Dst, in[i:j]...)
			if out.Offsets {
				out.Offs = appendOffsets(out.Offs, in[i:j], out.At+i)
			}
			afterSpace = false
		}
		if j == len(in) || r.ascii[in[j]]&isSpace == 0 {
			break
		}
		if !afterSpace || !r.collapse {
			n := len(out.Dst)
			if r.escape {
				out.Dst = append(out.Dst, "\u2581"...)
			} else {
				out.Dst = append(out.Dst, ' ')
			}
			if out.Offsets {
				for range len(out.Dst) - n {
					out.Offs = append(out.Offs, int32(out.At+j))
				}
			}
		}
		afterSpace = r.collapse
		j++
		i = j
	}
	out.At += j
	out.AfterSpace = afterSpace
	return j
}

// appendOffsets appends the offsets of the bytes of run, which starts at
// input offset at: each byte's is the offset of the start of its
// character.
func appendOffsets(offs []int32, run string, at int) []int32 {
	c := int32(at)
	for i := range len(run) {
		if utf8.RuneStart(run[i]) {
			c = int32(at + i)
		}
		offs = append(offs, c)
	}
	return offs
}

// scan returns the end of the run of characters from in[j] that the
// tables settle as plain. Text keeps to a script for a while: each kind
// of character has a loop of its own.
func (r *Runs) scan(in string, j int) int {
	for j < len(in) {
		k := j
		switch c := in[j]; {
		case c < utf8.RuneSelf:
			for k < len(in) && r.asciiOK[in[k]] {
				k++
			}
			// The last may be of class cont, which the byte after it
			// decides.
			if k < len(in) && k > j && r.ascii[in[k-1]]&plain == 0 && r.follow[in[k]] {
				return k - 1
			}
		case c >= 0xE0:
			for k+2 < len(in) {
				c, b1, b2 := in[k], in[k+1], in[k+2]
				if c&0xF0 != 0xE0 || (b1^0x80)|(b2^0x80) >= 0x40 {
					break
				}
				w := uint(c&0x0F)<<6 | uint(b1&0x3F)
				if r.three[w]>>(b2&0x3F)&1 == 0 && (r.threeCont[w]>>(b2&0x3F)&1 == 0 || k+3 < len(in) && r.follow[in[k+3]]) {
					break
				}
				k += 3
			}
		case c >= 0xC2:
			for k+1 < len(in) {
				c, b := in[k], in[k+1]
				if c-0xC2 >= 0xE0-0xC2 || b^0x80 >= 0x40 {
					break
				}
				w := c & 0x1F
				if r.two[w]>>(b&0x3F)&1 == 0 && (r.twoCont[w]>>(b&0x3F)&1 == 0 || k+2 < len(in) && r.follow[in[k+2]]) {
					break
				}
				k += 2
			}
		}
		if k == j {
			return j
		}
		j = k
	}
	return j
}

// slowSize returns the size of the character at the start of in when the
// tables do not settle it (a character of four bytes, one that a key may
// start at, a malformed byte), asking the trie: 0 when it is not plain.
func (r *Runs) slowSize(in string) int {
	c := in[0]
	if r.stop[c] || c == ' ' && (r.escape || r.collapse) {
		return 0
	}
	if r.m.root[c] != 0 {
		if l, _ := r.m.longest(in); l > 0 {
			return 0
		}
	}
	if c < utf8.RuneSelf {
		return 1
	}
	rn, size := utf8.DecodeRuneInString(in)
	if rn == utf8.RuneError && size == 1 {
		return 0
	}
	return size
}
