package xlsx

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// want is an expected cell.
type want struct {
	sheet    string
	row, col int
	kind     grid.Kind
	text     string
	num      float64 // checked for Number and Date
	formula  bool
}

// checkCells compares the expected cells.
func checkCells(t *testing.T, wb *grid.Workbook, cells []want) {
	t.Helper()
	for _, w := range cells {
		c, ok := readtest.SheetCell(wb, w.sheet, w.row, w.col)
		if w.kind == grid.Empty {
			if ok {
				t.Errorf("%s!R%dC%d: got %+v, want no cell", w.sheet, w.row, w.col, c)
			}
			continue
		}
		if !ok {
			t.Errorf("%s!R%dC%d: missing, want %s %q", w.sheet, w.row, w.col, w.kind, w.text)
			continue
		}
		if c.Kind != w.kind || c.Text != w.text || c.Formula != w.formula {
			t.Errorf("%s!R%dC%d: got %s %q formula=%v, want %s %q formula=%v", w.sheet, w.row, w.col, c.Kind, c.Text, c.Formula, w.kind, w.text, w.formula)
		}
		if (w.kind == grid.Number || w.kind == grid.Date) && math.Abs(c.Num-w.num) > 1e-9 {
			t.Errorf("%s!R%dC%d: num %v, want %v", w.sheet, w.row, w.col, c.Num, w.num)
		}
	}
}

func TestDecodeExcelizeFixtures(t *testing.T) {
	day := time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		build func(f *excelize.File) error
		lim   grid.Limits
		check func(t *testing.T, wb *grid.Workbook)
	}{
		{
			name: "types, sheets, visibility, merges",
			build: func(f *excelize.File) error {
				if err := f.SetSheetName("Sheet1", "DS"); err != nil {
					return err
				}
				for _, s := range []string{"Ẩn", "Rất ẩn", "Trống"} {
					if _, err := f.NewSheet(s); err != nil {
						return err
					}
				}
				if err := f.SetSheetVisible("Ẩn", false); err != nil {
					return err
				}
				if err := f.SetSheetVisible("Rất ẩn", false, true); err != nil {
					return err
				}
				dmy, money, hours := "dd/mm/yyyy", `#,##0" đ"`, "[h]:mm"
				sDMY, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dmy})
				sMoney, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &money})
				sHours, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &hours})
				sFixed, _ := f.NewStyle(&excelize.Style{NumFmt: 4})
				steps := []func() error{
					func() error { return f.SetCellValue("DS", "A1", "Họ tên") },
					func() error { return f.SetCellValue("DS", "B1", int64(87079105129)) },
					func() error { return f.SetCellValue("DS", "C1", 3.5) },
					func() error { return f.SetCellValue("DS", "D1", true) },
					func() error { return f.SetCellValue("DS", "E1", day) },
					func() error { return f.SetCellValue("DS", "F1", 44635) },
					func() error { return f.SetCellStyle("DS", "F1", "F1", sDMY) },
					func() error { return f.SetCellValue("DS", "G1", 1500000) },
					func() error { return f.SetCellStyle("DS", "G1", "G1", sMoney) },
					func() error { return f.SetCellValue("DS", "H1", 12.5) },
					func() error { return f.SetCellStyle("DS", "H1", "H1", sFixed) },
					func() error {
						return f.SetCellRichText("DS", "I1", []excelize.RichTextRun{
							{Text: "Nguyễn ", Font: &excelize.Font{Bold: true}}, {Text: "Văn A"},
						})
					},
					func() error { return f.SetCellValue("DS", "J1", "087079105129") },
					func() error { return f.SetCellValue("DS", "K1", -12.25) },
					func() error { return f.SetCellValue("DS", "L1", 1.5) },
					func() error { return f.SetCellStyle("DS", "L1", "L1", sHours) },
					func() error { return f.SetCellValue("DS", "M1", "  giữ  khoảng trắng ") },
					func() error { return f.SetCellValue("DS", "N1", -3) },
					func() error { return f.SetCellStyle("DS", "N1", "N1", sDMY) },
					func() error { return f.SetCellValue("DS", "A3", "gộp") },
					func() error { return f.MergeCell("DS", "A3", "C4") },
					func() error { return f.MergeCell("DS", "E3", "E5") },
					func() error { return f.SetCellValue("DS", "A6", "sau") },
					func() error { return f.SetCellValue("Ẩn", "A1", "x") },
					func() error { return f.SetCellValue("Rất ẩn", "B2", "y") },
				}
				for _, s := range steps {
					if err := s(); err != nil {
						return err
					}
				}
				return nil
			},
			check: func(t *testing.T, wb *grid.Workbook) {
				if wb.Format != "xlsx" || wb.Date1904 || len(wb.Notes) != 0 {
					t.Errorf("format %q date1904 %v notes %q", wb.Format, wb.Date1904, wb.Notes)
				}
				var names []string
				var vis []grid.Visibility
				for _, s := range wb.Sheets {
					names = append(names, s.Name)
					vis = append(vis, s.Visibility)
				}
				if fmt.Sprint(names) != "[DS Ẩn Rất ẩn Trống]" || fmt.Sprint(vis) != "[0 1 2 0]" {
					t.Errorf("sheets %q visibility %v", names, vis)
				}
				ds := wb.Sheets[0]
				if len(ds.Merges) != 2 || ds.Merges[0] != (grid.Merge{FromRow: 3, FromCol: 1, ToRow: 4, ToCol: 3}) ||
					ds.Merges[1] != (grid.Merge{FromRow: 3, FromCol: 5, ToRow: 5, ToCol: 5}) {
					t.Errorf("merges %+v", ds.Merges)
				}
				var nums []int
				for _, r := range ds.Rows {
					nums = append(nums, r.Num)
				}
				if fmt.Sprint(nums) != "[1 3 6]" {
					t.Errorf("row numbers %v, want [1 3 6] (empty rows omitted)", nums)
				}
				if len(wb.Sheets[3].Rows) != 0 {
					t.Errorf("empty sheet has rows %+v", wb.Sheets[3].Rows)
				}
				checkCells(t, wb, []want{
					{"DS", 1, 1, grid.String, "Họ tên", 0, false},
					{"DS", 1, 2, grid.Number, "87079105129", 87079105129, false},
					{"DS", 1, 3, grid.Number, "3.5", 3.5, false},
					{"DS", 1, 4, grid.Bool, "TRUE", 0, false},
					{"DS", 1, 5, grid.Date, "44635", 44635, false},
					{"DS", 1, 6, grid.Date, "44635", 44635, false},
					{"DS", 1, 7, grid.Number, "1500000", 1500000, false},
					{"DS", 1, 8, grid.Number, "12.5", 12.5, false},
					{"DS", 1, 9, grid.String, "Nguyễn Văn A", 0, false},
					{"DS", 1, 10, grid.String, "087079105129", 0, false},
					{"DS", 1, 11, grid.Number, "-12.25", -12.25, false},
					{"DS", 1, 12, grid.Date, "1.5", 1.5, false},
					{"DS", 1, 13, grid.String, "  giữ  khoảng trắng ", 0, false},
					{"DS", 1, 14, grid.Number, "-3", -3, false}, // negative serial: no date
					{"DS", 3, 1, grid.String, "gộp", 0, false},
					{"DS", 3, 2, grid.Empty, "", 0, false},
					{"DS", 6, 1, grid.String, "sau", 0, false},
					{"Ẩn", 1, 1, grid.String, "x", 0, false},
					{"Rất ẩn", 2, 2, grid.String, "y", 0, false},
				})
			},
		},
		{
			name: "1904 date system",
			build: func(f *excelize.File) error {
				yes := true
				if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
					return err
				}
				dmy := "dd/mm/yyyy"
				s, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dmy})
				if err := f.SetCellValue("Sheet1", "A1", 43173); err != nil { // 2022-03-15 in 1904
					return err
				}
				if err := f.SetCellStyle("Sheet1", "A1", "A1", s); err != nil {
					return err
				}
				return f.SetCellValue("Sheet1", "B1", 43173) // a plain number stays as is
			},
			check: func(t *testing.T, wb *grid.Workbook) {
				if !wb.Date1904 {
					t.Error("Date1904 not set")
				}
				checkCells(t, wb, []want{
					{"Sheet1", 1, 1, grid.Date, "44635", serial1900(2022, 3, 15), false},
					{"Sheet1", 1, 2, grid.Number, "43173", 43173, false},
				})
			},
		},
		{
			name: "long cell is cut and noted",
			build: func(f *excelize.File) error {
				if err := f.SetCellValue("Sheet1", "C7", strings.Repeat("ư", 50)); err != nil {
					return err
				}
				return f.SetCellValue("Sheet1", "A8", "ngắn")
			},
			lim: grid.Limits{MaxCellChars: 10},
			check: func(t *testing.T, wb *grid.Workbook) {
				c, ok := readtest.SheetCell(wb, "Sheet1", 7, 3)
				if !ok || c.Text != strings.Repeat("ư", 10) || !utf8.ValidString(c.Text) {
					t.Errorf("cut cell %+v", c)
				}
				if len(wb.Notes) != 1 || wb.Notes[0] != `cell text cut to 10 characters on sheet "Sheet1"` {
					t.Errorf("notes %q", wb.Notes)
				}
			},
		},
		{
			name:  "limits that fit",
			build: func(f *excelize.File) error { return gridRows(f, "Sheet1", 20, 3) },
			lim:   grid.Limits{MaxRows: 20, MaxCols: 3, MaxCells: 60, MaxSheets: 1},
			check: func(t *testing.T, wb *grid.Workbook) {
				if len(wb.Sheets[0].Rows) != 20 || len(wb.Sheets[0].Rows[19].Cells) != 3 {
					t.Errorf("rows %d", len(wb.Sheets[0].Rows))
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeExcelize(t, tc.build)
			wb, err := Decode(context.Background(), p, tc.lim)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			tc.check(t, wb)
		})
	}
}

func TestDecodeRawFixtures(t *testing.T) {
	strict := func(rb rawBook) rawBook {
		for k, v := range rb {
			v = strings.ReplaceAll(v, nsMain, nsStrictMain)
			v = strings.ReplaceAll(v, nsRel, nsStrictRel)
			rb[k] = v
		}
		return rb
	}
	tests := []struct {
		name  string
		book  func() rawBook
		path  string // file name, default raw.xlsx
		cells []want
		check func(t *testing.T, wb *grid.Workbook)
	}{
		{
			name: "formulas with cached values",
			book: func() rawBook {
				return newRawBook(`<row r="1">`+
					`<c r="A1"><f>1+1</f><v>2</v></c>`+
					`<c r="B1" t="str"><f>A1&amp;"x"</f><v>2x</v></c>`+
					`<c r="C1" t="b"><f>TRUE()</f><v>1</v></c>`+
					`<c r="D1" t="e"><f>1/0</f><v>#DIV/0!</v></c>`+
					`<c r="E1"><f>NOW()</f></c>`+
					`<c r="F1" s="1"><f>DATE(2022,3,15)</f><v>44635</v></c>`+
					`<c r="G1"><f t="shared" si="0"/><v>7</v></c>`+
					`<c r="H1" t="str"><f>""</f><v></v></c>`+
					`</row>`, "")
			},
			cells: []want{
				{"S1", 1, 1, grid.Number, "2", 2, true},
				{"S1", 1, 2, grid.String, "2x", 0, true},
				{"S1", 1, 3, grid.Bool, "TRUE", 0, true},
				{"S1", 1, 4, grid.Error, "#DIV/0!", 0, true},
				{"S1", 1, 5, grid.Empty, "", 0, false},
				{"S1", 1, 6, grid.Date, "44635", 44635, true},
				{"S1", 1, 7, grid.Number, "7", 7, true},
				{"S1", 1, 8, grid.Empty, "", 0, false},
			},
		},
		{
			name: "cell types and number formats",
			book: func() rawBook {
				return newRawBook(`<row r="2">`+
					`<c r="A2" t="s"><v>0</v></c>`+
					`<c r="B2" t="s"><v>1</v></c>`+
					`<c r="C2" t="s"><v>2</v></c>`+
					`<c r="D2" t="s"><v>3</v></c>`+
					`<c r="E2" t="inlineStr"><is><r><t>Trần </t></r><r><t>Thị B</t></r></is></c>`+
					`<c r="F2" t="b"><v>0</v></c>`+
					`<c r="G2" t="e"><v>#N/A</v></c>`+
					`<c r="H2" s="2"><v>20659</v></c>`+
					`<c r="I2" s="3"><v>1500000</v></c>`+
					`<c r="J2" s="4"><v>12.5</v></c>`+
					`<c r="K2"><v>8.7079105129E+10</v></c>`+
					`<c r="L2"><v>1e400</v></c>`+
					`<c r="M2" t="d"><v>2022-03-15T12:00:00Z</v></c>`+
					`<c r="N2" s="5"><v>1.25</v></c>`+
					`<c r="O2" s="99"><v>5</v></c>`+
					`<c r="P2"><v> 42 </v></c>`+
					`<c r="Q2" t="n"><v>0.1</v></c>`+
					`<c r="R2" t="inlineStr"><is><t>x</t></is><v>ignored</v></c>`+
					`</row>`, "")
			},
			cells: []want{
				{"S1", 2, 1, grid.String, "Họ tên", 0, false},
				{"S1", 2, 2, grid.String, "Nguyễn Văn A", 0, false}, // runs joined, phonetic run left out
				{"S1", 2, 3, grid.String, "a\rb", 0, false},
				{"S1", 2, 4, grid.Empty, "", 0, false},
				{"S1", 2, 5, grid.String, "Trần Thị B", 0, false},
				{"S1", 2, 6, grid.Bool, "FALSE", 0, false},
				{"S1", 2, 7, grid.Error, "#N/A", 0, false},
				{"S1", 2, 8, grid.Date, "20659", 20659, false},
				{"S1", 2, 9, grid.Number, "1500000", 1500000, false},
				{"S1", 2, 10, grid.Number, "12.5", 12.5, false},
				{"S1", 2, 11, grid.Number, "87079105129", 87079105129, false},
				{"S1", 2, 12, grid.String, "1e400", 0, false},
				{"S1", 2, 13, grid.Date, "44635.5", 44635.5, false},
				{"S1", 2, 14, grid.Date, "1.25", 1.25, false},
				{"S1", 2, 15, grid.Number, "5", 5, false},
				{"S1", 2, 16, grid.Number, "42", 42, false},
				{"S1", 2, 17, grid.Number, "0.1", 0.1, false},
				{"S1", 2, 18, grid.String, "x", 0, false},
			},
		},
		{
			name: "lower-case refs, missing and invalid refs",
			book: func() rawBook {
				return newRawBook(
					`<row r="1"><c r="b1"><v>1</v></c><c r="c1"><v>2</v></c></row>`+
						`<row><c><v>3</v></c><c><v>4</v></c><c r="E3"><v>5</v></c><c><v>6</v></c></row>`+
						`<row r="0"><c r="A0"><v>7</v></c><c r="0"><v>8</v></c></row>`+
						`<row><c r="C9"><v>9</v></c></row>`, "")
			},
			cells: []want{
				{"S1", 1, 2, grid.Number, "1", 1, false},
				{"S1", 1, 3, grid.Number, "2", 2, false},
				{"S1", 2, 1, grid.Number, "3", 3, false},
				{"S1", 2, 2, grid.Number, "4", 4, false},
				{"S1", 2, 5, grid.Number, "5", 5, false},
				{"S1", 2, 6, grid.Number, "6", 6, false},
				{"S1", 3, 1, grid.Number, "7", 7, false},
				{"S1", 3, 2, grid.Number, "8", 8, false},
				{"S1", 9, 3, grid.Number, "9", 9, false},
			},
		},
		{
			name: "rows out of order and duplicate cells",
			book: func() rawBook {
				return newRawBook(
					`<row r="5"><c r="B5"><v>1</v></c><c r="A5"><v>2</v></c></row>`+
						`<row r="2"><c r="A2"><v>3</v></c></row>`+
						`<row r="5"><c r="A5"><v>4</v></c></row>`, "")
			},
			check: func(t *testing.T, wb *grid.Workbook) {
				got := fmt.Sprint(wb.Sheets[0].Rows)
				if got != "[{2 [{1 3 3 number false}]} {5 [{1 4 4 number false} {2 1 1 number false}]}]" { // Col, Text, Num, Kind, Formula
					t.Errorf("rows %s", got)
				}
			},
		},
		{
			name: "merges",
			book: func() rawBook {
				return newRawBook(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`,
					`<mergeCells count="5"><mergeCell ref="A1:C2"/><mergeCell ref="d4:b3"/><mergeCell ref="F1"/>`+
						`<mergeCell ref="bad"/><mergeCell ref="A10:XFD10"/></mergeCells>`)
			},
			check: func(t *testing.T, wb *grid.Workbook) {
				got := fmt.Sprint(wb.Sheets[0].Merges)
				if got != "[{1 1 2 3} {3 2 4 4} {1 6 1 6} {10 1 10 1000}]" {
					t.Errorf("merges %s", got)
				}
			},
		},
		{
			name: "x: prefixes, sheet.xml part, no styles, no shared strings",
			book: func() rawBook {
				rb := newRawBook("", "")
				delete(rb, "xl/styles.xml")
				delete(rb, "xl/sharedStrings.xml")
				delete(rb, "xl/worksheets/sheet1.xml")
				rb["xl/_rels/workbook.xml.rels"] = `<Relationships xmlns="` + nsPkgRel + `">` +
					`<Relationship Id="rId1" Type="` + nsRel + `/worksheet" Target="/xl/worksheets/sheet.xml"/></Relationships>`
				rb["xl/worksheets/sheet.xml"] = `<x:worksheet xmlns:x="` + nsMain + `"><x:sheetData>` +
					`<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Ấp 1</x:t></x:is></x:c><x:c r="B1" s="3"><x:v>44635</x:v></x:c></x:row>` +
					`</x:sheetData></x:worksheet>`
				return rb
			},
			cells: []want{
				{"S1", 1, 1, grid.String, "Ấp 1", 0, false},
				{"S1", 1, 2, grid.Number, "44635", 44635, false},
			},
		},
		{
			name: "Strict OOXML namespaces",
			book: func() rawBook {
				return strict(newRawBook(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>44635</v></c></row>`, ""))
			},
			cells: []want{
				{"S1", 1, 1, grid.String, "Họ tên", 0, false},
				{"S1", 1, 2, grid.Date, "44635", 44635, false},
			},
		},
		{
			name: "UTF-16 worksheet part",
			book: func() rawBook {
				rb := newRawBook("", "")
				xml := `<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="` + nsMain + `"><sheetData>` +
					`<row r="1"><c r="A1" t="inlineStr"><is><t>Thường Lạc</t></is></c></row></sheetData></worksheet>`
				rb["xl/worksheets/sheet1.xml"] = utf16LE(xml)
				return rb
			},
			cells: []want{{"S1", 1, 1, grid.String, "Thường Lạc", 0, false}},
		},
		{
			name: "1904 workbook raw serials",
			book: func() rawBook {
				rb := newRawBook(`<row r="1"><c r="A1" s="1"><v>43173</v></c><c r="B1" t="d"><v>2022-03-15</v></c></row>`, "")
				rb["xl/workbook.xml"] = strings.Replace(rb["xl/workbook.xml"], "<workbookPr/>", `<workbookPr date1904="true"/>`, 1)
				return rb
			},
			cells: []want{
				{"S1", 1, 1, grid.Date, "44635", 44635, false},
				{"S1", 1, 2, grid.Date, "44635", 44635, false}, // ISO dates are absolute
			},
			check: func(t *testing.T, wb *grid.Workbook) {
				if !wb.Date1904 {
					t.Error("Date1904 false")
				}
			},
		},
		{
			name: "chart sheet skipped, missing sheet part noted, macro format",
			path: "book.xlsm",
			book: func() rawBook {
				rb := newRawBook(`<row r="1"><c r="A1"><v>1</v></c></row>`, "")
				rb["xl/workbook.xml"] = `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>` +
					`<sheet name="Biểu đồ" sheetId="2" r:id="rId9"/><sheet name="S1" sheetId="1" r:id="rId1"/>` +
					`<sheet name="Mất" sheetId="3" r:id="rId8"/></sheets></workbook>`
				rb["xl/_rels/workbook.xml.rels"] = `<Relationships xmlns="` + nsPkgRel + `">` +
					`<Relationship Id="rId1" Type="` + nsRel + `/worksheet" Target="worksheets/sheet1.xml"/>` +
					`<Relationship Id="rId8" Type="` + nsRel + `/worksheet" Target="worksheets/sheet8.xml"/>` +
					`<Relationship Id="rId9" Type="` + nsRel + `/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>`
				rb["xl/chartsheets/sheet1.xml"] = `<chartsheet xmlns="` + nsMain + `"/>`
				return rb
			},
			check: func(t *testing.T, wb *grid.Workbook) {
				if len(wb.Sheets) != 1 || wb.Sheets[0].Name != "S1" || wb.Format != "xlsm" {
					t.Errorf("sheets %+v format %q", wb.Sheets, wb.Format)
				}
				if len(wb.Notes) != 1 || !strings.Contains(wb.Notes[0], `"Mất"`) {
					t.Errorf("notes %q", wb.Notes)
				}
			},
		},
		{
			name: "shared string index out of range",
			book: func() rawBook {
				return newRawBook(`<row r="1"><c r="A1" t="s"><v>42</v></c><c r="B1" t="s"><v>-1</v></c><c r="C1"><v>1</v></c></row>`, "")
			},
			cells: []want{
				{"S1", 1, 1, grid.Empty, "", 0, false},
				{"S1", 1, 2, grid.Empty, "", 0, false},
				{"S1", 1, 3, grid.Number, "1", 1, false},
			},
			check: func(t *testing.T, wb *grid.Workbook) {
				if len(wb.Notes) != 1 || !strings.Contains(wb.Notes[0], "shared string index out of range") {
					t.Errorf("notes %q", wb.Notes)
				}
			},
		},
		{
			name: "mc:AlternateContent reads the fallback",
			book: func() rawBook {
				rb := newRawBook(`<row r="1"><c r="A1" s="1"><v>44635</v></c></row>`, "")
				rb["xl/styles.xml"] = `<styleSheet xmlns="` + nsMain + `" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">` +
					`<cellXfs count="2"><xf numFmtId="0"/><mc:AlternateContent><mc:Choice Requires="hs"><xf numFmtId="0"/><xf numFmtId="0"/></mc:Choice>` +
					`<mc:Fallback><xf numFmtId="14"/></mc:Fallback></mc:AlternateContent></cellXfs></styleSheet>`
				return rb
			},
			cells: []want{{"S1", 1, 1, grid.Date, "44635", 44635, false}},
		},
		{
			name: "package with backslash names, odd case and no root relationships",
			book: func() rawBook {
				rb := newRawBook(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`, "")
				delete(rb, "_rels/.rels")
				rb[`xl\sharedstrings.xml`] = rb["xl/sharedStrings.xml"]
				delete(rb, "xl/sharedStrings.xml")
				return rb
			},
			cells: []want{{"S1", 1, 1, grid.String, "Họ tên", 0, false}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.book().write(t)
			if tc.path != "" {
				np := strings.TrimSuffix(p, "raw.xlsx") + tc.path
				if err := os.Rename(p, np); err != nil {
					t.Fatal(err)
				}
				p = np
			}
			wb, err := Decode(context.Background(), p, grid.Limits{})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkCells(t, wb, tc.cells)
			if tc.check != nil {
				tc.check(t, wb)
			}
		})
	}
}

// utf16LE encodes s as UTF-16LE with a byte-order mark.
func utf16LE(s string) string {
	var b strings.Builder
	b.WriteString("\xff\xfe")
	for _, r := range s {
		if r >= 0x10000 {
			panic("fixture text outside the BMP")
		}
		b.WriteByte(byte(r))
		b.WriteByte(byte(r >> 8))
	}
	return b.String()
}

func TestDecodeProblems(t *testing.T) {
	okBook := func(t *testing.T) string {
		return writeExcelize(t, func(f *excelize.File) error { return gridRows(f, "Sheet1", 30, 4) })
	}
	tests := []struct {
		name string
		file func(t *testing.T) string
		lim  grid.Limits
		code string
	}{
		{"zero bytes", func(t *testing.T) string { return writeBytes(t, "a.xlsx", nil) }, grid.Limits{}, grid.CodeCorrupt},
		{"not a zip", func(t *testing.T) string { return writeBytes(t, "a.xlsx", []byte("Họ tên;CCCD\n")) }, grid.Limits{}, grid.CodeCorrupt},
		{"truncated zip", func(t *testing.T) string {
			b, err := os.ReadFile(okBook(t))
			if err != nil {
				t.Fatal(err)
			}
			return writeBytes(t, "cut.xlsx", b[:len(b)/2])
		}, grid.Limits{}, grid.CodeCorrupt},
		{"damaged entry", func(t *testing.T) string {
			b, err := os.ReadFile(newRawBook(`<row r="1"><c r="A1"><v>1</v></c></row>`, "").writeMethod(t, zip.Store))
			if err != nil {
				t.Fatal(err)
			}
			// Change a byte of the stored sheet: its CRC no longer matches.
			i := strings.Index(string(b), "<v>1</v>")
			if i < 0 {
				t.Fatal("stored sheet not found")
			}
			b[i+3] = '2'
			return writeBytes(t, "crc.xlsx", b)
		}, grid.Limits{}, grid.CodeCorrupt},
		{"empty zip", func(t *testing.T) string { return rawBook{}.write(t) }, grid.Limits{}, grid.CodeCorrupt},
		{"missing workbook part", func(t *testing.T) string {
			rb := newRawBook("", "")
			delete(rb, "xl/workbook.xml")
			return rb.write(t)
		}, grid.Limits{}, grid.CodeCorrupt},
		{"missing workbook relationships", func(t *testing.T) string {
			rb := newRawBook("", "")
			delete(rb, "xl/_rels/workbook.xml.rels")
			return rb.write(t)
		}, grid.Limits{}, grid.CodeCorrupt},
		{"bad XML in a sheet", func(t *testing.T) string {
			return newRawBook(`<row r="1"><c r="A1"><v>1</v></row>`, "").write(t)
		}, grid.Limits{}, grid.CodeCorrupt},
		{"text before the root element", func(t *testing.T) string {
			rb := newRawBook("", "")
			rb["xl/worksheets/sheet1.xml"] = "<?xml version=\"1.0\"?>\nfoo\n" + strings.TrimPrefix(rb["xl/worksheets/sheet1.xml"], `<?xml version="1.0" encoding="UTF-8"?>`)
			return rb.write(t)
		}, grid.Limits{}, grid.CodeCorrupt},
		{"no worksheet at all", func(t *testing.T) string {
			rb := newRawBook("", "")
			rb["xl/workbook.xml"] = `<workbook xmlns="` + nsMain + `"><sheets/></workbook>`
			return rb.write(t)
		}, grid.Limits{}, grid.CodeEmpty},
		{"xlsb in a zip", func(t *testing.T) string {
			return rawBook{"xl/workbook.bin": "\x83\x01\x00", "[Content_Types].xml": "<Types/>"}.write(t)
		}, grid.Limits{}, grid.CodeUnsupported},
		{"password protected", func(t *testing.T) string {
			return writeExcelize(t, func(f *excelize.File) error { return f.SetCellValue("Sheet1", "A1", "bí mật") }, excelize.Options{Password: "matkhau"})
		}, grid.Limits{}, grid.CodeEncrypted},
		{"entity-expansion bomb", func(t *testing.T) string {
			rb := newRawBook("", "")
			rb["xl/sharedStrings.xml"] = `<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>` +
				`<sst xmlns="` + nsMain + `"><si><t>&b;&b;&b;</t></si></sst>`
			return rb.write(t)
		}, grid.Limits{}, grid.CodeTooLarge},
		{"absurd XML depth", func(t *testing.T) string {
			return newRawBook(`<row r="1"><c r="A1"><v>1</v></c></row>`,
				strings.Repeat("<extLst>", 300)+strings.Repeat("</extLst>", 300)).write(t)
		}, grid.Limits{}, grid.CodeTooLarge},
		{"zip bomb by ratio", func(t *testing.T) string {
			rb := newRawBook("", "")
			rb["xl/media/pad.bin"] = strings.Repeat("\x00", 12<<20)
			return rb.write(t)
		}, grid.Limits{}, grid.CodeTooLarge},
		{"unpacked size", func(t *testing.T) string { return okBook(t) }, grid.Limits{MaxUnpackedBytes: 4 << 10}, grid.CodeTooLarge},
		{"part size", func(t *testing.T) string { return okBook(t) }, grid.Limits{MaxPartBytes: 2 << 10}, grid.CodeTooLarge},
		{"file size", func(t *testing.T) string { return okBook(t) }, grid.Limits{MaxFileBytes: 1 << 10}, grid.CodeTooLarge},
		{"too many rows", func(t *testing.T) string { return okBook(t) }, grid.Limits{MaxRows: 29}, grid.CodeTooLarge},
		{"too many columns", func(t *testing.T) string { return okBook(t) }, grid.Limits{MaxCols: 3}, grid.CodeTooLarge},
		{"too many cells", func(t *testing.T) string { return okBook(t) }, grid.Limits{MaxCells: 119}, grid.CodeTooLarge},
		{"too many sheets", func(t *testing.T) string {
			return writeExcelize(t, func(f *excelize.File) error {
				for _, s := range []string{"B", "C"} {
					if _, err := f.NewSheet(s); err != nil {
						return err
					}
				}
				return nil
			})
		}, grid.Limits{MaxSheets: 2}, grid.CodeTooLarge},
		{"shared-string amplification", func(t *testing.T) string {
			var rows strings.Builder
			for r := 1; r <= 200; r++ {
				fmt.Fprintf(&rows, `<row r="%d">`, r)
				for c := 1; c <= 10; c++ {
					ref, _ := excelize.CoordinatesToCellName(c, r)
					fmt.Fprintf(&rows, `<c r="%s" t="s"><v>0</v></c>`, ref)
				}
				rows.WriteString(`</row>`)
			}
			rb := newRawBook(rows.String(), "")
			rb["xl/sharedStrings.xml"] = `<sst xmlns="` + nsMain + `"><si><t>` + strings.Repeat("x", 30000) + `</t></si></sst>`
			return rb.write(t)
		}, grid.Limits{MaxSheetBytes: 32 << 20}, grid.CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wb, err := Decode(context.Background(), tc.file(t), tc.lim)
			readtest.WantProblem(t, wb, err, tc.code)
			t.Logf("%v", err)
		})
	}
}

func TestDecodeCancelled(t *testing.T) {
	p := writeExcelize(t, func(f *excelize.File) error { return gridRows(f, "Sheet1", 5, 5) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Decode(ctx, p, grid.Limits{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	// The streaming loop itself notices a context that has ended.
	big := writeExcelize(t, func(f *excelize.File) error {
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		for r := 1; r <= 20000; r++ {
			ref, _ := excelize.CoordinatesToCellName(1, r)
			if err := sw.SetRow(ref, []any{r, "x", r * 2}); err != nil {
				return err
			}
		}
		return sw.Flush()
	})
	f, err := os.Open(big)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	lim := grid.Limits{}.WithDefaults()
	b := &book{p: newPackage(ctx, zr, lim), lim: lim, wb: &grid.Workbook{}}
	if err := b.readSheet("xl/worksheets/sheet1.xml", &grid.Sheet{Name: "Sheet1"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("streaming read: err %v, want context.Canceled", err)
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		ref      string
		col, row int
		ok       bool
	}{
		{"A1", 1, 1, true}, {"a1", 1, 1, true}, {"$B$7", 2, 7, true}, {"XFD1048576", 16384, 1048576, true},
		{"AA10", 27, 10, true}, {"0", 0, 0, false}, {"A0", 0, 0, false}, {"A", 0, 0, false}, {"", 0, 0, false},
		{"XFE1", 0, 0, false}, {"A1048577", 0, 0, false}, {"1A", 0, 0, false}, {"A1B", 0, 0, false}, {"Ă1", 0, 0, false},
	}
	for _, tc := range tests {
		c, r, ok := parseRef(tc.ref)
		if c != tc.col || r != tc.row || ok != tc.ok {
			t.Errorf("parseRef(%q) = %d, %d, %v", tc.ref, c, r, ok)
		}
	}
}

func TestUnescapeX(t *testing.T) {
	for in, want := range map[string]string{
		"a_x000D_b":    "a\rb",
		"_x005F_x000D": "_x000D",
		"no escapes":   "no escapes",
		"_x00":         "_x00",
		"_xZZZZ_":      "_xZZZZ_",
		"Ấp_x0020_1_x": "Ấp 1_x",
	} {
		if got := unescapeX(in); got != want {
			t.Errorf("unescapeX(%q) = %q, want %q", in, got, want)
		}
	}
}
