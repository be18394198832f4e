package feedback

import (
	"bytes"
	"context"
	"doithoai/bench/gen/gentest"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report/quarterly/xl/xldiff"
)

// genNow is the bench harness's clock: no dialogue day has passed.
var genNow = time.Date(2024, 4, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// generated makes a bench/gen inbox (communes × households, clusters of
// three) and passes it through the pipeline's chain, as a full run does.
func generated(tb testing.TB, communes, households int) (*plan.Plan, *record.Dataset) {
	tb.Helper()
	return gentest.Dataset(tb, communes, households, 1)
}

// addProblems gives every read table findings of every kind the feedback
// draws: errors and warnings on data cells (two on one cell), a column the
// form lacks named on the header, a row below the table, a cell named by
// its column only.
func addProblems(ds *record.Dataset) {
	for _, wb := range workbooks(ds) {
		for _, t := range wb.Tables {
			if len(t.Rows) == 0 || len(t.Columns) == 0 {
				continue
			}
			add := func(row int, ref, field, code string, sev record.Severity) {
				ds.Findings = append(ds.Findings, record.Finding{
					SubmissionID: wb.Submission.ID, Path: wb.Submission.Path, CommuneCode: wb.CommuneCode,
					Sheet: t.Sheet, Row: row, Column: field, Ref: ref, Code: code, Severity: sev,
					Message: fmt.Sprintf("Tệp “%s”, sheet “%s”, dòng %d: kiểm tra %s (%s).", wb.Submission.Path, t.Sheet, row, code, ref),
				})
			}
			lastCol := 0
			for _, c := range t.Columns {
				lastCol = max(lastCol, c.Col)
			}
			for i, r := range t.Rows {
				if i%7 != 0 {
					continue
				}
				c := t.Columns[i%len(t.Columns)]
				ref := c.Letter + strconv.Itoa(r.Row)
				add(r.Row, ref, c.Field, "type-error", record.Error)
				if i%14 == 0 {
					add(r.Row, ref, c.Field, "suspicious", record.Warning)
					add(r.Row, "", t.Columns[0].Field, "by-column", record.Warning)
				}
			}
			if len(t.HeaderRows) > 0 {
				h := t.HeaderRows[len(t.HeaderRows)-1]
				extra, _ := excelize.ColumnNumberToName(lastCol + 1)
				ds.Findings = append(ds.Findings, record.Finding{
					SubmissionID: wb.Submission.ID, Path: wb.Submission.Path, Sheet: t.Sheet, Row: h,
					Ref: extra + strconv.Itoa(h), Value: "Cột lạ", Code: "unknown-column", Severity: record.Warning,
					Message: "Cột “Cột lạ” không có trong biểu mẫu.",
				})
			}
			below := t.Rows[len(t.Rows)-1].Row + 3
			add(below, "B"+strconv.Itoa(below), "", "below-table", record.Error)
		}
	}
}

// writeBoth writes the feedback of ds cell by cell and streamed, into two
// folders.
func writeBoth(t *testing.T, p *plan.Plan, ds *record.Dataset) (direct, stream string) {
	t.Helper()
	defer func(v bool) { streamed = v }(streamed)
	direct, stream = filepath.Join(t.TempDir(), "direct"), filepath.Join(t.TempDir(), "stream")
	streamed = false
	if _, err := Write(context.Background(), direct, p, ds); err != nil {
		t.Fatal(err)
	}
	streamed = true
	if _, err := Write(context.Background(), stream, p, ds); err != nil {
		t.Fatal(err)
	}
	return direct, stream
}

// TestStreamedSameAsCellByCell writes the feedback of the sample set and
// of a generated inbox (with findings of every kind added) once cell by
// cell through excelize and once streamed, and compares every workbook
// through excelize: sheets, every cell's value, kind and style (fill,
// font, border, number format, alignment), merges, column widths, row
// heights, comments, panes, print setup, defined names, document
// properties; the comment parts and the text files byte for byte.
func TestStreamedSameAsCellByCell(t *testing.T) {
	cases := []struct {
		name string
		data func(t *testing.T) (*plan.Plan, *record.Dataset)
	}{
		{"fixture", fixture},
		{"samples", samples},
		{"generated", func(t *testing.T) (*plan.Plan, *record.Dataset) {
			p, ds := generated(t, 3, 150)
			addProblems(ds)
			return p, ds
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, ds := tc.data(t)
			direct, stream := writeBoth(t, p, ds)
			books, cells := 0, 0
			err := filepath.WalkDir(direct, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(direct, path)
				other := filepath.Join(stream, rel)
				if !strings.HasSuffix(path, ".xlsx") {
					if filepath.Base(path) == ManifestName {
						return nil
					}
					a, _ := os.ReadFile(path)
					b, err := os.ReadFile(other)
					if err != nil || !bytes.Equal(a, b) {
						t.Errorf("%s differs (%v)", rel, err)
					}
					return nil
				}
				books++
				n, diffs, err := xldiff.Files(path, other)
				if err != nil {
					t.Fatal(err)
				}
				cells += n
				for i, d := range diffs {
					if i == 10 {
						t.Errorf("%s: … %d differences in all", rel, len(diffs))
						break
					}
					t.Errorf("%s: %s", rel, d)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if books == 0 || books != len(ds.Submissions) {
				t.Fatalf("compared %d workbooks for %d submissions", books, len(ds.Submissions))
			}
			t.Logf("%d workbooks, %d cells compared", books, cells)
		})
	}
}

// TestWorkersSameOutcome writes the feedback of the sample set and of a
// generated inbox with one worker and with four: the same paths returned
// in the same order, the same manifest, the same workbooks (through
// xldiff) and text files; a second run with four workers rewrites nothing.
func TestWorkersSameOutcome(t *testing.T) {
	cases := []struct {
		name string
		data func(t *testing.T) (*plan.Plan, *record.Dataset)
	}{
		{"samples", samples},
		{"generated", func(t *testing.T) (*plan.Plan, *record.Dataset) {
			p, ds := generated(t, 3, 40)
			addProblems(ds)
			return p, ds
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, ds := tc.data(t)
			one, four := filepath.Join(t.TempDir(), "one"), filepath.Join(t.TempDir(), "four")
			pa, err := WriteWorkers(context.Background(), one, p, ds, 1)
			if err != nil {
				t.Fatal(err)
			}
			pb, err := WriteWorkers(context.Background(), four, p, ds, 4)
			if err != nil {
				t.Fatal(err)
			}
			if len(pa) != len(pb) || len(pa) != 2*len(ds.Submissions) {
				t.Fatalf("%d and %d paths for %d submissions", len(pa), len(pb), len(ds.Submissions))
			}
			for i := range pa {
				ra, _ := filepath.Rel(one, pa[i])
				rb, _ := filepath.Rel(four, pb[i])
				if ra != rb {
					t.Fatalf("path %d: %s != %s", i, ra, rb)
				}
				if strings.HasSuffix(ra, ".xlsx") {
					if _, diffs, err := xldiff.Files(pa[i], pb[i]); err != nil || len(diffs) > 0 {
						t.Errorf("%s: %v %v", ra, err, diffs)
					}
					continue
				}
				a, _ := os.ReadFile(pa[i])
				b, err := os.ReadFile(pb[i])
				if err != nil || !bytes.Equal(a, b) {
					t.Errorf("%s differs (%v)", ra, err)
				}
			}
			ma, _ := os.ReadFile(filepath.Join(one, ManifestName))
			mb, _ := os.ReadFile(filepath.Join(four, ManifestName))
			if !bytes.Equal(ma, mb) {
				t.Error("manifests differ")
			}
			again, err := WriteWorkers(context.Background(), four, p, ds, 4)
			if err != nil || len(again) != 0 {
				t.Errorf("second run wrote %d files (%v)", len(again), err)
			}
		})
	}
}
