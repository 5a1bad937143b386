package asyncio_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
)

func TestTimeoutScope(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		err := asyncio.Timeout(ctx, 100*time.Millisecond, func(ctx *asyncio.Ctx) error {
			return asyncio.Sleep(ctx, time.Hour)
		})
		g.add(ctx, "fail: %v", errors.Is(err, asyncio.ErrTimeout))
		err = asyncio.Timeout(ctx, time.Hour, func(ctx *asyncio.Ctx) error {
			return asyncio.SleepMs(ctx, 10)
		})
		g.add(ctx, "in time: %v", err)
		expired, err := asyncio.MoveOnAfter(ctx, 50*time.Millisecond, func(ctx *asyncio.Ctx) error {
			for {
				if err := asyncio.SleepMs(ctx, 20); err != nil {
					return err
				}
				g.add(ctx, "working")
			}
		})
		g.add(ctx, "move on: %v %v", expired, err)
		// Nothing of the expired scopes leaks: this sleep is not cancelled.
		g.add(ctx, "after: %v", asyncio.SleepMs(ctx, 10))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.100 fail: true", "0.110 in time: <nil>", "0.130 working", "0.150 working",
		"0.160 move on: true <nil>", "0.170 after: <nil>")
}

func TestNestedTimeoutsReportTheirOwn(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		outer := asyncio.Timeout(ctx, 100*time.Millisecond, func(ctx *asyncio.Ctx) error {
			inner := asyncio.Timeout(ctx, time.Hour, func(ctx *asyncio.Ctx) error {
				return asyncio.Sleep(ctx, time.Hour)
			})
			g.add(ctx, "inner: timeout=%v cancelled=%v", errors.Is(inner, asyncio.ErrTimeout), errors.Is(inner, asyncio.ErrCancelled))
			return inner
		})
		g.add(ctx, "outer: timeout=%v", errors.Is(outer, asyncio.ErrTimeout))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.100 inner: timeout=false cancelled=true", "0.100 outer: timeout=true")
}

func TestTimeoutExpiringWhileReadyIsWithdrawn(t *testing.T) {
	// The deadline passes while the body is ready but has not resumed, and
	// the body then returns without another await: the pending cancel must
	// not reach the code after the scope.
	err := run(t, func(ctx *asyncio.Ctx) error {
		err := asyncio.Timeout(ctx, 10*time.Millisecond, func(ctx *asyncio.Ctx) error {
			asyncio.SleepMs(ctx, 10) // wakes at the same time the deadline fires
			return nil
		})
		if err != nil && !errors.Is(err, asyncio.ErrTimeout) {
			return err
		}
		return asyncio.SleepMs(ctx, 10)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTaskGroupAllSucceed(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		return asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, tg *asyncio.TaskGroup) error {
			for _, d := range []int{30, 10} {
				tg.Go(func(ctx *asyncio.Ctx) error {
					asyncio.SleepMs(ctx, d)
					g.add(ctx, "child %d", d)
					return nil
				})
			}
			g.add(ctx, "body done")
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.000 body done", "0.010 child 10", "0.030 child 30")
}

func TestTaskGroupFailureCancelsSiblingsAndBody(t *testing.T) {
	var g log
	boom := errors.New("boom")
	err := run(t, func(ctx *asyncio.Ctx) error {
		err := asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, tg *asyncio.TaskGroup) error {
			tg.Go(func(ctx *asyncio.Ctx) error {
				err := asyncio.Sleep(ctx, time.Hour)
				g.add(ctx, "sibling: %v", err)
				return err
			}, asyncio.Named("sibling"))
			tg.Go(func(ctx *asyncio.Ctx) error {
				asyncio.SleepMs(ctx, 20)
				return boom
			}, asyncio.Named("failing"))
			err := asyncio.Sleep(ctx, time.Hour)
			g.add(ctx, "body: %v", err)
			return err
		})
		g.add(ctx, "group: %v", err)
		if !errors.Is(err, boom) || errors.Is(err, asyncio.ErrCancelled) {
			t.Errorf("group error %v", err)
		}
		// The body's cancellation did not leak.
		return asyncio.SleepMs(ctx, 5)
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.020 sibling: asyncio: task cancelled: context canceled",
		"0.020 body: asyncio: task cancelled: context canceled",
		`0.020 group: task "failing": boom`)
}

func TestTaskGroupJoinsAllErrors(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		return asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, tg *asyncio.TaskGroup) error {
			tg.Go(func(ctx *asyncio.Ctx) error { return errors.New("first") })
			tg.Go(func(ctx *asyncio.Ctx) error { return errors.New("second") })
			return errors.New("body")
		})
	})
	if err == nil || !strings.Contains(err.Error(), "body") {
		t.Fatalf("group: %v", err)
	}
	// The body failed first, so the children were cancelled before they
	// started: only the body's error is there.
	if strings.Contains(err.Error(), "first") {
		t.Errorf("cancelled children reported errors: %v", err)
	}
}

func TestTaskGroupCancelledFromOutside(t *testing.T) {
	var g log
	err := run(t, func(ctx *asyncio.Ctx) error {
		owner := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, tg *asyncio.TaskGroup) error {
				tg.Go(func(ctx *asyncio.Ctx) error {
					err := asyncio.Sleep(ctx, time.Hour)
					g.add(ctx, "child: %v", err)
					asyncio.SleepMs(ctx, 10) // clean-up
					g.add(ctx, "child cleaned up")
					return err
				})
				return nil // the body ends; the group waits for the child
			})
		})
		asyncio.SleepMs(ctx, 10)
		owner.Cancel()
		err := owner.Await(ctx)
		g.add(ctx, "owner: %v", errors.Is(err, asyncio.ErrCancelled))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g.check(t, "0.010 child: asyncio: task cancelled: context canceled", "0.020 child cleaned up", "0.020 owner: true")
}

func TestTaskGroupGoAfterClose(t *testing.T) {
	err := run(t, func(ctx *asyncio.Ctx) error {
		var saved *asyncio.TaskGroup
		asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, tg *asyncio.TaskGroup) error {
			saved = tg
			return nil
		})
		late := saved.Go(func(*asyncio.Ctx) error { return nil })
		if err := late.Await(ctx); !errors.Is(err, asyncio.ErrGroupClosed) {
			t.Errorf("late task: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
