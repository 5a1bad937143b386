package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// childEnv, when set to "kind:n" in the environment, makes the program (or
// the test binary) run one memory measurement and print its result instead
// of doing anything else.
const childEnv = "ASYNCIO_BENCH_COMPARE_MEMORY"

var memoryKinds = map[string]func(n int) (float64, error){
	"ours":       oursMemory,
	"pull":       func(n int) (float64, error) { return pullMemory(n), nil },
	"goroutines": func(n int) (float64, error) { return goMemory(n), nil },
}

// memoryInChild measures bytes per sleeping task in a fresh process. In a
// process that has already run other workloads the figure drifts: the runtime
// keeps the descriptors of exited goroutines for reuse, and it sizes new
// goroutine stacks (2 or 4 KB) from the average it scanned at the last GC.
func memoryInChild(kind string, n int) (float64, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%d", childEnv, kind, n))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("memory measurement (%s): %v: %s", kind, err, lastLine([]byte(stderr.String())))
	}
	v, err := strconv.ParseFloat(lastLine(out), 64)
	if err != nil {
		return 0, fmt.Errorf("memory measurement (%s): bad output %q", kind, lastLine(out))
	}
	return v, nil
}

// runChild does the measurement asked for by childEnv, if any, and reports
// whether it was asked; the caller then exits.
func runChild() bool {
	spec, ok := os.LookupEnv(childEnv)
	if !ok {
		return false
	}
	os.Unsetenv(childEnv)
	v, err := childMeasure(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(strconv.FormatFloat(v, 'f', -1, 64))
	return true
}

func childMeasure(spec string) (float64, error) {
	kind, ns, _ := strings.Cut(spec, ":")
	f, ok := memoryKinds[kind]
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 {
		return 0, errors.New("bad " + childEnv + " value " + strconv.Quote(spec))
	}
	return f(n)
}
