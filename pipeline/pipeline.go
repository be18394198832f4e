// Package pipeline is one run of doithoai: it takes the run lock, ingests
// the inbox, then passes the data one way through the stages — read,
// validate, dedupe, aggregate, report — and records the run in the ledger.
// Each stage knows only its input and output types (package record).
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/runlock"
	"doithoai/stages/aggregate"
	"doithoai/stages/dedupe"
	"doithoai/stages/ingest"
	"doithoai/stages/read"
	"doithoai/stages/read/grid"
	"doithoai/stages/report"
	"doithoai/stages/validate"
)

// Kinds of run.
const (
	KindFull  = "full"  // everything: feedback, data, figures and reports
	KindLight = "light" // new files' feedback, data and the status page only
)

// Config of a run.
type Config struct {
	Plan   *plan.Plan
	Inbox  string
	Outbox string
	State  string
	// Clock is the run's clock (`--now`); nil means the real clock.
	Clock clock.Clock
	// Settle is how long a file must stay unchanged to count as complete.
	Settle time.Duration
	// WaitSettle lets the run wait once for files still being copied.
	WaitSettle bool
	Limits     grid.Limits
	Kind       string
	Workers    int
	Logger     *slog.Logger
	// Progress, when set, is told how many files have been read.
	Progress func(stage string, done, total int)
}

// Summary tells what a run did.
type Summary struct {
	RunID       int64
	Kind        string
	Now         time.Time
	New         []string
	Pending     []string
	Ignored     []string
	Submissions int
	Accepted    int
	Rejected    int
	Duplicates  int
	Findings    int
	Outputs     []string
	Duration    time.Duration
	// Stages are the timings of ingest, read, validate, dedupe, aggregate
	// and report, in that order (the stages the run reached).
	Stages  []StageTime
	Dataset *record.Dataset `json:"-"`
}

// StageTime is how long one stage of a run took and how many items it
// handled: files for ingest, data rows read for read, records (households,
// registrations, delegates, opinions, results) for the others, households
// and registrations for dedupe.
type StageTime struct {
	Name     string        `json:"name"`
	Rows     int           `json:"rows"`
	Duration time.Duration `json:"duration_ns"`
}

// DefaultSettle is the settle interval used when none is configured.
const DefaultSettle = 3 * time.Second

// Run performs one run. It returns an error only when the run itself could
// not complete (bad folders, a busy lock, a broken ledger); bad files are
// findings, never errors.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if cfg.Plan == nil {
		return nil, errors.New("no plan")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Kind == "" {
		cfg.Kind = KindFull
	}
	if cfg.Limits == (grid.Limits{}) {
		cfg.Limits = grid.DefaultLimits
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	for _, d := range []struct{ name, path string }{{"inbox", cfg.Inbox}, {"outbox", cfg.Outbox}, {"state", cfg.State}} {
		if d.path == "" {
			return nil, fmt.Errorf("the %s folder is not set", d.name)
		}
	}
	if fi, err := os.Stat(cfg.Inbox); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("inbox %s is not a folder: %w", cfg.Inbox, errOr(err, errors.New("not a directory")))
	}
	for _, d := range []string{cfg.Outbox, cfg.State} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
	}
	lock, err := runlock.Acquire(cfg.State)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	// A run killed mid-write may have left temporaries; finished files are
	// always whole, so removing the temporaries is all the repair needed.
	_ = atomicfile.CleanTemps(cfg.Outbox)
	_ = atomicfile.CleanTemps(filepath.Join(cfg.State, "archive"))

	if err := keepPlan(cfg.State, cfg.Plan, log); err != nil {
		return nil, err
	}
	led, err := ledger.Open(ctx, cfg.State)
	if err != nil {
		return nil, err
	}
	defer led.Close()

	if n, err := led.MarkInterrupted(ctx, time.Now()); err != nil {
		return nil, err
	} else if n > 0 {
		log.Warn("earlier runs ended without finishing (process killed or power lost); their work is redone now", "runs", n)
	}
	started := time.Now()
	now := cfg.Clock.Now()
	runID, err := led.StartRun(ctx, cfg.Kind, started, now)
	if err != nil {
		return nil, err
	}
	sum := &Summary{RunID: runID, Kind: cfg.Kind, Now: now}
	runErr := run(ctx, cfg, led, now, sum, log)
	sum.Duration = time.Since(started)
	log.Info("run timings", "duration_ns", sum.Duration, "stages", sum.Stages)
	outcome, msg := "ok", ""
	if runErr != nil {
		outcome, msg = "failed", runErr.Error()
		if errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
			outcome = "aborted"
		}
	}
	// Record the outcome even when the run's context was cancelled.
	ferr := led.FinishRun(context.WithoutCancel(ctx), ledger.Run{ID: runID, Finished: time.Now(), Outcome: outcome, Duration: sum.Duration,
		FilesNew: len(sum.New), FilesTotal: sum.Submissions, Rejected: sum.Rejected, Findings: sum.Findings, Message: msg})
	if runErr != nil {
		return sum, runErr
	}
	return sum, ferr
}

func run(ctx context.Context, cfg Config, led *ledger.Ledger, now time.Time, sum *Summary, log *slog.Logger) error {
	lapStart := time.Now()
	lap := func(name string, rows int) {
		t := time.Now()
		sum.Stages = append(sum.Stages, StageTime{Name: name, Rows: rows, Duration: t.Sub(lapStart)})
		lapStart = t
	}
	ing, err := ingest.Run(ctx, led, ingest.Config{
		Inbox: cfg.Inbox, State: cfg.State, Clock: fixed(now), Real: clock.Real{},
		Settle: cfg.Settle, WaitSettle: cfg.WaitSettle, Logger: log,
	})
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	sum.New, sum.Pending, sum.Ignored = ing.New, ing.Pending, ing.Ignored
	sum.Submissions = len(ing.All)
	lap("ingest", len(ing.All))

	wbs, err := readAll(ctx, cfg, ing.All, log)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	lap("read", tableRows(wbs))
	ds, err := validate.Validate(ctx, cfg.Plan, wbs)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	lap("validate", records(ds))
	if err := dedupe.Resolve(ctx, ds, dedupe.DefaultOptions()); err != nil {
		return fmt.Errorf("dedupe: %w", err)
	}
	lap("dedupe", len(ds.Households)+len(ds.Registrations))
	if err := aggregate.Aggregate(ctx, cfg.Plan, ds, now); err != nil {
		return fmt.Errorf("aggregate: %w", err)
	}
	lap("aggregate", records(ds))
	for _, o := range ds.Submissions {
		switch o.Status {
		case record.StatusAccepted:
			sum.Accepted++
		case record.StatusRejected:
			sum.Rejected++
		case record.StatusDuplicate:
			sum.Duplicates++
		}
	}
	sum.Findings = len(ds.Findings)
	sum.Dataset = ds
	out, err := report.Write(ctx, report.Config{
		Outbox: cfg.Outbox, Plan: cfg.Plan, Now: now, Full: cfg.Kind == KindFull,
		New: ing.New, Emitter: led, Logger: log,
	}, ds)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	sum.Outputs = out
	lap("report", records(ds))
	return nil
}

// tableRows counts the data rows of the workbooks' tables.
func tableRows(wbs []record.Workbook) int {
	n := 0
	for _, wb := range wbs {
		for _, t := range wb.Tables {
			n += len(t.Rows)
		}
	}
	return n
}

// records counts the dataset's typed records.
func records(ds *record.Dataset) int {
	return len(ds.Households) + len(ds.Registrations) + len(ds.Delegates) + len(ds.Opinions) + len(ds.Results)
}

// readAll reads every submission with a bounded number of workers. Each
// file is read independently; a bad file is a rejected workbook, never an
// error of the run.
func readAll(ctx context.Context, cfg Config, subs []record.Submission, log *slog.Logger) ([]record.Workbook, error) {
	r := &read.Reader{Plan: cfg.Plan, Limits: cfg.Limits, Logger: log}
	out := make([]record.Workbook, len(subs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	var firstErr error
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				wb, err := r.Read(ctx, subs[i])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[i] = wb
				done++
				if cfg.Progress != nil {
					cfg.Progress("read", done, len(subs))
				}
				mu.Unlock()
				log.Debug("read", "path", subs[i].Path, "status", wb.Status, "form", wb.Form, "commune", wb.CommuneCode)
			}
		}()
	}
	for i := range subs {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, ctx.Err()
}

type fixed time.Time

func (f fixed) Now() time.Time { return time.Time(f) }

func errOr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}
