package charsmap_test

import (
	"fmt"

	"github.com/gemmatok/gemmatok/tokenizer/internal/charsmap"
)

// Prefix takes one step of the rules at a time; Runs.Apply takes them all,
// its tables settling the characters that the rules leave as they are,
// and here escapes spaces as U+2581. The rules are a deletion (soft
// hyphen), a two-code-point source (fi) and the longer key that overlaps
// it (ffi).
func ExampleMap_Prefix() {
	m, err := charsmap.New(charsmap.RuleBlob)
	if err != nil {
		fmt.Println(err)
		return
	}
	in := "ffix fix hy\u00ADphen \xff"
	for s := in; s != ""; {
		norm, n := m.Prefix(s)
		if norm != s[:n] {
			fmt.Printf("%q -> %q\n", s[:n], norm)
		}
		s = s[n:]
	}
	var out charsmap.Run
	m.Runs(nil, true, false).Apply(&out, in)
	fmt.Printf("%q\n", out.Dst)
	// Output:
	// "ffi" -> "ﬃ"
	// "fi" -> "FI"
	// "\u00ad" -> ""
	// "\xff" -> "�"
	// "ﬃx▁FIx▁hyphen▁�"
}
