//go:build unix

package view

import (
	"os/exec"
	"syscall"
)

// ownGroup makes the program the leader of a process group of its own, so
// that stopping it stops what it started too.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// kill kills the program's process group: the program and every process
// it started that did not leave the group.
func kill(cmd *exec.Cmd) {
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		cmd.Process.Kill()
	}
}
