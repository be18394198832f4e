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

// TestReadAllStreamed: with an extract store, a file is read with its
// rows handed, as they are read, to both extracts (the roster of 12,000
// households is long enough for its rows to be counted in one pass and
// handed over in another, its records written in batches): the items are those of a read without a store
// (the workbook without its rows, the same check and row count), the
// extract of cells loads back to the workbook read whole, and a second
// call loads the same items from the extracts.
func TestReadAllStreamed(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a commune of 12,000 households")
	}
	// Batches of 1,000 rows: the roster's records go to the checked file
	// in many batches and are loaded back from it.
	keep := extract.BatchRows
	defer func() { extract.BatchRows = keep }()
	extract.BatchRows = 1000
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), dir, gen.Options{Communes: 2, Households: 12_000, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	p, subs := benchSubs(t, dir)
	quiet := slog.New(slog.DiscardHandler)
	whole, _, err := process.ReadAll(context.Background(), process.Config{Plan: p, Logger: quiet}, nil, subs)
	if err != nil {
		t.Fatal(err)
	}
	st, err := process.NewStore(t.TempDir(), process.Config{}.Limits, p, quiet)
	if err != nil {
		t.Fatal(err)
	}
	cfg := process.Config{Plan: p, Extracts: st, Logger: quiet}
	first, rs, err := process.ReadAll(context.Background(), cfg, nil, subs)
	if err != nil || rs.Decoded != len(subs) || rs.Checked != len(subs) {
		t.Fatalf("first read: %+v %v", rs, err)
	}
	again, rs2, err := process.ReadAll(context.Background(), cfg, nil, subs)
	if err != nil || rs2.Loaded != len(subs) || rs2.Decoded != 0 {
		t.Fatalf("second read: %+v %v", rs2, err)
	}
	big := 0
	for i, w := range whole {
		for name, got := range map[string]process.Item{"streamed": first[i], "loaded": again[i]} {
			if got.Whole || !reflect.DeepEqual(got.Workbook, record.HeaderOf(w.Workbook)) || got.Rows != w.Rows {
				t.Fatalf("%s: %s item's workbook differs (%d rows, want %d)", subs[i].Path, name, got.Rows, w.Rows)
			}
			if !reflect.DeepEqual(got.Checked, w.Checked) {
				t.Fatalf("%s: %s item's check differs: %d households, %d findings; want %d, %d", subs[i].Path, name,
					len(got.Checked.Households), len(got.Checked.Findings), len(w.Checked.Households), len(w.Checked.Findings))
			}
		}
		cells, ok := st.Load(subs[i])
		if !ok || !reflect.DeepEqual(cells, w.Workbook) {
			t.Fatalf("%s: the extract of cells does not load back to the workbook read whole", subs[i].Path)
		}
		if w.Rows > 10_000 {
			big++
		}
	}
	if big == 0 {
		t.Fatal("no roster long enough to be streamed")
	}
}
