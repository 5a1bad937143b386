package asyncio

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

func TestTimerHeapOrder(t *testing.T) {
	var h timerHeap
	r := rand.New(rand.NewPCG(1, 2))
	type want struct {
		when int64
		id   int
	}
	var ws []want
	timers := make([]timer, 5000)
	for i := range timers {
		when := int64(r.IntN(100)) // many equal deadlines
		h.arm(&timers[i], when)
		ws = append(ws, want{when, i})
	}
	// Disarm every third: they must never surface.
	for i := 0; i < len(timers); i += 3 {
		h.disarm(&timers[i])
	}
	sort.SliceStable(ws, func(a, b int) bool { return ws[a].when < ws[b].when })
	for _, w := range ws {
		if w.id%3 == 0 {
			continue
		}
		got := h.popDue(1 << 62)
		if got != &timers[w.id] {
			t.Fatalf("popped the wrong timer for deadline %d (want id %d)", w.when, w.id)
		}
	}
	if h.popDue(1<<62) != nil || h.len() != 0 {
		t.Fatal("heap not empty")
	}
}

func BenchmarkTimerInsertPop100k(b *testing.B) {
	var h timerHeap
	r := rand.New(rand.NewPCG(1, 2))
	timers := make([]timer, 100_001)
	for i := range 100_000 {
		h.arm(&timers[i], r.Int64N(1e12))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		t := h.pop()
		t.seq = 0
		h.arm(t, r.Int64N(1e12)+int64(i))
	}
}

// TestIdleLoopBlocks checks that an idle loop sleeps instead of polling:
// one long sleep on the real clock costs one block of the loop, and a
// ThreadSafeFlag wait with nothing pending one more.
func TestIdleLoopBlocks(t *testing.T) {
	l := NewLoop()
	main := l.CreateTask(func(ctx *Ctx) error {
		return Sleep(ctx, 30*time.Millisecond)
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if l.blocks != 1 {
		t.Fatalf("loop blocked %d times for one sleep", l.blocks)
	}
	var flag ThreadSafeFlag
	main = l.CreateTask(func(ctx *Ctx) error {
		go flag.Set()
		return flag.Wait(ctx)
	})
	if err := l.RunUntilComplete(main); err != nil {
		t.Fatal(err)
	}
	if l.blocks > 2 {
		t.Fatalf("loop blocked %d times in all", l.blocks)
	}
	l.Close()
}
