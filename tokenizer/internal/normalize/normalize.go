// Package normalize turns input text into the text a model segments, as
// SentencePiece's normalizer::Normalizer does.
package normalize

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/gemmatok/gemmatok/tokenizer/internal/charsmap"
	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/utf8x"
	"github.com/gemmatok/gemmatok/vocab"
)

const spaceSymbol = seg.SpaceSymbol

// Normalizer turns input text into the text the model segments, as
// SentencePiece's normalizer::Normalizer does: user-defined pieces pass
// through untouched, malformed UTF-8 bytes become U+FFFD one byte at a time,
// and spaces become U+2581 (with the dummy-prefix and extra-whitespace rules
// when the model asks for them). A model's precompiled charsmap (nmt_nfkc
// and friends, or a custom rule TSV) rewrites the characters in between.
type Normalizer struct {
	spec    vocab.NormalizerSpec
	suffix  bool // treat_whitespace_as_suffix: the dummy space goes at the end
	matcher *matcher.Matcher
	cmap    *charsmap.Map // nil without a precompiled charsmap
	// runs copies the characters that normalize to themselves, with the
	// charsmap or without one, and spaces, up to a user-defined piece.
	runs *charsmap.Runs
	cuts *cutFacts // what CutAt knows of the rules
	// identity is set when normalization is a plain character map, which
	// lets encoding skip the offset bookkeeping.
	identity bool
	// ascii is the class of each byte in a text of ASCII bytes that the
	// tables settle alone (see appendASCII): asciiKept, asciiSpace or 0.
	ascii [256]uint8
}

// The classes of Normalizer.ascii.
const (
	asciiKept  = 1 // copied as it is
	asciiSpace = 2 // a space, whatever follows
)

// shortASCII is the longest text that Normalize tries with appendASCII:
// the runs copy longer ones eight bytes at a time, at less cost.
const shortASCII = 7

// Part says where a text that is normalized lies in a longer text cut at
// places that CutAt allows: the rules that the C++ applies at the start of
// a text (the dummy prefix, dropping leading whitespace) and at its end
// (dropping trailing whitespace, the dummy suffix) hold only for the whole.
type Part uint8

const (
	Whole     Part = 0
	AfterCut  Part = 1 << 0 // the text starts at a cut: no rules of the start
	BeforeCut Part = 1 << 1 // the text ends at a cut: no rules of the end
)

// New returns the Normalizer of spec, for a model that treats whitespace
// as a suffix or not, whose user-defined pieces m matches (nil for none,
// as for a denormalizer).
func New(spec vocab.NormalizerSpec, suffix bool, m *matcher.Matcher) (*Normalizer, error) {
	if m == nil {
		m = matcher.New(nil)
	}
	n := &Normalizer{spec: spec, suffix: suffix, matcher: m, cuts: new(cutFacts)}
	if len(spec.PrecompiledCharsMap) > 0 {
		cm, err := charsmap.New(spec.PrecompiledCharsMap)
		if err != nil {
			return nil, fmt.Errorf("precompiled charsmap of normalizer %q: %w", spec.Name, err)
		}
		n.cmap = cm
	}
	cm := n.cmap
	if cm == nil {
		cm = new(charsmap.Map) // no rules: characters map to themselves
	}
	var stop [256]bool
	for c := range stop {
		stop[c] = m.First[c] && utf8.RuneStart(byte(c))
	}
	n.runs = cm.Runs(&stop, spec.EscapeWhitespaces, spec.RemoveExtraWhitespaces)
	for c := range utf8.RuneSelf {
		switch {
		case n.runs.Space(byte(c)):
			n.ascii[c] = asciiSpace
		case n.runs.Kept(byte(c)):
			n.ascii[c] = asciiKept
		}
	}
	// A user-defined piece that is not UTF-8 must be copied whole, which
	// only the general path does.
	n.identity = n.cmap == nil && !spec.AddDummyPrefix && !spec.RemoveExtraWhitespaces && m.ValidUTF8
	return n, nil
}

// normalizePrefix returns the normalized form of the first character (or
// user-defined piece) of in, and how many input bytes it consumed.
func (n *Normalizer) normalizePrefix(in string) (string, int) {
	if l, _ := n.matcher.Match(in); l > 0 {
		return in[:l], l
	}
	if n.cmap != nil {
		return n.cmap.Prefix(in)
	}
	r, size := utf8.DecodeRuneInString(in)
	if r == utf8.RuneError && size == 1 {
		return "\uFFFD", 1
	}
	return in[:size], size
}

// Normalize appends the normalized form of in, a text or the part of one
// that part says, to dst. When offs is not nil it also appends, for every
// normalized byte and one past the end, the offset in the input it comes
// from (SentencePiece's norm_to_orig). Like NormalizeIdentity, it may
// write past what it appends, within dst's capacity.
func (n *Normalizer) Normalize(dst []byte, offs *[]int32, in string, part Part) []byte {
	if len(in) == 0 {
		return dst
	}
	if offs == nil && len(in) <= shortASCII {
		if d, ok := n.appendASCII(dst, in, part); ok {
			return d
		}
	}
	out := charsmap.Run{Dst: dst, Offsets: offs != nil}
	if offs != nil {
		out.Offs = *offs
	}
	base := len(dst)
	start, end := part&AfterCut == 0, part&BeforeCut == 0
	removeWS := n.spec.RemoveExtraWhitespaces
	if removeWS && start {
		// A character that the tables settle is no space: most texts
		// start with one. The tables also settle most spaces, such as
		// a line's indentation.
		for len(in) > 0 {
			l := 1
			if !n.runs.Space(in[0]) {
				if n.ascii[in[0]] == asciiKept && (len(in) == 1 || in[1] < utf8.RuneSelf) || n.runs.Plain(in) {
					break
				}
				var p string
				if p, l = n.normalizePrefix(in); p != " " {
					break
				}
			}
			in = in[l:]
			out.At += l
		}
		if len(in) == 0 {
			return dst
		}
	}
	if !n.suffix && n.spec.AddDummyPrefix && start {
		n.runs.AppendSpace(&out)
	}
	// A space after a space goes under remove_extra_whitespaces, and so
	// does one at the start. After a cut the text goes on from a
	// character that is no space (see CutAt).
	out.AfterSpace = removeWS && start
	in = in[n.runs.Words(&out, in):]
	for len(in) > 0 {
		// Everything up to a user-defined piece in one go.
		if k := n.runs.Apply(&out, in); k > 0 {
			in = in[k:]
			if len(in) == 0 {
				break
			}
		}
		p, l := n.normalizePrefix(in)
		n.runs.AppendStep(&out, p, l)
		in = in[l:]
	}
	if removeWS && end {
		space := " "
		if n.spec.EscapeWhitespaces {
			space = spaceSymbol
		}
		// Most texts end with no space: their last byte tells.
		for len(out.Dst)-base >= len(space) && out.Dst[len(out.Dst)-1] == space[len(space)-1] && endsWith(out.Dst, space) {
			out.Dst = out.Dst[:len(out.Dst)-len(space)]
			if out.Offsets {
				out.At = int(out.Offs[len(out.Offs)-len(space)])
				out.Offs = out.Offs[:len(out.Offs)-len(space)]
			}
		}
	}
	if n.suffix && n.spec.AddDummyPrefix && end {
		n.runs.AppendSpace(&out)
	}
	if offs != nil {
		*offs = append(out.Offs, int32(out.At))
	}
	return out.Dst
}

// appendASCII is Normalize without offsets for a short text, or part of
// one, of bytes that n.ascii gives a class (a word, a closing brace):
// what Normalize's steps make of them, with the whitespace rules, in one
// loop, at a fraction of the runs' cost a call. It returns false, having
// appended nothing, at any other byte.
func (n *Normalizer) appendASCII(dst []byte, in string, part Part) ([]byte, bool) {
	start, end := part&AfterCut == 0, part&BeforeCut == 0
	collapse, dummy := n.spec.RemoveExtraWhitespaces, n.spec.AddDummyPrefix
	space := " "
	if n.spec.EscapeWhitespaces {
		space = spaceSymbol
	}
	i := 0
	if collapse && start {
		for i < len(in) && n.ascii[in[i]] == asciiSpace {
			i++
		}
		if i == len(in) {
			return dst, true
		}
	}
	// Stored by index, a space as a word of four bytes, into room for
	// the worst case: every byte a space, and the dummy one, the last
	// word's fourth byte past them.
	base := len(dst)
	dst = slices.Grow(dst, len(space)*(len(in)-i+1)+3)
	d, k := dst[:cap(dst)], base
	sp := uint32(space[0])
	if len(space) == 3 {
		sp = uint32(space[0]) | uint32(space[1])<<8 | uint32(space[2])<<16
	}
	if !n.suffix && dummy && start {
		binary.LittleEndian.PutUint32(d[k:], sp)
		k += len(space)
	}
	afterSpace := collapse && start
	for ; i < len(in); i++ {
		switch c := in[i]; n.ascii[c] {
		case asciiKept:
			d[k] = c
			k++
			afterSpace = false
		case asciiSpace:
			if !afterSpace {
				binary.LittleEndian.PutUint32(d[k:], sp)
				k += len(space)
			}
			afterSpace = collapse
		default:
			return dst[:base], false
		}
	}
	dst = d[:k]
	if collapse && end {
		for len(dst)-base >= len(space) && endsWith(dst, space) {
			dst = dst[:len(dst)-len(space)]
		}
	}
	if n.suffix && dummy && end {
		dst = append(dst, space...)
	}
	return dst, true
}

// endsWith reports whether b ends with s, which is no longer: a few
// compares in place of a call for a short s.
func endsWith(b []byte, s string) bool {
	b = b[len(b)-len(s):]
	for i := range len(s) {
		if b[i] != s[i] {
			return false
		}
	}
	return true
}

// NormalizeIdentity is Normalize for the identity normalizer without
// offsets, the hot path of models like Gemma's: spaces become U+2581 and
// malformed bytes U+FFFD; everything else is copied. User-defined pieces
// need no care here: they are valid UTF-8, so copying them character by
// character gives the same bytes.
func (n *Normalizer) NormalizeIdentity(dst []byte, in string) []byte {
	escape := n.spec.EscapeWhitespaces
	inb := utf8x.Bytes(in)
	// Bytes are stored by index, not appended, into room for the worst
	// case, three bytes out for every byte in, made a block at a time so
	// that a long text does not need thrice its size at once.
	const block = 16 << 10
	k := len(dst)
	for i := 0; i < len(in); {
		// A character may run up to 3 bytes past the block's end.
		end := min(len(in), i+block)
		dst = slices.Grow(dst[:k], 3*(end-i+3))
		dst = dst[:cap(dst)]
		// Most text is valid UTF-8, which needs only its spaces replaced:
		// a space byte is never part of a longer character. When the block,
		// taken to the end of its last character, is valid, every byte of
		// it is copied as it is, eight at a time whatever their script.
		valid := end
		for valid < len(in) && valid < end+3 && !utf8.RuneStart(in[valid]) {
			valid++
		}
		if !utf8x.Valid(in[i:valid]) {
			valid = i
		}
		if escape {
			// Sixteen bytes at a time while they are valid, without a
			// test of their bytes: copied whole up to the first space,
			// which then becomes U+2581, over what was copied after it.
			// The bytes are read and written by pointer, within the
			// bounds that the loop's test keeps.
			ip, op := unsafe.Pointer(unsafe.SliceData(inb)), unsafe.Pointer(unsafe.SliceData(dst))
			le := binary.LittleEndian
			for i+16 <= valid && k+19 <= len(dst) {
				a, b := le.Uint64((*[8]byte)(unsafe.Add(ip, i))[:]), le.Uint64((*[8]byte)(unsafe.Add(ip, i+8))[:])
				le.PutUint64((*[8]byte)(unsafe.Add(op, k))[:], a)
				le.PutUint64((*[8]byte)(unsafe.Add(op, k+8))[:], b)
				var n int
				if spaces := zeroBytes(a ^ 0x2020202020202020); spaces != 0 {
					n = bits.TrailingZeros64(spaces) / 8
				} else if spaces := zeroBytes(b ^ 0x2020202020202020); spaces != 0 {
					n = 8 + bits.TrailingZeros64(spaces)/8
				} else {
					i, k = i+16, k+16
					continue
				}
				// U+2581 (E2 96 81) and a zero after it, which the next
				// copy writes over.
				le.PutUint32((*[4]byte)(unsafe.Add(op, k+n))[:], 0x8196E2)
				i, k = i+n+1, k+n+3
			}
		}
		for stop := max(end, valid); i < stop; {
			// Eight bytes at a time while they are valid or ASCII: copied
			// whole up to the first space, which then becomes U+2581.
			for i+8 <= stop {
				w := binary.LittleEndian.Uint64(inb[i : i+8])
				if i+8 > valid && w&0x8080808080808080 != 0 {
					break
				}
				binary.LittleEndian.PutUint64(dst[k:k+8], w)
				spaces := uint64(0)
				if escape {
					spaces = zeroBytes(w ^ 0x2020202020202020)
				}
				if spaces == 0 {
					i, k = i+8, k+8
					continue
				}
				n := bits.TrailingZeros64(spaces) / 8
				sp := dst[k+n : k+n+3]
				sp[0], sp[1], sp[2] = spaceSymbol[0], spaceSymbol[1], spaceSymbol[2]
				i, k = i+n+1, k+n+3
			}
			if i == stop {
				break
			}
			c := in[i]
			switch {
			case c == ' ' && escape:
				dst[k], dst[k+1], dst[k+2] = spaceSymbol[0], spaceSymbol[1], spaceSymbol[2]
				i, k = i+1, k+3
			case c < utf8.RuneSelf || i < valid:
				dst[k] = c
				i, k = i+1, k+1
			default:
				// In a malformed block: a run of valid characters is
				// copied in one go, a malformed byte becomes U+FFFD.
				j := i
				for j < end && in[j] >= utf8.RuneSelf {
					r, size := utf8x.DecodeChar(utf8x.Bytes(in[j:]))
					if r == utf8.RuneError && size == 1 {
						break
					}
					j += size
				}
				if j == i {
					k += copy(dst[k:], "\uFFFD")
					i++
					continue
				}
				k += copy(dst[k:], in[i:j])
				i = j
			}
		}
	}
	return dst[:k]
}

// zeroBytes returns a word whose lowest set bit is the top bit of the
// first zero byte of w (bytes above it may be marked wrongly), or 0 if w has
// none.
func zeroBytes(w uint64) uint64 {
	return (w - 0x0101010101010101) &^ w & 0x8080808080808080
}
