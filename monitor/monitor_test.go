package monitor_test

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/testenv"
	"github.com/goasyncio/asyncio/monitor"
)

func TestMain(m *testing.M) { testenv.DebugMain(m) }

// withLoop runs a loop with two named tasks (one sleeping, one waiting for
// an event) and calls fn from another goroutine while it runs.
func withLoop(t *testing.T, fn func(l *asyncio.Loop)) {
	t.Helper()
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		var ev, finished asyncio.Event
		asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { return asyncio.Sleep(c, time.Hour) }, asyncio.Named("sleeper"))
		asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error { return ev.Wait(c) }, asyncio.Named("waiter"))
		asyncio.Sleep(ctx, 0) // both have started and wait
		release := l.KeepAlive()
		go func() {
			fn(l)
			l.CallSoonThreadsafe(func() { finished.Set(); release() })
		}()
		return finished.Wait(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDump(t *testing.T) {
	withLoop(t, func(l *asyncio.Loop) {
		s, err := monitor.Dump(l, 5*time.Second)
		if err != nil {
			t.Error(err)
		}
		for _, want := range []string{`task "sleeper": sleeping until 3600.`, `task "waiter": waiting (waiting for an event)`, "created by:", "monitor_test.go"} {
			if !strings.Contains(s, want) {
				t.Errorf("no %q in the dump:\n%s", want, s)
			}
		}
	})
}

// A task that blocks the loop: the dump cannot be made, and the answer
// says so and shows the goroutines instead.
func TestDumpBlockedLoop(t *testing.T) {
	got := make(chan string, 1)
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		started := make(chan struct{})
		go func() {
			<-started
			s, err := monitor.Dump(l, 50*time.Millisecond)
			if err == nil {
				s = "no error: " + s
			}
			got <- s
		}()
		close(started)
		time.Sleep(500 * time.Millisecond) // blocks the loop
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := <-got
	if !strings.Contains(s, "a task is blocking it") || !strings.Contains(s, "TestDumpBlockedLoop") {
		t.Errorf("answer while blocked:\n%.2000s", s)
	}
}

func TestServer(t *testing.T) {
	if _, err := monitor.Listen(nil, "0.0.0.0:0"); err == nil {
		t.Error("Listen on a non-loopback address succeeded")
	}
	withLoop(t, func(l *asyncio.Loop) {
		s, err := monitor.Listen(l, "127.0.0.1:0")
		if err != nil {
			t.Error(err)
			return
		}
		defer s.Close()
		if len(s.Token()) != 32 {
			t.Errorf("token %q", s.Token())
		}
		addr := s.Addr().String()
		if got, err := monitor.Ask(addr, "wrong"); err != nil || got != "denied\n" {
			t.Errorf("wrong token: %q, %v", got, err)
		}
		got, err := monitor.Ask(addr, s.Token())
		if err != nil || !strings.Contains(got, `task "waiter"`) {
			t.Errorf("right token: %v\n%s", err, got)
		}
		// A request longer than MaxRequest gets nothing.
		if got, _ := monitor.Ask(addr, strings.Repeat("x", monitor.MaxRequest+10)); got != "" {
			t.Errorf("an overlong request got %q", got)
		}
		// A silent client does not stop others from being served.
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		// The overlong request's connection may still hold its slot for a
		// moment (an emulator is slow): ask again until served, for a while.
		var got2 string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if got2, err = monitor.Ask(addr, s.Token()); err == nil && strings.Contains(got2, `task "sleeper"`) {
				break
			}
		}
		if err != nil || !strings.Contains(got2, `task "sleeper"`) {
			t.Errorf("beside a silent client: %v\n%s", err, got2)
		}
	})
}

// A real signal to a child process makes it print its task dump.
func TestOnSignal(t *testing.T) {
	if os.Getenv("MONITOR_SIGNAL_CHILD") != "" {
		signalChild()
		return
	}
	if runtime.GOOS == "windows" || monitor.DefaultSignal == nil {
		t.Skip("no SIGUSR1 here")
	}
	testenv.SkipIfNoSubprocess(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestOnSignal$")
	cmd.Env = append(os.Environ(), "MONITOR_SIGNAL_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	r := bufio.NewReader(out)
	if line, err := r.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("child said %q, %v", line, err)
	}
	var text strings.Builder
	for round := range 2 { // twice: it keeps listening
		if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		for {
			line, err := r.ReadString('\n')
			text.WriteString(line)
			if err != nil {
				t.Fatalf("round %d: %v; child wrote:\n%s", round, err, &text)
			}
			if strings.TrimSpace(line) == "worker" { // the last line of the creator tree
				break
			}
		}
	}
	got := text.String()
	if n := strings.Count(got, "created by:"); n != 2 {
		t.Errorf("%d dumps, want 2:\n%s", n, got)
	}
	for _, want := range []string{`task "worker": waiting (waiting for a lock)`, `task "holder": sleeping until`, "signalChild"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
}

// signalChild runs a loop whose worker waits for a lock held by a sleeping
// task, and dumps its tasks on SIGUSR1.
func signalChild() {
	asyncio.Run(func(ctx *asyncio.Ctx) error {
		defer monitor.OnSignal(ctx.Loop(), os.Stdout)()
		var mu asyncio.Lock
		asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			if err := mu.Acquire(c); err != nil {
				return err
			}
			defer mu.Release()
			asyncio.CreateTask(c, func(c *asyncio.Ctx) error {
				if err := mu.Acquire(c); err != nil {
					return err
				}
				return mu.Release()
			}, asyncio.Named("worker"))
			return asyncio.Sleep(c, time.Minute)
		}, asyncio.Named("holder"))
		asyncio.Sleep(ctx, 0)
		os.Stdout.WriteString("ready\n")
		return asyncio.Sleep(ctx, 20*time.Second)
	})
}
