package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"github.com/goasyncio/asyncio/internal/testenv"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/board"
	"github.com/goasyncio/asyncio/stream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

// The protocol's commands, on the virtual clock: exact times, exact trace.
func TestCommandsVirtual(t *testing.T) {
	const ms = time.Millisecond
	var trace string
	var replies []string
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		d := newDevice(ctx, time.Second, 250*ms)
		at := func(when time.Duration, cmd string) {
			if err := asyncio.Sleep(ctx, when-ctx.Loop().Time()); err != nil {
				t.Fatal(err)
			}
			reply, _ := d.command(ctx, cmd)
			replies = append(replies, fmt.Sprintf("%.3f %s -> %s", ctx.Loop().Time().Seconds(), cmd, reply))
		}
		at(100*ms, "status")
		at(600*ms, "on red")
		at(700*ms, "status")
		at(1100*ms, "off GREEN")
		at(1200*ms, "blink red 100")
		at(1450*ms, "blink green")
		at(1500*ms, "toggle red")
		at(1600*ms, "status")
		at(1600*ms, "on blue")
		at(1600*ms, "blink red 5")
		at(1600*ms, "dance")
		at(1600*ms, "on")
		at(1600*ms, "")
		at(2000*ms, "quit")
		trace = d.lab.Trace()
		return nil
	}, asyncio.VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
	want := `0.100 status -> red blinking 1000ms (on), green blinking 250ms (on)
0.600 on red -> ok: red on
0.700 status -> red on, green blinking 250ms (on)
1.100 off GREEN -> ok: green off
1.200 blink red 100 -> ok: red blinking 100ms
1.450 blink green -> ok: green blinking 500ms
1.500 toggle red -> ok: red off
1.600 status -> red off, green blinking 500ms (on)
1.600 on blue -> error: no LED "blue" (red, green)
1.600 blink red 5 -> error: bad period "5" (10 to 60000 ms)
1.600 dance -> error: unknown command "dance" (try help)
1.600 on -> error: usage: on LED
1.600  -> 
2.000 quit -> bye`
	if got := strings.Join(replies, "\n"); got != want {
		t.Errorf("replies:\n%s\nwant:\n%s", got, want)
	}
	wantTrace := `0.000 red on
0.000 green on
0.250 green off
0.500 green on
0.750 green off
1.000 green on
1.100 green off
1.200 red off
1.300 red on
1.400 red off
1.450 green on
1.500 red on
1.500 red off
1.950 green off
`
	if trace != wantTrace {
		t.Errorf("trace:\n%s\nwant:\n%s", trace, wantTrace)
	}
}

// The device over TCP, on the real clock: the LEDs keep blinking while a
// client talks to it, and its commands take effect.
func TestOverTCP(t *testing.T) {
	const ms = time.Millisecond
	var log bytes.Buffer
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		return asyncio.Timeout(ctx, 20*time.Second, func(ctx *asyncio.Ctx) error {
			var d *device
			var srv *stream.Server
			var listening asyncio.Event
			serving := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				return serve(ctx, config{addr: "127.0.0.1:0", red: 20 * ms, green: 5 * ms, log: &log},
					func(dev *device, s *stream.Server) { d, srv = dev, s; listening.Set() })
			})
			if err := listening.Wait(ctx); err != nil {
				return err
			}
			changes := func(name string, since time.Duration) int {
				n := 0
				for _, e := range d.lab.Events() {
					if e.Name == name && e.At > since {
						n++
					}
				}
				return n
			}
			c, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
			if err != nil {
				return err
			}
			defer c.Close()
			ask := func(cmd string) string {
				c.WriteString(cmd + "\n")
				reply, err := c.ReadLine(ctx)
				if err != nil {
					t.Fatalf("%s: %v", cmd, err)
				}
				return strings.TrimSuffix(string(reply), "\n")
			}
			if greeting, _ := c.ReadLine(ctx); !strings.HasPrefix(string(greeting), "led-server: commands:") {
				t.Errorf("greeting %q", greeting)
			}
			if got := ask("status"); !regexp.MustCompile(`^red blinking 20ms \((on|off)\), green blinking 5ms \((on|off)\)$`).MatchString(got) {
				t.Errorf("status = %q", got)
			}
			// Blinking goes on while the client talks.
			start := ctx.Loop().Time()
			for range 20 {
				ask("status")
				asyncio.Sleep(ctx, 2*ms)
			}
			if n := changes("green", start); n < 3 {
				t.Errorf("green changed %d times in %v of talking; want it to keep blinking", n, ctx.Loop().Time()-start)
			}
			if got := ask("on red"); got != "ok: red on" {
				t.Errorf("on red = %q", got)
			}
			since := ctx.Loop().Time()
			asyncio.Sleep(ctx, 60*ms)
			if n := changes("red", since); n != 0 || !d.lab.Red.Get() {
				t.Errorf("red changed %d times after on red, lit %v; want steady on", n, d.lab.Red.Get())
			}
			if n := changes("green", since); n < 3 {
				t.Errorf("green changed %d times in 60ms; want it to keep blinking", n)
			}
			if got := ask("blink red 10"); got != "ok: red blinking 10ms" {
				t.Errorf("blink red 10 = %q", got)
			}
			since = ctx.Loop().Time()
			asyncio.Sleep(ctx, 60*ms)
			if n := changes("red", since); n < 3 {
				t.Errorf("red changed %d times in 60ms at 10ms; want it blinking", n)
			}
			// A second client meanwhile.
			c2, err := stream.OpenConnection(ctx, "127.0.0.1", srv.Port())
			if err != nil {
				return err
			}
			c2.ReadLine(ctx)
			c2.WriteString("off green\n")
			if got, _ := c2.ReadLine(ctx); string(got) != "ok: green off\n" {
				t.Errorf("second client: %q", got)
			}
			c2.WriteString(strings.Repeat("x", 300) + "\n")
			if got, _ := c2.ReadLine(ctx); string(got) != "error: line too long\n" {
				t.Errorf("long line: %q", got)
			}
			c2.Close()
			if got := ask("nonsense"); !strings.HasPrefix(got, "error: unknown command") {
				t.Errorf("nonsense = %q", got)
			}
			if got := ask("quit"); got != "bye" {
				t.Errorf("quit = %q", got)
			}
			if _, err := c.ReadLine(ctx); err != io.EOF {
				t.Errorf("after quit: %v; want EOF", err)
			}
			srv.Close()
			return serving.Await(ctx)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"listening on 127.0.0.1:", "connected", "on red -> ok: red on", "gone"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log has no %q:\n%s", want, &log)
		}
	}
}

// serveForTest runs the server on a loop whose exception handler collects
// what reaches it, and calls client with its port on a goroutine; the
// server closes when client returns.
func serveForTest(t *testing.T, c config, client func(port int)) (reported []asyncio.ExceptionContext) {
	t.Helper()
	var log bytes.Buffer
	c.addr, c.red, c.green, c.log = "127.0.0.1:0", 20*time.Millisecond, 5*time.Millisecond, &log
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		return asyncio.Timeout(ctx, 20*time.Second, func(ctx *asyncio.Ctx) error {
			return serve(ctx, c, func(_ *device, srv *stream.Server) {
				port := srv.Port()
				asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
					err := asyncio.ToThread(ctx, func(context.Context) error { client(port); return nil })
					srv.Close()
					return err
				})
			})
		})
	}, asyncio.WithExceptionHandler(func(_ *asyncio.Loop, e asyncio.ExceptionContext) { reported = append(reported, e) }))
	if err != nil {
		t.Fatalf("%v; log:\n%s", err, &log)
	}
	return reported
}

// TestClientResetIsNotReported: a client that resets its connection while
// the server answers is gone, and nothing is reported ("Task exception
// wasn't retrieved").
func TestClientResetIsNotReported(t *testing.T) {
	reported := serveForTest(t, config{}, func(port int) {
		for range 5 {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				t.Error(err)
				return
			}
			// Many commands, no reading, then a reset: the server's
			// writes and drains meet the reset.
			io.WriteString(c, strings.Repeat("status\n", 20000))
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
		time.Sleep(200 * time.Millisecond) // the server meets the resets
	})
	for _, e := range reported {
		t.Errorf("reported: %s: %v", e.Message, e.Err)
	}
}

// TestIdleClientIsDisconnected: a client that trickles a line byte by byte
// is disconnected once the idle limit has passed since the line began.
func TestIdleClientIsDisconnected(t *testing.T) {
	reported := serveForTest(t, config{idle: 300 * time.Millisecond}, func(port int) {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		r.ReadString('\n') // the greeting
		begin := time.Now()
		go func() {
			for range 100 {
				if _, err := io.WriteString(c, "s"); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := r.ReadString('\n')
		if line != "idle too long, bye\n" {
			t.Errorf("a trickling client got %q, %v", line, err)
		}
		if d := time.Since(begin); d < 200*time.Millisecond || d > 5*time.Second { // the server's clock began a little before begin
			t.Errorf("disconnected after %v", d)
		}
	})
	for _, e := range reported {
		t.Errorf("reported: %s: %v", e.Message, e.Err)
	}
}

// The command stops on an interrupt, and -trace prints the LED changes.
func TestRunInterrupt(t *testing.T) {
	testenv.SkipIfEmulated(t, "checks real-time timestamps to the millisecond")
	interrupt := make(chan os.Signal, 1)
	go func() {
		time.Sleep(600 * time.Millisecond)
		interrupt <- os.Interrupt
	}()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-addr", "127.0.0.1:0", "-trace"}, &stdout, &stderr, interrupt); code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, &stderr)
	}
	if !regexp.MustCompile(`^0\.0\d\d red on\n0\.0\d\d green on\n(.*\n)*\d\.\d{3} green off\n`).MatchString(stdout.String()) {
		t.Errorf("trace:\n%s", &stdout)
	}
	if code := run([]string{"-addr", "nonsense"}, io.Discard, io.Discard, nil); code != 1 {
		t.Errorf("exit code %d for a bad address; want 1", code)
	}
}

func TestUsage(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"-h"}, io.Discard, &stderr, nil); code != 0 || !strings.Contains(stderr.String(), "usage: led-server [-addr host:port]") {
		t.Errorf("-h: exit code %d, stderr %q", code, &stderr)
	}
	if code := run([]string{"-nonsense"}, io.Discard, io.Discard, nil); code != 2 {
		t.Errorf("exit code %d for a bad flag; want 2", code)
	}
}

var _ board.LED = (*board.SimLED)(nil)
