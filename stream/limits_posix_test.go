//go:build linux || darwin

package stream_test

import (
	"syscall"
	"testing"
)

// raiseFileLimit makes room for n more open files, or skips the test.
func raiseFileLimit(t *testing.T, n uint64) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Skipf("cannot read the open-file limit: %v", err)
	}
	if old.Cur >= n {
		return
	}
	want := old
	want.Cur = n
	if want.Max < n {
		want.Max = n // allowed for root (CAP_SYS_RESOURCE) only
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		t.Skipf("needs %d open files; the limit is %d (hard %d) and raising it failed: %v (run ulimit -n %d)",
			n, old.Cur, old.Max, err, n)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}
