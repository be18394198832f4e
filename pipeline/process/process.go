// Package process is the one chain of the data stages — read and check
// each file (through the extracts), validate across files, dedupe,
// aggregate — that every caller shares: a
// pipeline run, `doithoai check`, and the tests that replay a sample set.
// It knows nothing of the inbox, the outbox or the reports; it works on
// the submissions it is given, with or without a ledger and an extract
// store.
package process

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"doithoai/pipeline/extract"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/aggregate"
	"doithoai/stages/read/grid"
	"doithoai/stages/validate"
)

// Config of the chain.
type Config struct {
	// Plan the files are read and judged against; nil means plan.Default().
	Plan *plan.Plan
	// Limits of the reader (zero: grid.DefaultLimits); MaxFileDuration is
	// replaced by FileTimeout.
	Limits grid.Limits
	// FileTimeout is the time budget of reading one file (0 means
	// DefaultFileTimeout).
	FileTimeout time.Duration
	// Workers reading files at once (0: GOMAXPROCS).
	Workers int
	// Extracts, when set, is where each file's reading is stored once and
	// loaded by later calls (see package extract); nil decodes every file
	// and stores nothing (`check`, tests of a single file).
	Extracts *extract.Store
	// Logger (nil: slog.Default()).
	Logger *slog.Logger
	// Progress, when set, is told how many files have been read.
	Progress func(stage string, done, total int)
	// Lap, when set, is told at the end of each stage (read, validate,
	// dedupe, aggregate) its name and how many items it handled: data rows
	// read for read, typed records for the others.
	Lap func(stage string, items int)
	// Until, when StageValidate, ends the chain after validation: what
	// `doithoai check` judges of one file alone (deduplication and the
	// quotas need the other files). "" runs the whole chain.
	Until string
	// HeldRows is how many M1 roster rows a run holds in memory
	// (0: DefaultHeldRows; < 0: all). Above it, the rows stay in their
	// checked extracts and the stages read them again through the
	// dataset's Roster, commune by commune for dedupe, so memory does not
	// grow with the roster (the outputs are the same).
	HeldRows int
}

// StageValidate is the Config.Until that ends the chain after validation.
const StageValidate = "validate"

func (cfg Config) withDefaults() Config {
	if cfg.Plan == nil {
		cfg.Plan = plan.Default()
	}
	if cfg.Limits == (grid.Limits{}) {
		cfg.Limits = grid.DefaultLimits
	}
	if cfg.FileTimeout <= 0 {
		cfg.FileTimeout = DefaultFileTimeout
	}
	// One budget: the reader enforces it, the watchdog backs it up.
	cfg.Limits.MaxFileDuration = cfg.FileTimeout
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

// Process runs the whole chain on subs with now as the run's clock: read
// and check every submission alone (ReadAll: the ledger's memory of
// too-slow files, then the checked extracts, then the extracts of cells,
// then the reader; validate.Check in the same workers), validate across
// submissions (validate.Assemble), dedupe with the default options,
// aggregate. The dataset's Sources yield each submission's workbook: with
// an extract store, its source rows are loaded from the extract when
// asked for, never all held at once. led may be nil (nothing remembered
// or recorded).
// After each stage it logs "stage done" at debug level and stops with
// ctx's error when ctx ended, so a stop between stages never starts the
// next one. The ReadStats say how the workbooks were got, also on error.
func Process(ctx context.Context, cfg Config, led *ledger.Ledger, subs []record.Submission, now time.Time) (*record.Dataset, ReadStats, error) {
	cfg = cfg.withDefaults()
	items, st, err := ReadAll(ctx, cfg, led, subs)
	if err != nil {
		return nil, st, fmt.Errorf("read: %w", err)
	}
	rows := 0
	for i := range items {
		rows += items[i].Rows
	}
	cfg.lap("read", rows)
	if err := StageDone(ctx, cfg.Logger, "read"); err != nil {
		return nil, st, err
	}
	ds, err := assemble(ctx, cfg, items)
	if err != nil {
		return nil, st, err
	}
	ds, err = stages(ctx, cfg, ds, now)
	return ds, st, err
}

// assemble is the validation across submissions (validate.Assemble) of
// the items ReadAll checked one by one; the dataset's Sources yield the
// items' workbooks, loading the rows from the extracts on demand.
func assemble(ctx context.Context, cfg Config, items []Item) (*record.Dataset, error) {
	spilled := false
	for i := range items {
		spilled = spilled || items[i].RosterRows > 0
	}
	wbs := make([]record.Workbook, len(items))
	checked := make([]record.Checked, len(items))
	for i := range items {
		wbs[i], checked[i] = items[i].Workbook, items[i].Checked
		if spilled {
			// The M1 rows stay with the items, for the roster.
			checked[i].Households = nil
			items[i].Checked = record.Checked{Households: items[i].Checked.Households}
		} else {
			items[i].Checked = record.Checked{} // moved into the dataset
		}
	}
	ds, err := validate.Assemble(ctx, cfg.Plan, wbs, checked)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if spilled {
		r, err := newRoster(cfg, items, ds.Submissions)
		if err != nil {
			return nil, err
		}
		ds.Roster = r
		for i := range items {
			items[i].Checked = record.Checked{}
		}
		cfg.Logger.Info("roster kept out of memory", "rows", r.Len(), "files", len(r.parts), "held_rows", cfg.HeldRows)
	}
	ds.Sources = newSources(cfg, items)
	return ds, nil
}

// StageTime is how long one stage of a run took and how many items it
// handled: files for ingest, data rows read for read, typed records
// (households, registrations, delegates, opinions, results) for the
// others, households and registrations for dedupe.
type StageTime struct {
	Name     string        `json:"name"`
	Rows     int           `json:"rows"`
	Duration time.Duration `json:"duration_ns"`
}

// lap tells cfg.Lap, when set, that a stage ended.
func (cfg Config) lap(stage string, items int) {
	if cfg.Lap != nil {
		cfg.Lap(stage, items)
	}
}

// TableRows counts the data rows of the workbooks' tables.
func TableRows(wbs []record.Workbook) int {
	n := 0
	for _, wb := range wbs {
		for _, t := range wb.Tables {
			n += len(t.Rows)
		}
	}
	return n
}

// Records counts the dataset's typed records.
func Records(ds *record.Dataset) int {
	return ds.HouseholdCount() + len(ds.Registrations) + len(ds.Delegates) + len(ds.Opinions) + len(ds.Results)
}

// Stages runs the chain after reading — validate, dedupe (default
// options), aggregate — on workbooks already read, with now as the run's
// clock: for tests whose workbooks come from elsewhere, and Process.
func Stages(ctx context.Context, p *plan.Plan, wbs []record.Workbook, now time.Time) (*record.Dataset, error) {
	if p == nil {
		p = plan.Default()
	}
	ds, err := validate.Validate(ctx, p, wbs)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	return stages(ctx, Config{Plan: p, Logger: slog.Default()}, ds, now)
}

// stages ends the validate stage and runs dedupe and aggregate (or up to
// cfg.Until) on the validated dataset; cfg's Plan and Logger are set.
func stages(ctx context.Context, cfg Config, ds *record.Dataset, now time.Time) (*record.Dataset, error) {
	log := cfg.Logger
	cfg.lap("validate", Records(ds))
	if err := StageDone(ctx, log, "validate"); err != nil {
		return nil, err
	}
	if cfg.Until == StageValidate {
		return ds, nil
	}
	// Each stage reads its Input and returns its Result; compose.go applies
	// the results to the dataset the report reads.
	dres, err := resolve(ctx, ds)
	if err != nil {
		return nil, fmt.Errorf("dedupe: %w", err)
	}
	applyDedupe(ds, dres)
	cfg.lap("dedupe", ds.HouseholdCount()+len(ds.Registrations))
	if err := StageDone(ctx, log, "dedupe"); err != nil {
		return nil, err
	}
	ares, err := aggregate.Aggregate(ctx, cfg.Plan, aggregateInput(ds), now)
	if err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	applyAggregate(ds, ares)
	cfg.lap("aggregate", Records(ds))
	if err := StageDone(ctx, log, "aggregate"); err != nil {
		return nil, err
	}
	return ds, nil
}

// StageDone logs the end of a stage (at debug level: the kill tests use
// these lines as kill points) and returns ctx's error, wrapped, when ctx
// ended.
func StageDone(ctx context.Context, log *slog.Logger, stage string) error {
	log.Debug("stage done", "stage", stage)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("after %s: %w", stage, err)
	}
	return nil
}
