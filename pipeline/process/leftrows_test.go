package process_test

import (
	"context"
	"log/slog"
	"reflect"
	"testing"

	"doithoai/bench/gen"
	"doithoai/pipeline/extract"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
)

// TestBigRosterLeftInExtract: an M1 file with more rows than a run holds
// (HeldRows) is not loaded back from its checked extract, neither when it
// is read (its records went to the extract in batches) nor when a later
// run loads the extract: its item counts its rows instead (RosterRows).
// The run's dataset (rows, findings, outcomes, groups, figures) is the one
// of a run that holds every row, on a new state and on the stored one.
func TestBigRosterLeftInExtract(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and reads a 3-commune inbox four times")
	}
	keep := extract.BatchRows
	defer func() { extract.BatchRows = keep }()
	extract.BatchRows = 500 // every roster fills batches while it is read
	dir := t.TempDir()
	const households = 3000
	if _, err := gen.Generate(context.Background(), dir, gen.Options{Communes: 3, Households: households, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	p, subs := benchSubs(t, dir)
	type outcome struct {
		rows     []record.Household
		findings []record.Finding
		subs     []record.SubmissionOutcome
		groups   []record.HouseholdGroup
		figures  []record.Figure
	}
	states := map[int]string{}
	run := func(held int, again bool) outcome {
		if states[held] == "" {
			states[held] = t.TempDir()
		}
		st, err := process.NewStore(states[held], process.Config{}.Limits, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg := process.Config{Plan: p, Extracts: st, Logger: slog.New(slog.DiscardHandler), HeldRows: held}
		items, rs, err := process.ReadAll(context.Background(), cfg, nil, subs)
		if err != nil || again != (rs.Loaded == len(subs)) {
			t.Fatalf("HeldRows %d, again %v: %+v %v", held, again, rs, err)
		}
		for _, it := range items {
			if it.Workbook.Form != record.FormM1 {
				continue
			}
			left := held >= 0 && held < households
			if left && (it.RosterRows != households || it.Checked.Households != nil) || !left && len(it.Checked.Households) != households {
				t.Fatalf("HeldRows %d, again %v: %d rows left, %d held", held, again, it.RosterRows, len(it.Checked.Households))
			}
		}
		ds, _, err := process.Process(context.Background(), cfg, nil, subs, subs[len(subs)-1].ReceivedAt)
		if err != nil {
			t.Fatal(err)
		}
		o := outcome{findings: ds.Findings, subs: ds.Submissions, groups: ds.Groups, figures: ds.Figures}
		err = ds.EachHousehold(context.Background(), func(_ int, hs []record.Household) error {
			o.rows = append(o.rows, hs...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	for _, again := range []bool{false, true} {
		want := run(-1, again)
		if len(want.rows) != 3*households {
			t.Fatalf("%d rows", len(want.rows))
		}
		for _, held := range []int{households - 1, 4 * households} {
			got := run(held, again)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("HeldRows %d, stored extracts %v: the dataset differs from the one holding every row", held, again)
			}
		}
	}
}
