package main

import (
	"github.com/goasyncio/asyncio/internal/testenv"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	if runChild() { // a memory measurement started by memoryInChild
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// tinySizes keep the in-process workloads to a few milliseconds.
var tinySizes = sizes{W1Rounds: 200, W2Rounds: 2, W3Tasks: 200, W4Tasks: 100, W4Batches: 2, W5Tasks: 1000}

func TestGoWorkloads(t *testing.T) {
	testenv.SkipIfNoSubprocess(t) // the memory workload runs in a child process
	ours, floor, gor := measureGo(tinySizes, 1)
	for _, c := range []column{ours, floor, gor} {
		if len(c.Errors) > 0 {
			t.Errorf("%s: %v", c.Name, c.Errors)
		}
		for _, w := range workloads {
			v, ok := c.value(w.Key)
			if !ok || !(v > 0) || math.IsInf(v, 0) {
				t.Errorf("%s %s = %v (measured %v), want a positive number", c.Name, w.Key, v, ok)
			}
		}
	}
	r := &report{Reps: 1, Ours: ours, Floor: floor, Goroutines: gor,
		CPython:     column{Name: "CPython asyncio", NA: "skipped (-python \"\")"},
		MicroPython: column{Name: "MicroPython asyncio", NA: "node not found"},
		Sizes:       []sizeNote{{"Go", tinySizes}}}
	body := r.body()
	for _, w := range workloads {
		if !strings.Contains(body, "| "+w.Name+" ("+w.Unit+") |") {
			t.Errorf("table lacks row %q:\n%s", w.Name, body)
		}
	}
	for _, want := range []string{"| workload (unit) | this library |", "n/a", "within 1.3×", "under 1 µs",
		"CPython asyncio: n/a — skipped", "MicroPython asyncio: n/a — node not found"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q:\n%s", want, body)
		}
	}
	for _, bad := range []string{"NaN", "Inf", "%!"} {
		if strings.Contains(body, bad) {
			t.Errorf("report contains %q:\n%s", bad, body)
		}
	}
	lines := strings.Split(r.table(), "\n")
	if got := len(lines); got != len(workloads)+3 { // header, rule, rows, final ""
		t.Errorf("table has %d lines, want %d", got, len(workloads)+3)
	}
	cols := strings.Count(lines[0], "|")
	for _, l := range lines[1 : len(lines)-1] {
		if strings.Count(l, "|") != cols {
			t.Errorf("ragged table line %q", l)
		}
	}
	doc := r.header("go1.x", "Some CPU, 2 CPUs", "Python 3", "v20") + body
	if !strings.HasPrefix(doc, "# Benchmarks\n") || !strings.Contains(doc, "Some CPU") {
		t.Errorf("bad document header:\n%s", doc)
	}
}

func TestTargets(t *testing.T) {
	col := func(name string, vals map[string]float64) column {
		return column{Name: name, Median: vals}
	}
	r := &report{
		Ours:    col("ours", map[string]float64{"w1": 100, "w2": 200, "w3": 999}),
		Floor:   col("floor", map[string]float64{"w1": 80, "w2": 100}), // w1 1.25×, w2 2×
		CPython: col("CPython", map[string]float64{"w1": 4000}),
	}
	want := []string{"PASS", "FAIL", "PASS", "n/a", "PASS"}
	for i, tg := range r.targets() {
		if tg.Status != want[i] {
			t.Errorf("target %q: %s (%s), want %s", tg.Text, tg.Status, tg.Figure, want[i])
		}
	}
}

func TestParseResult(t *testing.T) {
	good := `{"impl": "x", "version": "1", "samples": {"w1": [3, 1, 2]}}`
	if r, err := parseResult([]byte(good + "\n{broken\n")); err == nil {
		t.Errorf("want an error when the last JSON line is broken, got %+v", r)
	}
	r, err := parseResult([]byte("warming up\n{broken\n" + good + "\ntrailing text\n"))
	if err != nil || r.Version != "1" {
		t.Fatalf("parseResult = %+v, %v", r, err)
	}
	col := fillColumn(newColumn("x"), r, nil)
	if v, ok := col.value("w1"); !ok || v != 2 {
		t.Errorf("median w1 = %v, %v; want 2", v, ok)
	}
	if _, ok := col.value("w2"); ok || len(col.Errors) != 4 {
		t.Errorf("missing workloads not reported: %v", col.Errors)
	}
	if _, err := parseResult([]byte("nothing\n")); err == nil {
		t.Error("want an error when no JSON is printed")
	}
}

func TestFormatting(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{num(1234567.8), "1,234,568"}, {num(123.4), "123"}, {num(12.34), "12.3"}, {num(1.234), "1.23"},
		{ratio(1.456), "1.46×"}, {ratio(45.67), "45.7×"}, {ratio(1234), "1,234×"}, {ratio(math.Inf(1)), "n/a"},
		{thousands(-1000), "-1,000"}, {thousands(999), "999"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if m := median([]float64{5, 1, 3}); m != 3 {
		t.Errorf("median = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median = %v", m)
	}
}

func TestScripts(t *testing.T) {
	b, err := os.ReadFile("bench_micropython.py")
	if err != nil {
		t.Fatal(err)
	}
	// The Node command line runs a file as an asyncio program only if it
	// ends exactly so.
	if !strings.HasSuffix(string(b), "\nasyncio.run(main())\n") {
		t.Error("bench_micropython.py must end with \"asyncio.run(main())\" and a newline")
	}
	for _, f := range []string{"bench_cpython.py", "package.json", "package-lock.json"} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
	if d := findDir(); !isFile(filepath.Join(d, "bench_cpython.py")) {
		t.Errorf("findDir = %q, which lacks bench_cpython.py", d)
	}
}

func TestChildSpec(t *testing.T) {
	for _, bad := range []string{"", "ours", "nope:10", "ours:0", "ours:x"} {
		if _, err := childMeasure(bad); err == nil {
			t.Errorf("childMeasure(%q) succeeded", bad)
		}
	}
}
