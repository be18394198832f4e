package record

import (
	"context"
	"fmt"
)

// Roster gives a dataset's M1 roster rows in dataset order, one run of
// rows at a time, so that a roster too big to hold in memory is read again
// from where it is stored (the extracts) as often as a stage needs it.
type Roster interface {
	// Len is the number of roster rows.
	Len() int
	// Each calls fn with consecutive runs of rows, in dataset order: first
	// is the dataset index of hs[0]. hs is valid only during the call: fn
	// must neither keep nor change it. Each stops at fn's first error and
	// returns it.
	Each(ctx context.Context, fn func(first int, hs []Household) error) error
}

// HouseholdRows is a Roster held in memory.
type HouseholdRows []Household

// Len is the number of rows.
func (r HouseholdRows) Len() int { return len(r) }

// Each calls fn once with all the rows.
func (r HouseholdRows) Each(ctx context.Context, fn func(first int, hs []Household) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(r) == 0 {
		return nil
	}
	return fn(0, r)
}

// HouseholdCount is the number of the dataset's roster rows, in memory or
// not.
func (ds *Dataset) HouseholdCount() int {
	if ds.Roster != nil {
		return ds.Roster.Len()
	}
	return len(ds.Households)
}

// EachHousehold calls fn with the dataset's roster rows in dataset order:
// ds.Households when they are in memory, else the runs of ds.Roster. hs is
// valid only during the call; fn must neither keep nor change it.
func (ds *Dataset) EachHousehold(ctx context.Context, fn func(first int, hs []Household) error) error {
	if ds.Roster == nil {
		return HouseholdRows(ds.Households).Each(ctx, fn)
	}
	if err := ds.Roster.Each(ctx, fn); err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	return nil
}
