package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

// TestSpanningPieceOracle checks Gemma 3, whose piece ">▁</" holds U+2581
// after its start, against the C++ where the text is cut into words and
// where that piece stops a cut.
func TestSpanningPieceOracle(t *testing.T) {
	getOracle(t)
	o, err := startOracleWith("../vocab/gemma3.model")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	tok := gemma3Tokenizer(t)
	texts := []string{"<b> </b>", "a> </b", "> </", ">  </", "x> </y> </z", "> </> </> </", "<td>x> </td> </tr>",
		" > </ ", "> <", "a >  </ b", strings.Repeat("<i>a</i> </i> ", 50)}
	for _, text := range texts {
		if got, want := tok.Encode(text), o.encode(t, text); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
}
