// Package genhook lets gen_index.go, the generator of package vocab's
// embedded indexes, reach what package vocab keeps unexported.
package genhook

// Files returns the generated files of package vocab, by name, built from
// its embedded models. Package vocab sets it when it is initialized.
var Files func() (map[string][]byte, error)
