package mqtt_test

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the broker if the test binary dies
// without its clean-up (a test timeout's panic).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
