package analytics

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"doithoai/bench/gen"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
	"doithoai/stages/ingest"
)

// genNow is the clock of the generated workspaces (bench/run.sh's --now).
var genNow = time.Date(2024, 4, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// genDataset generates a bench/gen workspace (communes × households,
// clusters of three) and passes its inbox through the pipeline's chain, as
// a fresh full run does.
func genDataset(tb testing.TB, communes, households int, seed int64) (*plan.Plan, *record.Dataset) {
	tb.Helper()
	dir := tb.TempDir()
	m, err := gen.Generate(context.Background(), dir, gen.Options{Communes: communes, Households: households, ClusterSize: 3, Seed: seed})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := plan.Load(m.Plan)
	if err != nil {
		tb.Fatal(err)
	}
	var entries []ledger.Entry
	for _, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(m.Inbox, filepath.FromSlash(f.Path)))
		if err != nil {
			tb.Fatal(err)
		}
		sum := sha256.Sum256(data)
		entries = append(entries, ledger.Entry{Seq: int64(len(entries) + 1), SHA256: hex.EncodeToString(sum[:]), Path: f.Path,
			Size: int64(len(data)), ReceivedAt: genNow.Add(-time.Hour), Archive: f.Path})
	}
	subs := ingest.Submissions(m.Inbox, entries)
	ds, _, err := process.Process(context.Background(), process.Config{Plan: p, Logger: slog.New(slog.DiscardHandler)}, nil, subs, genNow)
	if err != nil {
		tb.Fatal(err)
	}
	return p, ds
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
