package asyncio

import (
	"errors"
	"testing"
)

// TestAwaitCycleSteps checks the cost of the cycle check of Await: O(1)
// steps for each Await of a chain built bottom up (each new task awaits the
// last) or top down (each task creates the next and awaits it), where
// walking the whole chain would take as many steps as it is deep; and that
// a real cycle closing a deep chain is still found.
func TestAwaitCycleSteps(t *testing.T) {
	const n = 10_000
	most := 0
	check := func(cur, t *Task) {
		cycle, steps := awaitCycle(cur, t)
		if cycle {
			panic("cycle")
		}
		most = max(most, steps)
	}
	var release Event
	var bottom *Task
	err := Run(func(ctx *Ctx) error {
		bottom = CreateTask(ctx, func(ctx *Ctx) error { return release.Wait(ctx) })
		prev := bottom
		for range n {
			below := prev
			prev = CreateTask(ctx, func(ctx *Ctx) error {
				check(CurrentTask(ctx), below)
				return below.Await(ctx)
			})
		}
		Sleep(ctx, 0) // the chain forms, bottom up
		if most > 2 {
			t.Errorf("bottom-up chain of %d: %d steps for one Await", n, most)
		}
		// The bottom awaiting the top would close a cycle.
		top := prev
		cyc, _ := awaitCycle(bottom, top)
		if !cyc {
			t.Error("no cycle found from the bottom of the chain to its top")
		}
		release.Set()
		if err := top.Await(ctx); err != nil {
			return err
		}

		most = 0
		var down func(k int) func(*Ctx) error
		down = func(k int) func(*Ctx) error {
			return func(ctx *Ctx) error {
				if k == 0 {
					return Sleep(ctx, 0)
				}
				next := CreateTask(ctx, down(k-1))
				check(CurrentTask(ctx), next)
				return next.Await(ctx)
			}
		}
		if err := CreateTask(ctx, down(n)).Await(ctx); err != nil {
			return err
		}
		if most > 2 {
			t.Errorf("top-down chain of %d: %d steps for one Await", n, most)
		}
		return nil
	}, VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}

// TestAwaitCycleFound: an Await that would close a cycle is refused,
// however the cycle is found.
func TestAwaitCycleFound(t *testing.T) {
	err := Run(func(ctx *Ctx) error {
		main := CurrentTask(ctx)
		// A chain of 100 tasks awaiting main from below: main awaiting any
		// of them closes a cycle.
		var chain []*Task
		prev := main
		for range 100 {
			above := prev
			prev = CreateTask(ctx, func(ctx *Ctx) error { return above.Await(ctx) })
			chain = append(chain, prev)
		}
		Sleep(ctx, 0)
		for _, i := range []int{0, 1, 50, 99} {
			if err := chain[i].Await(ctx); !errors.Is(err, ErrAwaitSelf) {
				t.Errorf("main awaiting link %d of a chain that awaits it: %v", i, err)
			}
		}
		if err := main.Await(ctx); !errors.Is(err, ErrAwaitSelf) {
			t.Errorf("main awaiting itself: %v", err)
		}
		return nil
	}, VirtualClock())
	if err != nil {
		t.Fatal(err)
	}
}
