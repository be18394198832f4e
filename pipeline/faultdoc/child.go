package faultdoc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"
)

// childEnv names the test a child process was started for.
const childEnv = "FAULTDOC_CHILD"

// IsChild reports whether this process is a child started by RunChild.
func IsChild() bool { return os.Getenv(childEnv) != "" }

// ChildFor reports whether this process is the child started for the test
// named name: the test then does the measured work and returns, and the
// parent asserts the bounds.
func ChildFor(name string) bool { return os.Getenv(childEnv) == name }

// Measured is what one child process used, from the operating system's
// accounting of the whole process.
type Measured struct {
	Wall     time.Duration
	PeakRSS  int64 // bytes; 0 where the platform does not say
	ExitCode int   // -1 when killed
	Killed   bool  // the bound ran out and the child was killed
	Stdout   string
	Stderr   string
}

// MiB is a mebibyte, for readable bounds.
const MiB = 1 << 20

// RunChild runs this test binary again with -test.run=^name$ and the
// extra environment, kills it when bound runs out, and returns what it
// used. The child recognises itself with ChildFor(name).
func RunChild(tb testing.TB, name string, bound time.Duration, env ...string) Measured {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatalf("faultdoc: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^"+name+"$", "-test.count=1", "-test.v")
	cmd.Env = append(append(os.Environ(), childEnv+"="+name), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	runErr := cmd.Run()
	m := Measured{Wall: time.Since(start), Stdout: out.String(), Stderr: errb.String(), ExitCode: -1}
	if cmd.ProcessState != nil {
		m.ExitCode = cmd.ProcessState.ExitCode()
		m.PeakRSS = peakRSS(cmd.ProcessState)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		m.Killed = true
	} else if runErr != nil && m.ExitCode == -1 {
		tb.Fatalf("faultdoc: start child: %v", runErr)
	}
	return m
}
