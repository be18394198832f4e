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
	"sync"
	"sync/atomic"
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
	// AbortWait is how long Stop waits, after aborting a run, for it to
	// record its outcome and return (default 30 s; the pipeline stops
	// within a few seconds of its context ending).
	AbortWait time.Duration
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

	running sync.WaitGroup // runs in progress
	aborted atomic.Int32   // runs that ended because they were aborted
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
	if cfg.AbortWait <= 0 {
		cfg.AbortWait = 30 * time.Second
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
		// Stop decides itself when to abort a run (after GracePeriod):
		// gocron must not give up waiting for it before that.
		gocron.WithStopTimeout(cfg.GracePeriod+cfg.AbortWait),
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
	var missedStarted chan struct{}
	if missed, err := sc.missedNightly(ctx); err != nil {
		log.Warn("cannot tell whether a nightly run was missed", "err", err)
	} else if missed {
		// A job of the schedule, not a call here, so a stop during this
		// run is handled like any other; Start returns once it has begun,
		// so a stop right after Start cannot drop it before it starts.
		log.Info("the last nightly run was missed; running it now")
		missedStarted = make(chan struct{})
		task := func() {
			sc.running.Add(1) // before the signal: Stop then waits for this run
			close(missedStarted)
			defer sc.running.Done()
			sc.RunOnce(pipeline.KindFull)
		}
		if _, err := s.NewJob(gocron.OneTimeJob(gocron.OneTimeJobStartImmediately()), gocron.NewTask(task),
			gocron.WithName("missed nightly")); err != nil {
			abort()
			return nil, fmt.Errorf("missed nightly run: %w", err)
		}
	}
	s.Start()
	if missedStarted != nil {
		select {
		case <-missedStarted:
		case <-ctx.Done():
		}
	}
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
	sc.running.Add(1)
	defer sc.running.Done()
	start := time.Now()
	sum, err := sc.cfg.RunFunc(sc.runCtx, cfg)
	switch {
	case errors.Is(err, runlock.ErrBusy):
		sc.log.Info("run skipped: another run is in progress", "kind", kind)
	case err != nil && sc.runCtx.Err() != nil:
		sc.aborted.Add(1)
		sc.log.Warn("run aborted; the next run redoes its work", "kind", kind, "err", err)
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
// the grace period (or an Abort) it cancels it and waits, at most
// AbortWait, for the run to record its outcome ("aborted") and return.
func (sc *Scheduler) Stop() error {
	done := make(chan error, 1)
	go func() { done <- sc.s.Shutdown() }()
	grace := time.NewTimer(sc.cfg.GracePeriod)
	defer grace.Stop()
	var err error
	select {
	case err = <-done:
	case <-grace.C:
		sc.log.Warn("a run is still in progress after the grace period; aborting it", "grace", sc.cfg.GracePeriod)
		sc.abort()
		err = <-done
	case <-sc.runCtx.Done(): // Abort
		err = <-done
	}
	sc.abort()
	if !sc.wait(sc.cfg.AbortWait) {
		return fmt.Errorf("a run did not end within %s of being aborted", sc.cfg.AbortWait)
	}
	if errors.Is(err, gocron.ErrStopJobsTimedOut) {
		err = nil // the run ended after all: it was aborted and has returned
	}
	return err
}

// wait waits up to d for the runs in progress to return.
func (sc *Scheduler) wait(d time.Duration) bool {
	ended := make(chan struct{})
	go func() { sc.running.Wait(); close(ended) }()
	select {
	case <-ended:
		return true
	case <-time.After(d):
		return false
	}
}

// Abort cancels a run in progress at once (a second interrupt); Stop then
// returns as soon as the run has recorded its outcome.
func (sc *Scheduler) Abort() { sc.abort() }

// Aborted reports how many runs ended because they were aborted.
func (sc *Scheduler) Aborted() int { return int(sc.aborted.Load()) }
