package bpe

import (
	"bytes"
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/gemmatok/gemmatok/tokenizer/internal/matcher"
	"github.com/gemmatok/gemmatok/tokenizer/internal/seg"
	"github.com/gemmatok/gemmatok/tokenizer/internal/testmodel"
	"github.com/gemmatok/gemmatok/tokenizer/internal/utf8x"
	"github.com/gemmatok/gemmatok/vocab"
)

// TestAgenda drives the agenda as segment does, on random keys, and checks
// every pick against the smallest key of a plain map. New keys score below
// the one just taken, as in trained models, which keeps the agenda on its
// levelQueue; some cases also give keys of the level being swept or better,
// which move it to its heap part way.
func TestAgenda(t *testing.T) {
	defer func(n int) { levelMin = n }(levelMin)
	for _, tc := range []struct {
		name      string
		symbols   int
		levelMin  int
		scores    int
		off       int  // 1 or 2: some new keys are of the level swept (1) or better (2)
		wantLevel bool // the run ends on the levelQueue
	}{
		{"heap", 300, math.MaxInt, 1 << 20, 2, false},
		{"levels", 3000, 16, 1 << 20, 0, true},
		{"levels, few scores", 5000, 16, 8, 0, true},
		{"levels, then heap on a key of the level swept", 3000, 16, 1 << 20, 1, false},
		{"levels, then heap on a better key", 3000, 16, 1 << 20, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			levelMin = tc.levelMin
			rng := rand.New(rand.NewSource(int64(tc.symbols)))
			scores := uint32(tc.scores)
			var a agenda
			for round := range 3 { // reuse after reset, as a scratch does
				a.reset(tc.symbols)
				want := map[int32]uint64{}
				set := func(sym int32, score uint32) {
					k := uint64(score)<<32 | uint64(sym)
					a.set(k)
					want[sym] = k
				}
				for sym := range int32(tc.symbols) {
					if rng.Intn(4) > 0 {
						set(sym, uint32(rng.Intn(int(scores))))
					}
				}
				for picks := 0; ; picks++ {
					got := a.best()
					least, wantSym := uint64(math.MaxUint64), int32(-1)
					for sym, k := range want {
						if k < least {
							least, wantSym = k, sym
						}
					}
					if got != wantSym {
						t.Fatalf("round %d, pick %d: best() = %d, want %d (key %x)", round, picks, got, wantSym, least)
					}
					if got < 0 {
						break
					}
					level := uint32(least >> 32)
					delete(want, got)
					// Like a merge: the symbol gets a new key or none, a
					// neighbour's changes, and another symbol loses its key.
					worse := func() uint32 {
						if rng.Intn(50) == 0 {
							switch tc.off {
							case 1:
								return level
							case 2:
								return uint32(rng.Intn(int(level) + 1))
							}
						}
						return level + 1 + uint32(rng.Intn(int(scores)))
					}
					if rng.Intn(3) > 0 {
						set(got, worse())
					} else {
						a.remove(got)
					}
					if n := got - 1 - int32(rng.Intn(3)); n >= 0 {
						if rng.Intn(2) == 0 {
							set(n, worse())
						} else {
							a.remove(n)
							delete(want, n)
						}
					}
					if other := int32(rng.Intn(tc.symbols)); other != got {
						a.remove(other)
						delete(want, other)
					}
				}
				if a.useLevels != tc.wantLevel {
					t.Errorf("round %d: ended on the levelQueue: %v, want %v", round, a.useLevels, tc.wantLevel)
				}
			}
		})
	}
}

// TestAgendaNoLevel gives a key of the level that marks "no key" in the
// levelQueue (only a NaN score makes it), which the heap must take.
func TestAgendaNoLevel(t *testing.T) {
	defer func(n int) { levelMin = n }(levelMin)
	levelMin = 2
	var a agenda
	a.reset(3)
	a.set(uint64(noLevel) << 32) // symbol 0
	a.set(5<<32 | 1)
	if a.useLevels {
		t.Fatal("a key of level noLevel stayed on the levelQueue")
	}
	for _, want := range []int32{1, 0} {
		got := a.best()
		if got != want {
			t.Fatalf("best() = %d, want %d", got, want)
		}
		a.remove(got)
	}
	if got := a.best(); got != -1 {
		t.Errorf("best() of an empty agenda = %d", got)
	}
}

// TestLevelQueueSegments segments the start of every corpus file, whole,
// under the Gemma model and every model variant twice, with the agenda on
// the levelQueue and on the heap, and wants the same pieces.
func TestLevelQueueSegments(t *testing.T) {
	defer func(n int) { levelMin = n }(levelMin)
	texts := testmodel.GeneralTexts(t)
	eachModel(t, func(t *testing.T, _ int, m *testModel) {
		segment := func(text string, min int) []seg.Piece {
			levelMin = min
			return m.segment(new(Scratch), []byte(text), m.rules, true, nil)
		}
		for _, tx := range texts {
			want := segment(tx.Text, math.MaxInt)
			if got := segment(tx.Text, 2); !slices.Equal(got, want) {
				t.Errorf("%s: on the levelQueue, pieces differ from the heap's at %s", tx.Name, testmodel.DiffAt(got, want))
			}
		}
	})
}

// TestSegmentShortAgrees holds segmentShort, which scans its pairs, to the
// heap of segment on random words of up to shortWord characters, under
// Gemma's model and every variant that segments words with it, and under
// Gemma 3, which orders merges by id and has a merge table, on words of
// the scripts whose fresh words it merges most (Telugu, Thai), with
// characters of two bytes and malformed bytes among them (segmentShort
// remembers characters by their bytes).
func TestSegmentShortAgrees(t *testing.T) {
	chars := []string{"a", "b", "e", "n", "r", "t", "s", "i", "o", "\u2581", "é", "中", "文", "ก"}
	eachWordModel(t, func(t *testing.T, i int, m *testModel, sc *Scratch, rnd *rand.Rand) {
		checkSegmentShort(t, m, sc, rnd, chars)
	})
	t.Run("gemma3", func(t *testing.T) {
		g3, err := vocab.Gemma3()
		if err != nil {
			t.Fatal(err)
		}
		chars := []string{"a", "n", "\u2581", "క", "ా", "ర", "్", "న", "ి", "ల", "ు", "ก", "า", "ร", "น", "ี", "่", "อ", "\U0001F642",
			"é", "ж", "\xe0\xb8a", "\xc3n", "\xb8", "\xed\xa0\x80", "\xe0\x80\x80"}
		m, sc := newTestModel(t, g3), new(Scratch)
		checkSegmentShort(t, m, sc, rand.New(rand.NewSource(3)), chars)
		// A character of four bytes cut short at the end of a word has
		// three, and must not be taken for one of three in another word.
		for _, w := range []string{"a\xf3\xb0\x80", "a\U000F0000a", "\xf3\xb0\x80", "\U000F0000"} {
			checkShortWord(t, m, sc, []byte(w))
		}
	})
}

// checkSegmentShort checks segmentShort against segment on random words
// of chars.
func checkSegmentShort(t *testing.T, m *testModel, sc *Scratch, rnd *rand.Rand, chars []string) {
	t.Helper()
	checked := 0
	for range 3000 {
		var w []byte
		for range 1 + rnd.Intn(shortWord) {
			w = append(w, chars[rnd.Intn(len(chars))]...)
		}
		if hasUserPiece(m.rules.matcher, w) {
			continue // segment would freeze it
		}
		checkShortWord(t, m, sc, w)
		checked++
	}
	// (A piece that is the start of U+2581 matches inside every one.)
	if checked < 1000 && !spacePiece(m) {
		t.Errorf("only %d of 3000 words had no user-defined piece", checked)
	}
}

// checkShortWord checks segmentShort against segment on w, a word of at
// most shortWord characters without user-defined pieces.
func checkShortWord(t *testing.T, m *testModel, sc *Scratch, w []byte) {
	t.Helper()
	got, ok := m.segmentShort(sc, w, m.rules, nil)
	if !ok {
		t.Fatalf("segmentShort refused %q, of at most %d characters", w, shortWord)
	}
	got = slices.Clone(got)
	want := m.segment(sc, w, m.rules, true, nil)
	if !slices.Equal(got, want) {
		t.Fatalf("%q: segmentShort gives %v, the heap %v", w, got, want)
	}
}

// TestSegmentRunsAgrees holds segmentRuns to the heap of segment on random
// texts of a few runs, each copies of one to four characters, long and
// short, odd and even, under Gemma's model and every variant that segments
// words: it must give the same pieces or refuse, and for Gemma it must
// not refuse.
func TestSegmentRunsAgrees(t *testing.T) {
	// Letters, a space, punctuation that Gemma has long pieces of, two- to
	// four-byte characters, and characters Gemma has no piece for.
	chars := []string{"a", "b", "e", "=", "-", "0", "\u2581", "é", "中", "ก", "🙂", "\u200D", "\U000E0100", "\U0010FFFD"}
	eachWordModel(t, func(t *testing.T, i int, m *testModel, sc *Scratch, rnd *rand.Rand) {
		checked, refused := 0, 0
		for range 600 {
			var w []byte
			for range 1 + rnd.Intn(12) {
				var pat []byte
				for range 1 + rnd.Intn(runsPeriod) {
					pat = append(pat, chars[rnd.Intn(len(chars))]...)
				}
				n := 2 + rnd.Intn(4)
				if rnd.Intn(2) == 0 {
					n = 2 + rnd.Intn(600)
				}
				w = append(w, bytes.Repeat(pat, n)...)
			}
			if len(w) < runsMinLen || hasUserPiece(m.rules.matcher, w) {
				continue
			}
			got, ok := m.segmentRuns(sc, w, m.rules, nil)
			if !ok {
				refused++
				continue
			}
			got = slices.Clone(got)
			want := m.segment(sc, w, m.rules, true, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("%.300q: segmentRuns and the heap %s", w, testmodel.DiffAt(got, want))
			}
			checked++
		}
		if i < 0 && refused > 0 {
			t.Errorf("segmentRuns refused %d texts of Gemma's, whose scores fall with every merge", refused)
		}
		if checked < 100 && !spacePiece(m) && (i < 0 || testmodel.Variants[i].Name != "scores shuffled") {
			t.Errorf("only %d texts checked (%d refused)", checked, refused)
		}
		t.Logf("%d texts checked, %d refused", checked, refused)
	})
}

// eachWordModel runs f as eachModel does, but only for the models whose
// words are segmented apart (those without unused pieces), with segment
// on its heap alone, a scratch, and a random source seeded by the model.
func eachWordModel(t *testing.T, f func(t *testing.T, i int, m *testModel, sc *Scratch, rnd *rand.Rand)) {
	defer func(n int) { levelMin = n }(levelMin)
	levelMin = math.MaxInt // the heap only
	eachModel(t, func(t *testing.T, i int, m *testModel) {
		if m.unused {
			t.Skip("segmented whole, never word by word")
		}
		f(t, i, m, new(Scratch), rand.New(rand.NewSource(int64(i))))
	})
}

// hasUserPiece reports whether a user-defined piece starts anywhere in w.
func hasUserPiece(m *matcher.Matcher, w []byte) bool {
	for i := range w {
		if l, _ := m.Match(utf8x.String(w[i:])); l > 0 {
			return true
		}
	}
	return false
}

// TestSweepBlocks holds sweepBlocks to a plain left-to-right sweep over the
// symbols that its blocks stand for, on random blocks whose pairs are given
// keys from a small set, so that pairs of the swept key meet in every way:
// inside a copy, between copies and between blocks, one after another.
func TestSweepBlocks(t *testing.T) {
	rnd := rand.New(rand.NewSource(6))
	for range 20000 {
		s := make([]byte, 0, 1024)
		bl := blockBuilder{tmp: new([3][]patSym)}
		type flat struct {
			id, size int32
			pairID   int32
			pairKey  uint64
		}
		var want []flat // the symbols, each with its pair with the next
		for range 1 + rnd.Intn(4) {
			n := 1 + rnd.Intn(3)
			k := symBlock{off: int32(len(bl.pats)), n: int32(n), count: int32(1 + rnd.Intn(6)), start: int32(len(s))}
			for range n {
				size := int32(1 + rnd.Intn(2))
				p := patSym{start: int32(len(s)) + k.bytes, size: size, id: rnd.Int31n(3)}
				p.pairID, p.pairKey = 100+rnd.Int31n(50), uint64(rnd.Intn(3))
				k.bytes += size
				bl.pats = append(bl.pats, p)
			}
			k.nextID, k.nextKey = 100+rnd.Int31n(50), uint64(rnd.Intn(3))
			s = append(s, make([]byte, k.bytes*k.count)...)
			bl.blocks = append(bl.blocks, k)
			pat := bl.pats[k.off : k.off+k.n]
			for c := range k.count {
				for j, p := range pat {
					f := flat{p.id, p.size, p.pairID, p.pairKey}
					if j == n-1 && c == k.count-1 {
						f.pairID, f.pairKey = k.nextID, k.nextKey
					}
					want = append(want, f)
				}
			}
		}
		bl.s = s
		const key = 1
		// The plain sweep.
		var swept []flat
		pending := false
		var pend flat
		for _, f := range want {
			if pending && pend.pairKey == key {
				swept = append(swept, flat{id: pend.pairID, size: pend.size + f.size})
				pending = false
				continue
			}
			if pending {
				swept = append(swept, flat{id: pend.id, size: pend.size})
			}
			pending, pend = true, f
		}
		if pending {
			swept = append(swept, flat{id: pend.id, size: pend.size})
		}
		to := blockBuilder{s: s, tmp: bl.tmp}
		sweepBlocks(&bl, &to, key)
		var got []flat
		at := int32(0)
		for _, k := range to.blocks {
			if k.start != at {
				t.Fatalf("a block starts at %d, after %d bytes of blocks", k.start, at)
			}
			for range k.count {
				for _, p := range to.pats[k.off : k.off+k.n] {
					got = append(got, flat{id: p.id, size: p.size})
				}
			}
			at += k.bytes * k.count
		}
		if !slices.Equal(got, swept) {
			t.Fatalf("blocks %v %v: sweepBlocks gives %v, the plain sweep %v", bl.blocks, bl.pats, got, swept)
		}
	}
}

// spacePiece reports whether a user-defined piece of m is the start of
// U+2581, which then matches inside every one.
func spacePiece(m *testModel) bool {
	l, _ := m.rules.matcher.Match(seg.SpaceSymbol)
	return l > 0
}

// TestRunsMergeMakesEqualPair is the case that the run shortcut once got
// wrong: with "..." scored as "..", merging two dots makes a pair of the
// score being merged, which the C++ takes next (leftmost first), before the
// pairs further right. segmentRuns must give up on it.
func TestRunsMergeMakesEqualPair(t *testing.T) {
	for _, score := range []float32{-250, -249} {
		pm := testmodel.GemmaProto(t)
		l := testmodel.PieceList(t, pm)
		p := l.Get(955).Message()
		if testmodel.PieceText(t, p) != "..." || testmodel.PieceText(t, l.Get(723).Message()) != ".." {
			t.Fatal("ids 955 and 723 of the Gemma model are not ... and ..")
		}
		testmodel.SetField(t, p, score, "score")
		v, err := vocab.Parse(testmodel.Marshal(t, pm))
		if err != nil {
			t.Fatal(err)
		}
		m := newTestModel(t, v)
		sc := new(Scratch)
		for _, n := range []int{255, 256, 257, 300, 1000} {
			text := strings.Repeat(".", n)
			got := m.encode(sc, text)
			want := m.segment(sc, []byte(text), m.rules, true, nil) // the heap alone
			if len(got) != len(want) {
				t.Fatalf("score %v, %d dots: %d ids, the heap %d pieces", score, n, len(got), len(want))
			}
			for i, sp := range want {
				if got[i] != sp.ID {
					t.Fatalf("score %v, %d dots: ids %s", score, n, testmodel.DiffAt(got, pieceIDs(want)))
				}
			}
			if n == 256 && score == -250 {
				// What the C++ gives (issue 20).
				if want := append(slices.Repeat([]int32{49753}, 20), 5519); !slices.Equal(got, want) {
					t.Errorf("score %v, 256 dots: %s", score, testmodel.DiffAt(got, want))
				}
			}
		}
	}
}

func pieceIDs(ps []seg.Piece) []int32 {
	ids := make([]int32, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}
