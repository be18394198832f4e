package feedback

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/bench/gen"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
	"doithoai/stages/ingest"
)

// genNow is the bench harness's clock: no dialogue day has passed.
var genNow = time.Date(2024, 4, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// generated makes a bench/gen inbox (communes × households, clusters of
// three) and passes it through the pipeline's chain, as a full run does.
func generated(tb testing.TB, communes, households int) (*plan.Plan, *record.Dataset) {
	tb.Helper()
	dir := tb.TempDir()
	m, err := gen.Generate(context.Background(), dir, gen.Options{Communes: communes, Households: households, ClusterSize: 3, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	p, err := plan.Load(m.Plan)
	if err != nil {
		tb.Fatal(err)
	}
	var entries []ledger.Entry
	for _, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(m.Inbox, filepath.FromSlash(f.Path)))
		if err != nil {
			tb.Fatal(err)
		}
		sum := sha256.Sum256(data)
		entries = append(entries, ledger.Entry{Seq: int64(len(entries) + 1), SHA256: hex.EncodeToString(sum[:]), Path: f.Path,
			Size: int64(len(data)), ReceivedAt: genNow.Add(-time.Hour), Archive: f.Path})
	}
	ds, _, err := process.Process(context.Background(), process.Config{Plan: p, Logger: slog.New(slog.DiscardHandler)}, nil, ingest.Submissions(m.Inbox, entries), genNow)
	if err != nil {
		tb.Fatal(err)
	}
	return p, ds
}

// addProblems gives every read table findings of every kind the feedback
// draws: errors and warnings on data cells (two on one cell), a column the
// form lacks named on the header, a row below the table, a cell named by
// its column only.
func addProblems(ds *record.Dataset) {
	for _, wb := range ds.Read {
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
				n, diffs := compareBooks(t, path, other)
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

// compareBooks compares two workbooks and returns the cells compared and
// the differences.
func compareBooks(t *testing.T, pa, pb string) (int, []string) {
	t.Helper()
	a, b := openBook(t, pa), openBook(t, pb)
	var diffs []string
	same := func(what string, x, y any) {
		if !reflect.DeepEqual(x, y) {
			d := fmt.Sprintf("%s: %#v != %#v", what, x, y)
			if len(d) > 600 {
				d = d[:600] + "…"
			}
			diffs = append(diffs, d)
		}
	}
	same("sheets", a.GetSheetList(), b.GetSheetList())
	same("active sheet", a.GetActiveSheetIndex(), b.GetActiveSheetIndex())
	pa1, _ := a.GetDocProps()
	pb1, _ := b.GetDocProps()
	same("doc props", pa1, pb1)
	same("defined names", a.GetDefinedName(), b.GetDefinedName())
	cells := 0
	for _, sheet := range a.GetSheetList() {
		get := func(f *excelize.File) (out []any) {
			m, err := f.GetMergeCells(sheet)
			refs := make([]string, 0, len(m))
			for _, c := range m {
				refs = append(refs, c[0]+"="+c[1])
			}
			sort.Strings(refs)
			pn, err2 := f.GetPanes(sheet)
			pl, err3 := f.GetPageLayout(sheet)
			pm, err4 := f.GetPageMargins(sheet)
			hf, err5 := f.GetHeaderFooter(sheet)
			sp, err6 := f.GetSheetProps(sheet)
			cm, err7 := f.GetComments(sheet)
			sort.Slice(cm, func(i, j int) bool { return cm[i].Cell < cm[j].Cell })
			vis, err8 := f.GetSheetVisible(sheet)
			return []any{refs, pn, pl, pm, hf, sp, cm, vis, errText(err, err2, err3, err4, err5, err6, err7, err8)}
		}
		same(sheet+": merges, panes, page layout, margins, header and footer, sheet properties, comments, visibility", get(a), get(b))
		ra, _ := a.GetRows(sheet)
		rb, _ := b.GetRows(sheet)
		rows, cols := max(len(ra), len(rb))+3, 0
		for _, r := range append(ra, rb...) {
			cols = max(cols, len(r))
		}
		cols += 3
		for c := 1; c <= cols; c++ {
			name, _ := excelize.ColumnNumberToName(c)
			wa, _ := a.GetColWidth(sheet, name)
			wb, _ := b.GetColWidth(sheet, name)
			same(sheet+" width of "+name, wa, wb)
		}
		for r := 1; r <= rows; r++ {
			ha, _ := a.GetRowHeight(sheet, r)
			hb, _ := b.GetRowHeight(sheet, r)
			same(sheet+" height of row "+strconv.Itoa(r), ha, hb)
			for c := 1; c <= cols; c++ {
				ref, _ := excelize.CoordinatesToCellName(c, r)
				cells++
				va, _ := a.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
				vb, _ := b.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
				same(sheet+"!"+ref+" value", va, vb)
				ta, _ := a.GetCellType(sheet, ref)
				tb, _ := b.GetCellType(sheet, ref)
				same(sheet+"!"+ref+" kind", kind(ta, va), kind(tb, vb))
				same(sheet+"!"+ref+" style", styleOf(a, sheet, ref), styleOf(b, sheet, ref))
			}
		}
	}
	same("comment and drawing parts", parts(t, pa), parts(t, pb))
	return cells, diffs
}

func errText(errs ...error) string {
	var s []string
	for _, e := range errs {
		if e != nil {
			s = append(s, e.Error())
		}
	}
	return strings.Join(s, "; ")
}

// kind is what a cell holds for its reader: text (shared or inline alike),
// a number, nothing.
func kind(t excelize.CellType, v string) string {
	switch t {
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString:
		return "text"
	case excelize.CellTypeUnset, excelize.CellTypeNumber:
		if v == "" {
			return "empty"
		}
		return "number"
	}
	return fmt.Sprint(t)
}

// styleOf is a cell's style as excelize reads it back.
func styleOf(f *excelize.File, sheet, ref string) any {
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		return err.Error()
	}
	st, err := f.GetStyle(id)
	if err != nil {
		return err.Error()
	}
	return st
}

// parts is the content of the comment and VML drawing parts of a workbook.
func parts(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		if f.Name == "xl/sharedStrings.xml" {
			continue // streamed text is inline
		}
		if !strings.HasPrefix(f.Name, "xl/comments") && !strings.HasPrefix(f.Name, "xl/drawings/") {
			out[f.Name] = "" // present
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(b)
	}
	return out
}
