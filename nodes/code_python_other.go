//go:build !unix

package nodes

import (
	"os/exec"
	"time"
)

// pythonProcessGroup kills the process when its context ends.
func pythonProcessGroup(cmd *exec.Cmd) { cmd.WaitDelay = 2 * time.Second }
