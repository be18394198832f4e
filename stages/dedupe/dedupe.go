// Package dedupe is the entity-resolution stage (SPEC §6, §8, §9): it finds
// the M1 roster rows and M2 registrations that refer to one household —
// across rows, sheets, files and communes — and gives every valid current
// row its household_group, match_reason and match score. It reads an Input
// (the rows, never changed) and returns a Result (what it decided, indexed
// like the input); it knows no other stage. It decides which
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
	// Result.Borderline for a person to decide.
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

// Input is what Resolve reads: the M1 roster rows and the M2
// registrations, as validation made them (every row, valid or not, with its
// State). Resolve never changes them; its Result is indexed like them.
type Input struct {
	Households    []record.Household
	Registrations []record.Registration
	// Stats, when set, are the statistics of the whole data this input is
	// a part of (see Stats.Parts): names are weighed by them instead of by
	// the input's own rows.
	Stats *Stats
}

// Match is the household a row was assigned to (SPEC §8 household_group,
// match_reason and the match score).
type Match struct {
	// Group is the household_group: "G-" and the commune and Mã hộ of the
	// group's roster row (e.g. "G-29956-0842"), or a hash of its first row
	// when no row has a Mã hộ; "" for a row that takes no part.
	Group string
	// Reason joins, in a fixed order, the reasons among household_code,
	// citizen_id, name, name_fuzzy and spouse; "" for a group of one row.
	Reason string
	// Score is the group's weakest link (1 for exact keys), 0 for a group
	// of one row.
	Score float64
}

// Result is what Resolve decided. Its per-row slices are parallel to the
// Input's: they hold one small value per row, not a copy of the rows.
type Result struct {
	// Matches holds one Match per household found, groups of one row
	// included; HouseholdMatch and RegistrationMatch point into it. A
	// Result of Resolve, ResolveParts or Merge holds them in a compact
	// table instead (Matches is empty): read them with OfHousehold,
	// OfRegistration and NumMatches. Matches serves Results made
	// otherwise (a Part given to Merge).
	Matches []Match
	// HouseholdMatch[i] is the index in Matches of Input.Households[i]'s
	// household, -1 when the row takes no part (invalid or superseded).
	HouseholdMatch []int32
	// RegistrationMatch[i] is the same for Input.Registrations[i].
	RegistrationMatch []int32
	// Eligible[i] says whether Input.Registrations[i]'s household has a
	// valid current M1 row of the commune of the registration's file; it
	// is given for invalid and superseded registrations too (information).
	Eligible []bool
	// Groups are the households of two or more rows, by ID.
	Groups []record.HouseholdGroup
	// Borderline are the candidate pairs left for a person to decide.
	Borderline []record.CandidatePair
	// Findings are the not-on-roster and duplicate-registration warnings,
	// ordered by path, sheet, row and code.
	Findings []record.Finding

	// table holds the Matches instead of Matches in a Result of Resolve,
	// ResolveParts or Merge (compact: see matchTable).
	table *matchTable
}

// NumMatches is the number of households found (Matches' length, or its
// compact table's).
func (r *Result) NumMatches() int {
	if r.table != nil {
		return r.table.len()
	}
	return len(r.Matches)
}

// OfHousehold is the Match of Input.Households[i] (zero when it takes no
// part).
func (r *Result) OfHousehold(i int) Match { return r.match(r.HouseholdMatch, i) }

// OfRegistration is the Match of Input.Registrations[i] (zero when it
// takes no part).
func (r *Result) OfRegistration(i int) Match { return r.match(r.RegistrationMatch, i) }

func (r *Result) match(of []int32, i int) Match {
	if i < 0 || i >= len(of) || of[i] < 0 {
		return Match{}
	}
	return r.matchAt(of[i])
}

// matchAt is Match k.
func (r *Result) matchAt(k int32) Match {
	if r.table != nil {
		return r.table.at(k)
	}
	return r.Matches[k]
}

// Resolve groups the valid, non-superseded M1 (Input.Households) and M2
// (Input.Registrations) rows that refer to the same household and gives
// each of them a Match: every valid current row gets a group (a row
// matching nothing is a group of its own, with Reason "" and Score 0);
// invalid and superseded rows get none. Group IDs are deterministic and
// stable across runs; of two households that wrote the same Mã hộ, the one
// received first keeps the plain ID, the other gets "~" and a hash of its
// first row.
//
// The Result also lists the groups of two or more rows (by ID) and the
// borderline pairs (scored between BorderlineScore and AutoMergeScore, or
// whose key was contradicted, left unmerged). A borderline pair's Reason
// names what matched (household_code, citizen_id, name, name_fuzzy) and,
// after it, why it was not merged: "conflict" (the same Mã hộ or citizen
// ID but other names, or heads with different IDs or birth years) or
// "ambiguous" (the row matches two different households about equally);
// with neither, the score was simply too low. Eligibility (see
// Result.Eligible) is the one place of SPEC §9's rule "eligibility follows
// the household": it is computed for invalid and superseded registrations
// too (by matching them against the current rows without grouping them),
// as information; only valid, current, eligible rows count toward a quota.
// The findings are the warnings not-on-roster (valid registrations that
// are not eligible) and duplicate-registration (every registration of a
// household after the first in receipt order; for superseded files,
// within the file).
//
// Resolve reads in and never changes it; calling it twice on the same
// input gives the same Result.
func Resolve(ctx context.Context, in Input, opt Options) (Result, error) {
	return prepare(in, opt.withDefaults()).run(ctx)
}

// run resolves the prepared records.
func (m *matcher) run(ctx context.Context) (Result, error) {
	m.collect()
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("dedupe: %w", err)
	}
	res, err := m.resolve(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("dedupe: %w", err)
	}
	return res, nil
}
