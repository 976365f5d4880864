// Package genhook lets gen_index.go, the generator of package vocab's
// embedded index, reach what package vocab keeps unexported.
package genhook

// Index returns the index of the embedded model, built from the model
// itself. Package vocab sets it when it is initialized.
var Index func() ([]byte, error)
