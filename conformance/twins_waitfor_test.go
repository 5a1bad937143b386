package conformance

import (
	"time"

	"github.com/goasyncio/asyncio"
)

// Twins of the scenarios about wait_for.

func init() {
	addTwins(map[string]twin{
		"wait_for_in_time":          waitForInTime,
		"wait_for_timeout":          waitForTimeout,
		"wait_for_ignored_cancel":   waitForIgnoredCancel,
		"wait_for_raises":           waitForRaises,
		"wait_for_inner_cancelled":  waitForInnerCancelled,
		"wait_for_cancelled":        waitForCancelled,
		"wait_for_cancelled_ignore": waitForCancelledIgnore,
		"wait_for_cancel_race":      waitForCancelRace,
		"wait_for_forward":          waitForForward,
		"wait_for_ms":               waitForMs,
	})
}

func waitForInTime(p *py) error {
	job := func(n int, s float64) func(*asyncio.Ctx) (int, error) {
		return func(ctx *asyncio.Ctx) (int, error) {
			p.print("job", n, "start")
			if err := asyncio.Sleep(ctx, sec(s)); err != nil {
				return 0, err
			}
			p.print("job", n, "end")
			return n * 10, nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		r, err := asyncio.WaitForOf(ctx, time.Second, job(1, 0.01))
		if err != nil {
			return err
		}
		p.print("result:", r)
		t := asyncio.CreateTaskOf(ctx, job(2, 0.02))
		if err := asyncio.WaitForTask(ctx, time.Second, &t.Task); err != nil {
			return err
		}
		r, _ = t.Result()
		p.print("task result:", r)
		p.print("task done:", t.Done())
		return nil
	})
}

func waitForTimeout(p *py) error {
	slow := func(ctx *asyncio.Ctx) error {
		p.print("slow start")
		defer p.print("slow clean-up")
		err := asyncio.Sleep(ctx, 10*time.Second)
		if err == nil {
			p.print("slow end")
		} else if is(err, "CancelledError") {
			p.print("slow cancelled")
		}
		return err
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, slow)
		switch err := asyncio.WaitForTask(ctx, sec(0.02), t); {
		case err == nil:
			p.print("no timeout")
		case is(err, "TimeoutError"):
			p.print("TimeoutError")
		default:
			return err
		}
		p.print("slow done:", t.Done())
		return nil
	})
}

func waitForIgnoredCancel(p *py) error {
	stubborn := func(ctx *asyncio.Ctx) (string, error) {
		p.print("stubborn start")
		if err := asyncio.Sleep(ctx, time.Second); is(err, "CancelledError") {
			p.print("stubborn ignores the cancellation")
		} else if err != nil {
			return "", err
		}
		p.print("stubborn returns")
		return "stubborn result", nil
	}
	return run(func(ctx *asyncio.Ctx) error {
		switch r, err := asyncio.WaitForOf(ctx, sec(0.02), stubborn); {
		case err == nil:
			p.print("got", r)
		case is(err, "TimeoutError"):
			p.print("TimeoutError")
		default:
			return err
		}
		return nil
	})
}

func waitForRaises(p *py) error {
	faulty := func(ctx *asyncio.Ctx) error {
		p.print("faulty start")
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		return valueError("faulty", 1)
	}
	return run(func(ctx *asyncio.Ctx) error {
		if err := asyncio.WaitFor(ctx, time.Second, faulty); is(err, "ValueError") {
			p.print("caught", repr(err))
		} else {
			return err
		}
		return nil
	})
}

func waitForInnerCancelled(p *py) error {
	slow := func(ctx *asyncio.Ctx) error {
		p.print("slow start")
		if err := asyncio.Sleep(ctx, 10*time.Second); err != nil {
			return err
		}
		p.print("slow end")
		return nil
	}
	canceller := func(t *asyncio.Task) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, sec(0.02)); err != nil {
				return err
			}
			p.print("canceller cancels slow")
			t.Cancel()
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, slow)
		asyncio.CreateTask(ctx, canceller(t))
		switch err := asyncio.WaitForTask(ctx, time.Second, t); {
		case err == nil:
			p.print("no error")
		case is(err, "TimeoutError"):
			p.print("TimeoutError")
		case is(err, "CancelledError"):
			p.print("CancelledError")
		default:
			return err
		}
		return nil
	})
}

func waitForCancelled(p *py) error {
	slow := func(ctx *asyncio.Ctx) error {
		p.print("slow start")
		err := asyncio.Sleep(ctx, time.Second)
		if err == nil {
			p.print("slow end")
		} else if is(err, "CancelledError") {
			p.print("slow cancelled")
		}
		return err
	}
	waiter := func(ctx *asyncio.Ctx) error {
		p.print("waiter start")
		err := asyncio.WaitFor(ctx, 2*time.Second, slow)
		if err == nil {
			p.print("waiter no error")
		} else if is(err, "CancelledError") {
			p.print("waiter cancelled")
		}
		return err
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, waiter)
		if err := yields(ctx, 5); err != nil {
			return err
		}
		p.print("main cancels waiter")
		t.Cancel()
		if err := t.Await(ctx); is(err, "CancelledError") {
			p.print("main: CancelledError")
		} else {
			return err
		}
		if err := asyncio.Sleep(ctx, sec(0.02)); err != nil {
			return err
		}
		p.print("end")
		return nil
	})
}

func waitForCancelledIgnore(p *py) error {
	stubborn := func(ctx *asyncio.Ctx) error {
		p.print("stubborn start")
		if err := asyncio.Sleep(ctx, time.Second); is(err, "CancelledError") {
			p.print("stubborn ignores the cancellation")
		} else if err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
			return err
		}
		p.print("stubborn end")
		return nil
	}
	waiter := func(ctx *asyncio.Ctx) error {
		p.print("waiter start")
		err := asyncio.WaitFor(ctx, time.Second, stubborn)
		if err == nil {
			p.print("waiter no error")
		} else if is(err, "CancelledError") {
			p.print("waiter cancelled")
		}
		return err
	}
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, waiter)
		if err := yields(ctx, 5); err != nil {
			return err
		}
		p.print("main cancels waiter")
		t.Cancel()
		if err := t.Await(ctx); is(err, "CancelledError") {
			p.print("main: CancelledError")
		} else {
			return err
		}
		if err := asyncio.Sleep(ctx, sec(0.2)); err != nil {
			return err
		}
		p.print("end")
		return nil
	})
}

func waitForCancelRace(p *py) error {
	quick := func(n int) func(*asyncio.Ctx) (int, error) {
		return func(ctx *asyncio.Ctx) (int, error) {
			p.print("quick", n, "start")
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return 0, err
			}
			p.print("quick", n, "end")
			return n, nil
		}
	}
	waiter := func(n int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print("waiter", n, "start")
			r, err := asyncio.WaitForOf(ctx, time.Second, quick(n))
			if err == nil {
				p.print("waiter", n, "got", r)
			} else if is(err, "CancelledError") {
				p.print("waiter", n, "cancelled")
			}
			return err
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		for turns := 1; turns < 5; turns++ {
			t := asyncio.CreateTask(ctx, waiter(turns))
			if err := yields(ctx, turns); err != nil {
				return err
			}
			p.print("cancel after", turns, "turns, done:", t.Done())
			t.Cancel()
			switch err := t.Await(ctx); {
			case err == nil:
				p.print("finished normally")
			case is(err, "CancelledError"):
				p.print("CancelledError")
			default:
				return err
			}
			p.print("--")
		}
		return nil
	})
}

func waitForForward(p *py) error {
	work := func(swallow bool) func(*asyncio.Ctx) (string, error) {
		return func(ctx *asyncio.Ctx) (string, error) {
			p.print("work started")
			err := asyncio.Sleep(ctx, 2*time.Second)
			if is(err, "CancelledError") {
				p.print("work cancelled")
				if swallow {
					return "swallowed", nil
				}
			}
			return "", err
		}
	}
	middle := func(swallowWork, swallowHere bool) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			_, err := asyncio.WaitForOf(ctx, time.Second, work(swallowWork))
			switch {
			case err == nil:
				p.print("middle finished")
			case is(err, "TimeoutError"):
				p.print("middle timed out")
			case is(err, "CancelledError"):
				p.print("middle cancelled")
				if swallowHere {
					return nil
				}
			}
			return err
		}
	}
	oneCase := func(ctx *asyncio.Ctx, swallowWork, swallowHere bool) error {
		p.print("-- work swallows:", swallowWork, "middle swallows:", swallowHere)
		t := asyncio.CreateTask(ctx, middle(swallowWork, swallowHere))
		if err := yields(ctx, 5); err != nil {
			return err
		}
		p.print("cancelling middle")
		t.Cancel()
		switch err := t.Await(ctx); {
		case err == nil:
			p.print("middle returned")
		case is(err, "CancelledError"):
			p.print("middle ended cancelled")
		default:
			return err
		}
		return asyncio.Sleep(ctx, sec(0.01))
	}
	return run(func(ctx *asyncio.Ctx) error {
		for _, c := range [][2]bool{{false, false}, {true, false}, {true, true}, {false, true}} {
			if err := oneCase(ctx, c[0], c[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

func waitForMs(p *py) error {
	job := func(n, ms int) func(*asyncio.Ctx) error {
		return func(ctx *asyncio.Ctx) error {
			p.print("job", n, "start")
			if err := asyncio.SleepMs(ctx, ms); err != nil {
				return err
			}
			p.print("job", n, "end")
			return nil
		}
	}
	return run(func(ctx *asyncio.Ctx) error {
		if err := asyncio.WaitForMs(ctx, 2000, job(1, 10)); err != nil {
			return err
		}
		p.print(1 + 100)
		switch err := asyncio.WaitForMs(ctx, 10, job(2, 2000)); {
		case err == nil:
			p.print(2 + 100)
		case is(err, "TimeoutError"):
			p.print("TimeoutError")
		default:
			return err
		}
		p.print("finish")
		return nil
	})
}
