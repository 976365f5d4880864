// Package tokenizer encodes text into token ids and decodes ids into text
// exactly as Google's C++ SentencePiece does, fast.
//
// A Tokenizer is built from a SentencePiece model (see package vocab); the
// embedded Gemma model is available through Default:
//
//	tok, err := tokenizer.Default()
//	ids := tok.Encode("Hello, world!") // [4521 235269 2134 235341]
//	text, err := tok.Decode(ids)
//
// Encode gives SentencePiece's ids, and SentencePiece turns text that
// spells a user-defined piece, such as "<start_of_turn>", into that piece's
// id. For text from users, call EncodeWith (or CountWith, TruncateEndWith)
// with SpecialText, which keeps every special piece text, or with
// SpecialReject, which makes such text an error:
//
//	ids, err := tok.EncodeWith(userText, tokenizer.EncodeOptions{Special: tokenizer.SpecialText})
//
// Like SentencePiece, a Tokenizer normalizes the text, segments it with
// the model's pieces, turns pieces missing from the vocabulary into byte
// pieces (byte fallback) and decodes ids back into text.
//
// For inference code there is more: EncodeChat and RenderChat write Gemma
// chat turns, keeping message contents text; EncodeWith adds BOS and EOS;
// a StreamDecoder decodes ids as a model generates them, and DecodeWith and
// NewStreamDecoderWith can drop special pieces such as <end_of_turn>;
// EncodeOffsets gives each token's span in the input; EncodeBatch encodes
// many texts in parallel; TruncateEnd and TruncateStart cut text to fit a
// number of tokens; SafeCut finds where a stream may be cut into parts that
// encode separately (SafeCutParts for models, like Llama's, that add a
// dummy prefix to the start of a text or normalize with a precompiled
// charsmap, and EncodeOptions.Carry for Unigram models, whose parts are
// encoded in order).
//
// A Tokenizer is immutable and safe for concurrent use by many goroutines.
// It remembers the words it has segmented, in a cache of at most about 12
// MB that all its goroutines share, so one Tokenizer serving a whole
// program is faster than several.
package tokenizer
