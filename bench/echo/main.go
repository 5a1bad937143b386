// Command echo measures TCP echo servers under the same load, in one run:
// this library's two (package stream: a task per connection with streams,
// and a Protocol per connection), a plain Go server with a goroutine per
// connection, two bare epoll loops that are the floors of this library's
// servers (Linux), and CPython 3.11's asyncio, with streams and with a
// Protocol. It prints Markdown tables of requests per second, round-trip
// latency (p50, p99) and server CPU time per round trip at 1, 100 and 1000
// connections, with the ratios between the servers and the targets'
// verdicts.
//
// Usage, from the repository root:
//
//	go run ./bench/echo                                # print the table
//	go run ./bench/echo -o docs/benchmarks-echo.md     # also write the checked-in doc
//
// Each server runs in a child process of its own (the Go ones are this
// program, re-run with -serve), listening on 127.0.0.1; the load client runs
// in this process. Each connection of the load client is a goroutine that
// sends a message (64 bytes by default), waits for its echo, and repeats,
// for a warm-up and then a measured duration, bounded by a number of round
// trips too. Every measurement is repeated (-reps) and the median is
// reported; the servers take turns, so that drift on a noisy machine falls
// on all of them alike. Loopback only: nothing leaves the machine.
//
// Flags:
//
//	-o FILE       also write the table, with a header, to FILE
//	-conns LIST   connection counts (default 1,100,1000)
//	-duration D   measured time of each run (default 2s), after -warmup (300ms)
//	-requests N   at most N measured round trips per run (default 2,000,000)
//	-size N       message size in bytes (default 64)
//	-reps N       runs of each measurement; the median is reported (default 5)
//	-python CMD   CPython interpreter (default python3; "" skips CPython)
//	-target ADDR  only load the echo server at ADDR (any server) and print its figures
//
// For profiling, a Go server can run alone: go run ./bench/echo -serve
// library -cpuprofile FILE (until its standard input ends).
//
// The whole run takes about five minutes.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	serve := flag.String("serve", "", "run as the child process serving `kind` (library, goroutines)")
	cpuProfile := flag.String("cpuprofile", "", "with -serve: write the server's CPU profile to `file`")
	out := flag.String("o", "", "also write the table with a header to this Markdown `file`")
	connsFlag := flag.String("conns", "1,100,1000", "comma-separated connection `counts`")
	duration := flag.Duration("duration", 2*time.Second, "measured `time` of each run")
	warmup := flag.Duration("warmup", 300*time.Millisecond, "warm-up `time` before each run")
	requests := flag.Int64("requests", 2_000_000, "at most `n` measured round trips per run")
	size := flag.Int("size", 64, "message size in `bytes`")
	reps := flag.Int("reps", 5, "runs of each measurement; the median is reported")
	python := flag.String("python", "python3", "CPython `command`; empty to skip")
	target := flag.String("target", "", "only load the echo server at `host:port` and print its figures")
	flag.Parse()
	if *serve != "" {
		os.Exit(serveChild(*serve, *cpuProfile))
	}
	var levels []int
	for _, f := range strings.Split(*connsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "echo bench: bad -conns %q\n", *connsFlag)
			os.Exit(2)
		}
		levels = append(levels, n)
	}
	if *reps < 1 || *size < 1 || *requests < 1 {
		fmt.Fprintln(os.Stderr, "echo bench: -reps, -size and -requests must be positive")
		os.Exit(2)
	}
	spec := loadSpec{size: *size, warmup: *warmup, duration: *duration, requests: *requests}
	if *target != "" {
		for _, conns := range levels {
			spec.conns = conns
			res, err := load(*target, spec)
			if err != nil {
				fmt.Fprintln(os.Stderr, "echo bench:", err)
				os.Exit(1)
			}
			fmt.Printf("%d connections: %s round trips/s, p50 %s, p99 %s\n", conns, thousands(res.perSecond()), latency(res.p50), latency(res.p99))
		}
		return
	}
	r := measure(levels, spec, *reps, *python)
	fmt.Print(r.body())
	if *out != "" {
		doc := r.header() + r.body()
		if err := os.WriteFile(*out, []byte(doc), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "echo bench:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "wrote", *out)
	}
}

// Server columns, in table order.
const (
	ours         = iota // this library: a task per connection, with streams
	oursProto           // this library: a Protocol per connection
	ours1P              // ours with GOMAXPROCS=1
	floor               // Go: a goroutine per connection
	bare                // one epoll loop with raw system calls and nothing else
	bareTasks           // bare, with a coroutine per connection
	cpython             // CPython: streams
	cpythonProto        // CPython: a Protocol per connection
	nServers
)

var serverTitles = [nServers]string{
	"this library, streams", "this library, Protocol", "this library, streams, GOMAXPROCS=1",
	"Go, goroutine per connection", "bare epoll loop, no scheduler", "bare epoll loop, a coroutine per connection",
	"CPython asyncio, streams", "CPython asyncio, Protocol",
}

// libraryServers are this library's two servers, each with the CPython
// server that uses the same API.
var libraryServers = []struct {
	s, py int
	name  string
}{
	{ours, cpython, "streams (a task per connection)"},
	{oursProto, cpythonProto, "Protocol (callbacks, no task per request)"},
}

// report is a whole run.
type report struct {
	started  time.Time
	elapsed  time.Duration
	spec     loadSpec
	reps     int
	levels   []int
	na       [nServers]string     // why a server has no figures
	results  [nServers][]result   // per level: the median
	samples  [nServers][][]result // per level, per rep
	python   string
	failures []string
}

func measure(levels []int, spec loadSpec, reps int, python string) *report {
	r := &report{started: time.Now(), spec: spec, reps: reps, levels: levels}
	exe, err := os.Executable()
	var children [nServers]*child
	goServers := map[int]string{ours: "library", oursProto: "library-protocol", ours1P: "library", floor: "goroutines", bare: "bare", bareTasks: "bare-tasks"}
	for s, kind := range goServers {
		if err != nil {
			children[s] = &child{NA: err.Error()}
			continue
		}
		cmd := execCommand(exe, "-serve", kind)
		if s == ours1P {
			cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
		}
		children[s] = startChild(serverTitles[s], cmd)
		defer children[s].stop()
	}
	var stopPython func()
	children[cpython], stopPython = startCPython(python, cpythonScript)
	defer stopPython()
	children[cpythonProto], stopPython = startCPython(python, cpythonProtocolScript)
	defer stopPython()
	r.python = toolVersion(python)

	for s := range nServers {
		r.na[s] = children[s].NA
		r.samples[s] = make([][]result, len(levels))
	}
	for li, conns := range levels {
		spec := spec
		spec.conns = conns
		for rep := range reps {
			for s := range nServers {
				if r.na[s] != "" {
					continue
				}
				fmt.Fprintf(os.Stderr, "%s, %d connections, run %d of %d...\n", serverTitles[s], conns, rep+1, reps)
				spec := spec
				if pid := children[s].pid(); pid > 0 {
					spec.cpu = func() (cpuTime, bool) { return procCPU(pid) }
				}
				res, err := load(children[s].addr, spec)
				if err != nil {
					r.failures = append(r.failures, fmt.Sprintf("%s at %d connections: %v", serverTitles[s], conns, err))
					continue
				}
				r.samples[s][li] = append(r.samples[s][li], res)
			}
		}
	}
	for s := range nServers {
		for li := range levels {
			r.results[s] = append(r.results[s], median(r.samples[s][li]))
		}
	}
	r.elapsed = time.Since(r.started)
	return r
}

// median returns, field by field, the median of the results.
func median(rs []result) result {
	if len(rs) == 0 {
		return result{}
	}
	pick := func(f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, x := range rs {
			v[i] = f(x)
		}
		return middle(v)
	}
	rate := pick(result.perSecond)
	return result{
		requests: int64(pick(func(x result) float64 { return float64(x.requests) })),
		elapsed:  time.Duration(float64(time.Second) * pick(func(x result) float64 { return float64(x.requests) }) / rate),
		p50:      time.Duration(pick(func(x result) float64 { return float64(x.p50) })),
		p99:      time.Duration(pick(func(x result) float64 { return float64(x.p99) })),
		cpu: cpuTime{
			user: time.Duration(pick(func(x result) float64 { return float64(x.cpu.user) })),
			sys:  time.Duration(pick(func(x result) float64 { return float64(x.cpu.sys) })),
		},
		client: cpuTime{
			user: time.Duration(pick(func(x result) float64 { return float64(x.client.user) })),
			sys:  time.Duration(pick(func(x result) float64 { return float64(x.client.sys) })),
		},
	}
}

// middle sorts v and returns its middle value (the upper one of an even
// count): the median every figure of the report takes.
func middle(v []float64) float64 {
	slices.Sort(v)
	return v[len(v)/2]
}

func (r *report) has(s, li int) bool { return r.na[s] == "" && r.results[s][li].requests > 0 }

func (r *report) title(s int) string {
	if (s == cpython || s == cpythonProto) && r.python != "" {
		return strings.Replace(serverTitles[s], "CPython", "CPython "+strings.TrimPrefix(r.python, "Python "), 1)
	}
	return serverTitles[s]
}

func (r *report) body() string {
	var b strings.Builder
	r.table(&b, "Round trips per second (higher is better)",
		func(x result) string { return thousands(x.perSecond()) },
		[]string{"streams / goroutines", "Protocol / goroutines", "streams / CPython streams", "Protocol / CPython Protocol"},
		func(li int) []string {
			return []string{r.ratio(ours, floor, li), r.ratio(oursProto, floor, li), r.ratio(ours, cpython, li), r.ratio(oursProto, cpythonProto, li)}
		})
	b.WriteString("\n")
	r.table(&b, "Round-trip latency, p50 / p99 (lower is better)",
		func(x result) string { return latency(x.p50) + " / " + latency(x.p99) }, nil, nil)
	if r.hasCPU() {
		b.WriteString("\n")
		r.table(&b, "Server CPU time per round trip, in user space + in the kernel (lower is better)",
			func(x result) string { return cpuCell(x.cpu) },
			[]string{"load client, against this library's streams", "user space, CPython / ours: streams", "user space, CPython / ours: Protocol"},
			func(li int) []string {
				return []string{r.cell(ours, li, func(x result) string { return cpuCell(x.client) }), r.cpuRatio(cpython, ours, li), r.cpuRatio(cpythonProto, oursProto, li)}
			})
	}
	r.targets(&b)
	r.runByRun(&b)
	b.WriteString("\nNotes:\n\n")
	fmt.Fprintf(&b, "- Each figure is the median of %d runs of %v (after a %v warm-up, and at most %s round trips), each connection sending a %d-byte message and waiting for its echo, again and again.\n",
		r.reps, r.spec.duration, r.spec.warmup, thousands(float64(r.spec.requests)), r.spec.size)
	b.WriteString("- On a small, shared virtual machine, figures vary a lot from run to run (more than the differences between the Go servers); compare the columns of one run, whose servers take turns under the same conditions.\n")
	b.WriteString("- Every server runs in a child process of its own on 127.0.0.1 and reads up to 16 KiB at a time; the load client (one goroutine per connection, blocking round trips) runs in the benchmark's process, on the same machine, so client and server share its CPUs.\n")
	b.WriteString("- This library, streams: `stream.StartServer`, a task per connection doing `ReadInto`, `Write`, `Drain` (MicroPython's API); the same server again with GOMAXPROCS=1. This library, Protocol: `stream.StartProtocolServer`, a `stream.Protocol` per connection whose `DataReceived` calls `Transport.Write`: the loop calls it with what the socket had, with no task switch per request (CPython's asyncio.Protocol). Goroutines: `net.Listen`, a goroutine per connection doing `Read`, `Write`. CPython, streams: `asyncio.start_server`, `reader.read`, `writer.write`, `await writer.drain()` (bench/echo/echo_cpython.py); CPython, Protocol: `loop.create_server` with a Protocol whose `data_received` calls `transport.write` (bench/echo/echo_cpython_protocol.py).\n")
	b.WriteString("- The two floors (Linux, bench/echo/bare_linux.go) make the read and the write per request that this library's servers make, with nothing around them. Bare epoll loop, no scheduler: one goroutine in epoll_wait on a level-triggered set, and for each readable socket one raw read and one raw write, with no task and no buffering: the floor of any one-thread event loop with this pattern of system calls, so that this library's user space above it is the library's own work. Bare epoll loop, a coroutine per connection: the same loop (edge-triggered), but each connection is served by a coroutine (`iter.Pull`, which this library's tasks are made of) that the loop resumes when its socket is readable and that yields back when the socket is empty: no scheduler, no run queue, no stream, so that what it spends above the bare loop is the switch into the connection's coroutine and back, which every server with a task per connection pays.\n")
	if r.hasCPU() {
		b.WriteString("- CPU time: the server process's user and system time from /proc/PID/stat (10 ms ticks), read at the start and at the end of each measured run and divided by its round trips; the load client's the same way, from its own process. Most of a round trip's CPU time is the kernel's TCP loopback path, much the same for every server (a write on loopback also carries the segment through the receiving socket's stack); the time in user space is the server's own code. With client and server on one machine, the throughput is bounded by their CPU time per round trip together, so at 100 and 1,000 connections, where the servers are busy, the throughput ratio to CPython stays far below the ratio of the servers' own (user-space) costs; at 1 connection, where a round trip is mostly waiting, it shows the difference in latency.\n")
	}
	b.WriteString("- How this library's server does I/O (Linux): the loop's goroutine waits in epoll itself (a Poller installed by the stream package) and reads, writes and polls its sockets with raw non-blocking system calls, so a request involves no goroutine but the loop's, no hand-off between goroutines and no scheduler bookkeeping around the system calls (see the stream package documentation); it makes one read per request where the goroutine server makes two, since a short read tells it the socket is empty. At 1 connection a round trip is mostly the wake-up of a thread blocked in epoll_wait, which varies a lot from run to run on this virtual machine.\n")
	b.WriteString("- This library's user-space time above the bare loop's is its work per round trip: for the streams server, the loop's turn, the switch into the connection's task and back, the stream's wait, and the epoll bookkeeping the bare loop skips (its set is level-triggered and watches reads only); for the Protocol server, the loop's turn and the call of the protocol, with no switch. That share grows from 100 to 1,000 connections; most likely (not measured here: the virtual machine has no cache counters) because every round trip touches another connection's state (its task and stack, its stream), which at 1,000 connections no longer stays in the CPU's caches. The coroutine floor shows what the switch alone costs: a server with a task per connection cannot spend less than it.\n")
	for s := range nServers {
		if r.na[s] != "" {
			fmt.Fprintf(&b, "- %s: n/a, %s.\n", serverTitles[s], r.na[s])
		}
	}
	for _, f := range r.failures {
		fmt.Fprintf(&b, "- Failed: %s.\n", f)
	}
	return b.String()
}

// table writes a Markdown table under title: a row per connection count, a
// column per server with cell's figure, then the columns named extra, whose
// cells extraCells gives for each row.
func (r *report) table(b *strings.Builder, title string, cell func(result) string, extra []string, extraCells func(li int) []string) {
	fmt.Fprintf(b, "%s:\n\n| connections |", title)
	for s := range nServers {
		fmt.Fprintf(b, " %s |", r.title(s))
	}
	for _, h := range extra {
		fmt.Fprintf(b, " %s |", h)
	}
	b.WriteString("\n|--:|" + strings.Repeat("--:|", int(nServers)+len(extra)) + "\n")
	for li, conns := range r.levels {
		fmt.Fprintf(b, "| %s |", thousands(float64(conns)))
		for s := range nServers {
			fmt.Fprintf(b, " %s |", r.cell(s, li, cell))
		}
		if extraCells != nil {
			for _, c := range extraCells(li) {
				fmt.Fprintf(b, " %s |", c)
			}
		}
		b.WriteString("\n")
	}
}

func (r *report) cell(s, li int, f func(result) string) string {
	if !r.has(s, li) {
		return "n/a"
	}
	return f(r.results[s][li])
}

func (r *report) ratio(a, b, li int) string {
	if !r.has(a, li) || !r.has(b, li) {
		return "n/a"
	}
	q := r.results[a][li].perSecond() / r.results[b][li].perSecond()
	if q < 10 {
		return fmt.Sprintf("%.2f×", q)
	}
	return fmt.Sprintf("%.1f×", q)
}

// hasCPU says whether any server's CPU time was measured.
func (r *report) hasCPU() bool {
	for s := range nServers {
		for li := range r.levels {
			if r.has(s, li) && r.results[s][li].cpu != (cpuTime{}) {
				return true
			}
		}
	}
	return false
}

// targets writes the verdicts. They are stated in the server's CPU time
// per round trip, not in throughput: with the load client on the same two
// CPUs, throughput is bounded by client and server together, and at one
// connection by where the kernel puts the server's thread (see the notes).
func (r *report) targets(b *strings.Builder) {
	b.WriteString("\nTargets, in the server's CPU time per round trip:\n\n")
	measured := func(s, li int) bool { return r.has(s, li) && r.results[s][li].cpu != (cpuTime{}) }
	user := func(s, li int) float64 { return float64(r.results[s][li].cpu.user) }
	// floors says what the servers without a library under them reach on
	// the same measure, f giving it from a server's user-space time.
	floors := func(li int, f func(u float64) string) string {
		var parts []string
		for _, s := range []int{bare, bareTasks} {
			if measured(s, li) {
				parts = append(parts, serverTitles[s]+": "+f(user(s, li)))
			}
		}
		if len(parts) == 0 {
			return ""
		}
		return " (" + strings.Join(parts, "; ") + ")"
	}
	stated := false
	for li, conns := range r.levels {
		n := thousands(float64(conns))
		for _, ls := range libraryServers {
			if measured(ls.s, li) && measured(floor, li) {
				o, g := r.results[ls.s][li].cpu, r.results[floor][li].cpu
				fmt.Fprintf(b, "- %s %s at %s connections, user space + kernel no more than the goroutine-per-connection server's: %s against %s\n",
					passFail(o.user+o.sys <= g.user+g.sys), ls.name, n, micros(o.user+o.sys), micros(g.user+g.sys))
				if g.user > 0 {
					q := float64(o.user) / float64(g.user)
					fmt.Fprintf(b, "- %s %s at %s connections, user space at most 0.6× the goroutine-per-connection server's: %.2f×%s\n",
						passFail(q <= 0.6), ls.name, n, q, floors(li, func(u float64) string { return fmt.Sprintf("%.2f×", u/float64(g.user)) }))
				}
				stated = true
			}
			// Against CPython's streams server (the target's), and the
			// Protocol server against CPython's Protocol server too.
			pys := []int{cpython}
			if ls.py != cpython {
				pys = append(pys, ls.py)
			}
			for _, py := range pys {
				if !measured(ls.s, li) || !measured(py, li) || user(ls.s, li) <= 0 {
					continue
				}
				q := user(py, li) / user(ls.s, li)
				fmt.Fprintf(b, "- %s %s at %s connections, user space at least 5× below that of %s: %.1f×%s\n",
					passFail(q >= 5), ls.name, n, serverTitles[py], q, floors(li, func(u float64) string { return fmt.Sprintf("%.1f×", user(py, li)/u) }))
				stated = true
			}
		}
	}
	if !stated {
		b.WriteString("- n/a: no server CPU time was measured (it is read from /proc/PID/stat, Linux's).\n")
	}
}

// runByRun writes how the user-space ratios of the targets move from run to
// run: each ratio taken within one round, in which the servers took turns,
// so that drift between rounds cancels out of it; the verdicts above use
// the ratio of the medians instead.
func (r *report) runByRun(b *strings.Builder) {
	// paired returns the ratios of a's user time to c's, run by run; none
	// unless both have every run.
	paired := func(a, c, li int) []float64 {
		sa, sc := r.samples[a], r.samples[c]
		if li >= len(sa) || li >= len(sc) || len(sa[li]) != r.reps || len(sc[li]) != r.reps || r.na[a] != "" || r.na[c] != "" {
			return nil
		}
		var qs []float64
		for k := range r.reps {
			if u, v := sa[li][k].cpu.user, sc[li][k].cpu.user; u > 0 && v > 0 {
				qs = append(qs, float64(u)/float64(v))
			}
		}
		if len(qs) != r.reps {
			return nil
		}
		return qs
	}
	spread := func(qs []float64, format string) string {
		m := middle(qs) // sorts qs
		return fmt.Sprintf(format+"–"+format+"× (median "+format+"×)", qs[0], qs[len(qs)-1], m)
	}
	var lines []string
	for li, conns := range r.levels {
		for _, ls := range libraryServers {
			var parts []string
			if qs := paired(ls.s, floor, li); qs != nil {
				parts = append(parts, "against the goroutine server's "+spread(qs, "%.2f"))
			}
			if qs := paired(cpython, ls.s, li); qs != nil {
				parts = append(parts, serverTitles[cpython]+" over ours "+spread(qs, "%.1f"))
			}
			if len(parts) > 0 {
				lines = append(lines, fmt.Sprintf("- %s at %s connections: %s\n", ls.name, thousands(float64(conns)), strings.Join(parts, "; ")))
			}
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "\nThe same user-space ratios run by run (each within one round of the %d, in which the servers took turns): how far a verdict above is from the noise:\n\n", r.reps)
	for _, l := range lines {
		b.WriteString(l)
	}
}

func micros(d time.Duration) string {
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}

// cpuRatio is server a's user-space CPU time per round trip over b's.
func (r *report) cpuRatio(sa, sb, li int) string {
	if !r.has(sa, li) || !r.has(sb, li) {
		return "n/a"
	}
	a, b := r.results[sa][li].cpu.user, r.results[sb][li].cpu.user
	if a <= 0 || b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f×", float64(a)/float64(b))
}

// cpuCell formats a CPU time per round trip, user + system, in µs.
func cpuCell(t cpuTime) string {
	if t == (cpuTime{}) {
		return "n/a"
	}
	us := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Microsecond)) }
	return us(t.user) + " + " + us(t.sys) + " µs"
}

func (r *report) header() string {
	var b strings.Builder
	b.WriteString("# Echo benchmark: TCP streams\n\n")
	b.WriteString("Generated by `go run ./bench/echo -o docs/benchmarks-echo.md`; rerun it to refresh this file.\n\n")
	fmt.Fprintf(&b, "- Date: %s\n", r.started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Go: %s %s/%s, GOMAXPROCS %d\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	fmt.Fprintf(&b, "- CPU: %s, %d CPUs\n", cpuModel(), runtime.NumCPU())
	if r.python != "" {
		fmt.Fprintf(&b, "- CPython: %s\n", r.python)
	}
	fmt.Fprintf(&b, "- Run time: %v\n\n", r.elapsed.Round(time.Second))
	return b.String()
}

func passFail(ok bool) string {
	if ok {
		return "**PASS**"
	}
	return "**FAIL**"
}

// thousands formats v rounded, with commas.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func latency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
}
