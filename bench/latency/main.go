// Command latency measures the timing an embedded program counts on, in
// one run, for this library, plain goroutines and CPython 3.11's asyncio:
//
//   - periodic: a task that wakes every millisecond at absolute deadlines,
//     beside 0, 100 and 1,000 background tasks that each wake every 10 ms;
//     lateness = actual wake − deadline;
//   - interrupt: another goroutine (thread) wakes a waiting task about every
//     millisecond (ThreadSafeFlag.Set; a channel send; call_soon_threadsafe
//     setting an asyncio.Event) beside 0 and 1,000 background tasks;
//     latency = the task running − the wake-up call;
//   - idle: the CPU time of 100 tasks sleeping 1 s each, per 10 s.
//
// Latencies are p50, p99, p99.9 and max in µs: the median over the runs,
// with the min–max across runs in brackets. The targets of the timing work
// are marked PASS or FAIL, as bench/compare marks its own.
//
// Usage, from the repository root:
//
//	go run ./bench/latency                          # print the table
//	go run ./bench/latency -o docs/benchmarks.md    # also update its section there
//
// Flags: -runs N (default 3), -dur D per latency measurement (default 2s),
// -idle D per idle measurement (default 5s), -python CMD (default python3;
// "" skips CPython), -slack (also the library locked to one thread, its timer slack
// at 1 ns). Every measurement runs in a child process of its own (the Go
// ones are this program, re-run with -child), one at a time, the
// implementations taking turns. The whole run takes about two minutes.
package main

import (
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed latency_cpython.py
var cpythonScript []byte

type impl struct{ key, name string }

type cell struct {
	scenario string
	n        int
	impl     string
}

func main() {
	child := flag.String("child", "", "run as the child measuring `impl/scenario`")
	n := flag.Int("n", 0, "with -child: background tasks")
	runs := flag.Int("runs", 3, "runs of each measurement")
	dur := flag.Duration("dur", 2*time.Second, "time of each latency measurement")
	idle := flag.Duration("idle", 5*time.Second, "time of each idle-CPU measurement")
	python := flag.String("python", "python3", "CPython `command`; empty to skip")
	slack := flag.Bool("slack", false, "also measure the library locked to one thread with 1 ns timer slack")
	out := flag.String("o", "", "also write the table into this Markdown `file`, in its bench/latency section")
	flag.Parse()
	if *child != "" {
		impl, scenario, _ := strings.Cut(*child, "/")
		d := *dur
		if scenario == "idle" {
			d = *idle
		}
		runChild(impl, scenario, *n, d)
		return
	}

	impls := []impl{{"library", "this library"}}
	if *slack && haveSlack {
		impls = append(impls, impl{"slack", "this library, locked to a thread at 1 ns slack"})
	}
	impls = append(impls, impl{"goroutines", "goroutines"})
	if haveSlack {
		impls = append(impls, impl{"floor", "the OS alone: a thread in nanosleep at 1 ns slack"})
	}
	var script string
	pyVersion := ""
	if *python != "" {
		f, err := os.CreateTemp("", "latency-*.py")
		check(err)
		f.Write(cpythonScript)
		f.Close()
		defer os.Remove(f.Name())
		script = f.Name()
		v, err := exec.Command(*python, "--version").Output()
		check(err)
		pyVersion = strings.TrimSpace(string(v))
		impls = append(impls, impl{"cpython", "CPython asyncio"})
	}
	self, err := os.Executable()
	check(err)

	cells := []cell{}
	for _, n := range []int{0, 100, 1000} {
		cells = append(cells, cell{"periodic", n, ""})
	}
	cells = append(cells, cell{"periodic-held", 0, ""})
	for _, n := range []int{0, 1000} {
		cells = append(cells, cell{"interrupt", n, ""})
	}
	cells = append(cells, cell{"idle", 100, ""})

	results := map[cell][]result{}
	began := time.Now()
	for r := range *runs {
		for _, c := range cells {
			for _, im := range impls {
				if im.key == "floor" && (c.scenario != "periodic" || c.n != 0) {
					continue // the floor has no tasks, and only a periodic wake-up
				}
				if c.scenario == "periodic-held" && im.key != "library" && im.key != "slack" {
					continue // a waiting goroutine or thread changes nothing for the others
				}
				d := *dur
				if c.scenario == "idle" {
					d = *idle
				}
				var cmd *exec.Cmd
				if im.key == "cpython" {
					cmd = exec.Command(*python, script, c.scenario, strconv.Itoa(c.n), strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
				} else {
					cmd = exec.Command(self, "-child", im.key+"/"+c.scenario, "-n", strconv.Itoa(c.n), "-dur", d.String(), "-idle", d.String())
				}
				cmd.Stderr = os.Stderr
				b, err := cmd.Output()
				check(err)
				var res result
				check(json.Unmarshal(b, &res))
				k := c
				k.impl = im.key
				results[k] = append(results[k], res)
				fmt.Fprintf(os.Stderr, "run %d: %s %d %s: %s\n", r+1, c.scenario, c.n, im.key, strings.TrimSpace(string(b)))
			}
		}
	}

	var sb strings.Builder
	report(&sb, impls, cells, results, *runs, *dur, *idle, pyVersion, time.Since(began))
	fmt.Print(sb.String())
	if *out != "" {
		check(writeSection(*out, sb.String()))
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "latency:", err)
		os.Exit(1)
	}
}

// stat is one figure over the runs: median, min, max.
type stat struct{ med, lo, hi float64 }

func over(rs []result, f func(result) float64) stat {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return stat{v[len(v)/2], v[0], v[len(v)-1]}
}

func num(x float64) string {
	switch {
	case x >= 100:
		return groupThousands(strconv.FormatFloat(x, 'f', 0, 64))
	case x >= 10:
		return strconv.FormatFloat(x, 'f', 0, 64)
	default:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
}

func groupThousands(s string) string {
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func (s stat) String() string {
	return fmt.Sprintf("%s (%s–%s)", num(s.med), num(s.lo), num(s.hi))
}

const (
	marker    = "<!-- bench/latency -->"
	endMarker = "<!-- /bench/latency -->"
)

func report(sb *strings.Builder, impls []impl, cells []cell, res map[cell][]result, runs int, dur, idle time.Duration, py string, took time.Duration) {
	fmt.Fprintf(sb, "## Timing: periodic wake-ups, interrupts, idle CPU\n\n")
	fmt.Fprintf(sb, "Generated by `go run ./bench/latency -o docs/benchmarks.md`; rerun it to refresh this section.\n\n")
	host, _ := os.Hostname()
	_ = host
	fmt.Fprintf(sb, "- Date: %s\n- Go: %s %s/%s, GOMAXPROCS %d, %d CPUs\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU())
	if py != "" {
		fmt.Fprintf(sb, "- CPython: %s\n", py)
	}
	fmt.Fprintf(sb, "- %d runs; %v per latency measurement, %v per idle one; run time %v\n\n", runs, dur, idle, took.Round(time.Second))
	fmt.Fprintf(sb, "Latency in µs: median over the runs (min–max across runs).\n\n")
	fmt.Fprintf(sb, "| workload | background tasks | implementation | p50 | p99 | p99.9 | max |\n|---|--:|---|--:|--:|--:|--:|\n")
	for _, c := range cells {
		if c.scenario == "idle" {
			continue
		}
		what := "1 kHz periodic task: lateness"
		switch c.scenario {
		case "periodic-held":
			what = "1 kHz periodic task, a task waiting for an interrupt: lateness"
		case "interrupt":
			what = "interrupt → task"
		}
		for _, im := range impls {
			k := c
			k.impl = im.key
			rs := res[k]
			if len(rs) == 0 {
				continue
			}
			fmt.Fprintf(sb, "| %s | %s | %s | %v | %v | %v | %v |\n", what, groupThousands(strconv.Itoa(c.n)), im.name,
				over(rs, func(r result) float64 { return r.P50 }), over(rs, func(r result) float64 { return r.P99 }),
				over(rs, func(r result) float64 { return r.P999 }), over(rs, func(r result) float64 { return r.Max }))
		}
	}
	fmt.Fprintf(sb, "\n| idle: 100 tasks sleeping 1 s each | CPU ms per 10 s |\n|---|--:|\n")
	idleC := cell{"idle", 100, ""}
	for _, im := range impls {
		if im.key == "floor" {
			continue
		}
		k := idleC
		k.impl = im.key
		fmt.Fprintf(sb, "| %s | %v |\n", im.name, over(res[k], func(r result) float64 { return r.CPUms }))
	}

	get := func(scenario string, n int, implKey string, f func(result) float64) (float64, bool) {
		rs := res[cell{scenario, n, implKey}]
		if len(rs) == 0 {
			return 0, false
		}
		return over(rs, f).med, true
	}
	p50 := func(r result) float64 { return r.P50 }
	p99 := func(r result) float64 { return r.P99 }
	fmt.Fprintf(sb, "\nTargets (medians over the runs):\n\n")
	mark := func(ok bool, format string, args ...any) {
		s := "FAIL"
		if ok {
			s = "PASS"
		}
		fmt.Fprintf(sb, "- **%s** "+format+"\n", append([]any{s}, args...)...)
	}
	for _, n := range []int{0, 100, 1000} {
		a, _ := get("periodic", n, "library", p50)
		b, _ := get("periodic", n, "library", p99)
		floor := ""
		if f, ok := get("periodic", n, "floor", p99); ok {
			floor = fmt.Sprintf(" (the OS alone, no scheduler: p99 %s µs)", num(f))
		}
		mark(a <= 100 && b <= 300, "periodic at %d background tasks: p50 ≤ 100 µs and p99 ≤ 300 µs: %s / %s µs%s", n, num(a), num(b), floor)
		for _, other := range []impl{{"goroutines", "a goroutine"}, {"cpython", "CPython"}} {
			if o, ok := get("periodic", n, other.key, p50); ok {
				mark(a*5 <= o, "periodic at %d background tasks: p50 at least 5× below %s's: %s vs %s µs = %.1f×", n, other.name, num(a), num(o), o/a)
			}
		}
	}
	if a, ok := get("periodic-held", 0, "library", p50); ok {
		b, _ := get("periodic-held", 0, "library", p99)
		floor := ""
		if f, ok := get("periodic", 0, "floor", p99); ok {
			floor = fmt.Sprintf(" (the OS alone: p99 %s µs)", num(f))
		}
		mark(a <= 100 && b <= 300, "periodic with a task waiting for an interrupt: p50 ≤ 100 µs and p99 ≤ 300 µs: %s / %s µs%s", num(a), num(b), floor)
	}
	for _, n := range []int{0, 1000} {
		limit := 10.0
		if n > 0 {
			limit = 50
		}
		a, _ := get("interrupt", n, "library", p50)
		mark(a <= limit, "interrupt → task at %d background tasks: p50 ≤ %.0f µs: %s µs", n, limit, num(a))
		b, _ := get("interrupt", n, "library", p99)
		if g, ok := get("interrupt", n, "goroutines", p99); ok {
			mark(b <= 2*g, "interrupt → task at %d background tasks: p99 within 2× of a goroutine on a channel: %s vs %s µs = %.2f×", n, num(b), num(g), b/g)
		}
	}
	cpu := func(r result) float64 { return r.CPUms }
	li, _ := get("idle", 100, "library", cpu)
	gi, _ := get("idle", 100, "goroutines", cpu)
	mark(li <= 1.2*gi, "idle CPU within 20%% of goroutines': %s vs %s ms per 10 s = %.2f×", num(li), num(gi), li/gi)

	fmt.Fprintf(sb, "\nNotes:\n\n")
	fmt.Fprintf(sb, "- This library: the default loop (`asyncio.Run`), no Poller; on Linux it waits in a futex with a nanosecond timeout while a task sleeps, its thread's timer slack at 1 ns (given back as the loop parks), and on a channel while none does. Background tasks `Sleep(10 ms)` in a loop, their first wake-ups spread over 10 ms; the periodic task sleeps to absolute deadlines 1 ms apart. The interrupt is `ThreadSafeFlag.Set` from a goroutine, 0.5–1.5 ms apart.\n")
	fmt.Fprintf(sb, "- A task waiting for an interrupt (`ThreadSafeFlag.Wait`, never set) holds the loop: its timed waits then park the loop on a channel, and an alarm goroutine waits in the futex for the deadline and wakes it, so that an interrupt's task runs on the interrupting goroutine's thread at once. That costs the periodic task two goroutine switches and two system calls per wake-up; the row shows what a program that blinks while waiting for a button gets.\n")
	fmt.Fprintf(sb, "- Goroutines: the same with `time.Sleep` to each deadline (a runtime timer, as a `time.Ticker`'s), background goroutines sleeping 10 ms, and a channel send for the interrupt.\n")
	if haveSlack {
		fmt.Fprintf(sb, "- The OS alone: one locked OS thread at 1 ns timer slack calling nanosleep(2) to each deadline, with no scheduler and no background work: what any scheduler on this machine can at best reach. On a virtual machine its p99 is the hypervisor's time to wake an idle virtual CPU.\n")
	}
	fmt.Fprintf(sb, "- CPython: `asyncio.sleep` to each deadline; the interrupt is a thread calling `loop.call_soon_threadsafe(event.set)`.\n")
	fmt.Fprintf(sb, "- Idle: 100 tasks (goroutines: timers) each sleeping 1 s, wake-ups spread over the second; process CPU time (user + system) over the measurement.\n")
	fmt.Fprintf(sb, "- The machine is shared and noisy: compare columns of one run, and read the ranges.\n")
}

// writeSection puts the report into file between the section markers,
// replacing the previous one, or at the end.
func writeSection(file, text string) error {
	b, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := string(b)
	section := marker + "\n" + text + endMarker + "\n"
	if i := strings.Index(doc, marker); i >= 0 {
		if j := strings.Index(doc[i:], endMarker); j >= 0 {
			rest := doc[i+j+len(endMarker):]
			rest = strings.TrimPrefix(rest, "\n")
			doc = doc[:i] + section + rest
			return os.WriteFile(file, []byte(doc), 0o644)
		}
	}
	if doc != "" && !strings.HasSuffix(doc, "\n\n") {
		doc = strings.TrimRight(doc, "\n") + "\n\n"
	}
	return os.WriteFile(file, []byte(doc+section), 0o644)
}
