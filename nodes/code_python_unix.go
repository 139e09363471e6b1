//go:build unix

package nodes

import (
	"os/exec"
	"syscall"
	"time"
)

// pythonProcessGroup runs cmd in a process group of its own and kills the
// whole group when its context ends.
func pythonProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 2 * time.Second
}
