package asyncio_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/testenv"
)

type requestIDKey struct{}

// A TaskVar is copied at CreateTask: a child sees its creator's value, and
// setting it in one task never changes it in another. Go code handed a Ctx
// sees both the TaskVar and the parent context's values.
func TestTaskVarsAndContextValues(t *testing.T) {
	user := asyncio.NewTaskVar("user", "nobody")
	parent := context.WithValue(context.Background(), requestIDKey{}, "req-42")
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		if got := ctx.Value(requestIDKey{}); got != "req-42" {
			t.Errorf("main sees request ID %v", got)
		}
		if user.Get(ctx) != "nobody" {
			t.Errorf("default = %q", user.Get(ctx))
		}
		before := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			if user.Get(c) != "nobody" {
				t.Errorf("a task created before Set sees %q", user.Get(c))
			}
			return nil
		})
		user.Set(ctx, "ada")
		child := asyncio.CreateTask(ctx, func(c *asyncio.Ctx) error {
			if user.Get(c) != "ada" {
				t.Errorf("child sees %q, want its creator's ada", user.Get(c))
			}
			user.Set(c, "grace")
			// Go code handed the Ctx sees both kinds of value.
			return asyncio.ToThread(c, func(gc context.Context) error {
				if gc.Value(user) != "grace" || gc.Value(requestIDKey{}) != "req-42" {
					t.Errorf("Go code sees %v and %v", gc.Value(user), gc.Value(requestIDKey{}))
				}
				return nil
			})
		})
		if err := asyncio.Gather(ctx, before, child); err != nil {
			return err
		}
		if user.Get(ctx) != "ada" {
			t.Errorf("the child's Set leaked into main: %q", user.Get(ctx))
		}
		return nil
	}, asyncio.WithContext(parent))
	if err != nil {
		t.Fatal(err)
	}
}

// When Run's parent context is done, main is cancelled and its clean-up runs.
func TestRunParentContextCancelsMain(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	cleaned := false
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		defer func() { cleaned = true }()
		time.AfterFunc(10*time.Millisecond, cancel)
		return asyncio.Sleep(ctx, time.Hour)
	}, asyncio.WithContext(parent))
	if !errors.Is(err, asyncio.ErrCancelled) || !cleaned {
		t.Fatalf("Run = %v, clean-up ran %v", err, cleaned)
	}
}

// Submit's context values reach the task it runs.
func TestSubmitPassesContextValues(t *testing.T) {
	l := asyncio.NewLoop()
	release := l.KeepAlive()
	done := make(chan error)
	go func() { done <- l.RunForever() }()
	goctx := context.WithValue(context.Background(), requestIDKey{}, "from-submit")
	v, err := asyncio.Submit(goctx, l, func(ctx *asyncio.Ctx) (any, error) { return ctx.Value(requestIDKey{}), nil })
	if v != "from-submit" || err != nil {
		t.Errorf("Submit's task sees %v, %v", v, err)
	}
	release()
	l.Stop()
	<-done
	l.Close()
}

// The child process of TestCancelOnInterrupt: main waits, a first Ctrl-C
// cancels it and its clean-up runs; with "stubborn", the clean-up itself
// waits for ever, so only a second Ctrl-C can end the program.
func interruptChild(mode string) {
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		os.Stdout.WriteString("ready\n")
		err := asyncio.Sleep(ctx, time.Hour)
		os.Stdout.WriteString("main: " + err.Error() + "\n")
		if mode == "stubborn" {
			asyncio.ToThread(ctx, func(context.Context) error { select {} })
		}
		return err
	}, asyncio.CancelOnInterrupt())
	os.Stdout.WriteString("run returned: " + err.Error() + "\n")
}

func TestCancelOnInterrupt(t *testing.T) {
	if mode := os.Getenv("ASYNCIO_INTERRUPT_CHILD"); mode != "" {
		interruptChild(mode)
		return
	}
	testenv.SkipIfNoSubprocess(t)
	for _, mode := range []string{"graceful", "stubborn"} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCancelOnInterrupt$")
			cmd.Env = append(os.Environ(), "ASYNCIO_INTERRUPT_CHILD="+mode)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 6)
			if _, err := out.Read(buf); err != nil || string(buf) != "ready\n" {
				t.Fatalf("child said %q, %v", buf, err)
			}
			cmd.Process.Signal(os.Interrupt)
			if mode == "stubborn" {
				time.Sleep(200 * time.Millisecond) // its clean-up is now stuck
				cmd.Process.Signal(os.Interrupt)
			}
			rest := make([]byte, 4096)
			n, _ := readAll(out, rest)
			werr := cmd.Wait()
			text := string(rest[:n])
			switch mode {
			case "graceful":
				if werr != nil || !strings.Contains(text, "main: asyncio: task cancelled") || !strings.Contains(text, "run returned: asyncio: task cancelled") {
					t.Errorf("after one Ctrl-C: %v\n%s", werr, text)
				}
			case "stubborn":
				var ee *exec.ExitError
				if !errors.As(werr, &ee) || strings.Contains(text, "run returned") {
					t.Errorf("a second Ctrl-C did not end the program: %v\n%s", werr, text)
				}
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() != syscall.SIGINT {
					t.Errorf("ended by %v", ws.Signal())
				}
			}
		})
	}
}

func readAll(r interface{ Read([]byte) (int, error) }, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
