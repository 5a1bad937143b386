package web

// SetBeforeState makes the event stream call f before it reads the
// Session's state; it returns a function that undoes it.
func SetBeforeState(f func()) (restore func()) {
	old := beforeState
	beforeState = f
	return func() { beforeState = old }
}
