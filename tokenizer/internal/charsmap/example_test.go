package charsmap_test

import (
	"fmt"
	"strings"

	"github.com/gemmatok/gemmatok/tokenizer/internal/charsmap"
)

// A normalizer applies the rules one step at a time, copying whole what
// Runs.Len covers. The rules here are a deletion (soft hyphen), a
// two-code-point source (fi) and the longer key that overlaps it (ffi).
func ExampleMap_Prefix() {
	m, err := charsmap.New(charsmap.RuleBlob)
	if err != nil {
		fmt.Println(err)
		return
	}
	in := "ffix fix hy\u00ADphen \xff"
	runs := m.Runs(nil)
	var out strings.Builder
	for in != "" {
		if n := runs.Len(in); n > 0 {
			out.WriteString(in[:n])
			in = in[n:]
			continue
		}
		norm, n := m.Prefix(in)
		fmt.Printf("%q -> %q\n", in[:n], norm)
		out.WriteString(norm)
		in = in[n:]
	}
	fmt.Printf("%q\n", out.String())
	// Output:
	// "ffi" -> "ﬃ"
	// "fi" -> "FI"
	// "\u00ad" -> ""
	// "\xff" -> "�"
	// "ﬃx FIx hyphen �"
}
