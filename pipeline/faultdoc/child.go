package faultdoc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
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

// peakLine starts the line on which a child reports its own peak memory.
const peakLine = "FAULTDOC_PEAK_RSS "

// ReportPeak prints this process's own peak resident memory for the parent
// (RunChild). Main calls it in every child after the tests ran; a child
// that exits another way may call it itself.
func ReportPeak() {
	if n := selfPeakRSS(); n > 0 {
		fmt.Printf("\n%s%d\n", peakLine, n)
	}
}

// selfPeakRSS is this process's own peak resident memory in bytes, from
// /proc/self/status (0 where there is none). The rusage figure the parent
// gets for a child on Linux also counts the memory the parent had when it
// started the child (the high-water mark carried over the vfork and exec),
// which, in a test binary that has just built a bomb, says more about the
// parent than the child.
func selfPeakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// childPeak is the peak a child reported with ReportPeak, or 0.
func childPeak(stdout string) int64 {
	var n int64
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), peakLine); ok {
			fmt.Sscan(rest, &n)
		}
	}
	return n
}

// Measured is what one child process used, from the operating system's
// accounting of the whole process.
type Measured struct {
	Wall     time.Duration
	PeakRSS  int64 // bytes: the child's own figure where it reported one, else the OS's; 0 where neither says
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
	if own := childPeak(m.Stdout); own > 0 {
		m.PeakRSS = own
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		m.Killed = true
	} else if runErr != nil && m.ExitCode == -1 {
		tb.Fatalf("faultdoc: start child: %v", runErr)
	}
	return m
}
