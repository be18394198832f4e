package process_test

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"sync"
	"testing"
	"time"

	"doithoai/bench/gen"
	"doithoai/pipeline/process"
	"doithoai/stages/read/grid"
)

// BenchmarkReadBigRoster reads one commune's inbox whose roster is a
// single big M1 file (ReadAll with a fresh extract store each time, as a
// first run's read stage does) and reports, besides -benchmem's figures,
// the highest live heap seen during the read (peak-live-MB: the live heap
// after each garbage collection, what gctrace prints). The workspace is
// $DOITHOAI_BENCH_WS (made by bench/cmd/geninbox, e.g. -communes 1
// -households 1000000) or, without it, one generated here with
// $DOITHOAI_BENCH_HOUSEHOLDS households (default 100,000). With
// $DOITHOAI_BENCH_PEAKPROFILE set, the heap profile (in-use space) is
// written there whenever the live heap has grown by 2 %.
func BenchmarkReadBigRoster(b *testing.B) {
	dir := os.Getenv("DOITHOAI_BENCH_WS")
	if dir == "" {
		n := 100_000
		if s := os.Getenv("DOITHOAI_BENCH_HOUSEHOLDS"); s != "" {
			n, _ = strconv.Atoi(s)
		}
		dir = b.TempDir()
		if _, err := gen.Generate(context.Background(), dir, gen.Options{Communes: 1, Households: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	p, subs := benchSubs(b, dir)
	lim := grid.DefaultLimits.ForRows(grid.MaxSheetRows)
	prof := os.Getenv("DOITHOAI_BENCH_PEAKPROFILE")
	if prof != "" {
		runtime.MemProfileRate = 64 << 10
	}
	var peak uint64
	rows := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		state := b.TempDir()
		st, err := process.NewStore(state, lim, p, nil)
		if err != nil {
			b.Fatal(err)
		}
		cfg := process.Config{Plan: p, Extracts: st, Limits: lim, FileTimeout: 10 * time.Minute, Logger: slog.New(slog.DiscardHandler)}
		runtime.GC()
		stop := watchLive(prof)
		b.StartTimer()
		items, _, err := process.ReadAll(context.Background(), cfg, nil, subs)
		b.StopTimer()
		peak = max(peak, stop())
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for _, it := range items {
			rows += it.Rows
		}
		runtime.KeepAlive(items)
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/1e6, "peak-live-MB")
	b.ReportMetric(float64(rows), "rows")
}

// watchLive samples the live heap every 20 ms until the returned function
// is called, which returns the highest sample; with prof set it writes the
// heap profile there whenever the live heap has grown by 2 %.
func watchLive(prof string) func() uint64 {
	done := make(chan struct{})
	var wg sync.WaitGroup
	var peak, written uint64
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() {
		metrics.Read(sample)
		live := sample[0].Value.Uint64()
		if prof != "" && live > written+written/50 {
			if f, err := os.Create(prof); err == nil {
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
			written = live
		}
		peak = max(peak, live)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		read()
		return peak
	}
}
