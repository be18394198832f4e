package quarterly_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"doithoai/pipeline/record"
	"doithoai/pipeline/record/recordtest"
	"doithoai/stages/report/quarterly"
	"doithoai/stages/report/quarterly/xl/fixture"
	"doithoai/stages/report/quarterly/xl/xldiff"
)

// volatileRoster is the roster whose runs are overwritten after each call.
type volatileRoster = recordtest.VolatileRoster

// TestRosterReport: the report of a dataset whose roster is read in runs
// (record.Roster: the duplicates sheet looks its members up in one
// reading) is the report of the same rows held in memory.
func TestRosterReport(t *testing.T) {
	p := fixture.Plan()
	for _, tt := range []struct {
		name string
		now  time.Time
		run  int
	}{
		{"draft, runs of 1", fixture.At("2022-05-20 10:00"), 1},
		{"draft, runs of 3", fixture.At("2022-05-20 10:00"), 3},
		{"final, one run", fixture.At("2022-07-05 09:00"), 1 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			write := func(ds *record.Dataset) []byte {
				t.Helper()
				paths, err := quarterly.Write(context.Background(), quarterly.Config{Dir: t.TempDir(), Plan: p, Now: tt.now}, ds)
				if err != nil {
					t.Fatal(err)
				}
				if len(paths) != 1 {
					t.Fatalf("paths %v, want one", paths)
				}
				b, err := os.ReadFile(paths[0])
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			mem := fixture.Dataset(p, tt.now)
			if len(mem.Households) == 0 || len(mem.Groups) == 0 || len(mem.Borderline) == 0 {
				t.Fatal("the fixture has no roster, group or borderline pair")
			}
			want := write(mem)
			rds := fixture.Dataset(p, tt.now)
			roster := &volatileRoster{Rows: rds.Households, Run: tt.run}
			rds.Households, rds.Roster = nil, roster
			got := write(rds)
			if roster.Calls == 0 {
				t.Error("the roster was not read")
			}
			if !bytes.Equal(got, want) {
				dir := t.TempDir()
				pa, pb := dir+"/roster.xlsx", dir+"/memory.xlsx"
				os.WriteFile(pa, got, 0o600)
				os.WriteFile(pb, want, 0o600)
				_, diffs, err := xldiff.Files(pa, pb)
				t.Fatalf("the report differs from the rows in memory's: %v %.2000q", err, diffs)
			}
		})
	}
}
