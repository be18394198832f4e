package xlsx

import (
	"archive/zip"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/schemas/template"
	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// The decoder was written instead of using excelize because excelize
// failed on odd real-world files. These tests check that, on the files
// excelize can read, both give the same value for every non-empty cell of
// every sheet: our grid.Cell against excelize's GetRows with RawCellValue
// (the value as stored, no number format applied). Neither side cleans
// white space, so text is compared exactly. The differences below are
// intended, and normalised before comparing:
//
//   - numbers: ours is the plain decimal ("87079105129"), excelize's the
//     text as stored ("8.7079105129E+10", " 42 "): compared as numbers;
//   - booleans: ours "TRUE"/"FALSE", excelize's raw "1"/"0";
//   - dates of a 1904-based workbook: our serials are moved to the 1900
//     system (+1462 days), excelize's are as stored;
//   - t="d" cells (ISO 8601 text): ours is the serial, excelize's the
//     text: the text is converted to a serial (1900 system) to compare;
//   - t="d" cells holding a time of day only ("10:10:10") are a fraction
//     of a day on our side;
//   - formulas: both give the cached value and compute nothing, so a
//     formula without a cached value is no cell on either side;
//   - cached formula strings (t="str"): excelize leaves their _xHHHH_
//     escapes as stored ("_x0007_7_x0007_" for CHAR(7)&"7"&CHAR(7)), we
//     decode them as in every other string, so excelize's value is decoded
//     before comparing.
//
// Rich-text shared and inline strings are the concatenation of their runs
// on both sides (phonetic runs left out), and _xHHHH_ escapes are decoded
// by both.

// crossTally counts a cross-check over a set of files.
type crossTally struct {
	files, agree, differ int
	skipped              map[string]int // why files were not compared
}

func (c *crossTally) skip(why string) {
	if c.skipped == nil {
		c.skipped = map[string]int{}
	}
	c.skipped[why]++
}

func (c *crossTally) String() string {
	return fmt.Sprintf("%d files compared, %d cells agree, %d differ; skipped %v", c.files, c.agree, c.differ, c.skipped)
}

// crossCheckFile decodes path with both readers, counts the cells and
// returns a line per difference; a file either reader rejects is counted
// as skipped.
func crossCheckFile(t *testing.T, tally *crossTally, path, name string, lim grid.Limits) []string {
	t.Helper()
	wb, err := decodeGuarded(t, path, lim)
	if err != nil {
		tally.skip("our decoder rejects it (" + grid.CodeOf(err) + ")")
		return nil
	}
	x, err := openExcelize(path, lim)
	if err != nil {
		t.Logf("%s: skipped, excelize cannot read it: %v", name, err)
		tally.skip("excelize rejects it")
		return nil
	}
	defer x.Close()
	agree, diffs, err := compareWorkbook(wb, x)
	if err != nil {
		t.Logf("%s: skipped, excelize fails on it: %v", name, err)
		tally.skip("excelize fails on a sheet")
		return nil
	}
	tally.files++
	tally.agree += agree
	tally.differ += len(diffs)
	return diffs
}

// reportDiffs reports up to ten differences of a file with report
// (t.Errorf, or t.Logf for a known excelize misreading).
func reportDiffs(report func(string, ...any), name string, diffs []string) {
	for i, d := range diffs {
		if i == 10 {
			report("%s: … %d more differences", name, len(diffs)-i)
			return
		}
		report("%s: %s", name, d)
	}
}

// openExcelize opens a workbook with excelize behind our own container
// limits (file size, declared unpacked sizes, compression ratio), so that a
// bomb is never handed to it; a panic of excelize is an error.
func openExcelize(path string, lim grid.Limits) (x *excelize.File, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > lim.MaxFileBytes {
		return nil, fmt.Errorf("file is %d bytes, over the limit", st.Size())
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	err = checkContainer(&zr.Reader, lim)
	zr.Close()
	if err != nil {
		return nil, fmt.Errorf("container limits: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			x, err = nil, fmt.Errorf("excelize panicked: %v", r)
		}
	}()
	return excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: lim.MaxUnpackedBytes})
}

// compareWorkbook compares every non-empty cell of every sheet, ours and
// excelize's. It returns the cells that agree and a line per difference;
// an error when excelize cannot read a sheet.
func compareWorkbook(wb *grid.Workbook, x *excelize.File) (agree int, diffs []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("excelize panicked: %v", r)
		}
	}()
	ours := map[string]bool{}
	for _, s := range wb.Sheets {
		ours[s.Name] = true
		rows, err := x.GetRows(s.Name, excelize.Options{RawCellValue: true})
		if err != nil {
			return agree, diffs, fmt.Errorf("sheet %q: %w", s.Name, err)
		}
		theirs := map[[2]int]string{}
		for r, row := range rows {
			for c, v := range row {
				if v != "" {
					theirs[[2]int{r + 1, c + 1}] = v
				}
			}
		}
		for _, row := range s.Rows {
			for _, c := range row.Cells {
				k := [2]int{row.Num, c.Col}
				v, ok := theirs[k]
				delete(theirs, k)
				if why := sameValue(c, v, ok, wb.Date1904); why != "" {
					diffs = append(diffs, fmt.Sprintf("%s!%s: %s", s.Name, cellRef(c.Col, row.Num), why))
					continue
				}
				agree++
			}
		}
		for k, v := range theirs {
			diffs = append(diffs, fmt.Sprintf("%s!%s: excelize has %q, we have no cell", s.Name, cellRef(k[1], k[0]), v))
		}
	}
	// A worksheet we left out must hold nothing excelize can see.
	for _, name := range x.GetSheetList() {
		if ours[name] {
			continue
		}
		if rows, err := x.GetRows(name, excelize.Options{RawCellValue: true}); err == nil && slices.ContainsFunc(rows, func(r []string) bool {
			return slices.ContainsFunc(r, func(v string) bool { return v != "" })
		}) {
			diffs = append(diffs, fmt.Sprintf("sheet %q: excelize reads cells, we have no such sheet", name))
		}
	}
	slices.Sort(diffs)
	return agree, diffs, nil
}

// sameValue compares our cell with excelize's raw value (ok is false when
// excelize has none), after the intended differences; it returns "" when
// they agree, else what differs.
func sameValue(c grid.Cell, v string, ok, date1904 bool) string {
	if !ok {
		return fmt.Sprintf("we have %s %q, excelize nothing", c.Kind, c.Text)
	}
	switch c.Kind {
	case grid.Number:
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f == c.Num {
			return ""
		}
	case grid.Date:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		switch {
		case err == nil && date1904:
			f += 1462
		case err != nil:
			f, ok = isoSerial1900(v)
			if !ok {
				break
			}
			err = nil
		}
		if err == nil && math.Abs(f-c.Num) < 1e-9 {
			return ""
		}
	case grid.Bool:
		if (c.Text == "TRUE" && v == "1") || (c.Text == "FALSE" && v == "0") {
			return ""
		}
	default: // String, Error
		if c.Text == v || (c.Formula && c.Kind == grid.String && c.Text == unescapeX(v)) {
			return ""
		}
	}
	return fmt.Sprintf("we have %s %q, excelize %q", c.Kind, c.Text, v)
}

// isoSerial1900 converts ISO 8601 date-time text to a serial of the 1900
// date system, independently of the decoder's own conversion.
func isoSerial1900(v string) (float64, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02", "15:04:05.999999999", "15:04"} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		if t.Year() == 0 { // a time of day
			return float64(t.Sub(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC))) / float64(24*time.Hour), true
		}
		t = t.UTC()
		days := float64(t.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC))) / float64(24*time.Hour)
		if t.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
			days-- // Excel counts a 29 February 1900
		}
		return days, true
	}
	return 0, false
}

// cellRef names a cell ("C7") for messages.
func cellRef(col, row int) string {
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return fmt.Sprintf("R%dC%d", row, col)
	}
	return ref
}

// TestExcelizeAgreesOnTemplates writes every form with the project's
// template writer, with values of every kind it takes, and compares the
// two readers cell by cell.
func TestExcelizeAgreesOnTemplates(t *testing.T) {
	p := plan.Default()
	dir := t.TempDir()
	var tally crossTally
	for _, sc := range schemas.All() {
		form := record.Form(sc.Name)
		for _, variant := range []struct {
			name string
			opt  template.Options
		}{
			{"grouped", template.Options{Sheets: []template.Sheet{{Rows: templateRows(sc, 6)}, {Hamlet: "Ấp 1", Rows: templateRows(sc, 3)}}, Date: time.Date(2022, 3, 18, 0, 0, 0, 0, time.UTC), Reference: "(Kèm theo Kế hoạch số 28/KH-UBND)", Preparer: "Trần Thị Lựu", Signer: "Đặng Văn Hưng"}},
			{"flat, no lists", template.Options{Sheets: []template.Sheet{{Name: "Danh sách", Rows: templateRows(sc, 4)}}, FlatHeader: true, NoLists: true, BlankRows: 3}},
		} {
			opt := variant.opt
			opt.Form, opt.Commune = form, "29956"
			path := filepath.Join(dir, fmt.Sprintf("%s %s.xlsx", sc.Name, variant.name))
			if err := template.Write(path, p, opt); err != nil {
				t.Fatalf("%s %s: %v", sc.Name, variant.name, err)
			}
			reportDiffs(t.Errorf, filepath.Base(path), crossCheckFile(t, &tally, path, filepath.Base(path), grid.DefaultLimits))
		}
		blank := filepath.Join(dir, sc.Name+" blank.xlsx")
		if err := template.WriteBlank(blank, p, form, "Thường Phước 1"); err != nil {
			t.Fatal(err)
		}
		reportDiffs(t.Errorf, filepath.Base(blank), crossCheckFile(t, &tally, blank, filepath.Base(blank), grid.DefaultLimits))
	}
	if tally.files != 3*len(schemas.All()) {
		t.Errorf("compared %d template files: %s", tally.files, &tally)
	}
	t.Logf("templates vs excelize: %s", &tally)
}

// templateRows makes n rows of a form with a value of every kind the
// template writer takes for the field's type: text with diacritics, line
// breaks, edge spaces, an "=" and a literal _x000D_; IDs and phones as
// text with their leading zero, or as numbers; integers, fractions and
// dates.
func templateRows(sc *schemas.Schema, n int) []template.Row {
	texts := []string{"Nguyễn Văn Hùng", "  Lê Thị  Lan  ", "Đề nghị lắp đèn.\nĐề nghị sửa cầu.", "=SUM(A1:A3)", "a_x000D_b", "Ấp Phú Lợi A"}
	var rows []template.Row
	for i := 0; i < n; i++ {
		r := template.Row{}
		for _, f := range sc.Fields {
			switch f.Type {
			case "integer", "cluster":
				if f.Name != "stt" {
					r[f.Name] = i + 1
				}
			case "year":
				r[f.Name] = 1950 + 7*i
			case "date":
				r[f.Name] = time.Date(2022, time.Month(1+i%12), 1+3*i, 0, 0, 0, 0, time.UTC)
			case "citizen_id":
				if i%2 == 0 {
					r[f.Name] = fmt.Sprintf("0870%08d", 1234567+i)
				} else {
					r[f.Name] = int64(87079105129 + i)
				}
			case "phone":
				if i%3 != 2 {
					r[f.Name] = fmt.Sprintf("09494%05d", 22344+i)
				}
			default:
				if len(f.Constraints.Enum) > 0 {
					r[f.Name] = f.Constraints.Enum[i%len(f.Constraints.Enum)]
				} else if i%4 == 3 {
					r[f.Name] = float64(i) + 0.25
				} else {
					r[f.Name] = texts[(i+len(f.Name))%len(texts)]
				}
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// TestExcelizeAgreesOnSamples compares the two readers on every workbook
// of the 2022 sample inbox that both can read.
func TestExcelizeAgreesOnSamples(t *testing.T) {
	inbox := filepath.Join(readtest.SharedDir(t), "samples", "2022", "inbox")
	var tally crossTally
	err := filepath.WalkDir(inbox, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isWorkbookExt(p, ".xlsx", ".xlsm") {
			return err
		}
		rel, _ := filepath.Rel(inbox, p)
		reportDiffs(t.Errorf, filepath.ToSlash(rel), crossCheckFile(t, &tally, p, filepath.ToSlash(rel), grid.DefaultLimits))
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no sample inbox: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if tally.files == 0 {
		t.Fatal("no sample workbook compared")
	}
	t.Logf("samples/2022 vs excelize: %s", &tally)
}

// excelizeMisreads are corpus files that excelize opens without an error
// but reads wrongly (the odd real-world files this decoder was written
// for); their differences are logged, not failed.
var excelizeMisreads = map[string]string{
	"ExcelDataReader__ExcelDataReader/Fillreport.xlsx": `x: namespace prefixes and r="0" on every cell: excelize reads no cell`,
	"tafia__calamine/empty_s_attribute.xlsx":           `an empty s="" style attribute on the cells: excelize reads no cell`,
	"SheetJS__test_files/wtf_path.xlsx":                `parts under wtf/ instead of xl/: excelize misses the hidden sheet's cells`,
	"apache__poi/duplicate-filename.xlsx":              `two zip entries named xl/worksheets/sheet1.xml: we read the first, excelize the last (Apache POI refuses the file)`,
}

// corpusBomb marks the manifest notes of files never handed to excelize.
var corpusBomb = regexp.MustCompile(`(?i)bomb|amplification|entity-expansion`)

// TestExcelizeAgreesOnCorpus compares the two readers on the real-world
// corpus: files listed as bombs are left out, and so are files either
// reader rejects (excelize only ever sees files within our container
// limits). On the rest, every cell must agree.
func TestExcelizeAgreesOnCorpus(t *testing.T) {
	root := filepath.Join(readtest.SharedDir(t), "corpus", "realworld")
	notes, err := readtest.ReadManifest(root)
	if err != nil {
		t.Skipf("no manifest: %v", err)
	}
	var tally crossTally
	misread := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isWorkbookExt(p, ".xlsx", ".xlsm", ".xltx") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if corpusBomb.MatchString(notes[rel]) {
			tally.skip("a bomb in the manifest")
			return nil
		}
		diffs := crossCheckFile(t, &tally, p, rel, grid.DefaultLimits)
		if why, known := excelizeMisreads[rel]; known {
			misread += len(diffs)
			t.Logf("%s: %d differences, a known excelize misreading: %s", rel, len(diffs), why)
			reportDiffs(t.Logf, rel, diffs)
			return nil
		}
		reportDiffs(t.Errorf, rel, diffs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("corpus vs excelize: %s (%d of the differences in files excelize misreads)", &tally, misread)
}

// TestSameValue pins the normalisations of the cross-check.
func TestSameValue(t *testing.T) {
	tests := []struct {
		c        grid.Cell
		v        string
		ok, d104 bool
		same     bool
	}{
		{grid.Cell{Kind: grid.Number, Text: "87079105129", Num: 87079105129}, "8.7079105129E+10", true, false, true},
		{grid.Cell{Kind: grid.Number, Text: "42", Num: 42}, " 42 ", true, false, true},
		{grid.Cell{Kind: grid.Number, Text: "42", Num: 42}, "43", true, false, false},
		{grid.Cell{Kind: grid.Bool, Text: "TRUE", Num: 1}, "1", true, false, true},
		{grid.Cell{Kind: grid.Bool, Text: "FALSE"}, "1", true, false, false},
		{grid.Cell{Kind: grid.Date, Text: "44635", Num: 44635}, "43173", true, true, true},
		{grid.Cell{Kind: grid.Date, Text: "44635", Num: 44635}, "44635", true, false, true},
		{grid.Cell{Kind: grid.Date, Text: "44635.5", Num: 44635.5}, "2022-03-15T12:00:00Z", true, false, true},
		{grid.Cell{Kind: grid.Date, Text: "1", Num: 1}, "1900-01-01", true, false, true},
		{grid.Cell{Kind: grid.Date, Text: "0.5", Num: 0.5}, "12:00:00", true, false, true},
		{grid.Cell{Kind: grid.String, Text: "\a7\a", Formula: true}, "_x0007_7_x0007_", true, false, true},
		{grid.Cell{Kind: grid.String, Text: "\a7\a"}, "_x0007_7_x0007_", true, false, false},
		{grid.Cell{Kind: grid.String, Text: " Lê "}, " Lê ", true, false, true},
		{grid.Cell{Kind: grid.String, Text: " Lê "}, "Lê", true, false, false},
		{grid.Cell{Kind: grid.Error, Text: "#N/A"}, "#N/A", true, false, true},
		{grid.Cell{Kind: grid.String, Text: "x"}, "", false, false, false},
	}
	for _, tc := range tests {
		if got := sameValue(tc.c, tc.v, tc.ok, tc.d104) == ""; got != tc.same {
			t.Errorf("sameValue(%+v, %q, %v, 1904=%v) agrees=%v, want %v", tc.c, tc.v, tc.ok, tc.d104, got, tc.same)
		}
	}
}
