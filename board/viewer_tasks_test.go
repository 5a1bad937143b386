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
	"github.com/goasyncio/asyncio/internal/wire"
)

// TestViewerHearsTheTasks: with a viewer attached, the board sends each
// change of a task's state: the tasks there when it attached, each run and
// what each stopped for, and each task's end; a run that blocks the loop
// carries its real duration.
func TestViewerHearsTheTasks(t *testing.T) {
	ln, _ := listenAsViewer(t)
	t.Setenv(wire.EnvSpeed, "1000")

	done := make(chan error, 1)
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			lab := board.NewLab(ctx.Loop())
			blink := func(led board.LED, period time.Duration) func(*asyncio.Ctx) error {
				return func(ctx *asyncio.Ctx) error {
					for range 3 {
						led.Toggle()
						if err := asyncio.Sleep(ctx, period); err != nil {
							return err
						}
					}
					return nil
				}
			}
			red := asyncio.CreateTask(ctx, blink(lab.Red, 250*ms), asyncio.Named("red"))
			green := asyncio.CreateTask(ctx, blink(lab.Green, 100*ms), asyncio.Named("green"))
			blocker := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				time.Sleep(30 * time.Millisecond) // blocks the loop
				return nil
			}, asyncio.Named("blocker"))
			return asyncio.Gather(ctx, red, green, blocker)
		}, asyncio.VirtualClock())
	}()
	_, dec := acceptBoard(t, ln)
	var tasks []wire.Message
	for {
		m, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.Type == wire.Task {
			tasks = append(tasks, m)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	var trace []string
	var blocked time.Duration
	for _, m := range tasks {
		if old, ok := names[m.ID]; ok && old != m.Name {
			t.Errorf("task %d is %q and %q", m.ID, old, m.Name)
		}
		names[m.ID] = m.Name
		if m.Name == "red" || m.Name == "main" {
			trace = append(trace, strings.TrimSpace(m.Name+" "+time.Duration(m.At).String()+" "+m.State+" "+m.Text))
		}
		if m.Name == "blocker" && m.State == wire.TaskDone {
			blocked = time.Duration(m.Wall)
		}
	}
	if len(trace) == 0 || trace[0] != "main 0s running" {
		t.Errorf("the first change of main and red: %q, want main running when the viewer attached", trace)
	}
	got := strings.Join(trace, "\n")
	for _, want := range []string{
		"red 0s new",
		"red 0s running\nred 0s sleeping sleeping until 0.250s",
		"red 250ms ready\nred 250ms running\nred 250ms sleeping sleeping until 0.500s",
		"red 750ms running\nred 750ms done",
		"main 0s waiting gathering",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the changes of main and red lack\n%s\nin\n%s", want, got)
		}
	}
	if blocked < 30*time.Millisecond {
		t.Errorf("the blocking task's run took %v in real time, want at least 30ms", blocked)
	}
}

// TestTaskInstrumentOnlyWithAViewer: a board without a viewer installs no
// task instrument, and a board whose viewer cannot be reached, or goes
// away, removes it, so that tasks' steps pay nothing for it.
func TestTaskInstrumentOnlyWithAViewer(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("skipped on js/wasm: no TCP listener")
	}
	watching := func(t *testing.T, lab *board.Lab, ctx *asyncio.Ctx, want bool) error {
		t.Helper()
		for range 1000 {
			if board.WatchesTasks(lab.Sim) == want {
				return nil
			}
			if err := asyncio.Sleep(ctx, ms); err != nil {
				return err
			}
		}
		t.Errorf("the task instrument installed: %v, want %v", !want, want)
		return nil
	}
	t.Run("no viewer", func(t *testing.T) {
		board.ResetViewer()
		t.Setenv(wire.EnvAddr, "")
		err := asyncio.Run(func(ctx *asyncio.Ctx) error {
			return watching(t, board.NewLab(ctx.Loop()), ctx, false)
		}, asyncio.VirtualClock())
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		board.ResetViewer()
		t.Setenv(wire.EnvAddr, wire.FormatAddr(wire.NewToken(), addr))
		err = asyncio.Run(func(ctx *asyncio.Ctx) error {
			return watching(t, board.NewLab(ctx.Loop()), ctx, false)
		}, asyncio.VirtualClock())
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("gone", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		board.ResetViewer()
		t.Setenv(wire.EnvAddr, wire.FormatAddr(wire.NewToken(), ln.Addr().String()))
		t.Setenv(wire.EnvSpeed, "1000")
		go func() {
			conn, err := ln.Accept()
			if err == nil {
				wire.NewDecoder(conn).Decode() // the hello
				conn.Close()
			}
		}()
		err = asyncio.Run(func(ctx *asyncio.Ctx) error {
			lab := board.NewLab(ctx.Loop())
			if !board.WatchesTasks(lab.Sim) {
				t.Error("no task instrument while the viewer is there")
			}
			return watching(t, lab, ctx, false)
		}, asyncio.VirtualClock())
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestViewerAsksWhere: asked Where, the board answers with each live
// task's await point, the file and line it paused at.
func TestViewerAsksWhere(t *testing.T) {
	ln, _ := listenAsViewer(t)
	t.Setenv(wire.EnvPaused, "1")
	t.Setenv(wire.EnvSpeed, "1000")
	done := make(chan error, 1)
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			board.NewLab(ctx.Loop())
			sleeper := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				return asyncio.Sleep(ctx, time.Second) // the await point
			}, asyncio.Named("sleeper"))
			return asyncio.Gather(ctx, sleeper)
		}, asyncio.VirtualClock())
	}()
	conn, dec := acceptBoard(t, ln)
	next := func(ok func(wire.Message) bool) wire.Message {
		t.Helper()
		for {
			m, err := dec.Decode()
			if err != nil {
				t.Fatal(err)
			}
			if m.Type == wire.Task && ok(m) {
				return m
			}
		}
	}
	next(func(m wire.Message) bool { return m.Name == "sleeper" && m.State == wire.TaskSleeping })
	io.WriteString(conn, `{"t":"where"}`+"\n")
	m := next(func(m wire.Message) bool { return m.Name == "sleeper" && m.Where != "" })
	if m.State != wire.TaskSleeping || m.Text != "sleeping until 1.000s" || !strings.Contains(m.Where, "viewer_tasks_test.go:") {
		t.Errorf("the sleeper's await point: %+v", m)
	}
	io.WriteString(conn, `{"t":"resume"}`+"\n")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestTaskChangesAreRateLimited: a task that yields in a loop changes
// state faster than the viewer is sent changes; the board sends at most
// its rate, tells the viewer how many it left out, and then every task's
// state afresh, so that the viewer still sees how the run ended.
func TestTaskChangesAreRateLimited(t *testing.T) {
	defer board.SetTaskRate(1000, 100)()
	ln, _ := listenAsViewer(t)
	t.Setenv(wire.EnvSpeed, "1000")
	const spins = 20000
	done := make(chan error, 1)
	go func() {
		done <- asyncio.Run(func(ctx *asyncio.Ctx) error {
			board.NewLab(ctx.Loop())
			spinner := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				for range spins {
					if err := asyncio.Sleep(ctx, 0); err != nil {
						return err
					}
				}
				return nil
			}, asyncio.Named("spinner"))
			if err := asyncio.Gather(ctx, spinner); err != nil {
				return err
			}
			// Long enough in real time for the board to catch up.
			return asyncio.Sleep(ctx, 300*time.Second)
		}, asyncio.VirtualClock())
	}()
	_, dec := acceptBoard(t, ln)
	var n int
	var notice string
	last := map[string]string{}
	for {
		m, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch m.Type {
		case wire.Task:
			n++
			last[m.Name] = m.State
		case wire.Error:
			notice = m.Text
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n > spins/4 {
		t.Errorf("%d task changes sent for %d runs, want far fewer", n, spins)
	}
	if !strings.Contains(notice, "the tasks changed more than 1000 times a second;") {
		t.Errorf("the notice: %q", notice)
	}
	if last["spinner"] != wire.TaskDone || last["main"] != wire.TaskDone {
		t.Errorf("the last states: %v, want both done", last)
	}
}
