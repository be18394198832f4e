//go:build !unix

package measure

import (
	"os"
	"os/exec"
)

func ownGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

// maxRSS is unknown off unix; the sampled figure (none without /proc) is
// all there is.
func maxRSS(*os.ProcessState) int64 { return 0 }
