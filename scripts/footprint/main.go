//go:build linux

// Command footprint measures what the library costs and writes
// docs/footprint.md:
//
//   - the stripped size of the example programs, and of a stock Go
//     hello-world, for each architecture (linux/amd64, arm with GOARM=6 and
//     7, arm64, riscv64, and js/wasm);
//   - peak RSS and bytes per task with 10, 1,000 and 100,000 sleeping tasks,
//     natively and on linux/arm under qemu-user (scripts/footprint/probe);
//   - allocations per task switch and per sleep, from the root package's
//     benchmarks, natively and on linux/arm under qemu: they must be 0.
//
// Run it from the repository (scripts/footprint.sh does, installing
// qemu-user-static first when it may):
//
//	go run ./scripts/footprint              # writes docs/footprint.md
//	go run ./scripts/footprint -o -         # prints it instead
//
// It needs Linux, and qemu-arm-static for the linux/arm columns (without
// it those columns say so). It exits 1 if a steady-state benchmark
// allocates.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// target is a GOOS/GOARCH(/GOARM) to build for.
type target struct {
	name string // as shown, e.g. "linux/arm v7"
	env  []string
}

var targets = []target{
	{"linux/amd64", []string{"GOOS=linux", "GOARCH=amd64"}},
	{"linux/arm (GOARM=6)", []string{"GOOS=linux", "GOARCH=arm", "GOARM=6"}},
	{"linux/arm (GOARM=7)", []string{"GOOS=linux", "GOARCH=arm", "GOARM=7"}},
	{"linux/arm64", []string{"GOOS=linux", "GOARCH=arm64"}},
	{"linux/riscv64", []string{"GOOS=linux", "GOARCH=riscv64"}},
	{"js/wasm", []string{"GOOS=js", "GOARCH=wasm"}},
}

// armTarget is the 32-bit target measured under qemu.
var armTarget = target{"linux/arm (GOARM=7)", []string{"GOOS=linux", "GOARCH=arm", "GOARM=7"}}

const armQemu = "qemu-arm-static"

// programs are the binaries whose size is measured; "hello" is generated.
var programs = []struct{ name, pkg string }{
	{"hello", ""},
	{"examples/blink", "./examples/blink"},
	{"examples/traffic-light", "./examples/traffic-light"},
}

const helloSource = `package main

import "fmt"

func main() { fmt.Println("hello, world") }
`

var (
	out      = flag.String("o", "docs/footprint.md", "where to write the report; - for standard output")
	counts   = flag.String("tasks", "10,1000,100000", "numbers of sleeping tasks to measure")
	reps     = flag.Int("reps", 3, "runs of each memory measurement; the median is kept")
	armBench = flag.String("armbenchtime", "20000x", "-benchtime of the benchmarks under qemu")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "footprint:", err)
		os.Exit(1)
	}
}

func run() error {
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run it from the repository's root (go run ./scripts/footprint)")
	}
	var tasks []int
	for _, f := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("bad -tasks %q", *counts)
		}
		tasks = append(tasks, n)
	}
	tmp, err := os.MkdirTemp("", "footprint")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	r := &report{Tasks: tasks}
	r.GoVersion = strings.TrimSpace(output("go", "version"))
	r.CPU = cpuModel()
	_, err = exec.LookPath(armQemu)
	r.HasQemu = err == nil
	if r.HasQemu {
		r.QemuVersion = firstLine(output(armQemu, "--version"))
	}

	log("binary sizes")
	if err := r.measureSizes(tmp); err != nil {
		return err
	}
	log("memory per task")
	if err := r.measureMemory(tmp); err != nil {
		return err
	}
	log("allocations")
	if err := r.measureAllocs(); err != nil {
		return err
	}

	doc := r.markdown()
	if *out == "-" {
		_, err = io.WriteString(os.Stdout, doc)
	} else {
		err = os.WriteFile(*out, []byte(doc), 0o644)
		log("wrote " + *out)
	}
	if err != nil {
		return err
	}
	if bad := r.allocating(); len(bad) > 0 {
		return fmt.Errorf("steady state allocates: %s", strings.Join(bad, ", "))
	}
	return nil
}

var start = time.Now()

func log(s string) { fmt.Fprintf(os.Stderr, "footprint: %5.1fs %s\n", time.Since(start).Seconds(), s) }

// output runs a command and returns its standard output, or "".
func output(name string, args ...string) string {
	b, _ := exec.Command(name, args...).Output()
	return string(b)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return fmt.Sprintf("%s, %d CPUs", strings.TrimSpace(v), runtime.NumCPU())
		}
	}
	return fmt.Sprintf("%d CPUs", runtime.NumCPU())
}

type report struct {
	GoVersion, CPU, QemuVersion string
	HasQemu                     bool
	Tasks                       []int

	Sizes map[string]map[string]int64 // program → target → bytes

	Native, Arm memRow // baseline (0 tasks) and one run per count
	HelloRSS    struct{ Native, Arm int64 }

	Benches []bench
}

// memRow is the memory measurements on one platform.
type memRow struct {
	Name string
	Base probeResult         // 0 tasks
	ByN  map[int]probeResult // n tasks
	Err  string
}

type probeResult struct {
	Tasks   int   `json:"tasks"`
	GoBytes int64 `json:"go_bytes"`
	Heap    int64 `json:"heap_bytes"`
	Stack   int64 `json:"stack_bytes"`
	VmHWM   int64 `json:"vmhwm_bytes"`
	MaxRSS  int64 // the child's peak RSS from wait4's rusage, bytes
}

type bench struct {
	Platform    string
	Name        string
	NsPerOp     float64
	BytesPerOp  float64
	AllocsPerOp float64
}

// build builds pkg (a directory, or a package path relative to dir) for t
// and returns the binary's path.
func build(t target, dir, pkg, outPath string, stripped bool) error {
	args := []string{"build", "-trimpath", "-o", outPath}
	if stripped {
		args = append(args, "-ldflags=-s -w")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Env = append(cmd.Env, t.env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s for %s: %v\n%s", pkg, t.name, err, b)
	}
	return nil
}

func (r *report) measureSizes(tmp string) error {
	helloDir := filepath.Join(tmp, "hello")
	if err := os.MkdirAll(helloDir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(helloDir, "go.mod"), []byte("module hello\n\ngo 1.23\n"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(helloDir, "main.go"), []byte(helloSource), 0o644); err != nil {
		return err
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	r.Sizes = map[string]map[string]int64{}
	for _, p := range programs {
		dir, pkg := wd, p.pkg
		if p.pkg == "" {
			dir, pkg = helloDir, "."
		} else if _, err := os.Stat(p.pkg); err != nil {
			continue // an example that does not exist here
		}
		r.Sizes[p.name] = map[string]int64{}
		for i, t := range targets {
			bin := filepath.Join(tmp, fmt.Sprintf("size-%d-%s", i, filepath.Base(p.name)))
			if err := build(t, dir, pkg, bin, true); err != nil {
				return err
			}
			fi, err := os.Stat(bin)
			if err != nil {
				return err
			}
			r.Sizes[p.name][t.name] = fi.Size()
		}
	}
	return nil
}

// runProbe runs the probe binary (under emu when not "") and returns its
// result and the process's peak RSS as the kernel saw it.
func runProbe(emu, bin string, n int) (probeResult, error) {
	var cmd *exec.Cmd
	if emu != "" {
		cmd = exec.Command(emu, bin, "-tasks", strconv.Itoa(n))
	} else {
		cmd = exec.Command(bin, "-tasks", strconv.Itoa(n))
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return probeResult{}, fmt.Errorf("probe -tasks %d: %v: %s", n, err, stderr.String())
	}
	var p probeResult
	if err := json.Unmarshal(b, &p); err != nil {
		return probeResult{}, fmt.Errorf("probe -tasks %d: %v in %q", n, err, b)
	}
	p.MaxRSS = maxRSS(cmd)
	return p, nil
}

func maxRSS(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return 0
}

// median runs f reps times and keeps the run with the median peak RSS.
func median(reps int, f func() (probeResult, error)) (probeResult, error) {
	var rs []probeResult
	for range reps {
		p, err := f()
		if err != nil {
			return p, err
		}
		rs = append(rs, p)
	}
	slices.SortFunc(rs, func(a, b probeResult) int { return int(a.MaxRSS - b.MaxRSS) })
	return rs[len(rs)/2], nil
}

func (r *report) measureMemory(tmp string) error {
	native := target{"linux/" + runtime.GOARCH, []string{"GOOS=linux", "GOARCH=" + runtime.GOARCH}}
	platforms := []struct {
		row *memRow
		t   target
		emu string
	}{
		{&r.Native, native, ""},
		{&r.Arm, armTarget, armQemu},
	}
	r.Native.Name = native.name + ", native"
	r.Arm.Name = armTarget.name + ", under " + armQemu
	for i, p := range platforms {
		p.row.ByN = map[int]probeResult{}
		if p.emu != "" && !r.HasQemu {
			p.row.Err = armQemu + " is not installed"
			continue
		}
		bin := filepath.Join(tmp, fmt.Sprintf("probe-%d", i))
		if err := build(p.t, "", "./scripts/footprint/probe", bin, true); err != nil {
			return err
		}
		hello := filepath.Join(tmp, "hello-"+strconv.Itoa(i))
		if err := build(p.t, filepath.Join(tmp, "hello"), ".", hello, true); err != nil {
			return err
		}
		var helloRSS []int64
		for range *reps {
			cmd := exec.Command(hello)
			if p.emu != "" {
				cmd = exec.Command(p.emu, hello)
			}
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("hello on %s: %v", p.t.name, err)
			}
			helloRSS = append(helloRSS, maxRSS(cmd))
		}
		slices.Sort(helloRSS)
		if p.emu == "" {
			r.HelloRSS.Native = helloRSS[len(helloRSS)/2]
		} else {
			r.HelloRSS.Arm = helloRSS[len(helloRSS)/2]
		}
		for _, n := range append([]int{0}, r.Tasks...) {
			log(fmt.Sprintf("  %s: %d tasks", p.row.Name, n))
			res, err := median(*reps, func() (probeResult, error) { return runProbe(p.emu, bin, n) })
			if err != nil {
				return err
			}
			if n == 0 {
				p.row.Base = res
			} else {
				p.row.ByN[n] = res
			}
		}
	}
	return nil
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// parseBench reads go test -bench -benchmem output.
func parseBench(platform, text string) []bench {
	var bs []bench
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		b := bench{Platform: platform, Name: strings.TrimPrefix(m[1], "Benchmark")}
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				b.NsPerOp = v
			case "B/op":
				b.BytesPerOp = v
			case "allocs/op":
				b.AllocsPerOp = v
			}
		}
		bs = append(bs, b)
	}
	return bs
}

const benchPattern = "^Benchmark(Switch2|Switch1000|Sleep)$"

func (r *report) measureAllocs() error {
	runs := []struct {
		platform string
		env      []string
		args     []string
	}{
		{"linux/" + runtime.GOARCH + ", native", nil, []string{"-benchtime=1s"}},
	}
	if r.HasQemu {
		runs = append(runs, struct {
			platform string
			env      []string
			args     []string
		}{armTarget.name + ", under " + armQemu, armTarget.env, []string{"-benchtime=" + *armBench, "-exec", armQemu}})
	}
	for _, run := range runs {
		log("  benchmarks, " + run.platform)
		args := append([]string{"test", "-run", "^$", "-bench", benchPattern, "-benchmem", "-count=1"}, run.args...)
		cmd := exec.Command("go", append(args, ".")...)
		cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), run.env...)
		b, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		bs := parseBench(run.platform, string(b))
		if len(bs) == 0 {
			return fmt.Errorf("no benchmark results in:\n%s", b)
		}
		r.Benches = append(r.Benches, bs...)
	}
	return nil
}

func (r *report) allocating() []string {
	var bad []string
	for _, b := range r.Benches {
		if b.AllocsPerOp != 0 || b.BytesPerOp != 0 {
			bad = append(bad, fmt.Sprintf("%s on %s: %v allocs/op", b.Name, b.Platform, b.AllocsPerOp))
		}
	}
	return bad
}

// --- the document ---

// summary writes the headline figures: the price and the gain.
func (r *report) summary(w func(string, ...any)) {
	w("In short:\n\n")
	if sz := r.Sizes["examples/blink"]; sz != nil {
		t := armTarget.name
		w("- **Size:** the blink lab is %s stripped on %s, %s more than a stock Go hello-world.\n",
			kb(sz[t]), t, kb(sz[t]-r.Sizes["hello"][t]))
	}
	if n := r.largest(); n > 0 {
		w("- **Memory:** a sleeping task costs %s B on %s (Go's count at %s tasks)",
			perTask(r.Native.ByN[n].GoBytes, n), strings.TrimSuffix(r.Native.Name, ", native"), thousands(int64(n)))
		if r.Arm.Err == "" {
			w(" and %s B on 32-bit ARM", perTask(r.Arm.ByN[n].GoBytes, n))
		}
		w("; in MicroPython about %d–%d B.\n", mpTaskLow, mpTaskHigh)
	}
	if bad := r.allocating(); len(bad) == 0 && len(r.Benches) > 0 {
		w("- **Allocations:** none per task switch or per sleep in steady state.\n")
	} else if len(bad) > 0 {
		w("- **Allocations:** steady state allocates: %s.\n", strings.Join(bad, "; "))
	}
	w("\n")
}

// MicroPython's figures, with where they come from.
const (
	mpTaskLow, mpTaskHigh = 96, 119 // bytes per sleeping task
	mpWasmPath            = "bench/compare/node_modules/@micropython/micropython-webassembly-pyscript/micropython.wasm"
)

// largest returns the largest task count measured.
func (r *report) largest() int {
	if len(r.Tasks) == 0 {
		return 0
	}
	return slices.Max(r.Tasks)
}

func kb(b int64) string { return thousands(int64(float64(b)/1024+0.5)) + " KiB" }
func mb(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

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

func perTask(total int64, n int) string {
	return thousands(int64(float64(total)/float64(n) + 0.5))
}

func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Footprint\n\n")
	w("What the library costs in binary size and memory, and what it allocates while it runs. Produced by\n")
	w("`scripts/footprint.sh` (which runs `go run ./scripts/footprint`); do not edit by hand.\n\n")
	w("Measured with %s on %s", r.GoVersion, r.CPU)
	if r.HasQemu {
		w("; linux/arm under %s", r.QemuVersion)
	}
	w(".\n\n")
	r.summary(w)

	// Sizes.
	w("## Binary size\n\n")
	w("Stripped (`-trimpath -ldflags=\"-s -w\"`, `CGO_ENABLED=0`) size of each program. `hello` is a stock Go\n")
	w("hello-world (`fmt.Println`), the floor every Go program pays for the runtime and `fmt`; the last\n")
	w("column is what `examples/blink` adds to it: the scheduler, the simulated board and `flag`.\n\n")
	var progs []string
	for _, p := range programs {
		if _, ok := r.Sizes[p.name]; ok {
			progs = append(progs, p.name)
		}
	}
	w("| target |")
	for _, p := range progs {
		w(" %s |", displayName(p))
	}
	w(" blink − hello |\n|---|")
	for range progs {
		w("--:|")
	}
	w("--:|\n")
	for _, t := range targets {
		w("| %s |", t.name)
		for _, p := range progs {
			w(" %s |", kb(r.Sizes[p][t.name]))
		}
		w(" %s |\n", kb(r.Sizes["examples/blink"][t.name]-r.Sizes["hello"][t.name]))
	}
	w("\n")
	if fi, err := os.Stat(mpWasmPath); err == nil {
		w("For scale: MicroPython 1.27's whole WebAssembly build (interpreter, compiler, standard modules\n")
		w("and asyncio), `micropython.wasm` from npm, is %s.\n\n", kb(fi.Size()))
	}

	// Memory.
	w("## Memory per task\n\n")
	w("`scripts/footprint/probe` parks n tasks in `Sleep` on the virtual clock. *Peak RSS* is the\n")
	w("process's high-water mark as the kernel reports it (wait4's `ru_maxrss`); *per task (RSS)* is\n")
	w("(peak RSS with n tasks − peak RSS with none) / n; *per task (Go)* is the Go runtime's own count,\n")
	w("after a GC with the tasks asleep, of live heap objects and goroutine stacks, minus the same before\n")
	w("the tasks were made, / n. The median of %d runs is shown. With 10 tasks the RSS difference is below\n", *reps)
	w("what RSS can resolve (the runtime maps memory in steps of 64 KB to 4 MB), so it is not shown, and\n")
	w("stacks come in spans of several at once, so the stack share is above 2 KB.\n\n")
	for _, row := range []memRow{r.Native, r.Arm} {
		w("### %s\n\n", row.Name)
		if row.Err != "" {
			w("Not measured: %s.\n\n", row.Err)
			continue
		}
		hello := r.HelloRSS.Native
		if row.Name == r.Arm.Name {
			hello = r.HelloRSS.Arm
			w("Under qemu-user the RSS is the emulator's process: it includes qemu itself and its translated\n")
			w("code. The row \"0 tasks\" is that baseline (the same program, parking no task); *per task (RSS)*\n")
			w("subtracts it. The Go column is the program's own accounting and does not include qemu.\n\n")
		}
		w("| tasks | peak RSS | per task (RSS) | per task (Go) | of which stack | of which heap |\n")
		w("|--:|--:|--:|--:|--:|--:|\n")
		w("| stock hello-world | %s | | | | |\n", mb(hello))
		w("| 0 | %s | | | | |\n", mb(row.Base.MaxRSS))
		for _, n := range r.Tasks {
			p := row.ByN[n]
			rss := "—"
			if d := p.MaxRSS - row.Base.MaxRSS; d >= 1<<20 {
				rss = perTask(d, n) + " B"
			}
			w("| %s | %s | %s | %s B | %s B | %s B |\n", thousands(int64(n)), mb(p.MaxRSS),
				rss, perTask(p.GoBytes, n), perTask(p.Stack, n), perTask(p.Heap, n))
		}
		w("\n")
	}
	w("A sleeping task costs its goroutine's stack, 2 KB, the smallest stack Go gives a goroutine, plus\n")
	w("its `Task`, its `iter.Pull` coroutine and the goroutine's descriptor on the heap; on 32-bit ARM the\n")
	w("heap part is smaller (4-byte pointers), the stack is not.\n\n")
	w("**Against MicroPython:** a sleeping task in MicroPython 1.27 costs about %d–%d bytes of its\n", mpTaskLow, mpTaskHigh)
	w("(32-bit) heap: its coroutine's frame lives on the heap and it has no stack of its own (measured\n")
	w("with `gc.mem_free()` under Node by `bench/compare`; see [benchmarks.md](benchmarks.md)).\n")
	if row, n := r.Arm, r.largest(); row.Err == "" && n > 0 {
		per := float64(row.ByN[n].GoBytes) / float64(n)
		w("A task here costs %.0f–%.0f× that on 32-bit ARM (%s B): %s tasks take %s there, where\n",
			per/mpTaskHigh, per/mpTaskLow, perTask(row.ByN[n].GoBytes, n), thousands(int64(n)), mb(row.ByN[n].GoBytes))
		w("MicroPython would need %s–%s. ", mb(int64(n*mpTaskLow)), mb(int64(n*mpTaskHigh)))
	}
	w("That is the price of tasks that are plain Go\n")
	w("functions with stacks of their own, which can call any Go code and pause anywhere in it; the gain\n")
	w("is speed (a task switch is two orders of magnitude faster than in MicroPython's WebAssembly build, see\n")
	w("[benchmarks.md](benchmarks.md)) and Go's type checking and tooling.\n\n")

	// Allocations.
	w("## Allocations in steady state\n\n")
	w("From `go test -run '^$' -bench '%s' -benchmem .` (under qemu with\n", benchPattern)
	w("`-benchtime=%s -exec %s`). `Switch2` and `Switch1000` measure one task switch (`Sleep(ctx, 0)`)\n", *armBench, armQemu)
	w("among 2 and 1,000 tasks, `Sleep` one timed sleep among 1,000 sleeping tasks (arm the timer, park,\n")
	w("fire, resume). The tasks are created before the timer starts, so these are steady-state figures;\n")
	w("`TestArchSteadyStateAllocatesNothing` checks the same with `testing.AllocsPerRun` on every\n")
	w("architecture the tests run on. Times under emulation are not comparable with native ones.\n\n")
	w("| platform | benchmark | ns/op | B/op | allocs/op |\n|---|---|--:|--:|--:|\n")
	for _, bn := range r.Benches {
		w("| %s | %s | %.0f | %.0f | %.0f |\n", bn.Platform, bn.Name, bn.NsPerOp, bn.BytesPerOp, bn.AllocsPerOp)
	}
	w("\n")
	if bad := r.allocating(); len(bad) > 0 {
		w("**Steady state allocates:** %s.\n\n", strings.Join(bad, "; "))
	} else {
		w("A task switch and a sleep allocate nothing.\n\n")
	}

	w("## Regenerating\n\n")
	w("```sh\nscripts/footprint.sh            # installs qemu-user-static if missing (as root), writes docs/footprint.md\n")
	w("go run ./scripts/footprint -o -  # the same, printed; needs qemu-arm-static for the linux/arm rows\n```\n\n")
	w("It takes a minute or two on an idle 2-core machine, most of it building for six targets and\n")
	w("running 100,000 tasks under qemu.\n")
	return b.String()
}

func displayName(p string) string { return "`" + p + "`" }
