package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
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
