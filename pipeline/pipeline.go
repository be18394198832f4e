// Package pipeline is one run of doithoai: it takes the run lock, ingests
// the inbox, then passes the data one way through the stages — read,
// validate, dedupe, aggregate (the chain of package process, reading each
// file once through its extract), report — and records the run, and each
// submission's outcome, in the ledger. Each stage knows only its input and
// output types (package record).
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/extract"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
	"doithoai/pipeline/runlock"
	"doithoai/pipeline/storeerr"
	"doithoai/stages/ingest"
	"doithoai/stages/read/grid"
	"doithoai/stages/report"
	"doithoai/stages/report/mask"
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

	// FileTimeout is the time budget of reading one file (0 means
	// process.DefaultFileTimeout). A file that runs out of it is rejected as
	// too_slow, and the ledger remembers it so that later runs reject it
	// without reading it again (see process.ReadAll).
	FileTimeout time.Duration

	// NoExtracts reads every file again instead of loading what an earlier
	// run stored in state/extracts, and stores nothing there: for
	// measuring the extracts (see BenchmarkIdleRun), never needed to get
	// the same outputs.
	NoExtracts bool

	// Rebuild reads, validates and writes the outbox again even when
	// nothing changed since the last run that wrote it (`run --rebuild`);
	// the outputs are the same either way (see skipIfUpToDate).
	Rebuild bool

	// HeldRows is how many M1 roster rows the run holds in memory (see
	// process.Config.HeldRows): 0 is process.DefaultHeldRows, < 0 all.
	HeldRows int
}

// Summary tells what a run did.
type Summary struct {
	RunID       int64
	Kind        string
	Now         time.Time
	New         []string
	Pending     []string
	Ignored     []string
	Skipped     []record.Skip // inbox entries not received: links, FIFOs, devices, unreadable
	Submissions int
	Accepted    int
	Rejected    int
	Duplicates  int
	Findings    int
	// Decoded counts the files the reader decoded in this run, Loaded the
	// workbooks loaded from their extracts instead.
	Decoded  int
	Loaded   int
	Outputs  []string
	Duration time.Duration
	// Stages are the timings of ingest, templates (the blank forms), read,
	// validate, dedupe, aggregate and report, in that order (the stages the
	// run reached; an up-to-date run: ingest and uptodate).
	Stages []StageTime
	// UpToDate: nothing had changed since the last run that wrote the
	// outbox, so read → report were skipped and the outbox kept (its
	// status page restamped); the counts are that run's, from the ledger.
	UpToDate bool
	Dataset  *record.Dataset `json:"-"` // nil when UpToDate
}

// StageTime is how long one stage of a run took and how many items it
// handled (see process.StageTime).
type StageTime = process.StageTime

// DefaultSettle is the settle interval used when none is configured.
const DefaultSettle = 3 * time.Second

// Run performs one run. It returns an error only when the run itself could
// not complete (bad folders, a busy lock, a broken ledger); bad files are
// findings, never errors. When the state or outbox folder cannot be
// written (full disk, read-only, no permission) the error is a
// *storeerr.Error naming the folder.
func Run(ctx context.Context, cfg Config) (sum *Summary, err error) {
	defer func() { err = storeerr.Wrap(err, cfg.State, cfg.Outbox) }()
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
	if cfg.FileTimeout <= 0 {
		cfg.FileTimeout = process.DefaultFileTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = slog.New(mask.Logs(log.Handler())) // no citizen ID or phone number in any log
	for _, d := range []struct{ name, path string }{{"inbox", cfg.Inbox}, {"outbox", cfg.Outbox}, {"state", cfg.State}} {
		if d.path == "" {
			return nil, fmt.Errorf("the %s folder is not set", d.name)
		}
	}
	if fi, err := os.Stat(cfg.Inbox); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("inbox %s is not a folder: %w", cfg.Inbox, errOr(err, errors.New("not a directory")))
	}
	// The state folder (ledger, archive, plan) is the owner's only; so is
	// outbox/data, the one output with unmasked personal data.
	for _, d := range []struct {
		path string
		mode os.FileMode
	}{{cfg.Outbox, 0o755}, {cfg.State, atomicfile.PrivateDir}} {
		if err := os.MkdirAll(d.path, d.mode); err != nil {
			return nil, fmt.Errorf("create %s: %w", d.path, err)
		}
	}
	lock, err := runlock.Acquire(cfg.State)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
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
	sum = &Summary{RunID: runID, Kind: cfg.Kind, Now: now}
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
	scan := startOutboxScan(cfg)
	defer scan.wait()
	ing, err := ingest.Run(ctx, led, ingest.Config{
		Inbox: cfg.Inbox, State: cfg.State, Clock: fixed(now), Real: clock.Real{},
		Settle: cfg.Settle, WaitSettle: cfg.WaitSettle, Logger: log,
	})
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	sum.New, sum.Pending, sum.Ignored, sum.Skipped = ing.New, ing.Pending, ing.Ignored, ing.Skipped
	sum.Submissions = len(ing.All)
	lap("ingest", len(ing.All))
	if err := process.StageDone(ctx, log, "ingest"); err != nil {
		return err
	}
	chk, done, err := skipIfUpToDate(ctx, cfg, led, ing, scan, now, sum, log)
	if err != nil {
		return err
	}
	tidyFolders(cfg, log, !done)
	if done {
		lap("uptodate", len(ing.All))
		return nil
	}
	// The blank forms depend on the plan alone. They are written before
	// the submissions are read, while the heap is small: at national scale
	// (12,500 forms) writing them with the dataset held cost minutes of
	// garbage collection.
	lap("templates", syncTemplates(ctx, cfg, log))
	if err := process.StageDone(ctx, log, "templates"); err != nil {
		return err
	}

	pcfg := process.Config{Plan: cfg.Plan, Limits: cfg.Limits, FileTimeout: cfg.FileTimeout, Workers: cfg.Workers, HeldRows: cfg.HeldRows,
		Logger: log, Progress: cfg.Progress, Lap: lap}
	if !cfg.NoExtracts {
		if pcfg.Extracts, err = process.NewStore(cfg.State, cfg.Limits, cfg.Plan, log); err != nil {
			return err
		}
	}
	ds, st, err := process.Process(ctx, pcfg, led, ing.All, now)
	sum.Decoded, sum.Loaded = st.Decoded, st.Loaded
	if err != nil {
		return err
	}
	// `doithoai status` prints from the ledger alone.
	if err := led.RecordOutcomes(ctx, sum.RunID, outcomes(ds)); err != nil {
		return err
	}
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
		New: ing.New, Skipped: ing.Skipped, Emitter: led, Logger: log, Workers: cfg.Workers,
	}, ds)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	sum.Outputs = out
	lap("report", process.Records(ds))
	if err := process.StageDone(ctx, log, "report"); err != nil {
		return err
	}
	recordOutbox(cfg, chk, now, sum, log)
	return nil
}

// tidyFolders makes the state folder and outbox/data owner-only (folders
// made by an older version were readable by everyone) and, when all,
// removes the temporaries a run killed mid-write may have left (finished
// files are always whole, so that is all the repair needed). A file system
// that refuses permissions (some network shares) is no reason to stop
// receiving files. A run that keeps the outbox (not all) writes nothing
// there: it only tightens a folder that is not owner-only itself (what
// is below an owner-only folder is out of others' reach), and leaves
// temporaries, which no one reads, to the next run that writes.
func tidyFolders(cfg Config, log *slog.Logger, all bool) {
	for _, d := range []string{cfg.State, filepath.Join(cfg.Outbox, report.DirData)} {
		if !all {
			if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() == atomicfile.PrivateDir || runtime.GOOS == "windows" {
				continue
			}
		}
		if err := atomicfile.MakePrivate(d); err != nil {
			log.Warn("cannot make a folder owner-only", "dir", d, "err", err)
		}
	}
	if all {
		_ = atomicfile.CleanTemps(cfg.Outbox)
		_ = atomicfile.CleanTemps(filepath.Join(cfg.State, "archive"))
		_ = atomicfile.CleanTemps(filepath.Join(cfg.State, extract.Dir))
	}
}

// outcomes are the ledger's copy of the submissions' verdicts.
func outcomes(ds *record.Dataset) []ledger.Outcome {
	out := make([]ledger.Outcome, 0, len(ds.Submissions))
	for _, o := range ds.Submissions {
		out = append(out, ledger.Outcome{Seq: o.Seq, SHA256: o.ID, Path: o.Path, Form: string(o.Form), Commune: o.CommuneCode,
			Status: string(o.Status), Reason: o.Reason, Format: o.Format, SupersededBy: o.SupersededBy})
	}
	return out
}

type fixed time.Time

func (f fixed) Now() time.Time { return time.Time(f) }

func errOr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}
