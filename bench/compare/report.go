package main

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// workload is a row of the table.
type workload struct {
	Key, Name, Unit string
}

var workloads = []workload{
	{"w1", "w1: switch, 2 tasks", "ns/switch"},
	{"w2", "w2: switch, 1000 tasks", "ns/switch"},
	{"w3", "w3: create + await, one at a time", "ns/task"},
	{"w4", "w4: create 10k, then await all", "ns/task"},
	{"w5", "w5: memory per sleeping task", "bytes"},
}

type sizeNote struct {
	Who string
	S   sizes
}

// report is everything one run measured.
type report struct {
	Reps    int
	Started time.Time
	Elapsed time.Duration
	Command string // how the run was started, for the doc header

	Ours, Floor, Goroutines column
	CPython, MicroPython    column
	Sizes                   []sizeNote
}

// value returns a column's median for a workload, if it was measured.
func (c *column) value(key string) (float64, bool) {
	if c.NA != "" {
		return 0, false
	}
	v, ok := c.Median[key]
	return v, ok
}

func (c *column) title() string {
	if c.Version == "" || strings.HasPrefix(c.Version, "go") {
		return c.Name
	}
	name, rest, _ := strings.Cut(c.Name, " ")
	return name + " " + c.Version + " " + rest
}

// num formats a measurement with three or so significant digits.
func num(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return thousands(int64(math.Round(v)))
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

func ratio(v float64) string {
	switch {
	case math.IsInf(v, 0) || math.IsNaN(v):
		return "n/a"
	case v >= 100:
		return thousands(int64(math.Round(v))) + "×"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + "×"
	default:
		return strconv.FormatFloat(v, 'f', 2, 64) + "×"
	}
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func count(n int) string { return thousands(int64(n)) }

func cell(c *column, key string) string {
	if v, ok := c.value(key); ok {
		return num(v)
	}
	return "n/a"
}

// quotient formats a/b for two cells, n/a when either is missing.
func quotient(a *column, b *column, key string) string {
	x, ok1 := a.value(key)
	y, ok2 := b.value(key)
	if !ok1 || !ok2 || y <= 0 || x <= 0 {
		return "n/a"
	}
	return ratio(x / y)
}

// table renders the Markdown table.
func (r *report) table() string {
	var b strings.Builder
	cols := []*column{&r.Ours, &r.Floor, &r.Goroutines, &r.CPython, &r.MicroPython}
	b.WriteString("| workload (unit) |")
	for _, c := range cols {
		b.WriteString(" " + c.title() + " |")
	}
	b.WriteString(" CPython / ours | MicroPython / ours | ours / floor |\n|---|")
	b.WriteString(strings.Repeat("--:|", len(cols)+3))
	b.WriteString("\n")
	for _, w := range workloads {
		fmt.Fprintf(&b, "| %s (%s) |", w.Name, w.Unit)
		for _, c := range cols {
			b.WriteString(" " + cell(c, w.Key) + " |")
		}
		fmt.Fprintf(&b, " %s | %s | %s |\n",
			quotient(&r.CPython, &r.Ours, w.Key),
			quotient(&r.MicroPython, &r.Ours, w.Key),
			quotient(&r.Ours, &r.Floor, w.Key))
	}
	return b.String()
}

// target is one of the project's performance goals.
type target struct {
	Text   string
	Figure string // the measured figure, or why there is none
	Status string // PASS, FAIL or n/a
}

func (r *report) targets() []target {
	var ts []target
	check := func(text string, v float64, ok bool, pass bool, fig string) {
		t := target{Text: text, Figure: "not measured", Status: "n/a"}
		if ok {
			t.Figure, t.Status = fig, "FAIL"
			if pass {
				t.Status = "PASS"
			}
		}
		ts = append(ts, t)
	}
	for _, k := range []string{"w1", "w2"} {
		o, ok1 := r.Ours.value(k)
		f, ok2 := r.Floor.value(k)
		q := o / f
		check(fmt.Sprintf("switch (%s) within 1.3× of the bare iter.Pull round trip", k), q, ok1 && ok2 && f > 0,
			q <= 1.3, fmt.Sprintf("%s vs %s ns = %s", num(o), num(f), ratio(q)))
	}
	for _, k := range []string{"w1", "w2"} {
		o, ok1 := r.Ours.value(k)
		c, ok2 := r.CPython.value(k)
		q := c / o
		check(fmt.Sprintf("switch (%s) at least 40× faster than CPython's asyncio", k), q, ok1 && ok2 && o > 0,
			q >= 40, fmt.Sprintf("%s vs %s ns = %s", num(c), num(o), ratio(q)))
	}
	o, ok := r.Ours.value("w3")
	check("create + finish a task (w3) under 1 µs", o, ok, o < 1000, num(o)+" ns")
	return ts
}

// body is the table, the targets and the notes.
func (r *report) body() string {
	var b strings.Builder
	b.WriteString(r.table())
	b.WriteString("\nTargets:\n\n")
	for _, t := range r.targets() {
		fmt.Fprintf(&b, "- **%s** %s: %s\n", t.Status, t.Text, t.Figure)
	}
	b.WriteString("\nNotes:\n\n")
	fmt.Fprintf(&b, "- Every figure is the median of %d runs. A switch is one task resumed until it yields back; "+
		"\"await all\" (w4) awaits the tasks one by one in creation order, the same in every column.\n", r.Reps)
	b.WriteString("- Go floor (iter.Pull), the mechanism the library is built on, without a scheduler: " +
		"a hub calling next on N suspended coroutines in turn (w1, w2); creating a coroutine and running it to its end (w3, w4); " +
		"one coroutine suspended at a yield (w5).\n")
	b.WriteString("- Go goroutines: a hub handing a baton over one channel per task (w1, w2); " +
		"spawning a goroutine and waiting for it to exit (w3, w4); one goroutine blocked on a channel (w5).\n")
	b.WriteString("- Memory (w5): Go counts the growth of runtime.MemStats HeapInuse+StackInuse after a GC, each run in a fresh process " +
		"(a process that ran other work reuses dead goroutines' descriptors and may start goroutines on 4 KB stacks instead of 2 KB); " +
		"CPython the growth traced by tracemalloc; MicroPython the drop of gc.mem_free() after gc.collect(). Ratios on this row compare bytes.\n")
	fmt.Fprintf(&b, "- MicroPython runs as WebAssembly under Node (-X heapsize=%s; this build grows its heap on demand, "+
		"so w4 creates as many tasks as in the other columns). Its time.ticks_us advances in whole milliseconds there, "+
		"so every sample lasts well over 100 ms.\n", mpHeap)
	for _, s := range r.Sizes {
		fmt.Fprintf(&b, "- Sizes, %s: %s.\n", s.Who, s.S)
	}
	for _, c := range []*column{&r.Ours, &r.Floor, &r.Goroutines, &r.CPython, &r.MicroPython} {
		if c.NA != "" {
			fmt.Fprintf(&b, "- %s: n/a — %s.\n", c.Name, strings.TrimSuffix(c.NA, "."))
		}
		for _, e := range c.Errors {
			fmt.Fprintf(&b, "- %s failed: %s.\n", c.Name, e)
		}
	}
	return b.String()
}

// header starts the Markdown document written by -o.
func (r *report) header(goVersion, cpu, python, node string) string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	cmd := r.Command
	if cmd == "" {
		cmd = "go run ./bench/compare"
	}
	fmt.Fprintf(&b, "Generated by `%s`; rerun it to refresh this file.\n\n", cmd)
	fmt.Fprintf(&b, "- Date: %s\n", r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- Go: %s %s/%s, GOMAXPROCS %d\n", goVersion, runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	fmt.Fprintf(&b, "- CPU: %s\n", cpu)
	fmt.Fprintf(&b, "- CPython: %s\n", python)
	if r.MicroPython.Version != "" {
		node += ", running MicroPython " + r.MicroPython.Version + " (WebAssembly)"
	}
	fmt.Fprintf(&b, "- Node: %s\n", node)
	if r.Elapsed > 0 {
		fmt.Fprintf(&b, "- Run time: %s\n", r.Elapsed.Round(time.Second))
	}
	b.WriteString("\n")
	return b.String()
}
