package asyncio_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

func TestToThreadNilFunc(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		if err := asyncio.ToThread(ctx, nil); !errors.Is(err, asyncio.ErrNilFunc) {
			t.Errorf("ToThread(ctx, nil): %v, want ErrNilFunc", err)
		}
		if _, err := asyncio.ToThreadOf[int](ctx, nil); !errors.Is(err, asyncio.ErrNilFunc) {
			t.Errorf("ToThreadOf(ctx, nil): %v, want ErrNilFunc", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := asyncio.ToThread(nil, nil); !errors.Is(err, asyncio.ErrNotInTask) {
		t.Errorf("ToThread(nil, nil): %v, want ErrNotInTask", err)
	}
}

func TestSubmitNilLoop(t *testing.T) {
	_, err := asyncio.Submit(context.Background(), nil, func(*asyncio.Ctx) (int, error) { return 1, nil })
	if err == nil || !strings.Contains(err.Error(), "nil loop") {
		t.Fatalf("Submit to a nil loop: %v, want an error about the nil loop", err)
	}
}

func TestHandleCancelZeroOrNil(t *testing.T) {
	var nilHandle *asyncio.Handle
	nilHandle.Cancel()
	var zero asyncio.Handle
	zero.Cancel()
	// A real handle still cancels.
	ran := false
	err := run(t, func(ctx *asyncio.Ctx) error {
		h := ctx.Loop().CallLater(time.Millisecond, func() { ran = true })
		h.Cancel()
		h.Cancel() // twice is harmless
		return asyncio.Sleep(ctx, 10*time.Millisecond)
	})
	if err != nil || ran {
		t.Fatalf("run: %v; cancelled callback ran: %v", err, ran)
	}
}
