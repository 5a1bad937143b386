package conformance

import (
	"time"

	"github.com/goasyncio/asyncio"
)

// Twins of the scenarios about asyncio.run, the loop and ThreadSafeFlag,
// whose MicroPython output is kept in scenarios/NAME.exp.

func init() {
	addTwins(map[string]twin{
		"run_return_value":        runReturnValue,
		"run_main_raises":         runMainRaises,
		"loop_run_until_complete": loopRunUntilComplete,
		"loop_stop":               loopStop,
		"threadsafeflag":          threadSafeFlag,
	})
}

func runReturnValue(p *py) error {
	forever := func(ctx *asyncio.Ctx) error {
		p.print("forever start")
		if err := asyncio.Sleep(ctx, 10*time.Second); err != nil {
			return err // Run cancels it when main returns
		}
		p.print("forever end")
		return nil
	}
	v, err := asyncio.RunOf(func(ctx *asyncio.Ctx) (int, error) {
		p.print("main start")
		asyncio.CreateTask(ctx, forever)
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return 0, err
		}
		p.print("main returns")
		return 42, nil
	}, asyncio.VirtualClock())
	if err != nil {
		return err
	}
	p.print("run returned", v)
	return nil
}

func runMainRaises(p *py) error {
	for _, n := range []int{1, 2} {
		err := run(func(ctx *asyncio.Ctx) error {
			p.print("main", n, "start")
			if n == 2 {
				asyncio.CreateTask(ctx, func(*asyncio.Ctx) error {
					p.print("never runs")
					return nil
				})
			}
			return valueError("main", n)
		})
		if !is(err, "ValueError") {
			return err
		}
		p.print("run raised", repr(err))
	}
	p.print("end")
	return nil
}

func loopRunUntilComplete(p *py) error {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	var bgResult string
	bg := loop.CreateTask(func(ctx *asyncio.Ctx) error {
		for i := range 6 {
			p.print("background", i)
			if err := asyncio.Sleep(ctx, sec(0.05)); err != nil {
				return err
			}
		}
		bgResult = "background"
		return nil
	})
	// runJob is the twin of loop.run_until_complete(job(name, s)).
	runJob := func(name string, s float64) (string, error) {
		var result string
		t := loop.CreateTask(func(ctx *asyncio.Ctx) error {
			p.print(name, "start")
			if err := asyncio.Sleep(ctx, sec(s)); err != nil {
				return err
			}
			p.print(name, "end")
			result = name
			return nil
		})
		err := loop.RunUntilComplete(t)
		return result, err
	}
	r, err := runJob("one", 0.075)
	if err != nil {
		return err
	}
	p.print("first run:", r)
	if r, err = runJob("two", 0.1); err != nil {
		return err
	}
	p.print("second run:", r)
	if err := loop.RunUntilComplete(bg); err != nil {
		return err
	}
	p.print("background:", bgResult)
	return nil
}

func loopStop(p *py) error {
	loop := asyncio.NewLoop(asyncio.VirtualClock())
	defer loop.Close()
	helper := func(*asyncio.Ctx) error {
		p.print("helper runs")
		return nil
	}
	loop.CreateTask(func(ctx *asyncio.Ctx) error {
		p.print("main start")
		loop.Stop()
		loop.Stop()
		p.print("main yields after stop")
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("main resumed")
		loop.Stop()
		loop.CreateTask(helper)
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		p.print("main resumed again")
		if err := asyncio.Sleep(ctx, sec(0.01)); err != nil {
			return err
		}
		p.print("main end")
		loop.Stop()
		return nil
	})
	for i := range 3 {
		p.print("run_forever", i)
		if err := loop.RunForever(); err != nil {
			return err
		}
	}
	p.print("done")
	return nil
}

func threadSafeFlag(p *py) error {
	waiter := func(ctx *asyncio.Ctx, name string, flag *asyncio.ThreadSafeFlag) error {
		p.print(name, "waits")
		if err := flag.Wait(ctx); err != nil {
			return err
		}
		p.print(name, "woke")
		return nil
	}
	stillClear := func(ctx *asyncio.Ctx, flag *asyncio.ThreadSafeFlag) error {
		switch err := asyncio.WaitFor(ctx, sec(0.05), flag.Wait); {
		case err == nil:
			p.print("flag was set")
		case is(err, "TimeoutError"):
			p.print("flag is clear (TimeoutError)")
		default:
			return err
		}
		return nil
	}
	return run(func(ctx *asyncio.Ctx) error {
		flag := &asyncio.ThreadSafeFlag{}
		steps := []func() error{
			func() error {
				t := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return waiter(ctx, "w1", flag) })
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
				p.print("set from a task")
				flag.Set()
				return t.Await(ctx)
			},
			func() error {
				t := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return waiter(ctx, "w2", flag) })
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return err
				}
				p.print("set from outside the loop")
				go flag.Set() // another goroutine stands in for an interrupt handler
				return t.Await(ctx)
			},
			func() error {
				p.print("set before anyone waits")
				flag.Set()
				if err := waiter(ctx, "w3", flag); err != nil {
					return err
				}
				return stillClear(ctx, flag)
			},
			func() error {
				p.print("set twice")
				flag.Set()
				flag.Set()
				if err := waiter(ctx, "w4", flag); err != nil {
					return err
				}
				return stillClear(ctx, flag)
			},
			func() error {
				p.print("set then clear")
				flag.Set()
				flag.Clear()
				return stillClear(ctx, flag)
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}
