package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// mpPackage is the npm package of MicroPython for WebAssembly; its version
// is pinned by package.json and package-lock.json next to this file.
const mpPackage = "@micropython/micropython-webassembly-pyscript"

// mpHeap is the MicroPython heap size given on the command line. The
// WebAssembly build grows its heap on demand, so it does not cap the number
// of tasks.
const mpHeap = "8m"

// scriptResult is the line of JSON the Python scripts print.
type scriptResult struct {
	Impl    string               `json:"impl"`
	Version string               `json:"version"`
	Samples map[string][]float64 `json:"samples"`
}

func runCPython(ctx context.Context, python, dir string, s sizes, reps int, timeout time.Duration) column {
	col := newColumn("CPython asyncio")
	if python == "" {
		col.NA = "skipped (-python \"\")"
		return col
	}
	exe, err := exec.LookPath(python)
	if err != nil {
		col.NA = python + " not found"
		return col
	}
	args := []string{filepath.Join(dir, "bench_cpython.py"),
		"--reps", fmt.Sprint(reps),
		"--w1-rounds", fmt.Sprint(s.W1Rounds),
		"--w2-tasks", fmt.Sprint(w2Tasks),
		"--w2-rounds", fmt.Sprint(s.W2Rounds),
		"--w3-tasks", fmt.Sprint(s.W3Tasks),
		"--w4-tasks", fmt.Sprint(s.W4Tasks),
		"--w4-batches", fmt.Sprint(s.W4Batches),
		"--w5-tasks", fmt.Sprint(s.W5Tasks),
	}
	res, err := runScript(ctx, timeout, dir, exe, args...)
	return fillColumn(col, res, err)
}

func runMicroPython(ctx context.Context, node, npm, dir string, s sizes, reps int, timeout time.Duration) column {
	col := newColumn("MicroPython asyncio")
	if node == "" {
		col.NA = "skipped (-node \"\")"
		return col
	}
	exe, err := exec.LookPath(node)
	if err != nil {
		col.NA = node + " not found"
		return col
	}
	mjs, err := installMicroPython(ctx, npm, dir)
	if err != nil {
		col.NA = err.Error()
		return col
	}
	// The Node command line runs the concatenation of the files it is given;
	// a first, generated file passes the sizes. The benchmark file comes last
	// because the text must end with "asyncio.run(main())\n".
	params, err := os.CreateTemp("", "bench-params-*.py")
	if err != nil {
		col.NA = err.Error()
		return col
	}
	defer os.Remove(params.Name())
	fmt.Fprintf(params, "ARGS = {'reps': %d, 'w1_rounds': %d, 'w2_tasks': %d, 'w2_rounds': %d, 'w3_tasks': %d, 'w4_tasks': %d, 'w4_batches': %d, 'w5_tasks': %d}\n",
		reps, s.W1Rounds, w2Tasks, s.W2Rounds, s.W3Tasks, s.W4Tasks, s.W4Batches, s.W5Tasks)
	if err := params.Close(); err != nil {
		col.NA = err.Error()
		return col
	}
	res, err := runScript(ctx, timeout, dir, exe, mjs, "-X", "heapsize="+mpHeap,
		params.Name(), filepath.Join(dir, "bench_micropython.py"))
	return fillColumn(col, res, err)
}

// installMicroPython returns the path of the package's command-line entry,
// installing the pinned package first if node_modules lacks it.
func installMicroPython(ctx context.Context, npm, dir string) (string, error) {
	mjs := filepath.Join(dir, "node_modules", filepath.FromSlash(mpPackage), "micropython.mjs")
	if _, err := os.Stat(mjs); err == nil {
		return mjs, nil
	}
	exe, err := exec.LookPath(npm)
	if err != nil {
		return "", fmt.Errorf("%s not installed and %s not found", mpPackage, npm)
	}
	sub := "install"
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err == nil {
		sub = "ci"
	}
	fmt.Fprintf(os.Stderr, "installing %s (npm %s --prefix %s)...\n", mpPackage, sub, dir)
	cmd := exec.CommandContext(ctx, exe, sub, "--prefix", dir, "--no-audit", "--no-fund")
	cmd.Dir = dir
	if outb, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm %s failed: %v: %s", sub, err, lastLine(outb))
	}
	if _, err := os.Stat(mjs); err != nil {
		return "", fmt.Errorf("npm %s did not provide %s", sub, mjs)
	}
	return mjs, nil
}

// runScript runs a benchmark script and decodes the last JSON line it
// prints.
func runScript(ctx context.Context, timeout time.Duration, dir, exe string, args ...string) (*scriptResult, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s timed out after %v", filepath.Base(exe), timeout)
	}
	res, perr := parseResult(stdout.Bytes())
	switch {
	case perr == nil:
		return res, nil
	case err != nil:
		return nil, fmt.Errorf("%s failed: %v: %s", filepath.Base(exe), err, lastLine(append(stderr.Bytes(), stdout.Bytes()...)))
	default:
		return nil, fmt.Errorf("%s: %v: %s", filepath.Base(exe), perr, lastLine(append(stdout.Bytes(), stderr.Bytes()...)))
	}
}

func parseResult(out []byte) (*scriptResult, error) {
	var line []byte
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if b := bytes.TrimSpace(sc.Bytes()); bytes.HasPrefix(b, []byte("{")) {
			line = append(line[:0], b...)
		}
	}
	if line == nil {
		return nil, errors.New("no JSON result printed")
	}
	var r scriptResult
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, fmt.Errorf("bad JSON result: %v", err)
	}
	return &r, nil
}

// fillColumn takes the medians of a script's samples.
func fillColumn(col column, res *scriptResult, err error) column {
	if err != nil {
		col.NA = err.Error()
		return col
	}
	col.Version = res.Version
	for _, w := range workloads {
		if xs := res.Samples[w.Key]; len(xs) > 0 {
			col.Median[w.Key] = median(xs)
		} else {
			col.Errors = append(col.Errors, w.Key+": no samples")
		}
	}
	return col
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	s := strings.TrimSpace(lines[len(lines)-1])
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "no output"
	}
	return s
}

// findDir locates bench/compare: relative to the current directory's module
// root, or else next to this source file.
func findDir() string {
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				if c := filepath.Join(d, "bench", "compare"); isDir(c) {
					return c
				}
				if isFile(filepath.Join(d, "bench_cpython.py")) {
					return d
				}
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
		if isFile(filepath.Join(wd, "bench_cpython.py")) {
			return wd
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		return filepath.Dir(file)
	}
	return "."
}

func isDir(p string) bool  { fi, err := os.Stat(p); return err == nil && fi.IsDir() }
func isFile(p string) bool { fi, err := os.Stat(p); return err == nil && !fi.IsDir() }

// cpuModel returns the first "model name" of /proc/cpuinfo and the number of
// CPUs listed there.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH + ", " + fmt.Sprint(runtime.NumCPU()) + " CPUs"
	}
	model, n := "", 0
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "processor":
			n++
		case "model name":
			if model == "" {
				model = strings.TrimSpace(v)
			}
		}
	}
	if model == "" {
		model = runtime.GOARCH
	}
	return fmt.Sprintf("%s, %d CPUs", model, n)
}

// toolVersion returns the first line a command prints for a version flag, or
// "not found".
func toolVersion(cmd, flag string) string {
	if cmd == "" {
		return "skipped"
	}
	exe, err := exec.LookPath(cmd)
	if err != nil {
		return "not found"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, exe, flag).CombinedOutput()
	if err != nil {
		return "unknown"
	}
	return lastLine(out)
}
