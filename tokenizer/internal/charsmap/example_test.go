package charsmap_test

import (
	"fmt"

	"github.com/gemmatok/gemmatok/tokenizer/internal/charsmap"
)

// A normalizer applies the rules one step at a time, letting Runs.Copy
// copy what they leave as it is, spaces escaped as U+2581. The rules here
// are a deletion (soft hyphen), a two-code-point source (fi) and the
// longer key that overlaps it (ffi).
func ExampleMap_Prefix() {
	m, err := charsmap.New(charsmap.RuleBlob)
	if err != nil {
		fmt.Println(err)
		return
	}
	in := "ffix fix hy\u00ADphen \xff"
	runs := m.Runs(nil, true, false)
	var out charsmap.Run
	for in != "" {
		if n := runs.Copy(&out, in); n > 0 {
			in = in[n:]
			continue
		}
		norm, n := m.Prefix(in)
		fmt.Printf("%q -> %q\n", in[:n], norm)
		out.Dst = append(out.Dst, norm...)
		in = in[n:]
	}
	fmt.Printf("%q\n", out.Dst)
	// Output:
	// "ffi" -> "ﬃ"
	// "fi" -> "FI"
	// "\u00ad" -> ""
	// "\xff" -> "�"
	// "ﬃx▁FIx▁hyphen▁�"
}
