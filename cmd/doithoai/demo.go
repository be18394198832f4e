package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/demo"
	"doithoai/pipeline/plan"
)

// cmdDemo makes a demo workspace — an inbox of realistic commune files
// written by the project's own template writer — and runs the pipeline on
// it with the embedded plan, at a moment inside the plan's dialogue quarter.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	planFile := fs.String("plan", "", "plan file (YAML); default: the embedded 2022 plan")
	seed := fs.Int64("seed", 2022, "random seed of the generated households")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	dir := "demo"
	if fs.NArg() > 0 {
		dir = fs.Arg(0)
	}
	p, err := plan.Load(*planFile)
	if err != nil {
		fmt.Fprintln(stderr, "doithoai: không đọc được kế hoạch:", err)
		return exitFailed
	}
	files, err := demo.Generate(p, dir, demo.Options{Seed: *seed, Year: p.Year})
	if err != nil {
		fmt.Fprintln(stderr, "doithoai demo: không tạo được hộp thư mẫu:", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "Đã tạo %d tệp mẫu của các xã trong %s\n", len(files), filepath.Join(dir, "inbox"))
	// The middle of the dialogue quarter: e.g. 2022-05-20 09:00 for Q2.
	now := demo.Moment(p)
	var c common
	c.logFormat, c.logLevel = "text", "warn"
	cfg := pipeline.Config{
		Plan: p, Inbox: filepath.Join(dir, "inbox"), Outbox: filepath.Join(dir, "outbox"), State: filepath.Join(dir, "state"),
		Clock: clock.Fixed(now), Settle: 0, Kind: pipeline.KindFull, Logger: c.logger(stderr),
	}
	sum, err := pipeline.Run(ctx, cfg)
	code := report(sum, err, cfg, stdout, stderr)
	if code == exitOK {
		fmt.Fprintf(stdout, "Mở trang tình hình: %s\n", filepath.Join(dir, "outbox", "index.html"))
	}
	return code
}
