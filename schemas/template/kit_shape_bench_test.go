package template_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"doithoai/bench/gen"
	"doithoai/pipeline/plan"
	"doithoai/schemas/template"
)

// processCPU is the user and the system CPU time the process has used.
func processCPU() (user, sys time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// BenchmarkSyncKits rewrites every commune's kit (Sync, forced, one
// worker per core) of a generated plan of many communes, as a national
// run's templates stage does.
func BenchmarkSyncKits(b *testing.B) {
	for _, n := range []int{400} {
		p, err := plan.Parse(gen.PlanYAML(n, gen.DefaultClusterSize), "synthetic.yaml")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("communes=%d", n), func(b *testing.B) {
			var cpu, user time.Duration
			for b.Loop() {
				dir := b.TempDir()
				u0, s0 := processCPU()
				res, err := template.Sync(context.Background(), dir, p, true)
				u1, s1 := processCPU()
				cpu += u1 - u0 + s1 - s0
				user += u1 - u0
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Files) != 5*n {
					b.Fatalf("%d files", len(res.Files))
				}
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(5*n), "cpu-ns/workbook")
			b.ReportMetric(float64(user.Nanoseconds())/float64(b.N)/float64(5*n), "user-ns/workbook")
		})
	}
}
