package view

// BoardAddr returns the address where the Session listens for its
// program's board, for tests that play another process on this machine.
func BoardAddr(s *Session) string { return s.ln.Addr().String() }
