// Package clock gives the run its notion of "now". A run normally uses the
// real time; `--now` fixes it so that history can be replayed (SPEC §8):
// files first seen in such a run are received at that time, and deadlines
// and quarters are judged at that time. Completeness of files (settling) is
// always judged on the real clock, never on this one.
package clock

import "time"

// Clock tells the time of the run.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Fixed is a clock stopped at one instant (`--now`).
type Fixed time.Time

// Now returns the fixed instant.
func (f Fixed) Now() time.Time { return time.Time(f) }

// Parse reads an RFC 3339 instant ("2022-04-20T09:00:00+07:00"); a bare
// date ("2022-04-20") is taken as midnight in loc.
func Parse(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05", s, loc); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", s, loc)
}
