package read_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/stages/read"
)

// loFolder is the inbox folder of the LibreOffice fixtures' commune.
const loFolder = "Thường Phước 1"

// loVariant is one LibreOffice conversion of a source workbook
// (testdata/lo/make.sh).
type loVariant struct {
	suffix string // file name after the form's stem, e.g. ".lo.xls"
	format string // the Workbook.Format the reader should report
	csv    bool   // no sheets, no types, first sheet only
	// lo rewrites the original's shown text as LibreOffice exported it,
	// for an export defect of LibreOffice itself (nil: none).
	lo func(string) string
}

// lo1258 is LibreOffice 7.4's Windows-1258 export of ý/Ý: it writes y/Y
// followed by 0xCC (the combining grave accent) instead of 0xEC (the
// combining acute), so "ký" is stored as "kỳ". The bytes really say "kỳ"
// (iconv and golang.org/x/text decode them so), so the reader is right to
// read "kỳ"; a commune's clerk would see the same in any program.
var lo1258 = strings.NewReplacer("ý", "ỳ", "Ý", "Ỳ").Replace

var loVariants = []loVariant{
	{".lo.xls", "xls", false, nil},
	{".lo.ods", "ods", false, nil},
	{".lo.xlsx", "xlsx", false, nil},
	{".utf8.csv", "csv", true, nil},
	{".cp1258.csv", "csv", true, lo1258},
}

// readLO reads one fixture of testdata/lo as the pipeline would.
func readLO(t *testing.T, r *read.Reader, name string) record.Workbook {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("testdata", "lo", name))
	if err != nil {
		t.Fatal(err)
	}
	wb, err := r.Read(context.Background(), record.Submission{
		ID: "x", Path: loFolder + "/" + name, ArchivePath: abs, FolderHint: loFolder,
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return wb
}

// TestLibreOfficeFixtures reads every LibreOffice conversion of the
// template-written forms and checks it gives what the original .xlsx gives:
// status, form, commune, tables (sheet names where the format keeps them),
// rows and every cell (numbers numerically, dates as the same day; CSV
// cells as normalized text).
func TestLibreOfficeFixtures(t *testing.T) {
	r := &read.Reader{Plan: plan.Default()}
	agree, total := 0, 0
	for _, form := range []string{"m1", "m2", "m3", "m4", "m5"} {
		orig := readLO(t, r, form+".xlsx")
		if orig.Status != record.StatusAccepted || orig.Form != record.Form(strings.ToUpper(form)) || orig.CommuneCode != "29956" {
			t.Fatalf("%s.xlsx: status %s (%s), form %q, commune %q; want accepted %s of 29956: %+v",
				form, orig.Status, orig.Reason, orig.Form, orig.CommuneCode, strings.ToUpper(form), orig.Findings)
		}
		if form == "m1" && len(orig.Tables) != 3 {
			t.Fatalf("m1.xlsx: %d tables, want one per hamlet (3)", len(orig.Tables))
		}
		if form == "m2" {
			// The comparison is only worth something if the original has
			// the types: a number ID, a text ID, a date of birth.
			rows := orig.Tables[0].Rows
			if len(rows) != 3 || !rows[1].Cells.At(schemas.IDCitizenID).IsNum || rows[0].Cells.At(schemas.IDCitizenID).IsNum ||
				rows[0].Cells.At(schemas.IDCitizenID).Text != "087168001234" || !rows[1].Cells.At(schemas.IDBirthYear).IsDate ||
				rows[0].Cells.At(schemas.IDPhone).Text != "0912 345 678" {
				t.Fatalf("m2.xlsx: the source rows lost their types: %+v", rows)
			}
		}
		for _, v := range loVariants {
			name := form + v.suffix
			t.Run(name, func(t *testing.T) {
				got := readLO(t, r, name)
				diffs, cells := compareLO(orig, got, v)
				total += cells
				agree += cells - len(diffs)
				for _, d := range diffs {
					t.Errorf("%s: %s", name, d)
				}
			})
		}
	}
	t.Logf("LibreOffice fixtures: %d of %d checks agree with the template-written originals", agree, total)
}

// compareLO lists how got differs from want, and the number of checks made.
func compareLO(want, got record.Workbook, v loVariant) (diffs []string, checks int) {
	check := func(ok bool, format string, args ...any) {
		checks++
		if !ok {
			diffs = append(diffs, fmt.Sprintf(format, args...))
		}
	}
	check(got.Status == want.Status, "status %s (%s %v), want %s", got.Status, got.Reason, got.Findings, want.Status)
	check(got.Format == v.format, "format %q, want %q", got.Format, v.format)
	check(got.Form == want.Form, "form %q, want %q", got.Form, want.Form)
	check(got.CommuneCode == want.CommuneCode, "commune %q, want %q", got.CommuneCode, want.CommuneCode)
	wantTables := want.Tables
	if v.csv && len(wantTables) > 1 {
		wantTables = wantTables[:1] // LibreOffice exports the first sheet only
	}
	check(len(got.Tables) == len(wantTables), "%d tables, want %d", len(got.Tables), len(wantTables))
	for i := 0; i < len(got.Tables) && i < len(wantTables); i++ {
		gt, wt := got.Tables[i], wantTables[i]
		if !v.csv {
			check(gt.Sheet == wt.Sheet, "table %d: sheet %q, want %q", i, gt.Sheet, wt.Sheet)
		}
		check(fieldsOf(gt) == fieldsOf(wt), "sheet %q: columns %s, want %s", wt.Sheet, fieldsOf(gt), fieldsOf(wt))
		check(len(gt.Rows) == len(wt.Rows), "sheet %q: %d rows, want %d", wt.Sheet, len(gt.Rows), len(wt.Rows))
		for j := 0; j < len(gt.Rows) && j < len(wt.Rows); j++ {
			gr, wr := gt.Rows[j], wt.Rows[j]
			check(gr.Row == wr.Row, "sheet %q: data row %d is sheet row %d, want %d", wt.Sheet, j, gr.Row, wr.Row)
			for _, wc := range wr.Cells {
				field := wc.Field
				gc, ok := gr.Cells.Get(field)
				check(ok || blank(wc), "sheet %q row %d: no %s cell, want %q", wt.Sheet, wr.Row, field, wc.Text)
				if ok {
					same, why := sameCell(wc, gc, v)
					check(same, "sheet %q row %d %s: got %s, want %s (%s)", wt.Sheet, wr.Row, field, show(gc), show(wc), why)
				}
			}
			for _, gc := range gr.Cells {
				field := gc.Field
				if !wr.Cells.Has(field) {
					check(blank(gc), "sheet %q row %d: extra %s cell %s", wt.Sheet, wr.Row, field, show(gc))
				}
			}
		}
	}
	return diffs, checks
}

// fieldsOf lists a table's mapped fields with their columns.
func fieldsOf(t record.Table) string {
	var b strings.Builder
	for _, c := range t.Columns {
		fmt.Fprintf(&b, "%s=%d ", c.Field, c.Col)
	}
	return strings.TrimSpace(b.String())
}

func blank(c record.Cell) bool { return strings.TrimSpace(c.Text) == "" && !c.IsNum && !c.IsDate }

func show(c record.Cell) string {
	return fmt.Sprintf("{%q num=%v isNum=%v isDate=%v}", c.Text, c.Num, c.IsNum, c.IsDate)
}

// sameCell compares a cell with the original's: typed formats must keep the
// type, the number and the day; CSV keeps only the shown text.
func sameCell(want, got record.Cell, v loVariant) (bool, string) {
	if v.csv {
		w, g := shownText(want), normText(got.Text)
		if v.lo != nil {
			w = v.lo(w)
		}
		return w == g, fmt.Sprintf("text %q vs %q", g, w)
	}
	switch {
	case want.IsDate:
		return got.IsDate && math.Floor(got.Num) == math.Floor(want.Num), "same day"
	case want.IsNum:
		return got.IsNum && !got.IsDate && got.Num == want.Num, "same number"
	}
	return !got.IsNum && !got.IsDate && normText(got.Text) == normText(want.Text), "same text"
}

// shownText is how a spreadsheet shows the original cell: dates
// dd/mm/yyyy (the template's format), numbers in their shortest form.
func shownText(c record.Cell) string {
	switch {
	case c.IsDate:
		d := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(math.Floor(c.Num)))
		return d.Format("02/01/2006")
	case c.IsNum:
		return strconv.FormatFloat(c.Num, 'f', -1, 64)
	}
	return normText(c.Text)
}

// normText is NFC text with runs of white space collapsed.
func normText(s string) string { return strings.Join(strings.Fields(norm.NFC.String(s)), " ") }
