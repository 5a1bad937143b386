package stream

// SetPollThreshold sets how many plain-socket streams a loop reads with
// goroutines before it uses epoll, for tests, and returns a function that
// restores it.
func SetPollThreshold(n int) (restore func()) {
	old := pollThreshold
	pollThreshold = n
	return func() { pollThreshold = old }
}
