//go:build !unix

package view

// readAll reads the pipe to its end.
func (o *output) readAll() {
	p := make([]byte, len(o.buf))
	for {
		n, err := o.r.Read(p)
		if n > 0 {
			o.mu.Lock()
			o.take(p[:n])
			o.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// drain does nothing here: without a non-blocking read of the pipe, what
// the program printed may reach the console after its board's messages.
func (o *output) drain() {}
