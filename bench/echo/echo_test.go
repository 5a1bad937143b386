package main

import (
	"github.com/goasyncio/asyncio/internal/testenv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

// Each Go server echoes under a short load, and stops when told.
func TestServersUnderLoad(t *testing.T) {
	for name, serve := range map[string]func(func(string), <-chan struct{}) error{
		"library":    serveLibrary,
		"goroutines": serveGoroutines,
	} {
		t.Run(name, func(t *testing.T) {
			addrs := make(chan string, 1)
			stop := make(chan struct{})
			done := make(chan error, 1)
			go func() { done <- serve(func(a string) { addrs <- a }, stop) }()
			var addr string
			select {
			case addr = <-addrs:
			case err := <-done:
				t.Fatal(err)
			}
			res, err := load(addr, loadSpec{conns: 3, size: 64, warmup: 20 * time.Millisecond, duration: 100 * time.Millisecond, requests: 1000})
			close(stop)
			if err != nil {
				t.Fatal(err)
			}
			if res.requests == 0 || res.requests > 1000 || res.p50 <= 0 || res.p99 < res.p50 || res.perSecond() <= 0 {
				t.Errorf("result %+v", res)
			}
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
}

func TestReport(t *testing.T) {
	r := &report{reps: 3, levels: []int{1, 1000}, spec: loadSpec{size: 64, duration: time.Second, requests: 100}, python: "Python 3.11.7"}
	r.na[cpython] = "python3 not found"
	for s := range nServers {
		for range r.levels {
			r.results[s] = append(r.results[s], result{requests: int64(900 + 100*s), elapsed: time.Second, p50: 50 * time.Microsecond, p99: 2 * time.Millisecond})
		}
	}
	body := r.body()
	for _, want := range []string{
		"| 1,000 | 900 | 1,000 | 1,100 | n/a | 0.82× | 0.91× | n/a |",
		"50 µs / 2.00 ms",
		"**PASS** at 1 connections, at least 80% of the goroutine-per-connection server's throughput: 82% (91% with GOMAXPROCS=1)",
		"- CPython asyncio: n/a, python3 not found.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q:\n%s", want, body)
		}
	}
	if got := median([]result{{requests: 10, elapsed: time.Second}, {requests: 30, elapsed: time.Second}, {requests: 20, elapsed: time.Second}}); got.perSecond() != 20 {
		t.Errorf("median = %v/s", got.perSecond())
	}
	if thousands(1234567) != "1,234,567" || thousands(12) != "12" {
		t.Error("thousands")
	}
}
