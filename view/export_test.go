package view

// BoardAddr returns the address where the Session listens for its
// program's board, for tests that play another process on this machine.
func BoardAddr(s *Session) string { return s.ln.Addr().String() }

// SetBeforeRun makes the Session call f between starting a run's program
// and taking it as its run; it returns a function that undoes it.
func SetBeforeRun(f func()) (restore func()) {
	old := beforeRun
	beforeRun = f
	return func() { beforeRun = old }
}

// AddConsole adds a line to the Session's console as the program's output
// does.
func AddConsole(s *Session, stream, text string) { s.console(stream, text) }
