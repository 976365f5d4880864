package main

import (
	"io"
	"os"
)

// openInput opens the one input of encode, decode, chat and truncate: the
// file args names, or stdin when args is empty or "-". It returns the name
// to report errors under.
func (a *app) openInput(args []string) (io.ReadCloser, string, error) {
	if len(args) == 0 || args[0] == "-" {
		return io.NopCloser(a.stdin), "-", nil
	}
	f, err := os.Open(args[0])
	return f, args[0], err
}
