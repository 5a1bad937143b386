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
	"github.com/goasyncio/asyncio/board/wire"
)

// TestViewerHearsTheTasks: with a viewer attached, the board sends each
// change of a task's state: the tasks there when it attached, each run and
// what each stopped for, and each task's end; a run that blocks the loop
// carries its real duration.
func TestViewerHearsTheTasks(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("skipped on js/wasm: no TCP listener")
	}
	board.ResetViewer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv(wire.EnvAddr, wire.FormatAddr(wire.NewToken(), ln.Addr().String()))
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
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	dec := wire.NewDecoder(conn)
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
