// Package monitor lets a running program be asked what its loop is doing,
// without a viewer attached: on a signal, or from a small opt-in server on
// a loopback socket, it writes the loop's task dump (asyncio.Loop.DumpTasks:
// every task's state, what it waits for, where it paused, who created it),
// as `python -m asyncio ps` and aiomonitor do.
//
//	defer monitor.OnSignal(ctx.Loop(), os.Stderr)() // kill -USR1 <pid>
//
// The dump is made on the loop's goroutine, between two task steps. If a
// task blocks the loop, no dump can be made: after Timeout the monitor says
// so, and writes the stacks of all goroutines instead, which show where
// the blocking task is stuck.
package monitor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"time"

	"github.com/goasyncio/asyncio"
)

// Timeout is how long a request waits for the loop to make the dump.
var Timeout = 2 * time.Second

// maxDump bounds a dump's size.
const maxDump = 4 << 20

// Dump asks the loop, from any goroutine, for its task dump and returns it.
// If the loop does not answer within timeout (a task is blocking it), or is
// closed, Dump returns an error and text that says so, followed by every
// goroutine's stack.
func Dump(l *asyncio.Loop, timeout time.Duration) (string, error) {
	done := make(chan string, 1)
	err := l.CallSoonThreadsafe(func() {
		var b bytes.Buffer
		l.DumpTasks(&limited{w: &b, n: maxDump})
		done <- b.String()
	})
	if err != nil {
		return "", fmt.Errorf("monitor: the loop cannot take requests: %w", err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case s := <-done:
		return s, nil
	case <-t.C:
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		return fmt.Sprintf("the loop did not answer in %v: a task is blocking it. Goroutines:\n%s", timeout, buf),
			errors.New("monitor: the loop did not answer")
	}
}

// limited writes at most n bytes to w, then discards the rest.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	k := min(len(p), l.n)
	if k > 0 {
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

// OnSignal writes l's task dump to w each time the process receives one of
// sigs (DefaultSignal if none is given: SIGUSR1 on Unix). The signals are
// not delivered to the program otherwise (os/signal.Notify) until the
// returned function is called, which stops listening. OnSignal may be
// called from any goroutine. With no signal to listen for (none given and
// no DefaultSignal), it does nothing.
func OnSignal(l *asyncio.Loop, w io.Writer, sigs ...os.Signal) (stop func()) {
	if len(sigs) == 0 && DefaultSignal != nil {
		sigs = []os.Signal{DefaultSignal}
	}
	if len(sigs) == 0 {
		return func() {}
	}
	ch := make(chan os.Signal, 1)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	signal.Notify(ch, sigs...)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ch:
				s, _ := Dump(l, Timeout)
				io.WriteString(w, s)
			case <-quit:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(ch)
			close(quit)
			wg.Wait()
		})
	}
}
