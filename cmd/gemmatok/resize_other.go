//go:build !unix

package main

import "os"

// resizeSignal is nil where terminals send no signal on a resize; the
// progress line then finds the new width at its next tick.
var resizeSignal os.Signal
