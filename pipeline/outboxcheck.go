package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
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
		if m, why, err = intact(fp, scan); err != nil {
			return chk, false, err
		}
	}
	if m != nil {
		done, err := keepOutbox(ctx, cfg, led, ing, m, scan.wait().restamped, now, sum)
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
func intact(fp string, scan *outboxScan) (*uptodate.Manifest, string, error) {
	if fp == "" {
		return nil, "the program cannot identify itself", nil
	}
	s := scan.wait()
	if s.err != nil || s.m == nil {
		return nil, "no manifest", s.err
	}
	if s.m.Fingerprint != fp {
		return nil, "the inputs changed", nil
	}
	if s.same {
		return s.m, "", nil
	}
	if s.listErr != nil {
		return nil, s.listErr.Error(), nil // the normal path will tell what is wrong with the outbox
	}
	if d := uptodate.Diff(s.m.Files, s.listing.Files); d != "" {
		return nil, "outbox " + d, nil
	}
	// The same files, though some folder's stamp moved (touched, or a
	// temporary left and removed): the manifest takes the new stamps, so
	// that the next run need not list the outbox again (where the system
	// gives no stamps, every run lists it, and nothing is saved).
	if s.listing.Stamped() && !slices.Equal(s.m.Dirs, s.listing.Dirs) {
		s.m.Dirs = s.listing.Dirs
		s.restamped = true
	}
	return s.m, "", nil
}

// keepOutbox ends a run whose outbox is up to date (manifest m): the
// counts from the ledger, the status page restamped, the manifest
// recorded for this run (saved whole again when its folders' stamps
// moved, save). False when the ledger or the page is not what m expects.
func keepOutbox(ctx context.Context, cfg Config, led *ledger.Ledger, ing *ingest.Result, m *uptodate.Manifest, save bool, now time.Time, sum *Summary) (bool, error) {
	counts, err := led.OutcomeCounts(ctx)
	if err != nil {
		return false, err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != len(ing.All) {
		return false, nil
	}
	acc, rej, dup := counts[string(record.StatusAccepted)], counts[string(record.StatusRejected)], counts[string(record.StatusDuplicate)]
	// The page a normal run would write differs in its minute only.
	if ok, err := statuspage.Restamp(cfg.Outbox, cfg.Plan, m.Now, now); err != nil || !ok {
		return false, err
	}
	if save {
		if err := m.Save(cfg.State); err != nil {
			return false, err
		}
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

// outboxScan loads the manifest and checks the outbox against it
// alongside ingest, for the up-to-date check.
type outboxScan struct {
	done chan struct{}
	m    *uptodate.Manifest // nil when there is none (or it cannot be used)
	err  error              // the manifest could not be read
	// same: the outbox holds m's files, told from the folders' stamps
	// (Manifest.Unchanged); else listing is what it holds (listErr when
	// it could not be listed).
	same    bool
	listing uptodate.Listing
	listErr error
	// restamped: the outbox holds m's files though the stamps of some
	// folders moved; set by intact, which gave m the new ones.
	restamped bool
}

// startOutboxScan starts checking the outbox (not when a rebuild is
// asked: nothing will be compared).
func startOutboxScan(cfg Config) *outboxScan {
	s := &outboxScan{done: make(chan struct{})}
	if cfg.Rebuild {
		close(s.done)
		return s
	}
	go func() {
		defer close(s.done)
		m, ok, err := uptodate.Load(cfg.State)
		if err != nil || !ok {
			s.err = err
			return
		}
		s.m = m
		if s.same = m.Unchanged(cfg.Outbox); !s.same {
			s.listing, s.listErr = uptodate.List(cfg.Outbox)
		}
	}()
	return s
}

// wait is the check, once done.
func (s *outboxScan) wait() *outboxScan {
	<-s.done
	return s
}

// recordOutbox records, after a run wrote the outbox, its fingerprint and
// every file the outbox now holds, for the next run's check. A manifest
// that cannot be written costs the next run its shortcut, nothing else:
// it is a warning, not a failure of a run whose outputs are complete.
func recordOutbox(cfg Config, chk outboxCheck, now time.Time, sum *Summary, log *slog.Logger) {
	if chk.fingerprint == "" {
		return
	}
	l, err := uptodate.List(cfg.Outbox)
	if err == nil {
		m := &uptodate.Manifest{Fingerprint: chk.fingerprint, RunID: sum.RunID, Now: now,
			Findings: sum.Findings, Outputs: sum.Outputs, Files: l.Files, Dirs: l.Dirs}
		err = m.Save(cfg.State)
	}
	if err != nil {
		log.Warn("the outbox manifest could not be written; the next run writes the outbox again", "err", err)
	}
}
