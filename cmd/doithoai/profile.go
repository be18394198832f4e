package main

import (
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
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
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
