//go:build unix

package measure

import (
	"os"
	"os/exec"
	"syscall"
)

// ownGroup puts the child in a process group of its own, so that a kill
// reaches it even under /usr/bin/time.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills the child's process group.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// maxRSS is the child's peak resident memory from its rusage, in bytes
// (Linux reports KiB, macOS bytes).
func maxRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if isDarwin {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}
