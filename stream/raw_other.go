//go:build !unix

package stream

import (
	"net"
	"syscall"
)

// rawConn returns nil: without unix non-blocking sockets every write goes
// through the stream's writer goroutine.
func rawConn(net.Conn) syscall.RawConn { return nil }

type sockIO struct{}

func newSockIO(syscall.RawConn, *int) *sockIO { return nil }

func (s *sockIO) tryRead(p []byte) (int, bool, error) { return 0, true, nil }
func (s *sockIO) tryWrite(p []byte) (int, error)      { return 0, nil }
