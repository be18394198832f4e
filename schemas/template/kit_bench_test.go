package template

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"doithoai/pipeline/plan"
)

// cpuTime is the CPU time the process has used (user and system): on a
// machine shared with other work it is steadier than wall time.
func cpuTime() time.Duration {
	user, sys := cpuTimes()
	return user + sys
}

// cpuTimes is the user and the system CPU time the process has used: the
// system part is mostly the file system's (creating the files).
func cpuTimes() (user, sys time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// BenchmarkWriteKits writes every commune's kit of the embedded plan with
// one worker (the baseline: how Sync wrote them before) and with one
// worker per core, in the same process.
func BenchmarkWriteKits(b *testing.B) {
	p := plan.Default()
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var cpu, user time.Duration
			for b.Loop() {
				dir := b.TempDir()
				u0, s0 := cpuTimes()
				files, err := writeKits(context.Background(), dir, p, workers)
				u1, s1 := cpuTimes()
				cpu += u1 - u0 + s1 - s0
				user += u1 - u0
				if err != nil {
					b.Fatal(err)
				}
				if len(files) != len(p.Communes())*len(kitForms) {
					b.Fatalf("%d files", len(files))
				}
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(user.Nanoseconds())/float64(b.N), "user-ns/op")
		})
	}
}
