//go:build !linux

package stream

import (
	"syscall"
	"time"
)

// Without epoll, every stream reads and writes with goroutines.

type epoller struct{}

func newEpoller(*registry) *epoller   { return nil }
func (p *epoller) Poll(time.Duration) {}
func (p *epoller) Wake()              {}
func (p *epoller) close()             {}
func (p *epoller) letGo()             {}

// newPollTransport returns nil: every stream uses goroutines.
func newPollTransport(*Stream, *epoller) transport { return nil }

func (srv *Server) listenOnLoop() bool { return false }
func (srv *Server) unlisten()          {}
func (srv *Server) uncap()             {}

// rawIO is never reached without epoll: no link has a sysfd.
func rawIO(bool, int, []byte) (int, syscall.Errno) { return 0, syscall.ENOSYS }
