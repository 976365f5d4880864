package charsmap

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/gemmatok/gemmatok/tokenizer/internal/utf8x"
)

// Runs copies runs of characters that a Map's rules leave as they are,
// most of them with a table lookup a character: the bulk of the text in
// every script, for which normalizer.cc's NormalizePrefix would walk the
// trie character by character. A Runs is safe for concurrent use.
type Runs struct {
	m *Map
	// A character is plain when it is no stop, no key is a prefix of it
	// and none goes on past it, so that Prefix at it returns it whatever
	// follows. It is of class cont when the same holds but keys go on
	// past it: it is plain when no key goes on with what follows it
	// (goesOn), which most often the byte after it settles.
	//
	// twoClass has the class (plain or cont) of each character c b of
	// two bytes in bits 2*(u&31) and up of word u>>5, u = b<<8 | c: two
	// bytes loaded as one, a malformed pair being of no class. three has
	// a bit for each character of three bytes that is plain, threeCont
	// for each of class cont: bit b2&0x3F of word (c&0x0F)<<6 | b1&0x3F
	// for c b1 b2. Overlong forms and surrogates have none.
	twoClass         [2048]uint64
	three, threeCont [1024]uint64
	// ascii has the plain, cont and isSpace bits of each ASCII byte.
	ascii [256]uint8
	// follow, followSure and followCP say with what keys go on from the
	// end of a character of class cont (see followers and goesOn).
	follow, followSure [256]bool
	followCP           [65536 / 64]uint64
	// followPair has bit b<<8 | c clear when goesOn(s) holds, for s
	// that starts with c b, only if s ends or a malformed byte follows
	// (see mayGoOn).
	followPair [65536 / 64]uint64
	// words is set when every ASCII letter, digit and punctuation mark
	// is plain, or of class cont, and follow has no ASCII byte: then Copy
	// takes ASCII a word at a time.
	words bool
	// narrow[a] is, for the character U+FF00+a (the fullwidth forms of
	// ASCII, U+FF01-U+FF5E, and some halfwidth ones), what the rules
	// always make of it when that is one ASCII byte other than a space
	// (nmt_nfkc: the ASCII character), and 0 otherwise: Chinese text is
	// full of them, between plain characters.
	narrow [128]byte
	// stop marks the bytes before which a run ends, where they start a
	// character.
	stop [256]bool
	// escape says that a space in a run becomes U+2581; collapse, that a
	// space right after another becomes nothing.
	escape, collapse bool
	// spaceWord is a space as runs write it, in its low spaceLen bytes.
	spaceWord uint32
	spaceLen  int
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
	r := &Runs{m: m, escape: escape, collapse: collapse, spaceWord: ' ', spaceLen: 1}
	if escape {
		r.spaceWord, r.spaceLen = 0x8196E2, 3 // U+2581
	}
	if stop != nil {
		r.stop = *stop
	}
	b := classes{m: m}
	for c := range utf8.RuneSelf {
		switch {
		case r.stop[c]:
		case (escape || collapse) && m.alwaysSpace(byte(c)):
			// Controls that nmt_nfkc makes spaces (tab, newline) too.
			r.ascii[c] = isSpace
		case (escape || collapse) && c == ' ':
			// A space that a key starts: the trie's.
		default:
			r.ascii[c] = b.class(m.root[c])
		}
	}
	for c := 0xC2; c < 0xE0; c++ {
		if r.stop[c] {
			continue
		}
		var two, twoCont uint64
		b.set(&two, &twoCont, m.root[c])
		for b := range uint(64) {
			u := (0x80|b)<<8 | uint(c)
			r.twoClass[u>>5] |= (two>>b&1*plain | twoCont>>b&1*cont) << (u & 31 * 2)
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
	r.followers(b.conts)
	r.pairs()
	r.narrows()
	r.words = true
	for c := range utf8.RuneSelf {
		graphic := c > ' ' && c < 0x7F
		r.words = r.words && !r.follow[c] && (!graphic || r.ascii[c]&(plain|cont) != 0)
	}
	return r
}

// narrows works out narrow: a fullwidth character that no stop starts
// and that is a key no longer key goes on from.
func (r *Runs) narrows() {
	m := r.m
	if r.stop[0xEF] {
		return
	}
	for a := 1; a < len(r.narrow); a++ {
		c := string(rune(0xFF00 + a))
		p, n := m.Prefix(c)
		if n != 3 || len(p) != 1 || p[0] == ' ' || p[0] == 0 || p[0] >= utf8.RuneSelf {
			continue
		}
		q := m.root[c[0]]
		for i := 1; i < 3 && q != 0; i++ {
			q = m.child(q-1, c[i])
		}
		goesOn := q == 0
		for b := 1; b < 256 && !goesOn; b++ {
			goesOn = m.child(q-1, byte(b)) != 0
		}
		if !goesOn {
			r.narrow[a] = p[0]
		}
	}
}

// alwaysSpace reports whether Prefix makes the ASCII byte c a space
// whatever follows it: c is a space that starts no key, or c alone is a
// key that no longer key goes on from and whose replacement is a space.
func (m *Map) alwaysSpace(c byte) bool {
	p := m.root[c]
	if p == 0 {
		return c == ' '
	}
	if m.units[p-1]&leafBit == 0 {
		return false
	}
	for d := range 256 {
		if m.child(p-1, byte(d)) != 0 {
			return false
		}
	}
	_, v := m.longest(string(rune(c)))
	return m.replacement(v) == " "
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

// followers works out, for the nodes that characters of class cont lead
// to, the labels of the edges that leave them (r.follow), and which
// characters of two and three bytes go on from them all the way
// (r.followCP); r.followSure marks the bytes after which Copy does not
// look at the character they start (ASCII, four-byte leads, a key that
// ends inside a character). The edges that leave a node with base b are
// the units labelled c at b^c: each byte of the walk is one pass over
// the units. Nodes share bases where the trie shares what follows them,
// so a base may stand for several beginnings of characters.
func (r *Runs) followers(nodes []uint32) {
	m := r.m
	n := uint32(len(m.units)) + 256 // every base an edge leaves from is below
	var has []bool                  // the bases of the nodes the walk is at
	var read map[uint32][]uint32    // for each, the bytes read since the cont character
	seen := map[uint64]bool{}       // the pairs of a base and bytes in read
	mark := func(p, bytes uint32) {
		b := p ^ offset(m.units[p])
		if key := uint64(b)<<32 | uint64(bytes); b < n && !seen[key] {
			seen[key] = true
			has[b] = true
			read[b] = append(read[b], bytes)
		}
	}
	has = make([]bool, n)
	for _, p := range nodes {
		if b := p ^ offset(m.units[p]); b < n {
			has[b] = true // nothing read yet
		}
	}
	for depth := 1; depth <= 3; depth++ {
		if len(seen) > maxFollowWalk {
			// A trie spm_train would not build: say that keys go on with
			// whatever starts with a byte of follow.
			r.followSure = r.follow
			return
		}
		cur, curHas := read, has
		has, read = make([]bool, n), map[uint32][]uint32{}
		for q, u := range m.units {
			c := label(u)
			if c > 0xFF || !curHas[uint32(q)^c] {
				continue
			}
			leaf := u&leafBit != 0
			from := nothingRead
			if depth > 1 {
				from = cur[uint32(q)^c]
			}
			for _, bytes := range from {
				lead := bytes >> 8 // on the third byte; the second reads bytes
				if depth == 2 {
					lead = bytes
				}
				switch {
				case depth == 1:
					r.follow[c] = true
					if c < 0xC2 || c >= 0xF0 || leaf {
						r.followSure[c] = true
					} else {
						mark(uint32(q), c)
					}
				case c&0xC0 != 0x80:
					// No character goes on with it: the walk ends inside.
				case depth == 2 && lead < 0xE0:
					cp := (lead&0x1F)<<6 | c&0x3F
					r.followCP[cp>>6] |= 1 << (cp & 63)
				case depth == 2 && leaf:
					r.followSure[lead] = true
				case depth == 2:
					mark(uint32(q), bytes<<8|c)
				default:
					cp := (lead&0x0F)<<12 | (bytes&0x3F)<<6 | c&0x3F
					r.followCP[cp>>6] |= 1 << (cp & 63)
				}
			}
		}
	}
}

// maxFollowWalk bounds the work of followers on a trie of many shared
// nodes: nmt_nfkc's walk holds some six hundred pairs of a base and the
// bytes read. A variable for the tests.
var maxFollowWalk = 1 << 16

// nothingRead is what the walk of followers has read of a character
// before its first byte.
var nothingRead = []uint32{0}

// pairs works out followPair from follow, followSure and followCP.
func (r *Runs) pairs() {
	for c := range uint(256) {
		if !r.follow[c] {
			continue
		}
		for b := range uint(256) {
			may := true
			switch {
			case r.followSure[c] || b&0xC0 != 0x80:
			case c >= 0xE0 && c < 0xF0:
				may = r.followCP[(c&0x0F)<<6|b&0x3F] != 0 // 64 characters
			case c >= 0xC2 && c < 0xE0:
				cp := (c&0x1F)<<6 | b&0x3F
				may = r.followCP[cp>>6]>>(cp&63)&1 != 0
			}
			if may {
				u := b<<8 | c
				r.followPair[u>>6] |= 1 << (u & 63)
			}
		}
	}
}

// mayGoOn is a test of in[k:], which starts with a byte of follow, that
// holds whenever goesOn(in[k:]) does and costs less: it spares the
// call for most characters of three bytes after one of class cont.
func (r *Runs) mayGoOn(in string, k int) bool {
	if k+2 >= len(in) {
		return true
	}
	u := uint(in[k]) | uint(in[k+1])<<8
	return r.followPair[u>>6]>>(u&63)&1 != 0 || in[k+2]&0xC0 != 0x80
}

// goesOn reports whether a key may go on with s, which follows a
// character of class cont: whether s starts with a byte of follow and,
// unless followSure says so already, with a character of followCP.
func (r *Runs) goesOn(s string) bool {
	c := s[0]
	if !r.follow[c] {
		return false
	}
	if r.followSure[c] {
		return true
	}
	var cp uint
	switch {
	case c >= 0xE0 && c < 0xF0 && len(s) >= 3 && (s[1]^0x80)|(s[2]^0x80) < 0x40:
		cp = uint(c&0x0F)<<12 | uint(s[1]&0x3F)<<6 | uint(s[2]&0x3F)
	case c >= 0xC2 && c < 0xE0 && len(s) >= 2 && s[1]^0x80 < 0x40:
		cp = uint(c&0x1F)<<6 | uint(s[1]&0x3F)
	default:
		return true // not a whole character
	}
	return r.followCP[cp>>6]>>(cp&63)&1 != 0
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

// Apply normalizes the start of in into out, step by step as
// normalizer.cc's Normalize does between user-defined pieces (Prefix,
// with spaces as Runs says), up to the first stop or byte that starts no
// character, and returns how many bytes of in it consumed. Runs of
// characters that the rules leave as they are, the bulk of any text, it
// copies with its tables; elsewhere it asks the trie. Apply may write past
// what it appends, within out.Dst's capacity: it stores eight bytes at a
// time.
func (r *Runs) Apply(out *Run, in string) int {
	dst, offs := out.Dst, out.Offs
	afterSpace, withOffs := out.AfterSpace, out.Offsets
	words := r.words && !withOffs
	// Without offsets, runs hold single spaces before words that copyWords
	// does not take (see copyRun).
	spaces := !withOffs && r.ascii[' ']&isSpace != 0
	i := 0
	for i < len(in) {
		if words && in[i] < utf8.RuneSelf {
			var n int
			if dst, n, afterSpace = r.copyWords(dst, in[i:], afterSpace); n > 0 {
				i += n
				continue
			}
		}
		// A run of characters that the tables settle, copied as it is
		// found.
		if d, j := r.copyRun(dst, in, i, spaces); j > i {
			if withOffs {
				offs = appendOffsets(offs, in[i:j], out.At+i)
			}
			dst = d
			afterSpace = r.collapse && in[j-1] == ' '
			i = j
			if i == len(in) {
				break
			}
		}
		if r.ascii[in[i]]&isSpace != 0 {
			switch k := len(dst); {
			case afterSpace && r.collapse:
			case r.escape && !withOffs && cap(dst)-k >= 3:
				dst = dst[:k+3]
				dst[k], dst[k+1], dst[k+2] = 0xE2, 0x96, 0x81 // U+2581
			default:
				dst, offs = r.space(dst, offs, withOffs, out.At+i)
			}
			afterSpace = r.collapse
			i++
			continue
		}
		var n int
		if dst, offs, afterSpace, n = r.step(dst, offs, withOffs, out.At+i, afterSpace, in[i:]); n == 0 {
			break
		}
		i += n
	}
	out.Dst, out.Offs = dst, offs
	out.At += i
	out.AfterSpace = afterSpace
	return i
}

// Words is Apply's first step for a text without offsets that starts
// with ASCII: what copyWords takes, most often all of a line of ASCII text,
// without the rest of Apply's loop. It returns how many bytes of in it
// consumed.
func (r *Runs) Words(out *Run, in string) int {
	if !r.words || out.Offsets || len(in) == 0 || in[0] >= utf8.RuneSelf {
		return 0
	}
	var n int
	out.Dst, n, out.AfterSpace = r.copyWords(out.Dst, in, out.AfterSpace)
	out.At += n
	return n
}

// Space reports whether Apply makes the byte c a space whatever follows
// it, with escape or collapse: it is no stop, and a space that starts no
// key or a character that a rule always makes one (nmt_nfkc's tab).
func (r *Runs) Space(c byte) bool { return r.ascii[c]&isSpace != 0 }

// Kept reports whether Apply copies the ASCII byte c as it is where
// nothing or an ASCII byte follows it: it is no stop, and no rule touches
// it alone or with an ASCII byte after it.
func (r *Runs) Kept(c byte) bool {
	a := r.ascii[c]
	// With words, follow has no ASCII byte.
	return c < utf8.RuneSelf && (a&plain != 0 || a&cont != 0 && r.words)
}

// Plain reports whether the tables settle that in, which is not empty,
// starts with a character that Apply copies as it is: no stop, and none
// of the rules touch it whatever follows or, for an ASCII character of
// class cont (most letters), with the byte that follows.
func (r *Runs) Plain(in string) bool {
	switch c := in[0]; {
	case c < utf8.RuneSelf:
		a := r.ascii[c]
		return a&plain != 0 || a&cont != 0 && (len(in) == 1 || !r.follow[in[1]])
	case c >= 0xE0 && c < 0xF0 && len(in) >= 3 && (in[1]^0x80)|(in[2]^0x80) < 0x40:
		return r.three[uint(c&0x0F)<<6|uint(in[1]&0x3F)]>>(in[2]&0x3F)&1 != 0
	case c >= 0xC2 && c < 0xE0 && len(in) >= 2:
		u := uint(c) | uint(in[1])<<8
		return r.classTwo(uint32(u)) == plain
	}
	return false
}

// copyWords copies ASCII text from the start of in to dst eight bytes
// at a time, with the plain Latin letters of two or three bytes in its
// words and the spaces after them, until it meets what else the rules may
// touch or dst is full, and returns how much of in it took.
// The last bytes of in are read as the eight that end it, shifted so that
// the bytes past its end read as stops. The loop calls nothing in the
// common case, so that its state stays in registers, and reads and
// writes through pointers: its condition keeps them in bounds.
func (r *Runs) copyWords(dst []byte, in string, afterSpace bool) ([]byte, int, bool) {
	if len(in) < 8 || cap(dst)-len(dst) < 8+4 {
		return dst, 0, afterSpace
	}
	src, out := unsafe.Pointer(unsafe.StringData(in)), unsafe.Pointer(unsafe.SliceData(dst))
	i, k, last, full := 0, len(dst), len(in)-8, cap(dst)-(8+4)
	for i < len(in) && k <= full {
		var w uint64
		if i <= last {
			w = binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(src, i))[:])
		} else {
			w = binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(src, last))[:]) >> ((i - last) * 8)
		}
		binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(out, k))[:], w)
		n := asciiWord(w)
		if n > 0 {
			afterSpace = false
		}
		if i+n == len(in) {
			// The text ends with a word.
			i, k = i+n, k+n
			break
		}
		c := *(*byte)(unsafe.Add(src, i+n))
		if c >= utf8.RuneSelf {
			// follow has no ASCII byte: what follows a word is looked at
			// only when it is of a longer character.
			if n > 0 && r.follow[c] && r.ascii[in[i+n-1]]&plain == 0 && r.mayGoOn(in, i+n) && r.goesOn(in[i+n:]) {
				n-- // a character of class cont that the next goes on from
				i, k = i+n, k+n
				break
			}
			i, k = i+n, k+n
			// A plain Latin letter of two or three bytes (U+00C0-U+027F,
			// U+1E00-U+1EFF) goes on with the word, as most of those of
			// Vietnamese do; copyRun takes the characters of other
			// scripts, which come in runs.
			if c == 0xE1 && i+3 <= len(in) {
				x := uint32(binary.LittleEndian.Uint16((*[2]byte)(unsafe.Add(src, i))[:])) | uint32(*(*byte)(unsafe.Add(src, i+2)))<<16
				if x&0xC0FCFF != 0x80B8E1 || r.three[x&0x0F<<6|x>>8&0x3F]>>(x>>16&0x3F)&1 == 0 {
					break
				}
				binary.LittleEndian.PutUint32((*[4]byte)(unsafe.Add(out, k))[:], x)
				i, k = i+3, k+3
				afterSpace = false
				continue
			}
			if c-0xC3 < 0xCA-0xC3 && i+2 <= len(in) {
				u := uint(binary.LittleEndian.Uint16((*[2]byte)(unsafe.Add(src, i))[:]))
				if r.classTwo(uint32(u)) != plain {
					break
				}
				binary.LittleEndian.PutUint16((*[2]byte)(unsafe.Add(out, k))[:], uint16(u))
				i, k = i+2, k+2
				afterSpace = false
				continue
			}
			break
		}
		i, k = i+n, k+n
		if n == 8 {
			continue
		}
		if r.ascii[c]&isSpace == 0 {
			break
		}
		// The space, in the room the loop asks for.
		if !afterSpace || !r.collapse {
			binary.LittleEndian.PutUint32((*[4]byte)(unsafe.Add(out, k))[:], r.spaceWord)
			k += r.spaceLen
		}
		afterSpace = r.collapse
		i++
	}
	return dst[:k], i, afterSpace
}

// AppendSpace appends to out a space as its runs write one: U+2581 when
// they escape spaces, and its offsets, out.At, when out wants them.
func (r *Runs) AppendSpace(out *Run) {
	out.Dst, out.Offs = r.space(out.Dst, out.Offs, out.Offsets, out.At)
}

// space appends a space to dst as AppendSpace does, and its offsets, at,
// to offs when withOffs is set.
func (r *Runs) space(dst []byte, offs []int32, withOffs bool, at int) ([]byte, []int32) {
	n := len(dst)
	if r.escape {
		dst = append(dst, 0xE2, 0x96, 0x81) // U+2581
	} else {
		dst = append(dst, ' ')
	}
	if withOffs {
		for range len(dst) - n {
			offs = append(offs, int32(at))
		}
	}
	return dst, offs
}

// asciiWord returns the index of the first byte of w, eight bytes of text
// in little-endian order, that is no ASCII letter, digit or punctuation
// (a space, a control, DEL, a byte of a longer character), or 8 when all
// are.
func asciiWord(w uint64) int {
	// A byte's top bit is set in the first term when it is below 0x21 or
	// above 0xA0, in the second when it is from DEL to 0xFE. Borrows and
	// carries start only at such bytes and go up: they may set more bits
	// above the first, never below.
	stops := ((w - 0x2121212121212121) | (w + 0x0101010101010101)) & 0x8080808080808080
	if stops == 0 {
		return 8
	}
	return bits.TrailingZeros64(stops) / 8
}

// appendOffsets appends the offsets of the bytes of run, which starts at
// input offset at: each byte's is the offset of the start of its
// character.
func appendOffsets(offs []int32, run string, at int) []int32 {
	k := len(offs)
	offs = slices.Grow(offs, len(run))[:k+len(run)]
	o := offs[k:]
	c := int32(at)
	for i := range len(run) {
		if utf8.RuneStart(run[i]) {
			c = int32(at + i)
		}
		o[i] = c
	}
	return offs
}

// copyRun copies to dst the run of characters from in[i] that the tables
// settle as plain, and returns dst and the end of the run. With spaces,
// the run also holds a space after a character when no space follows
// and a byte of a longer character comes within three bytes, as in most
// words of scripts other than Latin, and of Vietnamese: collapse leaves
// such a space alone, escape writes it as U+2581, and ASCII words after
// spaces are copyWords'. Spaces aside, the run is copied as it is, so
// that offsets are those of its input bytes. The run ends early where
// dst is full; copyRun may write past what it appends, within its
// capacity.
func (r *Runs) copyRun(dst []byte, in string, i int, spaces bool) ([]byte, int) {
	start := i
	d := dst[:cap(dst)]
	// in[j] goes to d[j+shift] until a space is escaped; the input up to
	// end fits.
	shift := len(dst) - i
	end := min(len(in), len(d)-shift)
	for i < end {
		c := in[i]
		if c < utf8.RuneSelf {
			switch a := r.ascii[c]; {
			case a&plain != 0:
			case a&cont != 0:
				if i+1 < len(in) && r.follow[in[i+1]] && r.mayGoOn(in, i+1) && r.goesOn(in[i+1:]) {
					return d[:i+shift], i
				}
			case c == ' ' && spaces && i > start && i+3 < len(in) && (in[i+1]|in[i+2]|in[i+3]) >= utf8.RuneSelf && in[i+1] != ' ':
				if !r.escape {
					d[i+shift] = ' '
					i++
					continue
				}
				if i+3 > end {
					return d[:i+shift], i
				}
				b := d[i+shift : i+shift+3]
				b[0], b[1], b[2] = 0xE2, 0x96, 0x81 // U+2581
				i++
				shift += 2
				end = min(len(in), len(d)-shift)
				continue
			default:
				return d[:i+shift], i
			}
			d[i+shift] = c
			i++
			continue
		}
		if c >= 0xE0 {
			// Scripts of three-byte characters go in a loop of their own
			// while they are plain, from where a character or a space
			// follows the first; a character alone, as in Vietnamese, is
			// taken here.
			if i+3 < len(in) && (in[i+3] >= 0xE0 || in[i+3] == ' ') {
				if n, k := r.copyThree(d[i+shift:], in[i:], spaces); n > 0 {
					shift += k - n
					end = min(len(in), len(d)-shift)
					i += n
					continue
				}
			}
			if c >= 0xF0 || i+3 > end {
				return d[:i+shift], i
			}
			b1, b2 := in[i+1], in[i+2]
			if (b1^0x80)|(b2^0x80) >= 0x40 {
				return d[:i+shift], i
			}
			if w := uint(c&0x0F)<<6 | uint(b1&0x3F); r.three[w]>>(b2&0x3F)&1 == 0 {
				if r.threeCont[w]>>(b2&0x3F)&1 == 0 || i+3 < len(in) && r.follow[in[i+3]] && r.mayGoOn(in, i+3) && r.goesOn(in[i+3:]) {
					return d[:i+shift], i
				}
			}
			d[i+shift], d[i+shift+1], d[i+shift+2] = c, b1, b2
			i += 3
			continue
		}
		if c < 0xC2 {
			return d[:i+shift], i
		}
		// So do scripts of two-byte characters, asking follow only for
		// those of class cont; the last ones, and one alone, here.
		j := i
		if i+2 < len(in) && (in[i+2]-0xC2 < 0xE0-0xC2 || in[i+2] == ' ') {
			n, k := r.copyTwo(d[i+shift:], in[i:], spaces)
			shift += k - n
			end = min(len(in), len(d)-shift)
			j += n
		}
		for j+2 <= end {
			u := uint(in[j]) | uint(in[j+1])<<8
			if class := r.classTwo(uint32(u)); class != plain {
				if class == 0 || j+2 < len(in) && r.follow[in[j+2]] && r.mayGoOn(in, j+2) && r.goesOn(in[j+2:]) {
					break
				}
			}
			binary.LittleEndian.PutUint16(d[j+shift:], uint16(u))
			j += 2
		}
		if j == i {
			return d[:i+shift], i
		}
		i = j
	}
	return d[:i+shift], i
}

// copyTwo is copyThree for characters of two bytes.
func (r *Runs) copyTwo(dst []byte, in string, spaces bool) (int, int) {
	space, size := r.spaceWord, r.spaceLen
	// As in copyThree, through pointers that the loop's tests keep in
	// bounds.
	src, out := unsafe.Pointer(unsafe.StringData(in)), unsafe.Pointer(unsafe.SliceData(dst))
	i, k := 0, 0
	for i+4 <= len(in) && k+4 <= len(dst) {
		// Three characters at a time, in eight bytes, when each is plain
		// whatever follows it or by the first byte after it.
		if i+8 <= len(in) && k+8 <= len(dst) {
			x := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(src, i))[:])
			if x&0xC0E0C0E0C0E0 == 0x80C080C080C0 && r.twoPlain(x) && r.twoPlain(x>>16) && r.twoPlain(x>>32) {
				binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(out, k))[:], x)
				i, k = i+6, k+6
				continue
			}
		}
		x := binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(src, i))[:])
		if x&0xC0E0 == 0x80C0 {
			u := x & 0xFFFF
			if class := r.classTwo(uint32(u)); class != plain {
				if class == 0 || r.follow[x>>16&0xFF] && r.mayGoOnTwo(x>>16) {
					break
				}
			}
			binary.LittleEndian.PutUint32((*[4]byte)(unsafe.Add(out, k))[:], x)
			i, k = i+2, k+2
			continue
		}
		// A space after a character and before one of two bytes.
		if x&0xE0FF != 0xC020 || !spaces || i == 0 {
			break
		}
		binary.LittleEndian.PutUint32((*[4]byte)(unsafe.Add(out, k))[:], space)
		i, k = i+1, k+size
	}
	return i, k
}

// twoPlain reports whether the character of two bytes in the low bytes of
// y is plain, or of class cont with a byte after it (the third of y) that
// no key goes on with: copyTwo's test of most characters, short of
// mayGoOnTwo.
func (r *Runs) twoPlain(y uint64) bool {
	class := r.classTwo(uint32(y))
	return class == plain || class == cont && !r.follow[y>>16&0xFF]
}

// classTwo returns the class (plain, cont or 0) of the character of two
// bytes u, its first byte low.
func (r *Runs) classTwo(u uint32) uint64 {
	u &= 0xFFFF
	return r.twoClass[u>>5] >> (u & 31 * 2) & 3
}

// mayGoOnTwo is goesOn for text that starts with the two bytes of y, the
// first of them in follow, as far as they tell: whether a key may go on
// with a character of two bytes, or with whatever else.
func (r *Runs) mayGoOnTwo(y uint32) bool {
	cp := y&0x1F<<6 | y>>8&0x3F
	return r.followSure[y&0xFF] || y&0xC0E0 != 0x80C0 || r.followCP[cp>>6]>>(cp&63)&1 != 0
}

// contAlone reports whether a character of three bytes, the low three
// of x, is of class cont and no key goes on from it with what follows it
// at in[k], the test of copyRun, for copyThree: apart, so as to keep
// copyThree's loop in registers.
func (r *Runs) contAlone(x uint32, in string, k int) bool {
	return r.threeCont[x&0x0F<<6|x>>8&0x3F]>>(x>>16&0x3F)&1 != 0 && !(r.follow[in[k]] && r.mayGoOn(in, k) && r.goesOn(in[k:]))
}

// copyThree copies the characters of three bytes at the start of in that
// the tables settle as plain to dst, which has room for them, and with
// spaces (never set with offsets), the space between two of them, written
// as Runs says, and the fullwidth forms that narrow makes ASCII: the words
// of many scripts in one go.
// It returns how many bytes of in it took and of dst it wrote. The last
// three bytes are left to the caller: a character is loaded, tested and
// stored as one word of four bytes.
func (r *Runs) copyThree(dst []byte, in string, spaces bool) (int, int) {
	// A space as it is stored, and its length.
	space, size := r.spaceWord, r.spaceLen
	s, d := utf8x.Bytes(in), dst
	for {
		// Two plain characters at a time, in eight bytes.
		for len(s) >= 8 && len(d) >= 8 {
			x := binary.LittleEndian.Uint64(s)
			if x&0xC0C0F0C0C0F0 != 0x8080E08080E0 || r.three[x&0x0F<<6|x>>8&0x3F]>>(x>>16&0x3F)&1 == 0 || r.three[x>>24&0x0F<<6|x>>32&0x3F]>>(x>>40&0x3F)&1 == 0 {
				break
			}
			binary.LittleEndian.PutUint64(d, x)
			s, d = s[6:], d[6:]
		}
		if len(s) < 4 || len(d) < 4 {
			break
		}
		x := binary.LittleEndian.Uint32(s)
		switch {
		case x&0xC0C0F0 == 0x8080E0 && (r.three[x&0x0F<<6|x>>8&0x3F]>>(x>>16&0x3F)&1 != 0 || r.contAlone(x, in, len(in)-len(s)+3)):
			binary.LittleEndian.PutUint32(d, x)
			s, d = s[3:], d[3:]
		case x&0xC0FEFF == 0x80BCEF && spaces && r.narrow[x>>2&0x40|x>>16&0x3F] != 0:
			// A fullwidth form that becomes ASCII: one byte for three.
			d[0] = r.narrow[x>>2&0x40|x>>16&0x3F]
			s, d = s[3:], d[1:]
		case x&0xF0FF == 0xE020 && spaces && len(s) < len(in):
			// A space after a character and before one of three bytes.
			binary.LittleEndian.PutUint32(d, space)
			s, d = s[1:], d[size:]
		default:
			return len(in) - len(s), len(dst) - len(d)
		}
	}
	return len(in) - len(s), len(dst) - len(d)
}

// step applies the rules at the start of in, where the tables settle
// nothing (a character of four bytes, one that a key may start at, a
// malformed byte), as a step of normalizer.cc's Normalize does: the
// replacement of the longest key that is a prefix of in (Prefix), its
// spaces written as Runs says, with those that lead it dropped after a
// space under collapse. It returns the new state and how many bytes of
// in it consumed: 0 at a stop, and at a byte that starts no character
// (after a key that ends inside one), where a user-defined piece that is
// no UTF-8 may match: the caller's.
func (r *Runs) step(dst []byte, offs []int32, withOffs bool, at int, afterSpace bool, in string) ([]byte, []int32, bool, int) {
	c := in[0]
	if r.stop[c] || !utf8.RuneStart(c) {
		return dst, offs, afterSpace, 0
	}
	p, n := r.m.Prefix(in)
	dst, offs, afterSpace = r.put(dst, offs, withOffs, at, afterSpace, p)
	return dst, offs, afterSpace, n
}

// AppendStep appends p, the normalized form of the next consumed bytes of
// the input (a user-defined piece, or a step of Prefix), as Apply writes
// a step, and moves out on.
func (r *Runs) AppendStep(out *Run, p string, consumed int) {
	out.Dst, out.Offs, out.AfterSpace = r.put(out.Dst, out.Offs, out.Offsets, out.At, out.AfterSpace, p)
	out.At += consumed
}

// put appends p, the normalized form of the input at offset at, to dst
// as a step of normalizer.cc's Normalize writes it: spaces as Runs says,
// those that lead p dropped after a space under collapse; each byte's
// offset is at. It returns whether what it wrote ends in a space under
// collapse; a p that is or becomes empty changes nothing.
func (r *Runs) put(dst []byte, offs []int32, withOffs bool, at int, afterSpace bool, p string) ([]byte, []int32, bool) {
	if afterSpace && r.collapse {
		for len(p) > 0 && p[0] == ' ' {
			p = p[1:]
		}
	}
	if len(p) == 0 {
		return dst, offs, afterSpace // a rule that deletes
	}
	for i := range len(p) {
		if p[i] == ' ' {
			dst, offs = r.space(dst, offs, withOffs, at)
			continue
		}
		dst = append(dst, p[i])
		if withOffs {
			offs = append(offs, int32(at))
		}
	}
	return dst, offs, r.collapse && p[len(p)-1] == ' '
}
