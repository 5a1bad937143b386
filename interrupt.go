package asyncio

import (
	"os"
	"os/signal"
)

// CancelOnInterrupt makes Run cancel its main task on the first Ctrl-C
// (os.Interrupt), as CPython's asyncio.run does: main's await point returns
// ErrCancelled, its clean-up (deferred calls, the code after the error) runs,
// and Run returns when main has returned, with main's error. Go's default
// handling of the signal comes back at the first Ctrl-C, so a second one ends
// the program at once, whatever the clean-up is doing. Without this option
// Run leaves the signal alone.
func CancelOnInterrupt() Option { return func(l *Loop) { l.interrupt = true } }

// cancelMainWhen starts, for Run, what cancels main from outside: the
// parent context (WithContext) being done, or Ctrl-C (CancelOnInterrupt).
// The returned function stops it; no goroutine outlives Run.
func (l *Loop) cancelMainWhen(main *Task) (stop func()) {
	var done <-chan struct{}
	if l.parent != nil {
		done = l.parent.Done()
	}
	var sig chan os.Signal
	if l.interrupt {
		sig = make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
	}
	if done == nil && sig == nil {
		return func() {}
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-done:
		case <-sig:
			signal.Stop(sig) // the next Ctrl-C is Go's: it ends the program
		case <-quit:
			return
		}
		l.CallSoonThreadsafe(func() { main.Cancel() })
	}()
	return func() {
		close(quit)
		<-finished
		if sig != nil {
			signal.Stop(sig)
		}
	}
}
