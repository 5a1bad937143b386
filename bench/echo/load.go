package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// loadSpec is one measurement: conns connections, each sending a message of
// size bytes and waiting for its echo, again and again, for duration after
// a warm-up, or until requests requests have been measured.
type loadSpec struct {
	conns    int
	size     int
	warmup   time.Duration
	duration time.Duration
	requests int64
	// cpu, if set, reads the server's CPU time, at the start and at the
	// end of the measured time.
	cpu func() (cpuTime, bool)
}

// result is what a measurement gives.
type result struct {
	requests int64         // round trips measured
	elapsed  time.Duration // over which they were measured
	p50, p99 time.Duration // round-trip latency
	cpu      cpuTime       // server CPU time per round trip; zero if unknown
	client   cpuTime       // the load client's (this process's), likewise
}

func (r result) perSecond() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// load runs the load client against addr. Every connection is a goroutine
// doing blocking round trips; a round trip counts if it started after the
// warm-up and ended before the stop.
func load(addr string, spec loadSpec) (result, error) {
	conns := make([]net.Conn, spec.conns)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	if err := parallel(spec.conns, 16, func(i int) (err error) {
		conns[i], err = net.DialTimeout("tcp", addr, 10*time.Second)
		return err
	}); err != nil {
		return result{}, err
	}

	var (
		stopped  atomic.Bool
		measured atomic.Int64
		stopOnce sync.Once
		stopAt   time.Time
		mu       sync.Mutex
		lats     []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	var (
		measuring   atomic.Bool // the warm-up is over
		measureFrom time.Time   // when it ended; read after measuring is seen
	)
	var (
		cpuMu          sync.Mutex
		cpu0, cpu1     [2]cpuTime // server, client
		cpuOK0, cpuOK1 bool
	)
	sampleCPU := func(t *[2]cpuTime, ok *bool) {
		if spec.cpu != nil {
			cpuMu.Lock()
			var ok1 bool
			t[0], *ok = spec.cpu()
			t[1], ok1 = procCPU(os.Getpid())
			*ok = *ok && ok1
			cpuMu.Unlock()
		}
	}
	stop := func() {
		stopOnce.Do(func() {
			stopAt = time.Now()
			stopped.Store(true)
			sampleCPU(&cpu1, &cpuOK1)
		})
	}
	// The measured time and the CPU time begin together: no round trip
	// counts before the CPU time is read.
	// The measurement's end is timed from its start, so that a late
	// start (a loaded machine) does not shorten it.
	var stopTimer atomic.Pointer[time.Timer]
	startTimer := time.AfterFunc(spec.warmup, func() {
		sampleCPU(&cpu0, &cpuOK0)
		measureFrom = time.Now()
		measuring.Store(true)
		stopTimer.Store(time.AfterFunc(spec.duration, stop))
	})
	defer func() {
		startTimer.Stop()
		if t := stopTimer.Load(); t != nil {
			t.Stop()
		}
	}()
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := bytes.Repeat([]byte{'x'}, spec.size)
			reply := make([]byte, spec.size)
			mine := make([]time.Duration, 0, 1024)
			deadline := time.Now().Add(spec.warmup + spec.duration + 30*time.Second)
			c.SetDeadline(deadline)
			for !stopped.Load() {
				counts := measuring.Load() // the round trip starts after the warm-up
				t0 := time.Now()
				if _, err := c.Write(msg); err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
					stop()
					break
				}
				if _, err := io.ReadFull(c, reply); err != nil {
					mu.Lock()
					firstErr = cmpOr(firstErr, err)
					mu.Unlock()
					stop()
					break
				}
				t1 := time.Now()
				if counts && !stopped.Load() {
					// Connections race to the limit: only the first
					// spec.requests round trips count.
					n := measured.Add(1)
					if n > spec.requests {
						stop()
						break
					}
					mine = append(mine, t1.Sub(t0))
					if n == spec.requests {
						stop()
					}
				}
			}
			mu.Lock()
			lats = append(lats, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return result{}, firstErr
	}
	if len(lats) == 0 {
		return result{}, fmt.Errorf("no round trip measured")
	}
	slices.Sort(lats)
	res := result{
		requests: int64(len(lats)),
		elapsed:  stopAt.Sub(measureFrom),
		p50:      lats[len(lats)/2],
		p99:      lats[len(lats)*99/100],
	}
	cpuMu.Lock()
	if cpuOK0 && cpuOK1 {
		n := time.Duration(res.requests)
		per := func(i int) cpuTime {
			return cpuTime{user: (cpu1[i].user - cpu0[i].user) / n, sys: (cpu1[i].sys - cpu0[i].sys) / n}
		}
		res.cpu, res.client = per(0), per(1)
	}
	cpuMu.Unlock()
	return res, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// parallel runs fn(0..n-1) on w goroutines and returns the first error.
func parallel(n, w int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(n, w) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
