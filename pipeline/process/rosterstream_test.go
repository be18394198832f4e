package process_test

import (
	"context"
	"log/slog"
	"reflect"
	"testing"

	"doithoai/pipeline/extract"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
)

// TestRosterStreamedSameRows: an M1 file bigger than the streaming size is
// yielded by the roster a record batch at a time, read from its checked
// extract as the stage goes, and every stage sees the same rows (with
// their source, state and household), groups and figures as when each
// file is read whole.
func TestRosterStreamedSameRows(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and reads a 12-commune inbox (48,000 roster rows)")
	}
	keepBatch, keepStream := extract.BatchRows, *process.StreamPartRows
	defer func() { extract.BatchRows, *process.StreamPartRows = keepBatch, keepStream }()
	extract.BatchRows = 700 // every roster's checked extract in several batches
	dir, state := storedInbox(t, 8)
	p, subs := benchSubs(t, dir)
	type outcome struct {
		rows    []record.Household
		firsts  []int
		groups  []record.HouseholdGroup
		figures []record.Figure
	}
	run := func(streamAbove int) outcome {
		*process.StreamPartRows = streamAbove
		st, err := process.NewStore(state, process.Config{}.Limits, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg := process.Config{Plan: p, Extracts: st, Logger: slog.New(slog.DiscardHandler), HeldRows: 1}
		ds, rs, err := process.Process(context.Background(), cfg, nil, subs, subs[len(subs)-1].ReceivedAt)
		if err != nil || rs.Decoded != 0 || ds.Roster == nil {
			t.Fatalf("%+v %v (roster %v)", rs, err, ds != nil && ds.Roster != nil)
		}
		var o outcome
		err = ds.EachHousehold(context.Background(), func(first int, hs []record.Household) error {
			o.firsts = append(o.firsts, first)
			o.rows = append(o.rows, hs...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		o.groups, o.figures = ds.Groups, ds.Figures
		return o
	}
	whole, streamed := run(1<<30), run(1000)
	if len(whole.rows) != 48000 || len(streamed.firsts) <= len(whole.firsts) {
		t.Fatalf("%d rows; yielded in %d runs whole, %d streamed: the files were not streamed", len(whole.rows), len(whole.firsts), len(streamed.firsts))
	}
	if !reflect.DeepEqual(whole.rows, streamed.rows) {
		t.Error("the streamed roster's rows differ from the whole files'")
	}
	if !reflect.DeepEqual(whole.groups, streamed.groups) || !reflect.DeepEqual(whole.figures, streamed.figures) {
		t.Error("the groups or figures differ when the roster is streamed")
	}
}
