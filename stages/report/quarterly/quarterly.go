// Package quarterly writes the quarterly report for the province (SPEC §7):
// one printable .xlsx per period — "bao-cao-quy-2022Q2.xlsx" — with a
// title sheet (the administrative header and the key totals), summaries by
// cluster, commune and hamlet, opinions by topic and agency, the opinion
// list, duplicate households and borderline pairs, submission status and
// timeliness, and data problems by commune.
//
// The report's period is the plan's dialogue quarter. While that quarter
// has not ended, each run rewrites a draft ("bao-cao-quy-2022Q2-du-thao.xlsx",
// marked "Dự thảo"); the first run after it ends writes the final report
// once, records it with the Emitter and removes the draft; later runs keep
// the final report as it is.
package quarterly

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/quarterly/xl"
)

// Kind is the once-only output kind recorded with the Emitter.
const Kind = "quarterly"

// Emitter remembers once-only outputs across runs (the ledger).
type Emitter interface {
	Emitted(ctx context.Context, kind, period string) (string, bool, error)
	MarkEmitted(ctx context.Context, kind, period, path string, at time.Time) error
}

// Config of the quarterly report.
type Config struct {
	Dir     string     // the reports folder of the outbox
	Plan    *plan.Plan // the year's plan
	Now     time.Time  // the run's clock
	Emitter Emitter    // the ledger; nil: the final file itself is the memory
}

// FileName is the report's file name for a period; draft adds "-du-thao".
func FileName(period string, draft bool) string {
	if draft {
		return "bao-cao-quy-" + period + "-du-thao.xlsx"
	}
	return "bao-cao-quy-" + period + ".xlsx"
}

// Write writes the report of the plan's dialogue quarter (a draft while it
// lasts, the final report once after it ends) and returns the paths written
// in this run (none when the final report already exists).
func Write(ctx context.Context, cfg Config, ds *record.Dataset) ([]string, error) {
	if cfg.Plan == nil {
		return nil, fmt.Errorf("quarterly report: %w", xl.ErrNoPlan)
	}
	if ds == nil {
		ds = &record.Dataset{}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("quarterly report: %w", err)
	}
	p := cfg.Plan
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	period := p.DialoguePeriod()
	_, end, ok := xl.QuarterBounds(period, p.Location())
	if !ok {
		return nil, fmt.Errorf("quarterly report: bad period %q", period)
	}
	finalPath := filepath.Join(cfg.Dir, FileName(period, false))
	draftPath := filepath.Join(cfg.Dir, FileName(period, true))

	// Was the final report emitted already?
	emitted := false
	if cfg.Emitter != nil {
		_, done, err := cfg.Emitter.Emitted(ctx, Kind, period)
		if err != nil {
			return nil, fmt.Errorf("quarterly report: %w", err)
		}
		emitted = done
	}
	_, statErr := os.Stat(finalPath)
	finalExists := statErr == nil

	if now.Before(end) {
		if emitted && finalExists {
			// A run with its clock set back (replaying history) never
			// puts a draft beside the emitted report.
			return nil, nil
		}
		// The quarter is under way (or still to come): refresh the draft.
		if err := build(ctx, p, ds, period, now, true).save(draftPath); err != nil {
			return nil, fmt.Errorf("quarterly report draft: %w", err)
		}
		return []string{draftPath}, nil
	}

	// The quarter has ended: the final report is emitted once.
	if finalExists {
		// Kept as it was emitted; a ledger that lost track learns of it.
		if cfg.Emitter != nil && !emitted {
			if err := cfg.Emitter.MarkEmitted(ctx, Kind, period, finalPath, now); err != nil {
				return nil, fmt.Errorf("quarterly report: %w", err)
			}
		}
		removeDraft(draftPath)
		return nil, nil
	}
	// Not emitted yet, or emitted but since deleted from the outbox: write
	// it (a deleted final report is written again from the current data).
	if err := build(ctx, p, ds, period, now, false).save(finalPath); err != nil {
		return nil, fmt.Errorf("quarterly report: %w", err)
	}
	if cfg.Emitter != nil && !emitted {
		if err := cfg.Emitter.MarkEmitted(ctx, Kind, period, finalPath, now); err != nil {
			return nil, fmt.Errorf("quarterly report: %w", err)
		}
	}
	removeDraft(draftPath)
	return []string{finalPath}, nil
}

// removeDraft deletes the draft once the final report exists: two files
// of one quarter would confuse whoever sends it to the province.
// A draft that cannot be removed is harmless, so errors are ignored.
func removeDraft(path string) { _ = os.Remove(path) }
