package view

import (
	"os"
	"sync"
)

// output is a run's standard output or error, read from a pipe of the
// Session's own into console lines. Its own pipe, not one os/exec copies
// from, lets drain take what the program wrote before a given moment (see
// Session.apply): the program's output and its board's messages come on two
// channels, and a finished step must show what the step printed.
type output struct {
	w    *lineWriter
	r    *os.File      // the pipe's read end
	mu   sync.Mutex    // held while bytes taken from the pipe become lines
	buf  []byte        // under mu
	done chan struct{} // closed once the pipe is read to its end or closed
}

// newOutput makes the pipe of a run's stream; the write end is the
// program's.
func newOutput(s *Session, stream string) (*output, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	o := &output{w: &lineWriter{s: s, stream: stream}, r: r, buf: make([]byte, 32<<10), done: make(chan struct{})}
	return o, w, nil
}

// read reads the pipe into the console until its end, or until it is
// closed; it runs on a goroutine of its own.
func (o *output) read() {
	defer close(o.done)
	o.readAll()
	o.mu.Lock()
	o.w.flush()
	o.mu.Unlock()
}

// take turns p into console lines, under mu.
func (o *output) take(p []byte) { o.w.Write(p) }

// close stops reading: a read under way ends.
func (o *output) close() { o.r.Close() }
