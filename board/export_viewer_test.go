//go:build !tinygo

package board

// ResetViewer lets the next simulated board attach to a viewer again, as
// the first board of a process does.
func ResetViewer() {
	viewerMu.Lock()
	viewerTaken = false
	viewerMu.Unlock()
}

// SetViewerLimits makes a slow viewer fall behind quickly: at most queue
// messages wait for it, over a socket with a send buffer of sendBuffer
// bytes. It returns a function that restores the limits.
func SetViewerLimits(queue, sendBuffer int) (restore func()) {
	q, b := maxQueue, viewerSendBuffer
	maxQueue, viewerSendBuffer = queue, sendBuffer
	return func() { maxQueue, viewerSendBuffer = q, b }
}

// WatchesTasks reports whether s's viewer link has its task instrument
// installed. Call it on the loop's goroutine.
func WatchesTasks(s *Sim) bool { return s.viewer != nil && s.viewer.tasks != nil }

// SetTaskRate sets how many task changes a second, and at once, go to the
// viewer; it returns a function that restores them.
func SetTaskRate(rate, burst float64) (restore func()) {
	r, b := taskRate, taskBurst
	taskRate, taskBurst = rate, burst
	return func() { taskRate, taskBurst = r, b }
}
