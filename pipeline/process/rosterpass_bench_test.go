package process_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"doithoai/bench/gen"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
)

// BenchmarkRosterPasses reads a multi-commune roster kept out of memory
// (HeldRows 1) back from its checked extracts, as every stage after
// validation does: "pass" is one whole pass (Dataset.EachHousehold, what
// aggregate, the quarterly report and the analysts' data each make), and
// "chain" is a run's chain from the stored extracts (nothing decoded:
// loading, validation across files, dedupe's two passes and aggregate's
// one). The workspace is $DOITHOAI_BENCH_WS (made by bench/cmd/geninbox,
// e.g. -communes 200 -households 1000; its extracts are kept in its
// state-roster-bench folder) or, without it, one generated here with
// $DOITHOAI_BENCH_COMMUNES communes (default 20) of 1,000 households.
// Besides -benchmem's figures, each reports rows/s and cpu-ns/op, the
// process's CPU time (user and system, every goroutine's) per operation:
// steadier than ns/op on a shared machine.
func BenchmarkRosterPasses(b *testing.B) {
	dir, state := os.Getenv("DOITHOAI_BENCH_WS"), ""
	if dir == "" {
		n := 20
		if s := os.Getenv("DOITHOAI_BENCH_COMMUNES"); s != "" {
			n, _ = strconv.Atoi(s)
		}
		dir, state = b.TempDir(), b.TempDir()
		if _, err := gen.Generate(context.Background(), dir, gen.Options{Communes: n, Households: 1000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	} else {
		state = filepath.Join(dir, "state-roster-bench")
	}
	p, subs := benchSubs(b, dir)
	st, err := process.NewStore(state, process.Config{}.Limits, p, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	cfg := process.Config{Plan: p, Extracts: st, Logger: slog.New(slog.DiscardHandler), HeldRows: 1}
	now := subs[len(subs)-1].ReceivedAt
	ds, _, err := process.Process(context.Background(), cfg, nil, subs, now) // stores the extracts when new
	if err != nil {
		b.Fatal(err)
	}
	if ds.Roster == nil {
		b.Fatal("the roster is held in memory")
	}
	rows := ds.HouseholdCount()
	b.Run("pass", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			years := 0
			err := ds.EachHousehold(context.Background(), func(_ int, hs []record.Household) error {
				for i := range hs {
					years += hs[i].BirthYear
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	})
	b.Run("chain", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			_, rs, err := process.Process(context.Background(), cfg, nil, subs, now)
			if err != nil || rs.Decoded != 0 {
				b.Fatalf("%+v %v", rs, err)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	})
}

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
