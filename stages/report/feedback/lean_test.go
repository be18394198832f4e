package feedback

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"doithoai/pipeline/extract"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/quarterly/xl"
)

// sameBytes checks that two feedback folders hold the same files, byte
// for byte, and returns the workbooks compared and the verdict words met
// in them (with their count).
func sameBytes(t *testing.T, want, got string) (int, map[string]int) {
	t.Helper()
	books, verdicts := 0, map[string]int{}
	words := []string{"Không tiếp nhận", "Trùng với tệp đã nhận", "nay đã được thay thế", "còn lỗi cần sửa", "Đã tiếp nhận<"}
	err := filepath.WalkDir(want, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, path)
		a, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(got, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs (%d and %d bytes, %v)", rel, len(a), len(b), err)
		}
		if strings.HasSuffix(path, ".xlsx") {
			books++
			_, content := entries(t, path)
			for _, w := range words {
				if bytes.Contains(content["xl/worksheets/sheet1.xml"], []byte(w)) || bytes.Contains(content["xl/sharedStrings.xml"], []byte(w)) {
					verdicts[w]++
				}
			}
			for name, b := range content {
				if strings.HasPrefix(name, "xl/worksheets/") && bytes.Contains(b, []byte("_x005F_x0041_")) {
					verdicts["escaped"]++
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing more in got.
	err = filepath.WalkDir(got, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(got, path)
		if _, err := os.Stat(filepath.Join(want, rel)); err != nil {
			t.Errorf("%s: only in the lean output", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return books, verdicts
}

// TestLeanSameBytes writes the feedback of varied submissions (the
// fixture: every verdict; the sample set when present; generated inboxes
// with errors and warnings on cells, rows, headers and below the tables;
// rosters with hidden rows written by batch from an extract store, and one
// that falls back to excelize's row writer; sheets written cell by cell)
// as before the lean writing (xl.SetLean(false): styles made in excelize
// for every workbook, new row buffers, the temporary file opened twice)
// and the lean way, with a fresh memo of styles and again with the memo
// filled, one and several workbooks at a time: every file written is the
// same, byte for byte.
func TestLeanSameBytes(t *testing.T) {
	type data func(t *testing.T) (*plan.Plan, *record.Dataset)
	generatedProblems := func(t *testing.T) (*plan.Plan, *record.Dataset) {
		p, ds := generated(t, 4, 60)
		addProblems(ds)
		return p, ds
	}
	cases := []struct {
		name   string
		data   data
		direct bool // sheets written cell by cell
		batch  bool // rosters' rows by batch (streamTableRows lowered)
		odd    bool // a “Cần sửa” text holding "_x0041_" (excelize's row writer)
	}{
		{name: "fixture", data: fixture},
		{name: "fixture-direct", data: fixture, direct: true},
		{name: "samples", data: samples},
		{name: "generated", data: generatedProblems},
		{name: "generated-direct", data: generatedProblems, direct: true},
		{name: "batched", data: func(t *testing.T) (*plan.Plan, *record.Dataset) {
			p, ds := storedGenerated(t, 3, 300)
			addProblems(ds)
			return p, ds
		}, batch: true},
		{name: "batched-fallback", data: func(t *testing.T) (*plan.Plan, *record.Dataset) {
			p, ds := storedGenerated(t, 2, 300)
			addProblems(ds)
			return p, ds
		}, batch: true, odd: true},
	}
	all := map[string]int{}
	withSamples := false
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func(v bool, n, b int) { streamed, streamTableRows, extract.BatchRows = v, n, b }(streamed, streamTableRows, extract.BatchRows)
			defer xl.SetLean(xl.SetLean(true))
			streamed = !tc.direct
			p, ds := tc.data(t)
			withSamples = withSamples || tc.name == "samples"
			if tc.batch {
				extract.BatchRows = 900
				streamTableRows = 200
			}
			if tc.odd {
				ds.Findings = append([]record.Finding(nil), ds.Findings...)
				for i := range ds.Findings {
					if f := &ds.Findings[i]; f.Row > 0 && strings.Contains(f.Path, "M1") {
						f.Message += " (mã _x0041_)"
						break
					}
				}
			}
			write := func(lean bool, workers int) string {
				t.Helper()
				xl.SetLean(lean) // also forgets the memo of styles
				dir := filepath.Join(t.TempDir(), "phan-hoi")
				if _, err := WriteWorkers(context.Background(), dir, p, ds, workers); err != nil {
					t.Fatal(err)
				}
				return dir
			}
			before := write(false, 1)
			cold := write(true, 0)
			// The memo filled by the cold run, then several at a time.
			dir := filepath.Join(t.TempDir(), "phan-hoi")
			if _, err := WriteWorkers(context.Background(), dir, p, ds, 1); err != nil {
				t.Fatal(err)
			}
			warm := filepath.Join(t.TempDir(), "phan-hoi")
			if _, err := WriteWorkers(context.Background(), warm, p, ds, 3); err != nil {
				t.Fatal(err)
			}
			books, verdicts := sameBytes(t, before, cold)
			sameBytes(t, before, dir)
			sameBytes(t, before, warm)
			if books == 0 || books != len(ds.Submissions) {
				t.Fatalf("compared %d workbooks for %d submissions", books, len(ds.Submissions))
			}
			if tc.odd && verdicts["escaped"] == 0 {
				t.Error("no sheet written through excelize's row writer")
			}
			for w, n := range verdicts {
				all[w] += n
			}
			t.Logf("%d workbooks, verdicts %v", books, verdicts)
		})
	}
	// Every verdict was met (the sample set has each).
	for _, w := range []string{"Không tiếp nhận", "Trùng với tệp đã nhận", "nay đã được thay thế", "còn lỗi cần sửa", "Đã tiếp nhận<"} {
		if all[w] == 0 && withSamples && !t.Failed() {
			t.Errorf("no workbook with the verdict %q (%v)", w, all)
		}
	}
}
