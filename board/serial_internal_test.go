package board

import (
	"testing"
	"time"
)

// emptyThenByte returns nothing for its first empty Reads, then a byte.
type emptyThenByte struct{ empty int }

func (r *emptyThenByte) Read(p []byte) (int, error) {
	if r.empty > 0 {
		r.empty--
		return 0, nil
	}
	p[0] = 'x'
	return 1, nil
}

func (r *emptyThenByte) Write(p []byte) (int, error) { return len(p), nil }

// A serial port's Read that finds nothing waits on one timer, made once,
// not on a new timer for every empty try (one each millisecond while a
// UART is quiet).
func TestUARTPollReusesItsTimer(t *testing.T) {
	r := &emptyThenByte{}
	u := &uart{rw: r, done: make(chan struct{})}
	defer u.Close()
	buf := make([]byte, 1)
	r.empty = 1
	u.Read(buf) // the first wait makes the timer
	allocs := testing.AllocsPerRun(10, func() {
		r.empty = 3
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
	if allocs > floor {
		t.Fatalf("%v allocations for a Read through 3 empty tries, want at most %v, what 3 waits on one timer cost", allocs, floor)
	}
}
