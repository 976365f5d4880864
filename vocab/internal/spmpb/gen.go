// Package spmpb holds the Go types generated from SentencePiece's
// sentencepiece_model.proto (Apache-2.0, Google; the schema file beside this
// one keeps its licence header).
package spmpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative sentencepiece_model.proto
