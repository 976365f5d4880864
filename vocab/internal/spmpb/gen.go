// Package spmpb holds the Go types generated from SentencePiece's
// sentencepiece_model.proto (Apache-2.0, Google; the schema file beside this
// one keeps its licence header).
//
// The schema is registered under its path in this module and the proto
// package gemmatok.sentencepiece rather than SentencePiece's own names, so
// that a program may link gemmatok beside another SentencePiece library
// (go-sentencepiece registers the original names) without the protobuf
// registry refusing the second registration. The wire format is the same.
package spmpb

//go:generate protoc --proto_path=../../.. --go_out=../../.. --go_opt=paths=source_relative vocab/internal/spmpb/sentencepiece_model.proto
