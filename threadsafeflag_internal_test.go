package asyncio

import (
	"errors"
	"testing"
)

// A Set that read its waiter (a, on loop A) and was delayed before posting
// delivers on A after a left and a task of loop B began to wait: A's
// goroutine must not wake B's task (it touched B's run queue from the
// wrong goroutine). The Set's two halves are replayed here in turn.
func TestThreadSafeFlagLateDeliveryStaysOnItsLoop(t *testing.T) {
	var f ThreadSafeFlag
	A, B := NewLoop(), NewLoop()
	defer A.Close()
	defer B.Close()
	a := A.CreateTask(func(ctx *Ctx) error { return f.Wait(ctx) })
	A.CreateTask(func(ctx *Ctx) error { A.Stop(); return nil })
	if err := A.RunForever(); err != nil {
		t.Fatal(err)
	}
	// A Set's first half: it sets the flag and reads its waiter, a.
	f.mu.Lock()
	f.state = true
	w, deliver := f.waiter, f.deliver
	f.mu.Unlock()
	// a is cancelled and leaves; the flag stays set.
	a.Cancel()
	if err := A.RunUntilComplete(a); !errors.Is(err, ErrCancelled) {
		t.Fatalf("a: %v", err)
	}
	// A task of B takes the set flag and waits again.
	b := B.CreateTask(func(ctx *Ctx) error {
		if err := f.Wait(ctx); err != nil {
			return err
		}
		return f.Wait(ctx)
	})
	B.CreateTask(func(ctx *Ctx) error { B.Stop(); return nil })
	if err := B.RunForever(); err != nil {
		t.Fatal(err)
	}
	f.Set()                            // another Set, for b: posts to B
	w.loop.CallSoonThreadsafe(deliver) // the first Set's second half: posts to A
	before := B.ready.len()
	A.CreateTask(func(ctx *Ctx) error { A.Stop(); return nil })
	if err := A.RunForever(); err != nil {
		t.Fatal(err)
	}
	if B.ready.len() != before || b.blocker == nil {
		t.Fatalf("loop A's goroutine woke loop B's task: B's run queue %d -> %d", before, B.ready.len())
	}
	if err := B.RunUntilComplete(b); err != nil { // B's own delivery wakes b
		t.Fatalf("b: %v", err)
	}
}
