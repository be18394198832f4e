package process

import (
	"context"

	"doithoai/pipeline/record"
	"doithoai/stages/aggregate"
	"doithoai/stages/dedupe"
)

// This file is the one place where the stages' outputs become the dataset
// the report stage reads. Each stage reads a declared Input and returns a
// Result and never changes what it was given; the chain (stages) builds
// each Input from the dataset as it stands and then applies the stage's
// Result to it here, in this order:
//
//	validate  -> *record.Dataset (submissions, findings, typed records)
//	dedupe    -> Households/Registrations' HouseholdGroup, MatchReason,
//	             MatchScore; Registrations' Eligible; Groups; Borderline;
//	             dedupe's findings appended
//	aggregate -> Registrations' OverQuota; Timeliness; Figures; the
//	             over-quota findings appended
//
// The inputs share the dataset's slices (nothing is copied) and the results
// hold one small value per row, so a run never holds its records twice.

// resolve runs dedupe on the dataset: at once when its roster is in
// memory; else part by part (the communes that share a Mã hộ or citizen
// ID together), the roster read again from the extracts for the
// statistics and for each part, one part held at a time. Both give the
// same Result (dedupe's TestPartsEqualWhole).
func resolve(ctx context.Context, ds *record.Dataset) (dedupe.Result, error) {
	r, ok := ds.Roster.(*roster)
	if !ok {
		return dedupe.Resolve(ctx, dedupe.Input{Households: ds.Households, Registrations: ds.Registrations}, dedupe.DefaultOptions())
	}
	st := dedupe.NewStats()
	st.Grow(r.Len() + len(ds.Registrations))
	if err := r.Each(ctx, func(_ int, hs []record.Household) error { return st.AddHouseholds(hs) }); err != nil {
		return dedupe.Result{}, err
	}
	if err := st.AddRegistrations(ds.Registrations); err != nil {
		return dedupe.Result{}, err
	}
	return dedupe.ResolveParts(ctx, st, r.Len(), len(ds.Registrations), r.loader(ds.Registrations), dedupe.DefaultOptions())
}

// applyDedupe writes what dedupe decided into ds, whose Households (or
// Roster) and Registrations are the ones res was made from. The findings
// are appended after validation's.
func applyDedupe(ds *record.Dataset, res dedupe.Result) {
	if r, ok := ds.Roster.(*roster); ok {
		r.setMatches(res)
	}
	for i := range ds.Households {
		h := &ds.Households[i]
		m := res.OfHousehold(i)
		h.HouseholdGroup, h.MatchReason, h.MatchScore = m.Group, m.Reason, m.Score
	}
	for i := range ds.Registrations {
		r := &ds.Registrations[i]
		m := res.OfRegistration(i)
		r.HouseholdGroup, r.MatchReason, r.MatchScore = m.Group, m.Reason, m.Score
		r.Eligible = res.Eligible[i]
	}
	ds.Groups, ds.Borderline = res.Groups, res.Borderline
	ds.Findings = append(ds.Findings, res.Findings...)
}

// aggregateInput is aggregate's input: the dataset after applyDedupe.
func aggregateInput(ds *record.Dataset) aggregate.Input {
	return aggregate.Input{
		Submissions:   ds.Submissions,
		Households:    households(ds),
		Registrations: ds.Registrations,
		Delegates:     ds.Delegates,
		Opinions:      ds.Opinions,
		Results:       ds.Results,
		Groups:        ds.Groups,
		Borderline:    ds.Borderline,
	}
}

// applyAggregate writes what aggregate decided into ds, whose
// Registrations are the ones res was made from. The over-quota findings
// are appended after dedupe's.
// households is the dataset's roster, in memory or not.
func households(ds *record.Dataset) record.Roster {
	if ds.Roster != nil {
		return ds.Roster
	}
	return record.HouseholdRows(ds.Households)
}

func applyAggregate(ds *record.Dataset, res aggregate.Result) {
	for i := range ds.Registrations {
		ds.Registrations[i].OverQuota = res.OverQuota[i]
	}
	ds.Findings = append(ds.Findings, res.Findings...)
	ds.Timeliness, ds.Figures = res.Timeliness, res.Figures
}
