package primitives_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/primitives"
)

func TestWaitAny(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		loop := ctx.Loop()
		var a, b asyncio.Event
		d := primitives.NewDelay[struct{}](loop, 3*time.Second, nil)
		d.Trigger(0) // times out at 3 s
		w := primitives.NewWaitAny(&a, &b, d)
		if w.Which() != nil {
			t.Error("Which before the first Wait")
		}
		loop.CallAt(time.Second, b.Set)
		name := func(x primitives.Waitable) string {
			return map[primitives.Waitable]string{&a: "a", &b: "b", d: "delay"}[x]
		}
		for range 2 {
			if err := w.Wait(ctx); err != nil {
				return err
			}
			rec.fn(name(w.Which()))()
			w.Clear() // a and b; a Delay has no Clear
		}
		if b.IsSet() {
			t.Error("Clear left b set")
		}
		// Set already: at once, without pausing; the first set one wins.
		b.Set()
		a.Set()
		if err := w.Wait(ctx); err != nil {
			return err
		}
		rec.fn("at once " + name(w.Which()))()
		return nil
	})
	if got, want := rec.String(), "1.000 b\n3.000 delay\n3.000 at once a"; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// WaitAll over two events and a WaitAny of two more: it returns once both
// and one of the other two have been set.
func TestWaitAllNested(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		loop := ctx.Loop()
		var e1, e2, e3, e4 asyncio.Event
		loop.CallAt(1*time.Second, e1.Set)
		loop.CallAt(2*time.Second, e3.Set)
		loop.CallAt(4*time.Second, e2.Set)
		w := primitives.NewWaitAll(&e1, &e2, primitives.NewWaitAny(&e3, &e4))
		if err := w.Wait(ctx); err != nil {
			return err
		}
		rec.fn("all")()
		// All set already: at once.
		if err := w.Wait(ctx); err != nil {
			return err
		}
		rec.fn("again")()
		w.Clear()
		if e1.IsSet() || e2.IsSet() || e3.IsSet() {
			t.Error("Clear left an event set")
		}
		// e1 set and cleared before e2 comes: it counts.
		loop.CallAt(5*time.Second, e1.Set)
		loop.CallAt(5500*time.Millisecond, e1.Clear)
		loop.CallAt(6*time.Second, e2.Set)
		loop.CallAt(7*time.Second, e4.Set)
		if err := w.Wait(ctx); err != nil {
			return err
		}
		rec.fn("third")()
		return nil
	})
	if got, want := rec.String(), "4.000 all\n4.000 again\n7.000 third"; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// A cancelled WaitAny or WaitAll returns ErrCancelled at once and leaves no
// task behind; an error of a Waitable ends them with that error.
func TestWaitAnyAllCancelAndErrors(t *testing.T) {
	runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		var never asyncio.Event
		for _, w := range []primitives.Waitable{primitives.NewWaitAny(&never), primitives.NewWaitAll(&never, &never)} {
			start := ctx.Loop().Time()
			waiter := asyncio.CreateTask(ctx, w.Wait)
			asyncio.Sleep(ctx, time.Second)
			waiter.Cancel()
			if err := waiter.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
				t.Errorf("%T cancelled: %v", w, err)
			}
			if d := ctx.Loop().Time() - start; d != time.Second {
				t.Errorf("%T took %v to end", w, d)
			}
		}
		var flag asyncio.ThreadSafeFlag
		holder := asyncio.CreateTask(ctx, flag.Wait)
		asyncio.Sleep(ctx, 0)
		for _, w := range []primitives.Waitable{primitives.NewWaitAny(&never, &flag), primitives.NewWaitAll(&never, &flag)} {
			if err := w.Wait(ctx); !errors.Is(err, asyncio.ErrFlagBusy) {
				t.Errorf("%T with a busy flag: %v", w, err)
			}
		}
		holder.Cancel()
		for _, w := range []primitives.Waitable{primitives.NewWaitAny(), primitives.NewWaitAll()} {
			if err := w.Wait(ctx); !errors.Is(err, primitives.ErrNothingToWait) {
				t.Errorf("%T of nothing: %v", w, err)
			}
		}
		return nil
	})
}

func TestMessage(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		loop := ctx.Loop()
		m := primitives.NewMessage[string](loop)
		if m.IsSet() || m.Value() != "" {
			t.Error("a new Message is set")
		}
		var waiters []*asyncio.Task
		for _, name := range []string{"w1", "w2"} {
			waiters = append(waiters, asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
				v, err := m.Receive(ctx)
				rec.fn(fmt.Sprintf("%s got %q", name, v))()
				return err
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		m.Set("hello") // from a task: both waiters go on
		if !m.IsSet() {
			t.Error("not set after Set")
		}
		if err := asyncio.Gather(ctx, waiters...); err != nil {
			return err
		}
		// Set already: at once.
		if v, err := m.Receive(ctx); v != "hello" || err != nil {
			t.Errorf("Receive of a set Message: %q %v", v, err)
		}
		m.Clear()
		// From another goroutine, while the loop has nothing else to do:
		// the waiting task keeps the loop from reporting a deadlock.
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			return asyncio.ToThread(ctx, func(context.Context) error { m.Set("from a goroutine"); return nil })
		})
		v, err := m.Receive(ctx)
		rec.fn(fmt.Sprintf("main got %q", v))()
		return err
	})
	want := "1.000 w1 got \"hello\"\n1.000 w2 got \"hello\"\n1.000 main got \"from a goroutine\""
	if got := rec.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// All clears the message at each step; values set faster than it takes
// them are merged.
func TestMessageAll(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		loop := ctx.Loop()
		m := primitives.NewMessage[int](loop)
		loop.CallAt(1*time.Second, func() { m.Set(1) })
		loop.CallAt(2*time.Second, func() { m.Set(2); m.Set(3) })
		loop.CallAt(3*time.Second, func() { m.Set(4) })
		for v, err := range m.All(ctx) {
			if err != nil {
				return err
			}
			rec.fn(fmt.Sprint(v))()
			if m.IsSet() {
				t.Error("All left the message set")
			}
			if v == 4 {
				break
			}
		}
		// Cancelled while waiting: ErrCancelled, once.
		waiter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			var errs []error
			for _, err := range m.All(ctx) {
				errs = append(errs, err)
			}
			if len(errs) != 1 || !errors.Is(errs[0], asyncio.ErrCancelled) {
				t.Errorf("All cancelled yields %v", errs)
			}
			return nil
		})
		asyncio.Sleep(ctx, time.Second)
		waiter.Cancel()
		return waiter.Await(ctx)
	})
	if got, want := rec.String(), "1.000 1\n2.000 3\n3.000 4"; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRingbufQueue(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		loop := ctx.Loop()
		q := primitives.NewRingbufQueue[int](3)
		if q.Cap() != 3 || !q.Empty() || q.Full() {
			t.Error("a new queue is not empty")
		}
		if _, err := q.GetNowait(); !errors.Is(err, asyncio.ErrQueueEmpty) {
			t.Errorf("GetNowait on empty: %v", err)
		}
		if _, err := q.Peek(); !errors.Is(err, asyncio.ErrQueueEmpty) {
			t.Errorf("Peek on empty: %v", err)
		}
		var errs []error
		for i := 1; i <= 5; i++ {
			errs = append(errs, q.PutNowait(i))
		}
		if !slices.Equal(errs, []error{nil, nil, nil, primitives.ErrOverwritten, primitives.ErrOverwritten}) {
			t.Errorf("PutNowait errors %v", errs)
		}
		if v, _ := q.Peek(); v != 3 || q.Len() != 3 || !q.Full() {
			t.Errorf("Peek %d, Len %d", v, q.Len())
		}
		// Put waits for room: a consumer takes one each second.
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for v, err := range q.All(ctx) {
				if err != nil {
					return err
				}
				rec.fn(fmt.Sprint("got ", v))()
				asyncio.Sleep(ctx, time.Second)
			}
			return nil
		})
		for i := 6; i <= 7; i++ {
			if err := q.Put(ctx, i); err != nil {
				return err
			}
			rec.fn(fmt.Sprint("put ", i))()
		}
		// A reading every 100 ms from 1.1 s, fed from a loop callback as an
		// interrupt handler would post it: at 2 s the consumer finds the
		// latest three (the consumer's wake-up at 2 s was scheduled before
		// the reading due then).
		for i := range 10 {
			loop.CallLater(time.Duration(i+1)*100*time.Millisecond, func() { q.PutNowait(100 + i) })
		}
		return asyncio.Sleep(ctx, 6*time.Second)
	})
	want := []string{
		"0.000 got 3", "0.000 put 6", // 3 taken: room for 6
		"1.000 got 4", "1.000 put 7",
		"2.000 got 106", "3.000 got 107", "4.000 got 108", "5.000 got 109",
	}
	if got := rec.String(); got != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestRingbufQueueCancel(t *testing.T) {
	runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		q := primitives.NewRingbufQueue[int](1)
		q.PutNowait(1)
		putter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return q.Put(ctx, 2) })
		getter := asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			q2 := primitives.NewRingbufQueue[int](1)
			_, err := q2.Get(ctx)
			return err
		})
		asyncio.Sleep(ctx, time.Second)
		putter.Cancel()
		getter.Cancel()
		for _, task := range []*asyncio.Task{putter, getter} {
			if err := task.Await(ctx); !errors.Is(err, asyncio.ErrCancelled) {
				t.Errorf("%v: %v", task, err)
			}
		}
		if v, _ := q.GetNowait(); v != 1 || !q.Empty() {
			t.Errorf("the cancelled Put put something")
		}
		return nil
	})
	if testing.Short() {
		return
	}
	if primitives.NewRingbufQueue[int](1).Cap() != 1 {
		t.Error("Cap")
	}
	defer func() {
		if recover() == nil {
			t.Error("NewRingbufQueue(0) does not panic")
		}
	}()
	primitives.NewRingbufQueue[int](0)
}

func TestBrokerMatching(t *testing.T) {
	var b primitives.Broker[int]
	got := map[string][]string{}
	for _, p := range []string{"a/b/c", "a/+/c", "a/#", "#", "+", "a/+", "+/+/+", "a/b/c/#"} {
		if _, err := b.Subscribe(p, func(topic string, _ int) { got[p] = append(got[p], topic) }); err != nil {
			t.Fatal(err)
		}
	}
	for _, topic := range []string{"a", "a/b", "a/b/c", "a/x/c", "b/b/c", "a/b/c/d", "", "a//c"} {
		b.Publish(topic, 0)
	}
	want := map[string][]string{
		"a/b/c":   {"a/b/c"},
		"a/+/c":   {"a/b/c", "a/x/c", "a//c"},
		"a/#":     {"a", "a/b", "a/b/c", "a/x/c", "a/b/c/d", "a//c"},
		"#":       {"a", "a/b", "a/b/c", "a/x/c", "b/b/c", "a/b/c/d", "", "a//c"},
		"+":       {"a", ""},
		"a/+":     {"a/b"},
		"+/+/+":   {"a/b/c", "a/x/c", "b/b/c", "a//c"},
		"a/b/c/#": {"a/b/c", "a/b/c/d"},
	}
	for p, w := range want {
		if !slices.Equal(got[p], w) {
			t.Errorf("%q got %q, want %q", p, got[p], w)
		}
	}
	for _, bad := range []string{"a/#/c", "a/b+", "#a", "a/+b/c"} {
		if _, err := b.Subscribe(bad, func(string, int) {}); !errors.Is(err, primitives.ErrBadTopic) {
			t.Errorf("pattern %q: %v", bad, err)
		}
	}
	if n, err := b.Publish("a/+", 0); n != 0 || !errors.Is(err, primitives.ErrBadTopic) {
		t.Errorf("publish to a wildcard: %d %v", n, err)
	}
}

// Subscribers of every kind, between tasks, on the virtual clock.
func TestBroker(t *testing.T) {
	rec := runVirtual(t, func(ctx *asyncio.Ctx, rec *recorder) error {
		var b primitives.Broker[float64]
		var alarm asyncio.Event
		if _, err := b.SubscribeEvent("alarm/#", &alarm); err != nil {
			return err
		}
		ring := primitives.NewRingbufQueue[primitives.Publication[float64]](2)
		if _, err := b.SubscribeQueue("sensor/+/temp", ring); err != nil {
			return err
		}
		small := asyncio.NewQueue[primitives.Publication[float64]](1)
		smallSub, err := b.SubscribeQueue("sensor/kitchen/#", small)
		if err != nil {
			return err
		}
		logSub, err := b.Subscribe("#", func(topic string, v float64) { rec.fn(fmt.Sprintf("log %s %g", topic, v))() })
		if err != nil {
			return err
		}
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for {
				if err := alarm.Wait(ctx); err != nil {
					return err
				}
				alarm.Clear()
				rec.fn("ALARM")()
			}
		})
		asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error {
			for p, err := range ring.All(ctx) {
				if err != nil {
					return err
				}
				rec.fn(fmt.Sprintf("ring %s %g", p.Topic, p.Msg))()
				asyncio.Sleep(ctx, time.Second)
			}
			return nil
		})
		publish := func(topic string, v float64) {
			n, err := b.Publish(topic, v)
			rec.fn(fmt.Sprintf("published %s to %d: %v", topic, n, err))()
		}
		asyncio.Sleep(ctx, time.Second)
		publish("sensor/kitchen/temp", 21)
		publish("sensor/hall/temp", 19)
		publish("sensor/attic/temp", 30)  // the ring holds 2, one was taken: no loss
		publish("sensor/cellar/temp", 12) // the ring loses its oldest
		publish("alarm/smoke", 1)
		logSub.Unsubscribe()
		logSub.Unsubscribe()
		publish("sensor/kitchen/humidity", 50) // small is full
		smallSub.Unsubscribe()
		if b.Len() != 2 {
			t.Errorf("Len %d, want 2", b.Len())
		}
		return asyncio.Sleep(ctx, 3*time.Second)
	})
	want := []string{
		"1.000 log sensor/kitchen/temp 21",
		"1.000 published sensor/kitchen/temp to 3: <nil>",
		"1.000 log sensor/hall/temp 19",
		"1.000 published sensor/hall/temp to 2: <nil>",
		"1.000 log sensor/attic/temp 30",
		`1.000 published sensor/attic/temp to 2: primitives: Broker: "sensor/attic/temp" to "sensor/+/temp": primitives: RingbufQueue full: oldest value overwritten`,
		"1.000 log sensor/cellar/temp 12",
		`1.000 published sensor/cellar/temp to 2: primitives: Broker: "sensor/cellar/temp" to "sensor/+/temp": primitives: RingbufQueue full: oldest value overwritten`,
		"1.000 log alarm/smoke 1",
		"1.000 published alarm/smoke to 2: <nil>",
		`1.000 published sensor/kitchen/humidity to 1: primitives: Broker: "sensor/kitchen/humidity" to "sensor/kitchen/#": asyncio: queue is full`,
		"1.000 ring sensor/attic/temp 30",
		"1.000 ALARM",
		"2.000 ring sensor/cellar/temp 12",
	}
	if got := rec.String(); got != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
