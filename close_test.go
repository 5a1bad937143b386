package asyncio_test

import (
	"slices"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

func TestOnCloseRunsInReverseAfterTasks(t *testing.T) {
	var got []string
	var h handlerLog
	loop := asyncio.NewLoop(asyncio.VirtualClock(), asyncio.WithExceptionHandler(h.handle))
	loop.OnClose(func() { got = append(got, "first") })
	loop.OnClose(func() { panic("second") })
	loop.OnClose(func() { got = append(got, "third") })
	loop.CreateTask(func(ctx *asyncio.Ctx) error {
		defer func() { got = append(got, "task done") }()
		if ctx.Loop().Closing() {
			t.Error("Closing before Close")
		}
		err := asyncio.Sleep(ctx, time.Hour)
		if !ctx.Loop().Closing() {
			t.Error("not Closing while Close cancels")
		}
		return err
	})
	loop.CallLater(time.Millisecond, loop.Stop)
	if err := loop.RunForever(); err != nil {
		t.Fatal(err)
	}
	if err := loop.Close(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"task done", "third", "first"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if len(h.got) != 1 {
		t.Errorf("the panicking OnClose reached the handler %d times", len(h.got))
	}
	late := false
	loop.OnClose(func() { late = true })
	if !late {
		t.Error("OnClose on a closed loop did not run at once")
	}
	if !loop.Closing() {
		t.Error("a closed loop is not Closing")
	}
}
