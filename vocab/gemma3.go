package vocab

import _ "embed"

// The Gemma 3 model proto is written from Gemma 3's tokenizer.json by
// gemma3_gen.go. It is stored as it is: compressed with flate it would be
// 2.3 MB instead of 4.7 MB, but inflating it takes longer than parsing it.
//
//go:generate go run gemma3_gen.go -in ../../shared/models/gemma3/tokenizer.json.xz

//go:embed gemma3.model
var gemma3Model []byte

// Gemma3 returns the embedded Gemma 3 vocabulary: BPE, 262,145 pieces
// (262,144 and <image_soft_token>), byte fallback, 6,411 user-defined
// pieces among which the image and turn markers. It is parsed once; later
// calls return the same Vocab.
func Gemma3() (*Vocab, error) { return Builtin("gemma3") }

// Gemma3Model returns the bytes of the embedded Gemma 3 model proto. The
// caller must not modify them.
func Gemma3Model() []byte { return gemma3Model }
