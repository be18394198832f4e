package process

import (
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

// dedupeInput is dedupe's input: the dataset's roster rows and
// registrations.
func dedupeInput(ds *record.Dataset) dedupe.Input {
	return dedupe.Input{Households: ds.Households, Registrations: ds.Registrations}
}

// applyDedupe writes what dedupe decided into ds, whose Households and
// Registrations are the ones res was made from. The findings are appended
// after validation's.
func applyDedupe(ds *record.Dataset, res dedupe.Result) {
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
		Households:    ds.Households,
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
func applyAggregate(ds *record.Dataset, res aggregate.Result) {
	for i := range ds.Registrations {
		ds.Registrations[i].OverQuota = res.OverQuota[i]
	}
	ds.Findings = append(ds.Findings, res.Findings...)
	ds.Timeliness, ds.Figures = res.Timeliness, res.Figures
}
