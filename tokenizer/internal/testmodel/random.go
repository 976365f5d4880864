package testmodel

import (
	"math/rand"
	"strings"
)

// RandomText returns 1 to n strings of alphabet, picked by rng, joined:
// the texts of tests that look for what a few characters side by side do.
func RandomText(rng *rand.Rand, alphabet []string, n int) string {
	var b strings.Builder
	for range rng.Intn(n) + 1 {
		b.WriteString(alphabet[rng.Intn(len(alphabet))])
	}
	return b.String()
}
