package main

import (
	"log/slog"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// startProfiles writes a CPU profile to $DOITHOAI_CPUPROFILE and, when the
// returned function runs, a heap profile to $DOITHOAI_MEMPROFILE: for the
// benchmark harness (bench/), never needed in production. Unset variables
// cost nothing.
func startProfiles() (stop func()) {
	var stops []func()
	if path := os.Getenv("DOITHOAI_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err != nil {
			slog.Warn("cpu profile not written", "path", path, "err", err)
		} else if err := pprof.StartCPUProfile(f); err != nil {
			slog.Warn("cpu profile not written", "path", path, "err", err)
			f.Close()
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := os.Getenv("DOITHOAI_MEMPROFILE"); path != "" {
		runtime.MemProfileRate = 64 << 10
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err != nil {
				slog.Warn("heap profile not written", "path", path, "err", err)
				return
			}
			defer f.Close()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				slog.Warn("heap profile not written", "path", path, "err", err)
			}
		})
	}
	if path := os.Getenv("DOITHOAI_PEAKPROFILE"); path != "" {
		stops = append(stops, peakProfile(path))
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// peakProfile writes the heap profile (in-use space) to path whenever the
// live heap has grown by a tenth since the last one written, so that the
// file shows what was held near the run's peak; the returned function
// stops it.
func peakProfile(path string) func() {
	runtime.MemProfileRate = 64 << 10
	done := make(chan struct{})
	stopped := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(stopped)
		var written uint64
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			live := sample[0].Value.Uint64()
			if live < written+written/10 {
				continue
			}
			f, err := os.Create(path)
			if err != nil {
				slog.Warn("peak heap profile not written", "path", path, "err", err)
				return
			}
			if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
				slog.Warn("peak heap profile not written", "path", path, "err", err)
			}
			f.Close()
			written = live
		}
	}()
	return func() { close(done); <-stopped }
}
