package quarterly

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/stages/report/quarterly/xl/fixture"
	"doithoai/stages/report/quarterly/xl/xldiff"
)

// TestStreamedTablesSameReport: the report whose table sheets are streamed
// (streamTables) is, as its readers see it (xldiff: values, styles,
// merges, widths, heights, comments, page setup…), the report written
// cell by cell into excelize's worksheets.
func TestStreamedTablesSameReport(t *testing.T) {
	fp := fixture.Plan()
	cases := []struct {
		name string
		p    *plan.Plan
		ds   func(t *testing.T) *record.Dataset
		now  time.Time
	}{
		{"fixture, draft", fp, func(*testing.T) *record.Dataset { return fixture.Dataset(fp, fixture.At("2022-05-20 10:00")) }, fixture.At("2022-05-20 10:00")},
		{"fixture, final", fp, func(*testing.T) *record.Dataset { return fixture.Dataset(fp, fixture.At("2022-07-05 09:00")) }, fixture.At("2022-07-05 09:00")},
	}
	if set, sp := sampleOpen(t); set != nil {
		cases = append(cases, struct {
			name string
			p    *plan.Plan
			ds   func(t *testing.T) *record.Dataset
			now  time.Time
		}{"sample set 2022", sp, func(t *testing.T) *record.Dataset {
			ds, err := sampleds.Dataset(context.Background(), set, sp, 0, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}, sampleds.LastAt(set, 0)})
	}
	defer func(v bool) { streamTables = v }(streamTables)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds := tc.ds(t)
			write := func(stream bool) string {
				t.Helper()
				streamTables = stream
				dir := filepath.Join(t.TempDir(), "bao-cao")
				paths, err := Write(context.Background(), Config{Dir: dir, Plan: tc.p, Now: tc.now}, ds)
				if err != nil {
					t.Fatal(err)
				}
				if len(paths) != 1 {
					t.Fatalf("paths %v, want one", paths)
				}
				return paths[0]
			}
			direct, streamed := write(false), write(true)
			cells, diffs, err := xldiff.Files(direct, streamed)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range diffs {
				if i == 20 {
					t.Errorf("… %d differences in all", len(diffs))
					break
				}
				t.Error(d)
			}
			if cells < 100 {
				t.Errorf("only %d cells compared", cells)
			}
			if fi, err := os.Stat(streamed); err != nil || fi.Size() == 0 {
				t.Errorf("streamed report: %v", err)
			}
		})
	}
}

// sampleOpen is the sample set 2022 and its plan, or nil when ../shared
// or the set is absent (the fixture cases still run).
func sampleOpen(t *testing.T) (*truth.Set, *plan.Plan) {
	t.Helper()
	shared := truth.SharedDir()
	if shared == "" {
		return nil, nil
	}
	set, err := truth.Load(filepath.Join(shared, "samples", "2022"))
	if err != nil {
		return nil, nil
	}
	p, err := plan.Load(set.PlanPath())
	if err != nil {
		t.Fatalf("plan of the sample set: %v", err)
	}
	return set, p
}
