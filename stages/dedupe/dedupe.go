// Package dedupe is the entity-resolution stage (SPEC §6, §8, §9): it finds
// the M1 roster rows and M2 registrations that refer to one household —
// across rows, sheets, files and communes — and gives every valid current
// row its household_group, match_reason and match score. It decides which
// registrations are eligible (the household is on the current roster of the
// registering commune), flags registrations that duplicate another of the
// same household, and lists the borderline pairs a person should decide.
//
// Matching uses exact keys (the Mã hộ within a commune, the citizen ID)
// and a Fellegi–Sunter style score on the head of household's name (tone
// aware, tolerant of missing diacritics, NFD, reordered words, a dropped
// middle name and one-letter typos, weighted by how common each word is in
// the data), birth year, hamlet and Mã hộ. Candidate pairs come only from
// blocks (commune + hamlet + given name and its one-letter deletions,
// sorted words, Mã hộ, citizen ID), so the cost is near linear; groups are
// built with union–find, strongest evidence first, never joining two
// households whose heads' citizen IDs or birth years disagree.
package dedupe

import (
	"context"
	"fmt"
	"runtime"

	"doithoai/pipeline/record"
)

// Finding codes this stage gives (warnings).
const (
	// CodeNotOnRoster: a valid registration whose household is not on the
	// current M1 roster of the registering commune.
	CodeNotOnRoster = "not-on-roster"
	// CodeDuplicateRegistration: a second (or later) registration of a
	// household that is already registered (husband and wife, the same
	// person twice, or another commune first).
	CodeDuplicateRegistration = "duplicate-registration"
)

// Options tune Resolve. Zero fields take the defaults of DefaultOptions.
type Options struct {
	// AutoMergeScore is the score (0..1) from which a pair matched by name
	// is merged without asking.
	AutoMergeScore float64
	// BorderlineScore is the score from which an unmerged pair is listed in
	// Dataset.Borderline for a person to decide.
	BorderlineScore float64
	// Workers is the number of goroutines (default GOMAXPROCS).
	Workers int
	// CommuneName, when set, names a commune in messages from its code
	// (e.g. "xã Thường Phước 1"); without it messages say "xã/thị trấn".
	CommuneName func(code string) string
}

// DefaultOptions returns the default thresholds and one worker per CPU.
func DefaultOptions() Options {
	return Options{AutoMergeScore: 0.8, BorderlineScore: 0.2, Workers: runtime.GOMAXPROCS(0)}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.AutoMergeScore <= 0 || o.AutoMergeScore > 1 {
		o.AutoMergeScore = d.AutoMergeScore
	}
	if o.BorderlineScore <= 0 || o.BorderlineScore > o.AutoMergeScore {
		o.BorderlineScore = min(d.BorderlineScore, o.AutoMergeScore)
	}
	if o.Workers <= 0 {
		o.Workers = d.Workers
	}
	return o
}

// Resolve groups the valid, non-superseded M1 (Households) and M2
// (Registrations) rows of ds that refer to the same household and writes
// HouseholdGroup, MatchReason and MatchScore into each of them: every valid
// current row gets a group (a row matching nothing is a group of its own,
// with MatchReason "" and MatchScore 0); invalid and superseded rows get
// none (""). Group IDs are deterministic and stable across runs: "G-" and
// the commune and Mã hộ of the group's roster row (e.g. "G-29956-0842"), or
// a hash of its first row when no row has a Mã hộ. MatchReason joins, in a
// fixed order, the reasons among household_code, citizen_id, name,
// name_fuzzy and spouse; MatchScore is the group's weakest link (1 for
// exact keys).
//
// Resolve fills ds.Groups (groups of two or more rows, by ID) and
// ds.Borderline (pairs scored between BorderlineScore and AutoMergeScore,
// or whose key was contradicted, left unmerged). A borderline pair's Reason
// names what matched (household_code, citizen_id, name, name_fuzzy) and,
// after it, why it was not merged: "conflict" (the same Mã hộ or citizen
// ID but other names, or heads with different IDs or birth years) or
// "ambiguous" (the row matches two different households about equally);
// with neither, the score was simply too low. It sets
// Registration.Eligible: the registration's household has a valid current
// M1 row of the same commune as the registration's file. Eligibility is
// also computed for invalid and superseded registrations (by matching them
// against the current rows without grouping them), as information: only
// valid, current, eligible rows count toward a quota. It appends the
// warnings not-on-roster (valid registrations that are not eligible) and
// duplicate-registration (every registration of a household after the
// first in receipt order; for superseded files, within the file), replacing
// those of an earlier call.
func Resolve(ctx context.Context, ds *record.Dataset, opt Options) error {
	if ds == nil {
		return nil
	}
	opt = opt.withDefaults()
	m := prepare(ds, opt)
	m.collect()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("dedupe: %w", err)
	}
	if err := m.resolve(ctx); err != nil {
		return fmt.Errorf("dedupe: %w", err)
	}
	return nil
}
