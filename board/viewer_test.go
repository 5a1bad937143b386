//go:build !tinygo

package board_test

import (
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/internal/partkind"
	"github.com/goasyncio/asyncio/internal/wire"
)

// TestViewerProtocol plays the viewer's side of package wire against a
// board: it hears the parts and levels, and its commands (good and bad)
// steer the board and its clock. Only the first board of a process
// attaches; ResetViewer makes the test's board the first.
// listenAsViewer listens on the loopback interface as a viewer would, and
// points the process's next board at it with a fresh secret, which it
// returns. The listener is closed when the test ends. It skips the test
// where there is no TCP listener.
func listenAsViewer(t *testing.T) (net.Listener, string) {
	t.Helper()
	if runtime.GOOS == "js" {
		t.Skip("skipped on js/wasm: no TCP listener")
	}
	board.ResetViewer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	token := wire.NewToken()
	t.Setenv(wire.EnvAddr, wire.FormatAddr(token, ln.Addr().String()))
	return ln, token
}

// acceptBoard accepts the board's connection on ln, bounded by a minute
// for a broken run, and closed when the test ends.
func acceptBoard(t *testing.T, ln net.Listener) (net.Conn, *wire.Decoder) {
	t.Helper()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(time.Minute))
	return conn, wire.NewDecoder(conn)
}

func TestViewerProtocol(t *testing.T) {
	ln, token := listenAsViewer(t)
	t.Setenv(wire.EnvPaused, "1")

	done := make(chan error, 1)
	var pressedAt time.Duration = -1
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			lab := board.NewLab(ctx.Loop())
			lab.AddPin("enable", board.PinOutput)
			for lab.Button.Value() == 1 {
				if err := asyncio.Sleep(ctx, 10*ms); err != nil {
					return err
				}
			}
			pressedAt = ctx.Loop().Time()
			return nil
		}, asyncio.VirtualClock())
	}()
	conn, dec := acceptBoard(t, ln)
	next := func(want wire.Type) wire.Message {
		t.Helper()
		for {
			m, err := dec.Decode()
			if err != nil {
				t.Fatalf("waiting for %q: %v", want, err)
			}
			if m.Type == want {
				return m
			}
		}
	}
	send := func(line string) {
		t.Helper()
		if _, err := io.WriteString(conn, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}

	if m := next(wire.Hello); m.Value != wire.Version || m.Token != token {
		t.Errorf("hello: %+v", m)
	}
	parts := map[string]wire.Message{}
	for len(parts) < 4 || parts["green"].Colour == "" {
		m := next(wire.Part)
		parts[m.Name] = m
	}
	if p := parts["red"]; p.Kind != partkind.LED || !p.ActiveLow || p.Value != 1 {
		t.Errorf("red: %+v", p)
	}
	if p := parts["button"]; p.Kind != partkind.Button || !p.ActiveLow || p.Value != 1 {
		t.Errorf("button: %+v", p)
	}

	if p := parts["enable"]; p.Kind != partkind.Pin || !p.Output {
		t.Errorf("enable: %+v", p)
	}
	if parts["button"].Output {
		t.Error("the button's pin is reported as an output")
	}

	send(`this is not json`)
	if m := next(wire.Error); !strings.Contains(m.Text, "malformed") {
		t.Errorf("a malformed line gave %q", m.Text)
	}
	send(`{"t":"press","name":"nose"}`)
	if m := next(wire.Error); !strings.Contains(m.Text, `"nose"`) {
		t.Errorf("pressing a missing part gave %q", m.Text)
	}
	send(`{"t":"drive","name":"red","value":1}`)
	if m := next(wire.Error); !strings.Contains(m.Text, `"red"`) {
		t.Errorf("driving an LED gave %q", m.Text)
	}

	// Paused at 0, the press happens at 0; each step is the next poll.
	send(`{"t":"press","name":"button"}`)
	if m := next(wire.Level); m.Name != "button" || m.Value != 0 || m.At != 0 {
		t.Errorf("after the press: %+v", m)
	}
	send(`{"t":"step"}`)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if pressedAt != 10*ms {
		t.Errorf("the press was seen at %v, want 10ms (the first poll after one step)", pressedAt)
	}
	// The board says goodbye with the final clock, then hangs up.
	var last wire.Message
	for {
		m, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.Type == wire.Clock {
			last = m
		}
	}
	if last.At != int64(10*ms) || !last.Paused {
		t.Errorf("the last clock: %+v, want paused at 10ms", last)
	}
}

// TestSlowViewerLosesLevelsNotMemory: a viewer that does not keep up loses
// level changes, is told how many, and then gets every part's level afresh.
func TestSlowViewerLosesLevelsNotMemory(t *testing.T) {
	ln, _ := listenAsViewer(t)
	t.Setenv(wire.EnvSpeed, "1000")

	defer board.SetViewerLimits(256, 4096)()
	const burst = 1 << 15 // more than the queue and the sockets hold
	stop, burstDone := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			lab := board.NewLab(ctx.Loop())
			for range burst {
				lab.Red.Toggle()
			}
			close(burstDone)
			// Then slowly, until the viewer has caught up and resynced.
			for {
				select {
				case <-stop:
					return nil
				default:
				}
				lab.Green.Toggle()
				if err := asyncio.Sleep(ctx, 10*ms); err != nil {
					return err
				}
			}
		}, asyncio.VirtualClock())
	}()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4096)
	conn.SetDeadline(time.Now().Add(time.Minute))
	// Read nothing until the burst is over: it cannot all have been sent.
	<-burstDone
	// Follow red as a viewer would: its levels, and the levels a resync
	// sends. The burst toggles red an even number of times, so once the
	// slow part has begun (a green level) and the viewer has been resynced,
	// red must read 1, where it began.
	dec := wire.NewDecoder(conn)
	levels, lost, red, green := 0, "", 1, false
	for !(lost != "" && green && red == 1) {
		m, err := dec.Decode()
		if err != nil {
			t.Fatalf("before the resync: %v (levels %d, lost %q, red %d)", err, levels, lost, red)
		}
		switch {
		case m.Type == wire.Level && m.Name == "red":
			levels++
			red = m.Value
		case m.Type == wire.Level && m.Name == "green":
			green = true
		case m.Type == wire.Part && m.Name == "red":
			red = m.Value
		case m.Type == wire.Error:
			lost = m.Text
		}
	}
	if !strings.Contains(lost, "fell behind") || levels >= burst {
		t.Errorf("got %d of %d levels, and %q", levels, burst, lost)
	}
	close(stop)
	go io.Copy(io.Discard, conn)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestViewerAddressIsChecked: a value of the variable without the run's
// secret, or naming an address off this machine, attaches no viewer: the
// program keeps its own clock and dials nowhere.
func TestViewerAddressIsChecked(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("skipped on js/wasm: no TCP listener")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- struct{}{}
			c.Close()
		}
	}()
	for _, v := range []string{
		ln.Addr().String(),                                 // no secret
		"short@" + ln.Addr().String(),                      // too short a secret
		wire.FormatAddr(wire.NewToken(), "example.com:80"), // a name to look up
		wire.FormatAddr(wire.NewToken(), "192.0.2.1:80"),   // off this machine
	} {
		board.ResetViewer()
		t.Setenv(wire.EnvAddr, v)
		err := asyncio.Run(func(ctx *asyncio.Ctx) error {
			board.NewLab(ctx.Loop())
			if ctx.Loop().Pace() != nil {
				t.Errorf("%s=%q: the loop's clock is paced", wire.EnvAddr, v)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-accepted:
		t.Error("the board connected with a bad value of the variable")
	case <-time.After(100 * time.Millisecond):
	}
}

// TestViewerDialDoesNotBlockTheLoop: the board connects on a goroutine;
// the loop's tasks run meanwhile, its clock held still until the viewer is
// there, and a viewer that cannot be reached lets the clock go.
func TestViewerDialDoesNotBlockTheLoop(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("skipped on js/wasm: no TCP listener")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens: the dial fails
	board.ResetViewer()
	t.Setenv(wire.EnvAddr, wire.FormatAddr(wire.NewToken(), addr))
	err = asyncio.Run(func(ctx *asyncio.Ctx) error {
		begin := time.Now()
		lab := board.NewLab(ctx.Loop())
		if d := time.Since(begin); d > 50*time.Millisecond {
			t.Errorf("NewLab took %v", d)
		}
		lab.Red.Toggle()
		// The clock is let go once the dial has failed, and runs.
		return asyncio.Sleep(ctx, 20*ms)
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

// TestAttachViewer attaches a board explicitly, after its parts are added,
// with ASYNCIO_BOARD_VIEW unset: the viewer hears the parts that are there
// already, and a second board, or a bad link, is refused with an error.
func TestAttachViewer(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("skipped on js/wasm: no TCP listener")
	}
	board.ResetViewer()
	t.Setenv(wire.EnvAddr, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	token := wire.NewToken()
	link := wire.FormatAddr(token, ln.Addr().String())

	loop := asyncio.NewLoop(asyncio.VirtualClock())
	sim := board.NewSim(loop)
	sim.AddLED("lamp", board.ActiveHigh).On()
	if err := sim.AttachViewer("nosecret@127.0.0.1:1"); err == nil {
		t.Error("AttachViewer took a link without a secret")
	}
	if err := sim.AttachViewer(token + "@192.0.2.1:1"); err == nil {
		t.Error("AttachViewer took an address that is not loopback")
	}
	if err := sim.AttachViewer(link); err != nil {
		t.Fatal(err)
	}
	if err := board.NewSim(loop).AttachViewer(link); err == nil {
		t.Error("a second board attached to the viewer")
	}
	_, dec := acceptBoard(t, ln)
	for {
		m, err := dec.Decode()
		if err != nil {
			t.Fatalf("waiting for the lamp: %v", err)
		}
		if m.Type == wire.Part && m.Name == "lamp" {
			if m.Kind != partkind.LED || m.Value != 1 {
				t.Errorf("lamp: %+v", m)
			}
			break
		}
	}
	loop.Close()
}

// TestViewerStepIsAcknowledged: the board says a step has finished (the
// Clock's Steps) only once the loop has run everything due at the time the
// step stopped at, including what that work made ready, and after it has
// sent what that work changed. A Step on a running clock finishes at once.
func TestViewerStepIsAcknowledged(t *testing.T) {
	ln, _ := listenAsViewer(t)
	t.Setenv(wire.EnvPaused, "1")

	done := make(chan error, 1)
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			lab := board.NewLab(ctx.Loop())
			enable := lab.AddPin("enable", board.PinOutput)
			ev := &asyncio.Event{}
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for {
					if err := asyncio.Sleep(ctx, 250*ms); err != nil {
						return err
					}
					lab.Red.Toggle()
					ev.Set()
				}
			})
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for {
					if err := ev.Wait(ctx); err != nil {
						return err
					}
					ev.Clear()
					for range 3 { // rounds later, at the same time
						if err := asyncio.Sleep(ctx, 0); err != nil {
							return err
						}
					}
					enable.Toggle()
				}
			})
			return asyncio.Sleep(ctx, 2*time.Second)
		}, asyncio.VirtualClock())
	}()
	conn, dec := acceptBoard(t, ln)
	send := func(line string) {
		t.Helper()
		if _, err := io.WriteString(conn, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	// untilSteps reads up to the first Clock with steps finished, and says
	// when the pin last changed before it.
	untilSteps := func(steps int64) (clock wire.Message, enableAt int64) {
		t.Helper()
		enableAt = -1
		for {
			m, err := dec.Decode()
			if err != nil {
				t.Fatalf("waiting for step %d to finish: %v", steps, err)
			}
			if m.Type == wire.Level && m.Name == "enable" {
				enableAt = m.At
			}
			if m.Type == wire.Clock && m.Steps >= steps {
				return m, enableAt
			}
		}
	}
	for i := int64(1); i <= 3; i++ {
		send(`{"t":"step"}`)
		clock, enableAt := untilSteps(i)
		want := i * int64(250*ms)
		if clock.Steps != i || clock.At != want || !clock.Paused || enableAt != want {
			t.Fatalf("step %d finished: %+v, the pin's change before it at %v; want %d steps at %v, the pin's change at that time",
				i, clock, time.Duration(enableAt), i, time.Duration(want))
		}
	}
	// Running, a step has nothing to do and finishes at once.
	send(`{"t":"resume"}`)
	send(`{"t":"step"}`)
	if clock, _ := untilSteps(4); clock.Steps != 4 {
		t.Errorf("a step on a running clock: %+v, want 4 steps finished", clock)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
