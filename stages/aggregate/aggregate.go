// Package aggregate is the stage between dedupe and report: it applies the
// household quota of each hamlet (SPEC §9), judges the timeliness of every
// commune's forms and computes every figure of the reports (SPEC §8
// figures, plus a few documented extra measures). It reads the plan and the
// dataset and writes Registration.OverQuota, over-quota findings,
// Dataset.Timeliness and Dataset.Figures; nothing else is changed.
package aggregate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
)

// Aggregate applies the quota, judges timeliness and computes every figure
// of the reports. It may be called again on the same dataset: earlier
// over-quota marks and findings, timeliness and figures are replaced.
func Aggregate(ctx context.Context, p *plan.Plan, ds *record.Dataset, now time.Time) error {
	if p == nil {
		return errors.New("aggregate: no plan")
	}
	if ds == nil {
		return errors.New("aggregate: no dataset")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("aggregate: %w", err)
	}
	sc := record.NewScope(ds)
	applyQuota(p, ds, sc)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("aggregate: %w", err)
	}
	ds.Timeliness = timeliness(p, ds)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("aggregate: %w", err)
	}
	ds.Figures = figures(p, ds, sc, now)
	return nil
}

// rowKey identifies a source row.
type rowKey struct {
	path, sheet string
	row         int
}

func keyOf(s record.Source) rowKey { return rowKey{s.Path, s.Sheet, s.Row} }
