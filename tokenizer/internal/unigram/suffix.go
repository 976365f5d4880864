package unigram

import "math"

// FewestTokens returns the fewest tokens that any path through the lattice
// of norm gives, counted as the processor counts them (SentencePiece's
// PopulateSentencePieceText): a piece is one token, an unknown character
// one for each of its bytes under byte fallback and otherwise one with the
// unknown characters right before it. Encode takes one of these paths
// whatever path score it starts from (EncodeFrom), so this is a lower
// bound on the tokens of norm encoded as a part of a longer text, cut
// where no piece crosses, after any other part: what a suffix of a text,
// whose parts start from other scores than the whole's, is bounded by.
//
// The lattice is forward's: the pieces that start where a character does,
// and an unknown character where no piece of one character does.
func (m *Model) FewestTokens(norm []byte, ban []bool, fallback bool) int {
	// known[p] and unk[p] are the fewest tokens of norm[:p] on paths whose
	// last piece is known or unknown.
	const inf = math.MaxInt32 / 2 // room to add to
	known := make([]int32, len(norm)+1)
	unk := make([]int32, len(norm)+1)
	for i := range known {
		known[i], unk[i] = inf, inf
	}
	known[0] = 0
	for start := 0; start < len(norm); {
		mblen := min(OneCharLen(norm[start]), len(norm)-start)
		k, u := known[start], unk[start]
		least := min(k, u)
		single := false
		m.trie.prefixes(norm, start, func(end int, info pieceInfo) {
			if banned(ban, info.id) {
				return
			}
			known[end] = min(known[end], least+1)
			if end-start == mblen {
				single = true
			}
		})
		if !single {
			end := start + mblen
			if fallback {
				unk[end] = min(unk[end], least+int32(mblen))
			} else {
				// A run of unknown characters is one token.
				unk[end] = min(unk[end], k+1, u)
			}
		}
		start += mblen
	}
	return int(min(known[len(norm)], unk[len(norm)]))
}
