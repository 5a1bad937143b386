package stream

// SetLoopIO sets whether plain TCP streams of loops made from now on are
// read and written on the loop with its epoll (Linux) or with goroutines,
// for tests, and returns a function that restores the setting.
func SetLoopIO(on bool) (restore func()) {
	old := loopIO
	loopIO = on
	return func() { loopIO = old }
}
