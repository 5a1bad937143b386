// Command compare measures the same asyncio workloads in this library, in
// bare Go, in CPython's asyncio and in MicroPython's asyncio, in one run, and
// prints a Markdown table of the medians with the ratios between them.
//
// Usage, from the repository root:
//
//	go run ./bench/compare                       # print the table
//	go run ./bench/compare -o docs/benchmarks.md # also write the checked-in doc
//
// The workloads, the same everywhere:
//
//	w1  ns per switch: 2 tasks looping sleep(0)
//	w2  ns per switch: 1000 tasks looping sleep(0)
//	w3  ns per task: create a task and await it, one at a time
//	w4  ns per task: create 10,000 tasks, then await each of them
//	w5  bytes per sleeping task (many tasks sleeping an hour, then cancelled)
//
// The columns:
//
//   - this library: the asyncio package, in process (Run, CreateTask, Await,
//     Sleep).
//   - Go floor (iter.Pull): what the library is built on, with no scheduler:
//     a hub calling next on N iter.Pull coroutines (w1, w2); creating a
//     coroutine and running it to its end (w3, w4); a suspended coroutine
//     (w5).
//   - Go goroutines: the same with plain goroutines: a channel baton per
//     task (w1, w2); spawning a goroutine and waiting for it to exit (w3, w4);
//     a goroutine parked on a channel (w5).
//   - CPython: python3 bench/compare/bench_cpython.py (tracemalloc for w5).
//   - MicroPython: bench_micropython.py on MicroPython 1.27 compiled to
//     WebAssembly, under Node (npm package
//     @micropython/micropython-webassembly-pyscript, pinned by this
//     directory's package.json and package-lock.json and installed with npm ci
//     when node_modules is missing). Measured inside a task with
//     time.ticks_us and gc.mem_free.
//
// Each measurement is repeated (-reps) and the median is reported. Memory for
// Go is the growth of runtime.MemStats HeapInuse+StackInuse after a GC. If
// python3 or node (or the npm install) is not available, that column says
// n/a and why. Under the table the project's targets are checked: a switch
// within 1.3x of the bare iter.Pull round trip, at least 40x faster than
// CPython's asyncio per switch, and create+finish of a task under 1 µs.
//
// Flags:
//
//	-o FILE      also write the table, with a header (date, Go version, CPU),
//	             to FILE
//	-reps N      repetitions of each measurement (default 5)
//	-scale F     multiply every iteration count by F (default 1; the 1000
//	             tasks of w2 stay 1000)
//	-python CMD  CPython interpreter (default python3; "" skips CPython)
//	-node CMD    Node.js (default node; "" skips MicroPython)
//	-npm CMD     npm, used only to install the pinned MicroPython (default npm)
//	-dir DIR     directory holding the scripts and package.json (default:
//	             bench/compare of the module containing the current directory)
//	-timeout D   limit for each of the CPython and MicroPython runs (default 3m)
//
// The whole run takes well under two minutes on a two-core machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	if runChild() {
		return
	}
	out := flag.String("o", "", "also write the table with a header to this Markdown `file`")
	reps := flag.Int("reps", 5, "repetitions of each measurement; the median is reported")
	scale := flag.Float64("scale", 1, "multiply every iteration count by this `factor`")
	python := flag.String("python", "python3", "CPython `command`; empty to skip")
	node := flag.String("node", "node", "Node.js `command` running MicroPython; empty to skip")
	npm := flag.String("npm", "npm", "npm `command` installing the pinned MicroPython package")
	dir := flag.String("dir", "", "`directory` with the scripts and package.json (default: found from the module root)")
	timeout := flag.Duration("timeout", 3*time.Minute, "limit for each external run")
	flag.Parse()
	if *reps < 1 || *scale <= 0 {
		fmt.Fprintln(os.Stderr, "compare: -reps must be at least 1 and -scale positive")
		os.Exit(2)
	}
	if *dir == "" {
		*dir = findDir()
	}

	r := &report{Reps: *reps, Started: time.Now(), Command: strings.Join(append([]string{"go run ./bench/compare"}, os.Args[1:]...), " ")}
	progress("Go (this library, iter.Pull, goroutines)")
	goSz := goSizes.scaled(*scale)
	r.Ours, r.Floor, r.Goroutines = measureGo(goSz, *reps)
	r.Sizes = append(r.Sizes, sizeNote{"Go (all three columns)", goSz})

	ctx := context.Background()
	pySz := pythonSizes.scaled(*scale)
	progress("CPython")
	r.CPython = runCPython(ctx, *python, *dir, pySz, *reps, *timeout)
	if r.CPython.NA == "" {
		r.Sizes = append(r.Sizes, sizeNote{"CPython", pySz})
	}
	mpSz := microSizes.scaled(*scale)
	progress("MicroPython")
	r.MicroPython = runMicroPython(ctx, *node, *npm, *dir, mpSz, *reps, *timeout)
	if r.MicroPython.NA == "" {
		r.Sizes = append(r.Sizes, sizeNote{"MicroPython", mpSz})
	}
	r.Elapsed = time.Since(r.Started)

	fmt.Print(r.body())
	if *out != "" {
		doc := r.header(runtime.Version(), cpuModel(), toolVersion(*python, "--version"), toolVersion(*node, "--version")) + r.body()
		doc += keptSections(*out)
		if err := os.WriteFile(*out, []byte(doc), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "wrote", *out)
	}
}

// keptSections returns the sections of file that other benchmarks write
// (bench/latency's, between its markers), so that rewriting the file keeps
// them.
func keptSections(file string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	const begin, end = "<!-- bench/latency -->", "<!-- /bench/latency -->"
	doc := string(b)
	i := strings.Index(doc, begin)
	if i < 0 {
		return ""
	}
	j := strings.Index(doc[i:], end)
	if j < 0 {
		return ""
	}
	return "\n" + doc[i:i+j+len(end)] + "\n"
}

func progress(what string) { fmt.Fprintf(os.Stderr, "measuring %s...\n", what) }
