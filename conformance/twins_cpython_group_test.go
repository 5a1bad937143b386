package conformance

import (
	"errors"

	"github.com/goasyncio/asyncio"
)

// Twins of the CPython scenarios about TaskGroup (WithTaskGroup).

func init() {
	addCPyTwins(map[string]twin{
		"taskgroup_basic":                      taskgroupBasic,
		"taskgroup_child_fails":                taskgroupChildFails,
		"taskgroup_error_order":                taskgroupErrorOrder,
		"taskgroup_create_finished":            taskgroupCreateFinished,
		"taskgroup_create_shutting_down":       taskgroupCreateShuttingDown,
		"taskgroup_outside_cancel":             taskgroupOutsideCancel,
		"taskgroup_outside_cancel_child_fails": taskgroupOutsideCancelChildFails,
	})
}

func taskgroupBasic(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		res := map[string]string{}
		var child func(g *asyncio.TaskGroup, name string, n int, spawn string) func(*asyncio.Ctx) error
		child = func(g *asyncio.TaskGroup, name string, n int, spawn string) func(*asyncio.Ctx) error {
			return func(ctx *asyncio.Ctx) error {
				if err := yields(ctx, n); err != nil {
					return err
				}
				if spawn != "" {
					g.Go(child(g, spawn, 1, ""))
					p.print(name, "started", spawn)
				}
				p.print(name, "done")
				res[name] = name
				return nil
			}
		}
		err := asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
			g.Go(child(g, "a", 2, ""))
			g.Go(child(g, "b", 1, "c"))
			p.print("body done")
			return nil
		})
		if err != nil {
			return err
		}
		p.print("after the block:", res["a"], res["b"])
		return nil
	})
}

// failSoon is the twin of the scenarios' bad(): one turn, then ValueError.
func failSoon(msg string) func(*asyncio.Ctx) error {
	return func(ctx *asyncio.Ctx) error {
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		return valueError(msg)
	}
}

func taskgroupChildFails(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		err := asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
			g.Go(func(ctx *asyncio.Ctx) error {
				err := asyncio.Sleep(ctx, sec(1))
				if is(err, "CancelledError") {
					p.print("s", "cancelled")
				}
				return err
			})
			g.Go(failSoon("boom"))
			err := asyncio.Sleep(ctx, sec(1))
			if is(err, "CancelledError") {
				p.print("body cancelled")
			}
			return err
		})
		if err != nil {
			p.print("block raised", show(err))
		}
		p.print("main not cancelled:", ctx.Err() == nil)
		return nil
	})
}

func taskgroupErrorOrder(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		err := asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
			g.Go(func(ctx *asyncio.Ctx) error {
				if err := asyncio.Sleep(ctx, sec(1)); is(err, "CancelledError") {
					return valueError("child")
				}
				return nil
			})
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
			return valueError("body")
		})
		if err != nil {
			p.print("block raised", show(err))
		}
		return nil
	})
}

func taskgroupCreateFinished(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		work := func(ctx *asyncio.Ctx) error {
			p.print("work runs")
			return nil
		}
		var grp *asyncio.TaskGroup
		err := asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
			grp = g
			g.Go(work)
			return nil
		})
		if err != nil {
			return err
		}
		if t := grp.Go(work); t.Done() && errors.Is(t.Err(), asyncio.ErrGroupClosed) {
			p.print("RuntimeError at once")
		} else {
			p.print("created")
		}
		yields(ctx, 3)
		p.print("end")
		return nil
	})
}

// tryCreate is the twin of the scenario's try_create(tg, who).
func tryCreate(p *py, g *asyncio.TaskGroup, who string) {
	t := g.Go(func(ctx *asyncio.Ctx) error {
		p.print("new task of "+who, "runs")
		return nil
	})
	if t.Done() && errors.Is(t.Err(), asyncio.ErrGroupClosed) {
		p.print(who, "got RuntimeError")
	} else {
		p.print(who, "created a task")
	}
}

func taskgroupCreateShuttingDown(p *py) error {
	return run(func(ctx *asyncio.Ctx) error {
		err := asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
			g.Go(func(ctx *asyncio.Ctx) error {
				err := asyncio.Sleep(ctx, sec(1))
				if is(err, "CancelledError") {
					tryCreate(p, g, "sibling")
				}
				return err
			})
			g.Go(failSoon("boom"))
			err := asyncio.Sleep(ctx, sec(1))
			if is(err, "CancelledError") {
				tryCreate(p, g, "body")
			}
			return err
		})
		if err != nil {
			p.print("block raised", show(err))
		}
		return nil
	})
}

// cancelRunner is the twin of the outside-cancel scenarios' main: it starts
// runner, cancels it after two turns, and prints how it ended.
func cancelRunner(p *py, runner func(*asyncio.Ctx) error) error {
	return run(func(ctx *asyncio.Ctx) error {
		r := asyncio.CreateTask(ctx, runner)
		yields(ctx, 2)
		r.Cancel()
		if err := r.Await(ctx); err != nil {
			p.print("runner raised", show(err))
		}
		p.print("runner cancelled:", r.Cancelled())
		return nil
	})
}

func taskgroupOutsideCancel(p *py) error {
	return cancelRunner(p, func(ctx *asyncio.Ctx) error {
		return asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
			g.Go(func(ctx *asyncio.Ctx) error {
				err := asyncio.Sleep(ctx, sec(1))
				if is(err, "CancelledError") {
					p.print("a", "cleans up")
					asyncio.Sleep(ctx, 0)
					p.print("a", "cleaned up")
				}
				return err
			})
			err := asyncio.Sleep(ctx, sec(1))
			if is(err, "CancelledError") {
				p.print("body cancelled")
			}
			return err
		})
	})
}

func taskgroupOutsideCancelChildFails(p *py) error {
	return cancelRunner(p, func(ctx *asyncio.Ctx) error {
		return asyncio.WithTaskGroup(ctx, func(ctx *asyncio.Ctx, g *asyncio.TaskGroup) error {
			g.Go(func(ctx *asyncio.Ctx) error {
				if err := asyncio.Sleep(ctx, sec(1)); is(err, "CancelledError") {
					return valueError("cleanup failed")
				}
				return nil
			})
			return asyncio.Sleep(ctx, sec(1))
		})
	})
}
