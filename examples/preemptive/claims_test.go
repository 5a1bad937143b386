package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goasyncio/asyncio/internal/golden"
)

// The README's section "The lecture's claims, measured" holds a table made
// from the checked-in benchmark tables and this lab's golden file, between
// these two lines; TestREADMEClaims checks it, and -update rewrites it.
const (
	claimsBegin = "<!-- claims table: made by go test ./examples/preemptive -run TestREADMEClaims -update; do not edit -->"
	claimsEnd   = "<!-- end of claims table -->"
)

// mdTable is a Markdown table: its header's cells and its rows' cells.
type mdTable struct {
	header []string
	rows   [][]string
}

// mdTables returns the tables of a Markdown file, in order.
func mdTables(t *testing.T, path string) []mdTable {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tables []mdTable
	lines := strings.Split(string(data), "\n")
	cells := func(line string) []string {
		c := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		for i := range c {
			c[i] = strings.TrimSpace(c[i])
		}
		return c
	}
	for i := 0; i+1 < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "|") || !strings.HasPrefix(lines[i+1], "|--") {
			continue
		}
		tb := mdTable{header: cells(lines[i])}
		for i += 2; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
			tb.rows = append(tb.rows, cells(lines[i]))
		}
		tables = append(tables, tb)
	}
	return tables
}

// cell returns the cell of the row whose first cell is row, in the column
// whose header starts with col.
func (tb mdTable) cell(t *testing.T, row, col string) string {
	t.Helper()
	return tb.cellOf(t, row, col, "")
}

// cellOf is cell of the first column whose header begins with col and ends
// with end.
func (tb mdTable) cellOf(t *testing.T, row, col, end string) string {
	t.Helper()
	c := -1
	for i, h := range tb.header {
		if strings.HasPrefix(h, col) && strings.HasSuffix(h, end) {
			c = i
			break
		}
	}
	for _, r := range tb.rows {
		if r[0] == row && c >= 0 && c < len(r) {
			return r[c]
		}
	}
	t.Fatalf("no cell %q, %q in the table headed %q", row, col, tb.header)
	return ""
}

// hasColumn reports whether a column's header starts with col.
func (tb mdTable) hasColumn(col string) bool {
	for _, h := range tb.header {
		if strings.HasPrefix(h, col) {
			return true
		}
	}
	return false
}

// find returns the first table with a column whose header starts with col.
func find(t *testing.T, tables []mdTable, path, col string) mdTable {
	t.Helper()
	for _, tb := range tables {
		if tb.hasColumn(col) {
			return tb
		}
	}
	t.Fatalf("%s: no table with a column %q", path, col)
	return mdTable{}
}

// goldenLine returns the line of testdata/name that starts with prefix.
func goldenLine(t *testing.T, name, prefix string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	t.Fatalf("testdata/%s: no line starting %q", name, prefix)
	return ""
}

// thousands formats n with commas between thousands, as the benchmark
// tables do.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// sharedCounterSize reads the size of TestSharedCounterWithoutLocks from
// its source: its tasks, and the rounds of each, which adds 2 a round.
func sharedCounterSize(t *testing.T, path string) (tasks, rounds int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(data), "func TestSharedCounterWithoutLocks(")
	if !ok {
		t.Fatalf("%s: no TestSharedCounterWithoutLocks", path)
	}
	if _, err := fmt.Sscanf(strings.TrimSpace(body[strings.Index(body, "\n"):]), "const tasks, rounds = %d, %d", &tasks, &rounds); err != nil {
		t.Fatalf("%s: TestSharedCounterWithoutLocks does not start with const tasks, rounds = ...: %v", path, err)
	}
	if !strings.Contains(body, "counter != tasks*rounds*2") {
		t.Fatalf("%s: TestSharedCounterWithoutLocks no longer checks tasks*rounds*2", path)
	}
	return tasks, rounds
}

// claimsTable makes the README's claims table: every figure in it is read
// from docs/benchmarks.md, docs/benchmarks-echo.md or this lab's golden
// file.
func claimsTable(t *testing.T) string {
	root := filepath.Join("..", "..")
	cmpPath := filepath.Join(root, "docs", "benchmarks.md")
	echoPath := filepath.Join(root, "docs", "benchmarks-echo.md")
	cmp := find(t, mdTables(t, cmpPath), cmpPath, "this library")
	echoTables := mdTables(t, echoPath)
	rate := find(t, echoTables, echoPath, "streams / CPython streams")
	cpu := find(t, echoTables, echoPath, "user space, CPython / ours: streams")

	counterTasks, counterRounds := sharedCounterSize(t, filepath.Join(root, "task_test.go"))
	const (
		w1 = "w1: switch, 2 tasks (ns/switch)"
		w5 = "w5: memory per sleeping task (bytes)"
	)
	var b strings.Builder
	row := func(cells ...string) { fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | ")) }
	row("the lecture says", "what the library does", "the figure", "to reproduce it")
	b.WriteString("|---|---|---|---|\n")
	row("**Light-weight**",
		"A task is a coroutine (`iter.Pull`) that one loop goroutine resumes; a switch involves no other goroutine.",
		fmt.Sprintf("A switch between 2 tasks: %s ns, against %s ns for goroutines handing on a baton, %s ns in CPython and %s ns in MicroPython. A sleeping task: %s bytes, against %s for a blocked goroutine, %s in CPython and %s in MicroPython: a task weighs what a goroutine does, not what a MicroPython task does ([docs/benchmarks.md](docs/benchmarks.md), w1 and w5).",
			cmp.cell(t, w1, "this library"), cmp.cell(t, w1, "Go goroutines"), cmp.cell(t, w1, "CPython"), cmp.cell(t, w1, "MicroPython"),
			cmp.cell(t, w5, "this library"), cmp.cell(t, w5, "Go goroutines"), cmp.cell(t, w5, "CPython"), cmp.cell(t, w5, "MicroPython")),
		"`go run ./bench/compare`")
	row("**Optimised for I/O-bound tasks**",
		"`stream`: a task per connection, or a `stream.Protocol` whose callbacks the loop calls with no task switch per request (CPython's asyncio.Protocol); on Linux the loop waits in epoll itself and reads and writes with non-blocking system calls.",
		fmt.Sprintf("An echo server at 100 connections, a task per connection: %s round trips/s, against %s for a goroutine per connection (%s) and %s for CPython's asyncio streams (%s). Server CPU time per round trip at 1,000 connections, user + kernel: %s with a task per connection and %s with a Protocol, against %s for goroutines, %s for CPython's streams and %s for CPython's Protocol ([docs/benchmarks-echo.md](docs/benchmarks-echo.md)).",
			rate.cell(t, "100", "this library, streams"), rate.cell(t, "100", "Go, goroutine"), rate.cell(t, "100", "streams / goroutines"),
			rate.cellOf(t, "100", "CPython", "streams"), rate.cell(t, "100", "streams / CPython streams"),
			cpu.cell(t, "1,000", "this library, streams"), cpu.cell(t, "1,000", "this library, Protocol"), cpu.cell(t, "1,000", "Go, goroutine"),
			cpu.cellOf(t, "1,000", "CPython", "streams"), cpu.cellOf(t, "1,000", "CPython", "Protocol")),
		"`go run ./bench/echo`")
	row("**Less bug, no race condition**",
		"Tasks run one at a time, and switch only at an await: code between two awaits runs whole, and shares plain variables without locks. A read before an await and a write after it can still lose an update, and no race detector sees that.",
		fmt.Sprintf("`examples/preemptive`, part 1, tasks (`-virtual`, the golden run): \"%s\" on every run; goroutines lose updates, a different number each run, and the race detector reports them. `TestSharedCounterWithoutLocks`: %s tasks making %s increments, the count exact and the race detector silent.",
			goldenLine(t, "tasks.golden", "tasks (cooperative): count "), thousands(counterTasks), thousands(counterTasks*counterRounds*2)),
		"`go run -race ./examples/preemptive -part 1`; `go test -race -run TestSharedCounterWithoutLocks .`")
	row("**Hard to program: you must know when to yield**",
		"A task that blocks blocks every task. `asyncio.DebugSlowTasks` reports a task that runs too long without yielding while it still runs, with its stack, and again when it yields; `asyncio.ToThread` moves blocking code off the loop.",
		fmt.Sprintf("`examples/preemptive`, part 2, tasks (`-virtual -block 300ms`, the golden run): \"%s\"; goroutines go on blinking. With `-debug` the report names worker 2 and shows it in `time.Sleep`.",
			goldenLine(t, "tasks.golden", "tasks (cooperative): green changed ")),
		"`go run ./examples/preemptive -part 2 -debug`")
	row("**The concept is hard to understand**",
		"Every function that may pause takes the task's `*asyncio.Ctx`, so a pause shows in the code; a deadlock ends `Run` with an error naming the blocked tasks; the virtual clock makes every run of a timed program the same; the virtual board shows the LEDs and a timing diagram.",
		"No figure: this one is not measured.",
		"`go run ./cmd/board preemptive`")
	return b.String()
}

// TestREADMEClaims checks that the README's claims table is the one
// claimsTable makes from the checked-in tables, so that each figure in it is
// one of theirs; -update rewrites it.
func TestREADMEClaims(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin := bytes.Index(readme, []byte(claimsBegin+"\n"))
	end := bytes.Index(readme, []byte(claimsEnd))
	if begin < 0 || end < begin {
		t.Fatalf("README.md has no claims table between %q and %q", claimsBegin, claimsEnd)
	}
	begin += len(claimsBegin) + 1
	want := claimsTable(t)
	if got := string(readme[begin:end]); got != want {
		if *golden.Update {
			out := append(append(append([]byte(nil), readme[:begin]...), want...), readme[end:]...)
			if err := os.WriteFile(path, out, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's claims table is not the one the checked-in tables make (go test ./examples/preemptive -run TestREADMEClaims -update rewrites it)\ngot:\n%s\nwant:\n%s", got, want)
	}
}
