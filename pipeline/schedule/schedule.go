// Package schedule runs the pipeline by itself (`doithoai serve`) with
// gocron: a frequent light pass that picks up new files and writes their
// feedback, and a nightly full run that rebuilds figures and reports. The
// inbox is polled, because file-change notifications do not work on the
// Windows and Samba shares communes use. Runs never overlap: the scheduler
// allows one job at a time and the pipeline's run lock excludes other
// processes. A nightly run missed while the PC was off runs at start-up.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"

	"doithoai/pipeline"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/runlock"
)

// Config of the schedule.
type Config struct {
	// Base is the run configuration; its Clock is replaced by the
	// scheduler's clock and its Kind by the job's.
	Base pipeline.Config
	// Every is the light pass interval (default 10 minutes; 0 disables it).
	Every time.Duration
	// Nightly is the full run's cron expression in the plan's time zone
	// (default "0 2 * * *").
	Nightly string
	// Clock is the scheduler's clock; nil means the real clock. Tests pass
	// a clockwork fake clock to drive days and quarters.
	Clock clockwork.Clock
	// RunFunc runs the pipeline; nil means pipeline.Run.
	RunFunc func(context.Context, pipeline.Config) (*pipeline.Summary, error)
	// GracePeriod is how long a stop waits for a run in progress before
	// aborting it (its outputs are atomic, so an abort leaves nothing
	// half-written).
	GracePeriod time.Duration
}

// Defaults.
const (
	DefaultEvery   = 10 * time.Minute
	DefaultNightly = "0 2 * * *"
)

// Scheduler is a started schedule.
type Scheduler struct {
	s      gocron.Scheduler
	cfg    Config
	log    *slog.Logger
	runCtx context.Context
	abort  context.CancelFunc
}

// Start builds the jobs, runs a missed nightly run if needed, and starts
// the schedule. It returns once the schedule is running.
func Start(ctx context.Context, cfg Config) (*Scheduler, error) {
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.Nightly == "" {
		cfg.Nightly = DefaultNightly
	}
	if cfg.RunFunc == nil {
		cfg.RunFunc = pipeline.Run
	}
	if cfg.GracePeriod == 0 {
		cfg.GracePeriod = 2 * time.Minute
	}
	log := cfg.Base.Logger
	if log == nil {
		log = slog.Default()
	}
	loc := cfg.Base.Plan.Location()
	s, err := gocron.NewScheduler(
		gocron.WithClock(cfg.Clock),
		gocron.WithLocation(loc),
		gocron.WithLimitConcurrentJobs(1, gocron.LimitModeWait),
	)
	if err != nil {
		return nil, fmt.Errorf("create scheduler: %w", err)
	}
	runCtx, abort := context.WithCancel(context.WithoutCancel(ctx))
	sc := &Scheduler{s: s, cfg: cfg, log: log, runCtx: runCtx, abort: abort}
	if _, err := s.NewJob(gocron.CronJob(cfg.Nightly, false), gocron.NewTask(func() { sc.RunOnce(pipeline.KindFull) }),
		gocron.WithName("nightly"), gocron.WithSingletonMode(gocron.LimitModeReschedule)); err != nil {
		abort()
		return nil, fmt.Errorf("nightly schedule %q: %w", cfg.Nightly, err)
	}
	if cfg.Every > 0 {
		if _, err := s.NewJob(gocron.DurationJob(cfg.Every), gocron.NewTask(func() { sc.RunOnce(pipeline.KindLight) }),
			gocron.WithName("light"), gocron.WithSingletonMode(gocron.LimitModeReschedule)); err != nil {
			abort()
			return nil, fmt.Errorf("light pass every %s: %w", cfg.Every, err)
		}
	}
	if missed, err := sc.missedNightly(ctx); err != nil {
		log.Warn("cannot tell whether a nightly run was missed", "err", err)
	} else if missed {
		log.Info("the last nightly run was missed; running it now")
		sc.RunOnce(pipeline.KindFull)
	}
	s.Start()
	return sc, nil
}

// missedNightly reports whether no full run completed in the last day.
func (sc *Scheduler) missedNightly(ctx context.Context) (bool, error) {
	if _, err := os.Stat(sc.cfg.Base.State); errors.Is(err, fs.ErrNotExist) {
		return true, nil // never ran here
	}
	led, err := ledger.Open(ctx, sc.cfg.Base.State)
	if err != nil {
		return false, err
	}
	defer led.Close()
	last, ok, err := led.LastSuccessful(ctx, pipeline.KindFull)
	if err != nil {
		return false, err
	}
	if !ok {
		return true, nil
	}
	return sc.cfg.Clock.Now().Sub(last.ClockNow) > 24*time.Hour+time.Hour, nil
}

type clockAdapter struct{ c clockwork.Clock }

func (a clockAdapter) Now() time.Time { return a.c.Now() }

// RunOnce performs one run of a kind now, logging its outcome. A run that
// finds another one holding the lock is skipped.
func (sc *Scheduler) RunOnce(kind string) {
	cfg := sc.cfg.Base
	cfg.Kind = kind
	cfg.Clock = clockAdapter{sc.cfg.Clock}
	cfg.Progress = nil
	start := time.Now()
	sum, err := sc.cfg.RunFunc(sc.runCtx, cfg)
	switch {
	case errors.Is(err, runlock.ErrBusy):
		sc.log.Info("run skipped: another run is in progress", "kind", kind)
	case err != nil:
		sc.log.Error("run failed", "kind", kind, "err", err)
	default:
		sc.log.Info("run completed", "kind", kind, "new", len(sum.New), "files", sum.Submissions,
			"rejected", sum.Rejected, "findings", sum.Findings, "duration", time.Since(start).Round(time.Millisecond))
	}
}

// Jobs returns the scheduler's jobs (for status and tests).
func (sc *Scheduler) Jobs() []gocron.Job { return sc.s.Jobs() }

// Stop stops scheduling and waits for a run in progress to finish; after
// the grace period it aborts it.
func (sc *Scheduler) Stop() error {
	done := make(chan error, 1)
	go func() { done <- sc.s.Shutdown() }()
	select {
	case err := <-done:
		sc.abort()
		return err
	case <-time.After(sc.cfg.GracePeriod):
		sc.log.Warn("a run is still in progress after the grace period; aborting it")
		sc.abort()
		return <-done
	}
}

// Abort cancels a run in progress at once (a second interrupt).
func (sc *Scheduler) Abort() { sc.abort() }
