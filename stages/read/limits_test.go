package read

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/read/grid"
)

func TestUnitsVN(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{sizeVN(128 << 10), "128 KB"}, {sizeVN(64 << 20), "64 MB"}, {sizeVN(3 << 29), "1,5 GB"}, {sizeVN(500), "500 byte"},
		{countVN(200_000), "200.000"}, {countVN(1_048_576), "1.048.576"}, {countVN(999), "999"},
		{durationVN(60 * time.Second), "60 giây"}, {durationVN(5 * time.Minute), "5 phút"}, {durationVN(500 * time.Millisecond), "0,5 giây"}, {durationVN(100 * time.Millisecond), "0,1 giây"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestMessageNamesTheLimit(t *testing.T) {
	for _, tc := range []struct {
		ex   grid.Excess
		csv  bool
		want []string
	}{
		{grid.Excess{Limit: grid.LimitSheetBytes, Max: 64 << 20, Sheet: "DS", Row: 2, Col: 1}, false, []string{"64 MB", `trang "DS"`, "dòng 2", "cột A"}},
		{grid.Excess{Limit: grid.LimitCellBytes, Max: 128 << 10, Sheet: "", Row: 7, Col: 28}, true, []string{"128 KB", "dòng 7", "cột AB"}},
		{grid.Excess{Limit: grid.LimitRows, Max: 200_000, Sheet: "S", Row: 1_048_576}, true, []string{"200.000 dòng", "dòng 1.048.576"}},
	} {
		msg := msgLimit("29956/a.xlsx", tc.csv, tc.ex)
		for _, w := range append(tc.want, `"29956/a.xlsx"`) {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q lacks %q", tc.ex.Limit, msg, w)
			}
		}
		if tc.csv && strings.Contains(msg, `trang "`) {
			t.Errorf("a CSV message names a sheet: %q", msg)
		}
	}
}

// TestTooSlow: a file whose read outlasts the Reader's time budget is
// rejected as too_slow, without an error; the caller's own cancellation
// is an error.
func TestTooSlow(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("testdata", "lo", "m1.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	sub := record.Submission{ID: "x", Path: "Thường Phước 1/m1.xlsx", ArchivePath: abs, FolderHint: "Thường Phước 1"}
	rd := &Reader{Plan: plan.Default(), Limits: grid.Limits{MaxFileDuration: time.Nanosecond}}
	wb, err := rd.Read(context.Background(), sub)
	if err != nil || wb.Status != record.StatusRejected || wb.Reason != record.ReasonTooSlow || len(wb.Findings) != 1 {
		t.Fatalf("got %+v, %v; want a too_slow rejection", wb, err)
	}
	if !strings.Contains(wb.Findings[0].Message, "thời gian") {
		t.Errorf("message %q", wb.Findings[0].Message)
	}
	rd.Limits = grid.Limits{}
	if wb, err := rd.Read(context.Background(), sub); err != nil || wb.Status != record.StatusAccepted {
		t.Fatalf("with the default budget: %+v, %v", wb.Reason, err)
	}
}
