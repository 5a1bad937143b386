//go:build !unix

package stream

import (
	"net"
	"syscall"
)

// rawConn returns nil: without unix non-blocking sockets every write goes
// through the stream's writer goroutine.
func rawConn(net.Conn) syscall.RawConn { return nil }

type fastWriter struct{}

func newFastWriter(syscall.RawConn, *int) *fastWriter { return nil }

func (w *fastWriter) tryWrite(p []byte) (int, error) { return 0, nil }
