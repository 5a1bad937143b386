package main

import (
	"os"
	"runtime"
	"strings"

	"github.com/goasyncio/asyncio/internal/testenv"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, testenv.LeakOptions()...) }

// Each Go server echoes under a short load, and stops when told.
func TestServersUnderLoad(t *testing.T) {
	for name, serve := range map[string]func(func(string), <-chan struct{}) error{
		"library":          serveLibrary,
		"library-protocol": serveLibraryProtocol,
		"goroutines":       serveGoroutines,
		"bare":             serveBare,
		"bare-tasks":       serveBareTasks,
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
			// Under a user-mode emulator /proc/PID/stat counts no CPU time.
			_, cpuOK := procCPU(os.Getpid())
			cpuOK = cpuOK && testenv.Emulator() == ""
			// The server is in this process: its CPU time is the client's too.
			cpu := func() (cpuTime, bool) { return procCPU(os.Getpid()) }
			// Bounded by the number of round trips...
			res, err := load(addr, loadSpec{conns: 3, size: 64, warmup: 20 * time.Millisecond, duration: 100 * time.Millisecond, requests: 1000})
			if err != nil {
				close(stop)
				t.Fatal(err)
			}
			if res.requests == 0 || res.requests > 1000 || res.p50 <= 0 || res.p99 < res.p50 || res.perSecond() <= 0 || res.cpu != (cpuTime{}) {
				t.Errorf("result %+v", res)
			}
			// ... and by time, long enough for CPU time in 10 ms ticks.
			res, err = load(addr, loadSpec{conns: 3, size: 64, warmup: 20 * time.Millisecond, duration: 200 * time.Millisecond, requests: 1 << 40, cpu: cpu})
			close(stop)
			if err != nil {
				t.Fatal(err)
			}
			if res.elapsed < 190*time.Millisecond || res.requests == 0 {
				t.Errorf("result %+v", res)
			}
			if c, cl := res.cpu, res.client; cpuOK && (c.user < 0 || c.sys < 0 || c.user+c.sys == 0 || cl.user+cl.sys == 0) {
				t.Errorf("CPU time per round trip: server %+v, client %+v", res.cpu, res.client)
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
	r.na[cpythonProto] = "python3 not found"
	for s := range nServers {
		for range r.levels {
			r.results[s] = append(r.results[s], result{requests: int64(900 + 100*s), elapsed: time.Second, p50: 50 * time.Microsecond, p99: 2 * time.Millisecond,
				cpu: cpuTime{user: time.Duration(s+1) * 1500 * time.Nanosecond, sys: 10 * time.Microsecond}, client: cpuTime{user: 4 * time.Microsecond, sys: 9 * time.Microsecond}})
		}
	}
	body := r.body()
	for _, want := range []string{
		"| 1,000 | 900 | 1,000 | 1,100 | 1,200 | 1,300 | 1,400 | n/a | n/a | 0.75× | 0.83× | n/a | n/a |",
		"50 µs / 2.00 ms",
		"**PASS** streams (a task per connection) at 1 connections, user space + kernel no more than the goroutine-per-connection server's: 11.5 µs against 16.0 µs",
		"**PASS** streams (a task per connection) at 1,000 connections, user space at most 0.6× the goroutine-per-connection server's: 0.25× (bare epoll loop, no scheduler: 1.25×; bare epoll loop, a coroutine per connection: 1.50×)",
		"**PASS** Protocol (callbacks, no task per request) at 1,000 connections, user space at most 0.6× the goroutine-per-connection server's: 0.50×",
		"- CPython asyncio, streams: n/a, python3 not found.",
		"- CPython asyncio, Protocol: n/a, python3 not found.",
		"| 1 | 1.5 + 10.0 µs | 3.0 + 10.0 µs | 4.5 + 10.0 µs | 6.0 + 10.0 µs | 7.5 + 10.0 µs | 9.0 + 10.0 µs | n/a | n/a | 4.0 + 9.0 µs | n/a | n/a |",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "below that of CPython") {
		t.Errorf("a verdict against CPython, which was not measured:\n%s", body)
	}
	// CPython measured, and a server that costs more than the goroutines'.
	r.na[cpython], r.na[cpythonProto] = "", ""
	r.results[ours][0].cpu.sys = 20 * time.Microsecond
	r.results[cpython][0].cpu.user = 6 * time.Microsecond       // 4× ours
	r.results[cpythonProto][0].cpu.user = 15 * time.Microsecond // 5× ours, Protocol
	body = r.body()
	for _, want := range []string{
		"**FAIL** streams (a task per connection) at 1 connections, user space + kernel no more than the goroutine-per-connection server's: 21.5 µs against 16.0 µs",
		"**FAIL** streams (a task per connection) at 1 connections, user space at least 5× below that of CPython asyncio, streams: 4.0× (bare epoll loop, no scheduler: 0.8×; bare epoll loop, a coroutine per connection: 0.7×)",
		"**FAIL** Protocol (callbacks, no task per request) at 1 connections, user space at least 5× below that of CPython asyncio, streams: 2.0×",
		"**PASS** Protocol (callbacks, no task per request) at 1 connections, user space at least 5× below that of CPython asyncio, Protocol: 5.0×",
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

// procCPU sees this process's CPU time grow as it computes.
func TestProcCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/PID/stat is Linux's")
	}
	testenv.SkipIfEmulated(t, "the emulator's /proc/PID/stat counts no CPU time")
	before, ok := procCPU(os.Getpid())
	if !ok {
		t.Fatal("procCPU of this process failed")
	}
	// Compute until the CPU time counted grows by 50 ms: on a loaded
	// machine that takes longer than 50 ms of wall time, so the bound is
	// only a hang guard.
	x := 1
	var after cpuTime
	for start := time.Now(); ; {
		for range 1 << 20 {
			x = x*31 + 7
		}
		after, ok = procCPU(os.Getpid())
		if !ok {
			t.Fatal("procCPU of this process failed")
		}
		if (after.user+after.sys)-(before.user+before.sys) >= 50*time.Millisecond {
			break
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("a minute of computing counted %v of CPU time (x=%d)", (after.user+after.sys)-(before.user+before.sys), x)
		}
	}
	if after.user < before.user {
		t.Errorf("user time went back from %v to %v", before.user, after.user)
	}
	if _, ok := procCPU(-1); ok {
		t.Error("procCPU(-1) succeeded")
	}
}

// The CPU table compares the user-space time per round trip with CPython's.
func TestReportCPU(t *testing.T) {
	r := &report{reps: 1, levels: []int{100}, spec: loadSpec{size: 64, duration: time.Second, requests: 100}, python: "Python 3.11.7"}
	for s := range nServers {
		r.results[s] = []result{{requests: 1000, elapsed: time.Second, p50: time.Millisecond, p99: time.Millisecond,
			cpu: cpuTime{user: time.Duration(2+4*(s/cpython)) * time.Microsecond, sys: 10 * time.Microsecond}}}
	}
	body := r.body()
	for _, want := range []string{
		"| 100 | 2.0 + 10.0 µs | 2.0 + 10.0 µs | 2.0 + 10.0 µs | 2.0 + 10.0 µs | 2.0 + 10.0 µs | 2.0 + 10.0 µs | 6.0 + 10.0 µs | 6.0 + 10.0 µs | n/a | 3.0× | 3.0× |",
		"**FAIL** streams (a task per connection) at 100 connections, user space at least 5× below that of CPython asyncio, streams: 3.0× (bare epoll loop, no scheduler: 3.0×; bare epoll loop, a coroutine per connection: 3.0×)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q:\n%s", want, body)
		}
	}
}

func TestReportRunByRun(t *testing.T) {
	r := &report{reps: 3, levels: []int{100}, spec: loadSpec{size: 64, duration: time.Second, requests: 100}, python: "Python 3.11.7"}
	user := func(us ...float64) []result {
		var rs []result
		for _, u := range us {
			rs = append(rs, result{requests: 1000, elapsed: time.Second, cpu: cpuTime{user: time.Duration(u * float64(time.Microsecond)), sys: time.Microsecond}})
		}
		return rs
	}
	for s := range nServers {
		r.samples[s] = [][]result{user(4, 4, 4)}
	}
	// The goroutine server drifts from run to run, and the Protocol
	// server with it, at 0.6 of it in each run.
	r.samples[floor] = [][]result{user(4, 5, 3)}
	r.samples[oursProto] = [][]result{user(2.4, 3, 1.8)}
	r.samples[cpython] = [][]result{user(12, 15, 9)}
	r.samples[ours] = [][]result{user(3, 3)} // a run missing: no ratios
	for s := range nServers {
		r.results[s] = append(r.results[s], median(r.samples[s][0]))
	}
	body := r.body()
	want := "- Protocol (callbacks, no task per request) at 100 connections: against the goroutine server's 0.60–0.60× (median 0.60×); CPython asyncio, streams over ours 5.0–5.0× (median 5.0×)"
	if !strings.Contains(body, want) {
		t.Errorf("report lacks %q:\n%s", want, body)
	}
	if strings.Contains(body, "- streams (a task per connection) at 100 connections: against") {
		t.Errorf("run-by-run ratios for a server with a run missing:\n%s", body)
	}
}
