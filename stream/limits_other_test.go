//go:build !linux && !darwin

package stream_test

import "testing"

func raiseFileLimit(t *testing.T, n uint64) {
	t.Skip("needs the open-file limit of a unix system")
}
