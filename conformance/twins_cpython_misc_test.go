package conformance

import (
	"math"
	"time"

	"github.com/goasyncio/asyncio"
)

// Twins of the CPython scenarios about Timeout (its nesting, handle and
// MoveOnAfter), Shield, Wait and AsCompleted.

func init() {
	addCPyTwins(map[string]twin{
		"timeout_nested":                 timeoutNested,
		"timeout_when_expired":           timeoutWhenExpired,
		"timeout_reschedule_earlier":     timeoutRescheduleEarlier,
		"timeout_outside_cancel":         timeoutOutsideCancel,
		"timeout_move_on_after":          timeoutMoveOnAfter,
		"shield_outer_cancel":            shieldOuterCancel,
		"shield_inner_cancel":            shieldInnerCancel,
		"shield_done":                    shieldDone,
		"shield_timeout":                 shieldTimeout,
		"wait_first_completed":           waitFirstCompleted,
		"wait_all_completed_timeout":     waitAllCompletedTimeout,
		"wait_first_exception":           waitFirstException,
		"wait_first_exception_cancelled": waitFirstExceptionCancelled,
		"wait_empty":                     waitEmpty,
		"as_completed_order":             asCompletedOrder,
		"as_completed_same_turn":         asCompletedSameTurn,
		"as_completed_errors":            asCompletedErrors,
	})
}

func timeoutNested(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		err := asyncio.Timeout(ctx, sec(0.1), func(ctx *asyncio.Ctx) error {
			err := asyncio.Timeout(ctx, sec(0.3), func(ctx *asyncio.Ctx) error {
				return asyncio.Sleep(ctx, sec(1))
			})
			switch cpyName(err) {
			case "TimeoutError":
				p.print("inner TimeoutError")
				return nil
			case "CancelledError":
				p.print("inner block: CancelledError passes through")
			}
			return err
		})
		if is(err, "TimeoutError") {
			p.print("outer TimeoutError")
		} else if err != nil {
			return err
		}
		err = asyncio.Timeout(ctx, sec(0.3), func(ctx *asyncio.Ctx) error {
			err := asyncio.Timeout(ctx, sec(0.05), func(ctx *asyncio.Ctx) error {
				return asyncio.Sleep(ctx, sec(1))
			})
			if is(err, "TimeoutError") {
				p.print("inner TimeoutError, caught inside the outer block")
			} else if err != nil {
				return err
			}
			if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
				return err
			}
			p.print("outer block goes on")
			return nil
		})
		if err != nil {
			return err
		}
		p.print("end")
		return nil
	})
}

func timeoutWhenExpired(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		start := l.Time()
		var sc *asyncio.Scope
		err := asyncio.Timeout(ctx, sec(0.1), func(ctx *asyncio.Ctx) error {
			sc = ctx.Scope()
			w, _ := sc.When()
			p.print("when - start:", math.Round((w-start).Seconds()*100)/100)
			return asyncio.Sleep(ctx, sec(0.05))
		})
		if err != nil {
			return err
		}
		p.print("in time; expired:", sc.Expired())
		err = asyncio.Timeout(ctx, sec(0.05), func(ctx *asyncio.Ctx) error {
			sc = ctx.Scope()
			sc.Reschedule(asyncio.Never)
			if _, set := sc.When(); !set {
				p.print("when after reschedule(None):", nil)
			}
			return asyncio.Sleep(ctx, sec(0.1))
		})
		if err != nil {
			return err
		}
		p.print("no deadline; expired:", sc.Expired())
		at := l.Time() + sec(0.1)
		err = asyncio.TimeoutAt(ctx, at, func(ctx *asyncio.Ctx) error {
			w, set := ctx.Scope().When()
			p.print("timeout_at keeps its deadline:", set && w == at)
			return nil
		})
		if err != nil {
			return err
		}
		p.print("end")
		return nil
	})
}

func timeoutRescheduleEarlier(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		l := ctx.Loop()
		start := l.Time()
		var sc *asyncio.Scope
		w := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
				return err
			}
			p.print("watchdog moves the deadline to now")
			sc.Reschedule(l.Time())
			return nil
		})
		err := asyncio.Timeout(ctx, sec(1), func(ctx *asyncio.Ctx) error {
			sc = ctx.Scope()
			if err := asyncio.Sleep(ctx, sec(0.5)); err != nil {
				return err
			}
			p.print("not reached")
			return nil
		})
		if is(err, "TimeoutError") {
			p.print("TimeoutError; expired:", sc.Expired())
		} else if err != nil {
			return err
		}
		if err := w.Await(ctx); err != nil {
			return err
		}
		p.print("left well before the first deadline:", l.Time()-start < sec(0.3))
		return nil
	})
}

func timeoutOutsideCancel(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		var sc *asyncio.Scope
		t := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return asyncio.Timeout(ctx, sec(0.2), func(ctx *asyncio.Ctx) error {
				sc = ctx.Scope()
				return asyncio.Sleep(ctx, sec(1))
			})
		})
		asyncio.Sleep(ctx, sec(0.05))
		t.Cancel()
		switch err := t.Await(ctx); cpyName(err) {
		case "CancelledError":
			p.print("CancelledError; expired:", sc.Expired())
		case "TimeoutError":
			p.print("TimeoutError")
		}
		return nil
	})
}

func timeoutMoveOnAfter(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		expired, err := asyncio.MoveOnAfter(ctx, sec(0.1), func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, sec(1)); err != nil {
				return err
			}
			p.print("not reached")
			return nil
		})
		if err != nil {
			return err
		}
		p.print("slow: expired", expired)
		expired, err = asyncio.MoveOnAfter(ctx, sec(0.1), func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
				return err
			}
			p.print("fast body done")
			return nil
		})
		if err != nil {
			return err
		}
		p.print("fast: expired", expired)
		_, err = asyncio.MoveOnAfter(ctx, sec(0.1), func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
				return err
			}
			return valueError("bad")
		})
		if is(err, "ValueError") {
			p.print("bad: ValueError", err)
		}
		return nil
	})
}

func shieldOuterCancel(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (string, error) {
			if err := asyncio.Sleep(ctx, sec(0.1)); err != nil {
				return "", err
			}
			p.print("inner finishes")
			return "result", nil
		})
		o := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := asyncio.Shield(ctx, &t.Task)
			if is(err, "CancelledError") {
				p.print("outer cancelled; inner done:", t.Done())
			}
			return err
		})
		asyncio.Sleep(ctx, sec(0.05))
		o.Cancel()
		if err := o.Await(ctx); is(err, "CancelledError") {
			p.print("outer ended cancelled:", o.Cancelled())
		}
		v, err := t.Await(ctx)
		if err != nil {
			return err
		}
		p.print("inner gives", v, "cancelled:", t.Cancelled())
		return nil
	})
}

func shieldInnerCancel(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return asyncio.Sleep(ctx, sec(1))
		})
		o := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			err := asyncio.Shield(ctx, t)
			if is(err, "CancelledError") {
				p.print("outer got CancelledError")
			}
			return err
		})
		asyncio.Sleep(ctx, sec(0.05))
		t.Cancel()
		if err := o.Await(ctx); is(err, "CancelledError") {
			p.print("outer cancelled:", o.Cancelled(), "inner cancelled:", t.Cancelled())
		}
		return nil
	})
}

func shieldDone(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		g := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (int, error) { return 5, nil })
		asyncio.Sleep(ctx, 0)
		done := g.Done()
		if err := asyncio.Shield(ctx, &g.Task); err != nil {
			return err
		}
		v, _ := g.Result()
		p.print("done:", done, "shield gives", v)
		b := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
				return err
			}
			return valueError("bad")
		})
		if err := asyncio.Shield(ctx, b); is(err, "ValueError") {
			p.print("shield raised ValueError", err)
		}
		if err := asyncio.Shield(ctx, b); is(err, "ValueError") {
			p.print("again, done:", b.Done(), "ValueError", err)
		}
		return nil
	})
}

func shieldTimeout(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		t := asyncio.CreateTaskOf(ctx, func(ctx *asyncio.Ctx) (string, error) {
			if err := asyncio.Sleep(ctx, sec(0.15)); err != nil {
				return "", err
			}
			p.print("saved")
			return "ok", nil
		})
		err := asyncio.Timeout(ctx, sec(0.05), func(ctx *asyncio.Ctx) error {
			return asyncio.Shield(ctx, &t.Task)
		})
		if is(err, "TimeoutError") {
			p.print("TimeoutError; save done:", t.Done())
		}
		v, err := t.Await(ctx)
		if err != nil {
			return err
		}
		p.print("save gives", v)
		return nil
	})
}

// namedJobs starts one task per (name, seconds, fails) for the Wait
// scenarios' job(d, fail).
type jobSpec struct {
	name string
	d    float64
	fail bool
}

func namedJobs(ctx *asyncio.Ctx, specs ...jobSpec) []*asyncio.Task {
	var ts []*asyncio.Task
	for _, s := range specs {
		ts = append(ts, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, sec(s.d)); err != nil {
				return err
			}
			if s.fail {
				return valueError("job failed")
			}
			return nil
		}, asyncio.Named(s.name)))
	}
	return ts
}

func waitFirstCompleted(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		ts := namedJobs(ctx, jobSpec{"a", 0.15, false}, jobSpec{"b", 0.05, false}, jobSpec{"c", 0.1, false})
		done, pending, err := asyncio.Wait(ctx, asyncio.FirstCompleted, ts...)
		if err != nil {
			return err
		}
		p.print("done", names(done), "pending", names(pending))
		done, pending, err = asyncio.Wait(ctx, asyncio.AllCompleted, pending...)
		if err != nil {
			return err
		}
		p.print("done", names(done), "pending", names(pending))
		done, pending, err = asyncio.Wait(ctx, asyncio.FirstCompleted, ts...)
		if err != nil {
			return err
		}
		p.print("all finished already: done", names(done), "pending", names(pending))
		return nil
	})
}

func waitAllCompletedTimeout(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		ts := namedJobs(ctx, jobSpec{"a", 0.05, false}, jobSpec{"b", 0.2, false}, jobSpec{"c", 0.1, false})
		_, err := asyncio.MoveOnAfter(ctx, sec(0.15), func(ctx *asyncio.Ctx) error {
			_, _, err := asyncio.Wait(ctx, asyncio.AllCompleted, ts...)
			return err
		})
		if err != nil {
			return err
		}
		var done, pending []*asyncio.Task
		for _, t := range ts {
			if t.Done() {
				done = append(done, t)
			} else {
				pending = append(pending, t)
			}
		}
		p.print("done", names(done), "pending", names(pending))
		p.print("b cancelled:", ts[1].Cancelled())
		if err := ts[1].Await(ctx); err != nil {
			return err
		}
		p.print("b finished:", ts[1].Done())
		return nil
	})
}

func waitFirstException(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		ts := namedJobs(ctx, jobSpec{"a", 0.05, false}, jobSpec{"b", 0.1, true}, jobSpec{"c", 0.2, false})
		done, pending, err := asyncio.Wait(ctx, asyncio.FirstError, ts...)
		if err != nil {
			return err
		}
		p.print("done", names(done), "pending", names(pending))
		p.print("b raised:", cpyName(ts[1].Err()), ts[1].Err())
		if err := ts[2].Await(ctx); err != nil {
			return err
		}
		ts = namedJobs(ctx, jobSpec{"x", 0.05, false}, jobSpec{"y", 0.1, false})
		done, pending, err = asyncio.Wait(ctx, asyncio.FirstError, ts...)
		if err != nil {
			return err
		}
		p.print("no error: done", names(done), "pending", names(pending))
		return nil
	})
}

func waitFirstExceptionCancelled(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		ts := namedJobs(ctx, jobSpec{"a", 1, false}, jobSpec{"b", 0.1, true}, jobSpec{"c", 0.2, false})
		k := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
				return err
			}
			ts[0].Cancel()
			return nil
		})
		done, pending, err := asyncio.Wait(ctx, asyncio.FirstError, ts...)
		if err != nil {
			return err
		}
		p.print("done", names(done), "pending", names(pending))
		p.print("a cancelled:", ts[0].Cancelled())
		if _, _, err := asyncio.Wait(ctx, asyncio.AllCompleted, ts[1], ts[2]); err != nil {
			return err
		}
		return k.Await(ctx)
	})
}

func waitEmpty(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		done, pending, err := asyncio.Wait(ctx, asyncio.AllCompleted)
		if err != nil {
			p.print("ValueError")
		} else {
			p.print("done", len(done), "pending", len(pending))
		}
		return nil
	})
}

func asCompletedOrder(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		var ts []*asyncio.Task
		for _, s := range []jobSpec{{"a", 0.15, false}, {"b", 0.05, false}, {"c", 0.1, false}} {
			ts = append(ts, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				return asyncio.Sleep(ctx, sec(s.d))
			}, asyncio.Named(s.name)))
		}
		for t, err := range asyncio.AsCompleted(ctx, ts...) {
			if err != nil {
				return err
			}
			p.print("finished", t.Name())
		}
		return nil
	})
}

func asCompletedSameTurn(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		job := func(name string) *asyncio.Task {
			return asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
				p.print(name, "finishes")
				return nil
			}, asyncio.Named(name))
		}
		a, b, c := job("a"), job("b"), job("c")
		for t, err := range asyncio.AsCompleted(ctx, c, a, b) {
			if err != nil {
				return err
			}
			p.print("as_completed gives", t.Name())
		}
		return nil
	})
}

func asCompletedErrors(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		job := func(name string, d time.Duration, fail bool) *asyncio.Task {
			return asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				if err := asyncio.Sleep(ctx, d); err != nil {
					return err
				}
				if fail {
					return valueError(name)
				}
				return nil
			}, asyncio.Named(name))
		}
		early := job("early", 0, false)
		yields(ctx, 2)
		a, b := job("a", sec(0.1), false), job("b", sec(0.05), true)
		for t, err := range asyncio.AsCompleted(ctx, a, b, early) {
			switch {
			case t == nil:
				return err
			case is(err, "ValueError"):
				p.print("ValueError", err)
			case err == nil:
				p.print("got", t.Name())
			default:
				return err
			}
		}
		return nil
	})
}
