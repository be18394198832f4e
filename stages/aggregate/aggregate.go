// Package aggregate is the stage between dedupe and report: it applies the
// household quota of each hamlet (SPEC §9), judges the timeliness of every
// commune's forms and computes every figure of the reports (SPEC §8
// figures, plus a few documented extra measures). It reads the plan and an
// Input (the typed records, never changed) and returns a Result: the
// over-quota marks (indexed like Input.Registrations), the over-quota
// findings, the timeliness table and the figures. It knows no other
// stage: what deduplication decided reaches it as record fields.
package aggregate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
)

// Input is what Aggregate reads. The slices are shared with the caller
// and only read.
type Input struct {
	// Submissions are every file's outcome: which records count (see
	// record.Scope), timeliness and the submission counts.
	Submissions []record.SubmissionOutcome
	// Households are the M1 rows (which members of a group are current),
	// in memory (record.HouseholdRows) or read again as needed.
	Households record.Roster
	// Registrations are the M2 rows with HouseholdGroup and Eligible as
	// deduplication decided them.
	Registrations []record.Registration
	Delegates     []record.Delegate
	// Opinions are the M4 rows, with Late as validation judged their file.
	Opinions []record.Opinion
	Results  []record.Result
	// Groups and Borderline are deduplication's households of two or more
	// rows and its pairs left for a person.
	Groups     []record.HouseholdGroup
	Borderline []record.CandidatePair
}

// Result is what Aggregate decided.
type Result struct {
	// OverQuota[i] says whether Input.Registrations[i] is beyond its
	// hamlet's household quota.
	OverQuota []bool
	// Findings are the over-quota warnings, one per such row, in receipt
	// order.
	Findings []record.Finding
	// Timeliness has one row per plan commune and expected form.
	Timeliness []record.Timeliness
	// Figures are every figure of the reports, in plan order.
	Figures []record.Figure
}

// Index indexes the result's figures.
func (r *Result) Index() *Index { return NewIndex(r.Figures) }

// TimelinessOf returns the result's timeliness row of a commune's form.
func (r *Result) TimelinessOf(commune string, form record.Form) (record.Timeliness, bool) {
	return timelinessIn(r.Timeliness, commune, form)
}

// Aggregate applies the quota, judges timeliness and computes every figure
// of the reports, with now as the run's clock (which missing forms are
// overdue). It reads in and never changes it: calling it twice on the same
// input gives the same Result.
func Aggregate(ctx context.Context, p *plan.Plan, in Input, now time.Time) (Result, error) {
	if p == nil {
		return Result{}, errors.New("aggregate: no plan")
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("aggregate: %w", err)
	}
	sc := record.NewScopeOf(in.Submissions)
	q := rankHouseholds(p, in.Registrations, sc)
	res := Result{OverQuota: q.overQuota(), Findings: q.findings(in.Registrations)}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("aggregate: %w", err)
	}
	res.Timeliness = timeliness(p, in.Submissions)
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("aggregate: %w", err)
	}
	members, err := memberStates(ctx, &in, sc)
	if err != nil {
		return Result{}, fmt.Errorf("aggregate: %w", err)
	}
	res.Figures = figures(p, &in, sc, q, res.Timeliness, now, members)
	return res, nil
}

// rowKey identifies a source row.
type rowKey struct {
	path, sheet string
	row         int
}

func keyOf(s record.Source) rowKey { return rowKey{s.Path, s.Sheet, s.Row} }

// memberStates says of every M1 and M2 row that is a member of a group
// whether it counts (record.Scope.Counts); a member that is not a row of
// the input is not in the map. Only the members are kept, so its size is
// that of the groups, not of the roster, which is read once.
func memberStates(ctx context.Context, in *Input, sc record.Scope) (map[rowKey]bool, error) {
	want := map[rowKey]bool{}
	for _, g := range in.Groups {
		for _, m := range g.Members {
			want[keyOf(m)] = true
		}
	}
	current := make(map[rowKey]bool, len(want))
	if len(want) == 0 {
		return current, nil
	}
	if in.Households != nil {
		err := in.Households.Each(ctx, func(_ int, hs []record.Household) error {
			for i := range hs {
				if k := keyOf(hs[i].Source); want[k] {
					current[k] = sc.Counts(hs[i].Source, hs[i].State)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("roster: %w", err)
		}
	}
	for i := range in.Registrations {
		r := &in.Registrations[i]
		if k := keyOf(r.Source); want[k] {
			current[k] = sc.Counts(r.Source, r.State)
		}
	}
	return current, nil
}
