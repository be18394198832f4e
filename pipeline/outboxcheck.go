package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"doithoai/pipeline/ledger"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
	"doithoai/pipeline/uptodate"
	"doithoai/stages/ingest"
	"doithoai/stages/report/statuspage"
)

// outboxCheck is what the up-to-date check found, for recordOutbox.
type outboxCheck struct {
	fingerprint string
}

// skipIfUpToDate is the fast path of a run with nothing new: when the
// run's inputs (uptodate.Fingerprint: the submissions, the skipped inbox
// entries, the plan, the reader, the program, the kind, the facts of the
// clock) are those of the last run that wrote the outbox, and the outbox
// still holds exactly the files it left, the outputs are already there.
// It then restamps the status page's "Cập nhật lúc" (the one output that
// tells the minute), records the counts from the ledger in sum and
// returns done. Otherwise it removes the manifest, so that a run stopped
// while writing the outbox leaves none, and the run goes on.
//
// The page is otherwise kept as the last run that wrote the outbox made
// it. When that run received new files, its page counts the files it
// wrote and labels them «mới» (feedback included), where a run without
// the shortcut would label only what it rewrote (the reports: unchanged
// feedback is not rewritten); the labels then keep telling what changed
// at the last update until the outbox changes again. After a run with
// nothing new the page is byte for byte the one a run without the
// shortcut writes.
func skipIfUpToDate(ctx context.Context, cfg Config, led *ledger.Ledger, ing *ingest.Result, scan *outboxScan, now time.Time, sum *Summary, log *slog.Logger) (outboxCheck, bool, error) {
	key, err := process.StoreKey(cfg.Limits, cfg.Plan)
	if err != nil {
		return outboxCheck{}, false, err
	}
	fp, err := uptodate.Fingerprint(uptodate.Input{Full: cfg.Kind == KindFull, Plan: cfg.Plan, ExtractKey: key,
		FileTimeout: cfg.FileTimeout, Submissions: ing.All, Skipped: ing.Skipped, Now: now})
	if err != nil {
		return outboxCheck{}, false, err
	}
	chk := outboxCheck{fingerprint: fp}
	defer scan.wait() // no listing goes on while the outbox is written
	m, why := (*uptodate.Manifest)(nil), "rebuild asked"
	if !cfg.Rebuild {
		if m, why, err = intact(cfg, fp, scan); err != nil {
			return chk, false, err
		}
	}
	if m != nil {
		done, err := keepOutbox(ctx, cfg, led, ing, m, now, sum)
		if err != nil {
			return chk, false, err
		}
		why = "the ledger or the status page is not as recorded"
		if done {
			log.Info("outputs are up to date: nothing changed since the last run that wrote the outbox; read, validate, dedupe, aggregate and report skipped",
				"files", sum.Submissions, "outputs", len(sum.Outputs))
			return chk, true, nil
		}
	}
	log.Debug("the outbox is written again", "why", why)
	return chk, false, uptodate.Remove(cfg.State)
}

// intact is the manifest of the last run that wrote the outbox when it
// had the inputs fp and the outbox holds exactly the files it left; else
// nil and why.
func intact(cfg Config, fp string, scan *outboxScan) (*uptodate.Manifest, string, error) {
	if fp == "" {
		return nil, "the program cannot identify itself", nil
	}
	m, ok, err := uptodate.Load(cfg.State)
	if err != nil || !ok {
		return nil, "no manifest", err
	}
	if m.Fingerprint != fp {
		return nil, "the inputs changed", nil
	}
	files, err := scan.wait()
	if err != nil {
		return nil, err.Error(), nil // the normal path will tell what is wrong with the outbox
	}
	if d := uptodate.Diff(m.Files, files); d != "" {
		return nil, "outbox " + d, nil
	}
	return m, "", nil
}

// keepOutbox ends a run whose outbox is up to date (manifest m): the
// counts from the ledger, the status page restamped, the manifest
// recorded for this run. False when the ledger or the page is not what m
// expects.
func keepOutbox(ctx context.Context, cfg Config, led *ledger.Ledger, ing *ingest.Result, m *uptodate.Manifest, now time.Time, sum *Summary) (bool, error) {
	outs, err := led.Outcomes(ctx)
	if err != nil {
		return false, err
	}
	if len(outs) != len(ing.All) {
		return false, nil
	}
	var acc, rej, dup int
	for _, o := range outs {
		switch record.Status(o.Status) {
		case record.StatusAccepted:
			acc++
		case record.StatusRejected:
			rej++
		case record.StatusDuplicate:
			dup++
		}
	}
	// The page a normal run would write differs in its minute only.
	if ok, err := statuspage.Restamp(cfg.Outbox, cfg.Plan, m.Now, now); err != nil || !ok {
		return false, err
	}
	if err := recordManifest(cfg, m, now); err != nil {
		return false, err
	}
	sum.UpToDate = true
	sum.Accepted, sum.Rejected, sum.Duplicates, sum.Findings = acc, rej, dup, m.Findings
	sum.Outputs = m.Outputs
	return true, nil
}

// recordManifest records the run at now in m: its clock and the status
// page it restamped.
func recordManifest(cfg Config, m *uptodate.Manifest, now time.Time) error {
	fi, err := os.Lstat(filepath.Join(cfg.Outbox, statuspage.FileName))
	if err != nil {
		return fmt.Errorf("status page: %w", err)
	}
	return m.Restamp(cfg.State, now, uptodate.Stat(statuspage.FileName, fi))
}

// outboxScan lists the outbox alongside ingest, for the up-to-date check.
type outboxScan struct {
	done  chan struct{}
	files []uptodate.File
	err   error
}

// startOutboxScan starts listing the outbox (not when a rebuild is
// asked: nothing will be compared).
func startOutboxScan(cfg Config) *outboxScan {
	s := &outboxScan{done: make(chan struct{})}
	if cfg.Rebuild {
		close(s.done)
		return s
	}
	go func() {
		defer close(s.done)
		s.files, s.err = uptodate.Scan(cfg.Outbox)
	}()
	return s
}

// wait is the listing, once done.
func (s *outboxScan) wait() ([]uptodate.File, error) {
	<-s.done
	return s.files, s.err
}

// recordOutbox records, after a run wrote the outbox, its fingerprint and
// every file the outbox now holds, for the next run's check. A manifest
// that cannot be written costs the next run its shortcut, nothing else:
// it is a warning, not a failure of a run whose outputs are complete.
func recordOutbox(cfg Config, chk outboxCheck, now time.Time, sum *Summary, log *slog.Logger) {
	if chk.fingerprint == "" {
		return
	}
	files, err := uptodate.Scan(cfg.Outbox)
	if err == nil {
		m := &uptodate.Manifest{Fingerprint: chk.fingerprint, RunID: sum.RunID, Now: now,
			Findings: sum.Findings, Outputs: sum.Outputs, Files: files}
		err = m.Save(cfg.State)
	}
	if err != nil {
		log.Warn("the outbox manifest could not be written; the next run writes the outbox again", "err", err)
	}
}
