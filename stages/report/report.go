// Package report is the last stage: it writes everything staff collect from
// the outbox — feedback for every submission, the analysts' Parquet data,
// the quarterly report, attendance lists, each agency's questions and the
// status page. Every file is written to a temporary name and renamed.
// The work of each output lives in a sub-package; this package decides
// what is written when.
package report

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/analytics"
	"doithoai/stages/report/feedback"
	"doithoai/stages/report/lists"
	"doithoai/stages/report/quarterly"
	"doithoai/stages/report/quarterly/xl"
	"doithoai/stages/report/statuspage"
)

// Emitter remembers once-only outputs across runs (the ledger).
type Emitter interface {
	Emitted(ctx context.Context, kind, period string) (string, bool, error)
	MarkEmitted(ctx context.Context, kind, period, path string, at time.Time) error
}

// Config of the report stage.
type Config struct {
	Outbox  string
	Plan    *plan.Plan
	Now     time.Time
	Full    bool          // a full run: figures and reports too; a light pass writes feedback, data and the status page
	New     []string      // paths first received in this run
	Skipped []record.Skip // inbox entries not received (links, FIFOs, unreadable), for the status page
	Emitter Emitter
	Logger  *slog.Logger
	// Workers is how many feedback workbooks are written at once (0:
	// runtime.GOMAXPROCS(0)); the outbox does not depend on it.
	Workers int
}

// Folders of the outbox.
const (
	DirFeedback   = "phan-hoi"          // feedback per commune
	DirReports    = "bao-cao"           // quarterly reports
	DirAttendance = "danh-sach-tham-du" // attendance lists per cluster
	DirQuestions  = "cau-hoi-co-quan"   // each agency's opinions to answer
	DirData       = "data"              // Parquet for analysts
)

// Write writes the outbox and returns the paths written, relative to it.
func Write(ctx context.Context, cfg Config, ds *record.Dataset) ([]string, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	var out []string
	collect := func(what string, paths []string, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, paths...)
		return nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	paths, err := feedback.WriteWorkers(ctx, filepath.Join(cfg.Outbox, DirFeedback), cfg.Plan, ds, cfg.Workers)
	if err := collect("feedback", paths, err); err != nil {
		return nil, err
	}
	// The analysts' data, the quarterly report and the lists read the
	// dataset and write folders of their own: they are written at once
	// (the feedback above already keeps every core busy), and their paths
	// and errors are taken in this order.
	type part struct {
		what  string
		paths []string
		err   error
	}
	var parts [3]part
	var wg sync.WaitGroup
	start := func(i int, what string, write func() ([]string, error)) {
		parts[i].what = what
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i].paths, parts[i].err = write()
		}()
	}
	start(0, "analysts' data", func() ([]string, error) {
		dataDir := filepath.Join(cfg.Outbox, DirData)
		paths, err := analytics.Write(ctx, dataDir, cfg.Plan, ds)
		// The Hive tree's partition files (one per table and commune) are
		// for programs: the run lists data/'s own files, not each partition.
		return slices.DeleteFunc(paths, func(p string) bool { return filepath.Dir(p) != dataDir }), err
	})
	if cfg.Full || quarterEnded(cfg) {
		// The final report of a quarter is emitted by the first run after
		// the quarter ends, light or full; the draft only by full runs.
		start(1, "quarterly report", func() ([]string, error) {
			return quarterly.Write(ctx, quarterly.Config{Dir: filepath.Join(cfg.Outbox, DirReports), Plan: cfg.Plan, Now: cfg.Now, Emitter: cfg.Emitter}, ds)
		})
	}
	if cfg.Full {
		start(2, "attendance and question lists", func() ([]string, error) {
			return lists.Write(ctx, lists.Config{Outbox: cfg.Outbox, AttendanceDir: DirAttendance, QuestionsDir: DirQuestions, Plan: cfg.Plan, Now: cfg.Now}, ds)
		})
	}
	wg.Wait()
	for _, pt := range parts {
		if pt.what == "" {
			continue
		}
		if err := collect(pt.what, pt.paths, pt.err); err != nil {
			return nil, err
		}
	}
	links := make(map[string]string, len(ds.Submissions))
	folders := feedback.NewFolders(cfg.Plan)
	for _, o := range ds.Submissions {
		rel := DirFeedback + "/" + folders.RelPath(o)
		links[o.ID+"|"+o.Path] = rel // a duplicate shares its ID with its original
		if _, ok := links[o.ID]; !ok {
			links[o.ID] = rel
		}
	}
	paths, err = statuspage.Write(ctx, statuspage.Config{Outbox: cfg.Outbox, Plan: cfg.Plan, Now: cfg.Now, Outputs: out, Feedback: links, Skipped: cfg.Skipped}, ds)
	if err := collect("status page", paths, err); err != nil {
		return nil, err
	}
	for i := range out {
		if rel, err := filepath.Rel(cfg.Outbox, out[i]); err == nil {
			out[i] = filepath.ToSlash(rel)
		}
	}
	log.Info("outbox written", "files", len(out))
	return out, nil
}

// quarterEnded reports whether the plan's dialogue quarter is over at the
// run's clock.
func quarterEnded(cfg Config) bool {
	if cfg.Plan == nil {
		return false
	}
	_, end, ok := xl.QuarterBounds(cfg.Plan.DialoguePeriod(), cfg.Plan.Location())
	return ok && !cfg.Now.Before(end)
}
