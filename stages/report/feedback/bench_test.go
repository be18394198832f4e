package feedback

import (
	"context"
	"log/slog"
	"syscall"
	"testing"
	"time"
)

// cpuTimes is the process's user and system CPU time (on a machine shared
// with other work steadier than wall time), apart: the system
// time is mostly the kernel creating files, which varies with the load of
// the machine.
func cpuTimes() (user, sys time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// BenchmarkFeedbackWrite writes the feedback of 40 large submissions (10
// communes: M1 rosters of 2,000 households, M2–M4) and of 600 small ones
// (150 communes of 6 households) into a fresh folder, in the same process:
// as before issue 12, sheets written cell by cell through excelize one
// workbook at a time ("direct"); streamed sheets one workbook at a time
// ("streamed"); streamed sheets, runtime.GOMAXPROCS workbooks at a time
// ("streamed-parallel").
func BenchmarkFeedbackWrite(b *testing.B) {
	defer func(v bool) { streamed = v }(streamed)
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler))
	for _, size := range []struct {
		name                 string
		communes, households int
	}{{"40x2000", 10, 2000}, {"600x6", 150, 6}} {
		b.Run(size.name, func(b *testing.B) { benchFeedback(b, size.communes, size.households) })
	}
}

func benchFeedback(b *testing.B, communes, households int) {
	p, ds := generated(b, communes, households)
	addProblems(ds)
	for _, mode := range []struct {
		name    string
		stream  bool
		workers int
	}{{"direct", false, 1}, {"streamed", true, 1}, {"streamed-parallel", true, 0}} {
		b.Run(mode.name, func(b *testing.B) {
			streamed = mode.stream
			b.ReportAllocs()
			var user, sys time.Duration
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				b.StartTimer()
				u0, s0 := cpuTimes()
				if _, err := WriteWorkers(context.Background(), dir, p, ds, mode.workers); err != nil {
					b.Fatal(err)
				}
				u1, s1 := cpuTimes()
				user, sys = user+u1-u0, sys+s1-s0
			}
			b.ReportMetric(float64((user+sys).Nanoseconds())/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(user.Nanoseconds())/float64(b.N), "user-ns/op")
		})
	}
}
