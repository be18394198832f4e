package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/stages/read/grid"
	"doithoai/stages/report/mask"
)

// common holds the flags shared by run, serve and status.
type common struct {
	plan, inbox, outbox, state, now string
	settle, fileTimeout             time.Duration
	logFormat, logLevel             string
	quiet                           bool
	memoryLimit                     string
	heldRows, maxRows               int
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.plan, "plan", "", "plan file (YAML); default: the plan the state folder was made with, else the embedded 2022 plan")
	fs.StringVar(&c.inbox, "inbox", "inbox", "the communes' shared folder")
	fs.StringVar(&c.outbox, "outbox", "outbox", "where staff collect the outputs")
	fs.StringVar(&c.state, "state", "state", "ledger and archive of received files")
	fs.StringVar(&c.now, "now", "", "the run's clock, RFC 3339 (replay history)")
	fs.DurationVar(&c.settle, "settle", pipeline.DefaultSettle, "a file must stay unchanged this long to count as complete")
	fs.DurationVar(&c.fileTimeout, "file-timeout", process.DefaultFileTimeout, "time budget for reading one file; a file that needs longer is rejected as too_slow and not read again")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress display")
	fs.StringVar(&c.memoryLimit, "memory-limit", DefaultMemoryLimit, "soft memory limit of the Go runtime (e.g. 512MiB, 2GiB; 0: none; the GOMEMLIMIT environment variable wins)")
	fs.IntVar(&c.maxRows, "max-rows", grid.DefaultLimits.MaxRows, "rows a sheet may have; a bigger file is rejected as too_large. Raising it raises the cell and byte limits in proportion (a province's roster as one file: 1048576, with --file-timeout 10m)")
	fs.IntVar(&c.heldRows, "held-rows", process.DefaultHeldRows, "M1 roster rows held in memory; above it the rows are read again from state/extracts as needed, so memory does not grow with the roster (-1: hold all)")
}

func (c *common) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var l *slog.Logger
	if c.logFormat == "json" {
		l = slog.New(slog.NewJSONHandler(w, opts))
	} else {
		l = slog.New(slog.NewTextHandler(w, opts))
	}
	// No citizen ID or phone number in any log, whoever logs.
	l = slog.New(mask.Logs(l.Handler()))
	// Stages that are not handed a logger use the default one: the same
	// format and level everywhere.
	slog.SetDefault(l)
	return l
}

// loadPlan loads --plan; without it, the plan the state folder was made
// with, and for a new state folder the embedded default.
func (c *common) loadPlan() (*plan.Plan, error) {
	if c.plan == "" {
		if p, ok, err := pipeline.StatePlan(c.state); err != nil {
			return nil, fmt.Errorf("không đọc được kế hoạch đã lưu trong %s: %w", c.state, err)
		} else if ok {
			return p, nil
		}
	}
	p, err := pipeline.LoadPlan(c.state, c.plan)
	if err != nil {
		return nil, fmt.Errorf("không đọc được kế hoạch: %w", err)
	}
	return p, nil
}

func (c *common) clock(p *plan.Plan) (clock.Clock, error) {
	if c.now == "" {
		return clock.Real{}, nil
	}
	t, err := clock.Parse(c.now, p.Location())
	if err != nil {
		return nil, fmt.Errorf("--now %q không đúng dạng RFC 3339 (ví dụ 2022-04-20T09:00:00+07:00)", c.now)
	}
	return clock.Fixed(t), nil
}

func (c *common) config(p *plan.Plan, stderr io.Writer) (pipeline.Config, error) {
	clk, err := c.clock(p)
	if err != nil {
		return pipeline.Config{}, err
	}
	if c.fileTimeout <= 0 {
		return pipeline.Config{}, fmt.Errorf("--file-timeout phải lớn hơn 0 (ví dụ 60s, 2m)")
	}
	if c.maxRows <= 0 || c.maxRows > grid.MaxSheetRows {
		return pipeline.Config{}, fmt.Errorf("--max-rows phải từ 1 đến %d (số dòng tối đa của một trang Excel)", grid.MaxSheetRows)
	}
	if _, err := applyMemoryLimit(c.memoryLimit); err != nil {
		return pipeline.Config{}, err
	}
	return pipeline.Config{
		Plan: p, Inbox: c.inbox, Outbox: c.outbox, State: c.state, Clock: clk,
		Settle: c.settle, WaitSettle: true, FileTimeout: c.fileTimeout, Kind: pipeline.KindFull, Logger: c.logger(stderr),
		HeldRows: c.heldRows, Limits: grid.DefaultLimits.ForRows(c.maxRows),
	}, nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
