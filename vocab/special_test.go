package vocab

import "testing"

func TestSpecialRules(t *testing.T) {
	for _, tc := range []struct {
		piece      string
		whitespace bool
		tag        bool
	}{
		{"\n\n", true, false},
		{"\u2581\u2581", true, false},
		{"\t \r\n", true, false},
		{"", false, false},
		{"<table>", false, true},
		{"</code>", false, true},
		{"<h1>", false, true},
		{"<s>", false, true},
		{"<mask>", false, false},
		{"<unused17>", false, false},
		{"<start_of_turn>", false, false},
		{"</start_of_turn>", false, false},
		{"<table", false, false},
		{"<<b>>", false, false},
		{"<b >", false, false},
		{"[@BOS@]", false, false},
	} {
		if got := isWhitespaceRun(tc.piece); got != tc.whitespace {
			t.Errorf("isWhitespaceRun(%q) = %v", tc.piece, got)
		}
		if got := isHTMLTag(tc.piece); got != tc.tag {
			t.Errorf("isHTMLTag(%q) = %v", tc.piece, got)
		}
	}
}
