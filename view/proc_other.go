//go:build !unix

package view

import "os/exec"

func ownGroup(cmd *exec.Cmd) {}

// kill kills the program; the processes it started are left to the
// system (the run's output stops being read once it has exited, see
// outputDelay).
func kill(cmd *exec.Cmd) { cmd.Process.Kill() }
