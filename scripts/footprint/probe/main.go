// Command probe parks n tasks in Sleep on the virtual clock and prints, as
// one JSON line, what they cost: the Go runtime's own accounting of live heap
// and stacks before and after, and the process's resident set (VmRSS and
// its peak, VmHWM) read from /proc/self/status at the end of the run.
// scripts/footprint runs it natively and under qemu.
//
// Usage:
//
//	probe -tasks 100000
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
)

// Result is what probe prints.
type Result struct {
	GOARCH string `json:"goarch"`
	Tasks  int    `json:"tasks"`
	// Go's accounting, after a GC, with the tasks asleep minus the same
	// before they were created: live heap objects (HeapAlloc) and goroutine
	// stacks (StackInuse, which grows in spans of several stacks).
	GoBytes int64 `json:"go_bytes"`
	Heap    int64 `json:"heap_bytes"`
	Stack   int64 `json:"stack_bytes"`
	Sys     int64 `json:"sys_bytes"` // memory the runtime took from the OS
	// From /proc/self/status, in bytes: 0 where it cannot be read. Under
	// qemu-user they describe the emulator's process, emulator included.
	VmHWM int64 `json:"vmhwm_bytes"`
	VmRSS int64 `json:"vmrss_bytes"`
}

func main() {
	n := flag.Int("tasks", 0, "how many sleeping tasks to park")
	flag.Parse()
	r, err := measure(*n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(r)
}

func inUse() (heap, stack, sys int64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc), int64(m.StackInuse), int64(m.Sys)
}

func measure(n int) (Result, error) {
	r := Result{GOARCH: runtime.GOARCH, Tasks: n}
	err := asyncio.Run(func(ctx *asyncio.Ctx) error {
		h0, s0, _ := inUse()
		for range n {
			asyncio.CreateTask(ctx, func(ctx *asyncio.Ctx) error { return asyncio.Sleep(ctx, time.Hour) })
		}
		if err := asyncio.Sleep(ctx, time.Millisecond); err != nil { // every task starts and sleeps
			return err
		}
		h1, s1, sys := inUse()
		r.Heap, r.Stack, r.Sys = h1-h0, s1-s0, sys
		r.GoBytes = r.Heap + r.Stack
		return nil // Run cancels the sleepers
	}, asyncio.VirtualClock())
	r.VmHWM, r.VmRSS = procStatus("VmHWM"), procStatus("VmRSS")
	return r, err
}

// procStatus returns a "kB" field of /proc/self/status in bytes, or 0.
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb * 1024
	}
	return 0
}
