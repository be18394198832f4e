package analytics

import (
	"context"
	"doithoai/bench/gen/gentest"
	"syscall"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
)

// genNow is the clock of the generated workspaces (bench/run.sh's --now).
var genNow = time.Date(2024, 4, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// genDataset generates a bench/gen workspace (communes × households,
// clusters of three) and passes its inbox through the pipeline's chain, as
// a fresh full run does.
func genDataset(tb testing.TB, communes, households int, seed int64) (*plan.Plan, *record.Dataset) {
	tb.Helper()
	return gentest.Dataset(tb, communes, households, seed)
}

// cpuTimes is the process's user and system CPU time (on a machine shared
// with other work steadier than wall time), apart: the system time is
// mostly the kernel creating files and folders.
func cpuTimes() (user, sys time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// BenchmarkWriteCommunes writes every table (flat and Hive tree) of 300
// communes of 50 households each into a fresh folder ("fresh") and again
// over the same files ("unchanged": every byte compared, nothing
// written): 2,400 small partition files, the per-file cost of a national
// run's 20,000. "reused" takes the buffers from writers and readers,
// "fresh-buffers" makes new ones for each file (as before).
func BenchmarkWriteCommunes(b *testing.B) {
	p, ds := genDataset(b, 300, 50, 1)
	defer func(v bool) { reuseBuffers = v }(reuseBuffers)
	for _, reuse := range []bool{false, true} {
		for _, again := range []bool{false, true} {
			name := map[bool]string{false: "fresh-buffers", true: "reused"}[reuse] + map[bool]string{false: "/fresh", true: "/unchanged"}[again]
			b.Run(name, func(b *testing.B) {
				reuseBuffers = reuse
				dir := b.TempDir()
				if again {
					if _, err := Write(context.Background(), dir, p, ds); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				var user, sys time.Duration
				for b.Loop() {
					b.StopTimer()
					if !again {
						dir = b.TempDir()
					}
					u0, s0 := cpuTimes()
					b.StartTimer()
					if _, err := Write(context.Background(), dir, p, ds); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					u1, s1 := cpuTimes()
					user, sys = user+u1-u0, sys+s1-s0
					b.StartTimer()
				}
				b.ReportMetric(float64(user.Nanoseconds())/float64(b.N), "user-ns/op")
				b.ReportMetric(float64(sys.Nanoseconds())/float64(b.N), "sys-ns/op")
			})
		}
	}
}
