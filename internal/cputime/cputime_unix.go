//go:build unix

package cputime

import (
	"syscall"
	"time"
)

// Process is the process's user and system CPU time.
func Process() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
