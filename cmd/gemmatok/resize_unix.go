//go:build unix

package main

import (
	"os"
	"syscall"
)

// resizeSignal is the signal a terminal sends when its size changes.
var resizeSignal os.Signal = syscall.SIGWINCH
