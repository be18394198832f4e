// Command measure runs the benchmark over a workspace made by geninbox
// (see bench/README.md) and prints the figures as Markdown; it also writes
// them to DIR/results.md and DIR/results.json.
//
//	measure -dir DIR -doithoai BIN [-workers 0] [-timeout 0] [-mem-cap-mib 0]
//	measure scan -inbox DIR [-workers 0]   (the baseline, run as a child)
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"doithoai/bench/measure"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "scan" {
		os.Exit(measure.ScanMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	dir := flag.String("dir", "", "workspace made by geninbox (required)")
	bin := flag.String("doithoai", "", "the doithoai binary (required)")
	workers := flag.Int("workers", 0, "files the baseline reads at once (0: one per core)")
	timeout := flag.Duration("timeout", 0, "stop each child after this long (0: never)")
	memCap := flag.Int64("mem-cap-mib", 0, "stop a child whose resident memory passes this many MiB (0: never)")
	runArgs := flag.String("run-args", "", "extra flags of every doithoai run, space-separated (e.g. \"--held-rows 1\")")
	flag.Parse()
	if *dir == "" || *bin == "" {
		fmt.Fprintln(os.Stderr, "measure: -dir and -doithoai are required")
		os.Exit(2)
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := measure.Run(ctx, measure.Config{
		Dir: *dir, Doithoai: []string{*bin}, Scan: []string{self, "scan"}, Workers: *workers,
		Limits: measure.Limits{Timeout: *timeout, MemCap: *memCap << 20}, RunArgs: strings.Fields(*runArgs),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
	md := rep.Markdown()
	fmt.Print(md)
	b, _ := json.MarshalIndent(rep, "", "  ")
	stamp := time.Now().UTC().Format(time.RFC3339)
	if err := os.WriteFile(filepath.Join(*dir, "results.json"), b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
	}
	if err := os.WriteFile(filepath.Join(*dir, "results.md"), []byte("Measured "+stamp+".\n\n"+md), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
	}
	for _, s := range rep.Steps {
		if !s.OK() {
			fmt.Fprintf(os.Stderr, "measure: %s did not finish (exit %d %s); its output ends:\n%s\n", s.Name, s.Exit, s.Killed, tail(s.Stderr, 2000))
		}
	}
	if err := rep.Check(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
