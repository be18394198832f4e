package main

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// DefaultMemoryLimit is the soft memory limit of run and serve: the Go
// collector works harder as the heap nears it, so that the process's
// resident memory follows the live heap instead of doubling it. It is
// soft: a larger inbox still runs, with more collection. 420 MiB keeps a
// national-scale run (10,000 files, 2.5 M roster rows) under 500 MiB of
// resident memory for ~6 % more CPU than 512 MiB (bench/RESULTS.md).
const DefaultMemoryLimit = "420MiB"

// parseSize reads a size in bytes with an optional unit (B, KiB, MiB,
// GiB, or KB, MB, GB as powers of 1024 too); "0" and "off" mean no limit
// (0).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" || strings.EqualFold(t, "off") {
		return 0, nil
	}
	units := []struct {
		suffix string
		mult   int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1}}
	mult := int64(1)
	low := strings.ToLower(t)
	for _, u := range units {
		if strings.HasSuffix(low, u.suffix) {
			mult, low = u.mult, strings.TrimSpace(strings.TrimSuffix(low, u.suffix))
			break
		}
	}
	n, err := strconv.ParseFloat(low, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || n*float64(mult) > math.MaxInt64/2 {
		return 0, fmt.Errorf("--memory-limit %q không đúng (ví dụ 512MiB, 2GiB; 0 là không giới hạn)", s)
	}
	return int64(n * float64(mult)), nil
}

// applyMemoryLimit sets the runtime's soft memory limit from the flag's
// value, unless the GOMEMLIMIT environment variable already set one (the
// runtime's own setting wins); it returns the limit in force (0: none).
func applyMemoryLimit(flagValue string) (int64, error) {
	n, err := parseSize(flagValue)
	if err != nil {
		return 0, err
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1), nil
	}
	if n == 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return 0, nil
	}
	debug.SetMemoryLimit(n)
	return n, nil
}
