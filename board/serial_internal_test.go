package board

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// quietThenBytes returns nothing for its first empty Reads, then a byte
// each time; any goroutine may call it.
type quietThenBytes struct{ empty atomic.Int32 }

func (r *quietThenBytes) Read(p []byte) (int, error) {
	if r.empty.Add(-1) >= 0 {
		return 0, nil
	}
	p[0] = 'x'
	return 1, nil
}

func (r *quietThenBytes) Write(p []byte) (int, error) { return len(p), nil }

// A serial port's Read that finds nothing waits on one timer, made once,
// not on a new timer for every empty try (one each millisecond while a
// UART is quiet).
func TestUARTPollReusesItsTimer(t *testing.T) {
	r := &quietThenBytes{}
	u := &uart{rw: r, done: make(chan struct{})}
	defer u.Close()
	buf := make([]byte, 1)
	r.empty.Store(1)
	u.Read(buf) // the first wait makes the timer
	allocs := testing.AllocsPerRun(10, func() {
		r.empty.Store(3)
		if n, err := u.Read(buf); n != 1 || err != nil {
			t.Fatalf("Read: %d, %v", n, err)
		}
	})
	// What three waits on one reused timer cost the runtime itself: none
	// on most ports, a few where parking a goroutine allocates (js/wasm).
	tm := time.NewTimer(uartPoll)
	<-tm.C
	floor := testing.AllocsPerRun(10, func() {
		for range 3 {
			tm.Reset(uartPoll)
			<-tm.C
		}
	})
	// A timer per try would cost at least one allocation each, 3 in all;
	// the runtime's own count moves by one now and then on js/wasm, where a
	// loaded machine changes how often a wait parks.
	if allocs > floor+2 {
		t.Fatalf("%v allocations for a Read through 3 empty tries, want at most %v, what 3 waits on one timer cost (%v) and less than a timer per try", allocs, floor+2, floor)
	}
}

// Two Reads at once (a user reading the port handed out as the stream's
// transport, beside the stream's own reader) take turns on the polling
// timer: sharing it, one could take the other's tick and leave it waiting
// for ever (and go test -race reports the race).
func TestUARTConcurrentReads(t *testing.T) {
	r := &quietThenBytes{}
	r.empty.Store(6)
	u := &uart{rw: r, done: make(chan struct{})}
	defer u.Close()
	var wg sync.WaitGroup
	defer func() {
		finished := make(chan struct{})
		go func() { wg.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-time.After(10 * time.Second): // a hang guard, not a timing check
			u.Close() // ends the stuck Read
			<-finished
			t.Fatal("a Read was left waiting for a tick the other took")
		}
	}()
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1)
			if n, err := u.Read(buf); n != 1 || err != nil {
				t.Errorf("Read: %d, %v", n, err)
			}
		}()
	}
}
