package scenario

import (
	"bytes"
	"errors"
	"time"

	"github.com/goasyncio/asyncio"
)

// Line is one line the program printed on the console, with the loop's
// time when its newline was written.
type Line struct {
	At   time.Duration
	Text string
}

// ErrConsoleClosed is returned by ReadLine once the console is closed.
var ErrConsoleClosed = errors.New("scenario: console closed")

// Console is a simulated serial console for a program run in the same
// process: the program writes to it (it is an io.Writer) and reads the
// lines a scenario types with ReadLine. Both must be called on the loop's
// goroutine (from its tasks), so each line carries the exact virtual time
// it was printed at.
type Console struct {
	loop    *asyncio.Loop
	partial []byte
	lines   []Line
	typed   []string
	ready   asyncio.Event
	closed  bool
	onLine  func(Line)
}

// NewConsole returns a console on loop's clock.
func NewConsole(loop *asyncio.Loop) *Console { return &Console{loop: loop} }

// Write records what the program prints; each complete line is a Line.
func (c *Console) Write(p []byte) (int, error) {
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		text := string(bytes.TrimSuffix(c.partial[:i], []byte("\r")))
		c.partial = c.partial[i+1:]
		l := Line{At: c.loop.Time(), Text: text}
		c.lines = append(c.lines, l)
		if c.onLine != nil {
			c.onLine(l)
		}
	}
	return len(p), nil
}

// Lines returns the lines printed so far.
func (c *Console) Lines() []Line { return append([]Line(nil), c.lines...) }

// ReadLine waits for the next line typed on the console and returns it
// without its newline.
func (c *Console) ReadLine(ctx *asyncio.Ctx) (string, error) {
	for len(c.typed) == 0 {
		if c.closed {
			return "", ErrConsoleClosed
		}
		c.ready.Clear()
		if err := c.ready.Wait(ctx); err != nil {
			return "", err
		}
	}
	line := c.typed[0]
	c.typed = c.typed[1:]
	return line, nil
}

// Type queues a line for ReadLine.
func (c *Console) Type(line string) {
	c.typed = append(c.typed, line)
	c.ready.Set()
}

// Close makes ReadLine return ErrConsoleClosed once the typed lines are
// read.
func (c *Console) Close() {
	c.closed = true
	c.ready.Set()
}
