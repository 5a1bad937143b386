//go:build !unix

package monitor

import "os"

// DefaultSignal is the signal OnSignal listens for when given none:
// SIGUSR1 where it exists (kill -USR1 <pid>), nil elsewhere.
var DefaultSignal os.Signal
