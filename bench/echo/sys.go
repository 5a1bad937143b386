package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

func execCommand(name string, args ...string) *exec.Cmd { return exec.Command(name, args...) }

// toolVersion returns what `cmd --version` prints, or "".
func toolVersion(cmd string) string {
	if cmd == "" {
		return ""
	}
	out, err := exec.Command(cmd, "--version").CombinedOutput()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or "unknown".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// cpuTime is the CPU time a process has used, in user space and in the
// kernel on its behalf.
type cpuTime struct{ user, sys time.Duration }

// procCPU returns the CPU time process pid has used, all its threads
// included, from /proc/PID/stat (Linux); ok is false where that cannot be
// read. The figures come in clock ticks of 10 ms (USER_HZ, 100 on Linux).
func procCPU(pid int) (t cpuTime, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return t, false
	}
	// The command name, in parentheses, may hold spaces: fields are
	// counted after its closing parenthesis, from field 3 (state).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return t, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return t, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return t, false
	}
	const tick = 10 * time.Millisecond
	return cpuTime{user: time.Duration(utime) * tick, sys: time.Duration(stime) * tick}, true
}
