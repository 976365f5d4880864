package charsmap

import (
	"os"
	"path/filepath"
)

// RuleBlob is the charsmap spm_train compiled from testdata/models/rule.tsv,
// for the examples.
var RuleBlob = func() []byte {
	b, err := os.ReadFile(filepath.Join(modelsDir, "unigram_rule_tsv.model"))
	if err != nil {
		panic(err)
	}
	var blob []byte
	walkProto(b, func(field int, _ uint64, data []byte) error {
		if field == 3 {
			walkProto(data, func(f int, _ uint64, data []byte) error {
				if f == 2 {
					blob = data
				}
				return nil
			})
		}
		return nil
	})
	return blob
}()
