//go:build !linux

package bpe

// hugeWords returns words: huge pages are asked for on Linux only.
func hugeWords(words []uint64) []uint64 { return words }
