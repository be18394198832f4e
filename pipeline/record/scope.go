package record

// Scope decides which records count in figures and reports: valid rows,
// not superseded, of a submission that is accepted and not replaced by a
// newer file. Records whose submission is unknown count (the validator
// made them).
type Scope struct {
	notAccepted map[subKey]bool // submissions rejected or duplicates
	replaced    map[subKey]bool // accepted submissions replaced by a newer file
}

// subKey identifies a submission: the same path may be reused for new
// content, and the same content may arrive under two paths.
type subKey struct{ id, path string }

// NewScope reads the submissions' outcomes of a dataset.
func NewScope(ds *Dataset) Scope { return NewScopeOf(ds.Submissions) }

// NewScopeOf reads the submissions' outcomes.
func NewScopeOf(subs []SubmissionOutcome) Scope {
	sc := Scope{notAccepted: map[subKey]bool{}, replaced: map[subKey]bool{}}
	for _, o := range subs {
		k := subKey{o.ID, o.Path}
		if o.Status != StatusAccepted {
			sc.notAccepted[k] = true
		} else if o.SupersededBy != "" {
			sc.replaced[k] = true
		}
	}
	return sc
}

// Counts reports whether a record counts.
func (sc Scope) Counts(src Source, st State) bool {
	k := subKey{src.SubmissionID, src.Path}
	return st.Valid && !st.Superseded && !sc.notAccepted[k] && !sc.replaced[k]
}

// Replaced reports whether a submission was replaced by a newer file.
func (sc Scope) Replaced(id, path string) bool { return sc.replaced[subKey{id, path}] }
