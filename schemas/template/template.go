// Package template writes the submission forms M1–M5 (SPEC §3) as a commune
// fills them in: a .xlsx with the administrative header block ("UBND XÃ …"
// on the left, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do -
// Hạnh phúc" on the right), the "Mẫu Mx" line, the form's title, a line
// naming the commune (and the hamlet of a per-hamlet sheet), the column
// header with the schema titles (two rows with merged parents where the
// official form groups columns), the "(1) (2) (3) …" row, the STT column,
// the data rows and the signature footer. It also writes a blank template
// for a commune and the commune's dialogue plan (KH) as a Word document.
//
// Columns follow the embedded schemas (doithoai/schemas); callers give row
// values by canonical field name, so they need not know the column order.
// Every file is written atomically (doithoai/pipeline/atomicfile).
package template

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/schemas/template/xlsxzip"
)

// Row is one data row: values by canonical field name (e.g.
// "household_code"). The STT column is numbered by the writer (1, 2, … on
// each sheet) unless the row gives a value under "stt". A value may be:
//   - string: written as text, always (citizen IDs and phones keep their
//     leading zeros; a text starting with "=" stays text, never a formula);
//   - int, int64 (any integer type) or float64: written as a number (a
//     citizen ID given as a number is written as Excel would have stored
//     it, i.e. without its leading zero);
//   - time.Time: written as an Excel date shown dd/mm/yyyy (the calendar
//     day in the value's own location);
//   - nil or a missing key: an empty cell.
//
// A key that is not a field of the form is an error.
type Row map[string]any

// Sheet is one worksheet of a form workbook.
type Sheet struct {
	// Name is the sheet's tab name; "" gives the hamlet's name when Hamlet
	// is set, else the form's default name (e.g. "DS hộ thoát nghèo").
	// Characters Excel forbids in sheet names are replaced and the name is
	// cut to 31 characters.
	Name string
	// Hamlet, when set, is named in the sheet's place line ("Ấp 1, xã …").
	// It does not fill the rows' hamlet column: rows carry their own values.
	Hamlet string
	// Rows are the data rows, in order.
	Rows []Row
}

// Options describe a form workbook.
type Options struct {
	// Form is FormM1 … FormM5.
	Form record.Form
	// Commune is the sending commune: its plan code ("29956") or its name in
	// any spelling ("Thường Phước 1", "xã Thường Phước 1").
	Commune string
	// Year is the year in the M1 title and the date line; 0 means the plan's
	// year.
	Year int
	// Sheets are the worksheets, at least one.
	Sheets []Sheet
	// Date is the day of the signature line ("Thường Phước 1, ngày 18 tháng
	// 3 năm 2022"); zero leaves it to be filled in ("ngày … tháng … năm").
	Date time.Time
	// Reference is an optional line under the title, such as "(Kèm theo Kế
	// hoạch số 28/KH-UBND ngày 10/3/2022 của UBND xã Thường Phước 1)".
	Reference string
	// Preparer and Signer are the names under "NGƯỜI LẬP BIỂU" and under
	// the chairman's title; "" leaves the space for a handwritten name.
	Preparer, Signer string
	// FlatHeader writes a one-row header of the schema titles even for a
	// form whose official layout groups columns under a parent heading.
	FlatHeader bool
	// BlankRows adds empty bordered rows after the data, for a clerk to fill
	// in; WriteBlank uses DefaultBlankRows.
	BlankRows int
	// NoLists leaves out the hidden "Danh mục" sheet and the drop-down lists
	// of the hamlet and enumerated columns.
	NoLists bool
	// Hints adds to every data column an input message in Vietnamese (shown
	// when a cell is selected: what to write, e.g. "12 chữ số") and, where
	// the schema bounds the value, a data validation that refuses what the
	// validator would refuse (year range, number range, text length, ID
	// length, a Mã hộ listed twice). Drop-down lists then refuse values
	// outside the list, except the hamlet list of a plan whose hamlets are
	// not verified.
	Hints bool
	// Protect locks every cell but the data cells and protects the sheets
	// without a password: a clerk can fill, insert and delete data rows but
	// not change the header block or the column headers by mistake.
	Protect bool
	// Guide adds the instruction sheet "Hướng dẫn" (what to fill, how to
	// send it, the deadline from the plan) after the form's sheets.
	Guide bool
}

// DefaultBlankRows is the number of empty rows of a blank template.
const DefaultBlankRows = 20

// Write writes the form workbook of opt to path (a .xlsx), atomically.
func Write(path string, p *plan.Plan, opt Options) error {
	return write(path, p, opt, nil)
}

// write is Write taking and keeping compressed parts in cache (nil: none).
func write(path string, p *plan.Plan, opt Options, cache *xlsxzip.Cache) error {
	if len(opt.Sheets) == 0 {
		return fmt.Errorf("template: %s: no sheet to write", path)
	}
	f, err := build(p, opt)
	if err != nil {
		return fmt.Errorf("template: %s: %w", path, err)
	}
	defer f.Close()
	return save(f, path, cache)
}

// WriteBlank writes an empty template of a form for a commune (code or
// name): the header block, the column header, the numbering row,
// DefaultBlankRows empty rows with drop-down lists, and the footer. The
// communes' kit (WriteKit) adds hints, protection and the guide sheet.
func WriteBlank(path string, p *plan.Plan, form record.Form, commune string) error {
	f, err := build(p, Options{Form: form, Commune: commune, Sheets: []Sheet{{}}, BlankRows: DefaultBlankRows})
	if err != nil {
		return fmt.Errorf("template: %s: %w", path, err)
	}
	defer f.Close()
	return save(f, path, nil)
}

// save writes f to path atomically through xlsxzip (the same bytes as
// excelize's own zip writer), with cache when not nil.
func save(f *excelize.File, path string, cache *xlsxzip.Cache) error {
	xlsxzip.Install(f, xlsxzip.Options{Cache: cache})
	if err := atomicfile.WriteWith(path, func(tmp string) error { return f.SaveAs(tmp) }); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	return nil
}

// form is what the writer needs to know about one form.
type form struct {
	schema  *schemas.Schema
	commune *plan.Commune
	plan    *plan.Plan
	year    int
	cols    []column // the schema's fields in order, STT first
}

// column is one column of the sheet.
type column struct {
	field  *schemas.Field
	parent string // the grouped header's parent text, "" when none
	title  string // the header text under the parent (or the only one)
}

// resolveCommune finds the commune of a code or a name.
func resolveCommune(p *plan.Plan, text string) (*plan.Commune, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("no commune given")
	}
	if c := p.Commune(strings.TrimSpace(text)); c != nil {
		return c, nil
	}
	if c := p.Matcher().Commune(text); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("%q is not a commune of the plan", text)
}

func newForm(p *plan.Plan, opt Options) (*form, error) {
	if p == nil {
		return nil, errors.New("no plan")
	}
	sc := schemas.Get(string(opt.Form))
	if sc == nil {
		return nil, fmt.Errorf("form %q is not one of M1–M5", opt.Form)
	}
	c, err := resolveCommune(p, opt.Commune)
	if err != nil {
		return nil, err
	}
	y := opt.Year
	if y == 0 {
		y = p.Year
	}
	fm := &form{schema: sc, commune: c, plan: p, year: y}
	fm.cols = columns(sc, opt.FlatHeader)
	return fm, nil
}

// grouped reports whether the header has two rows.
func (fm *form) grouped() bool {
	for _, c := range fm.cols {
		if c.parent != "" {
			return true
		}
	}
	return false
}

// index returns the 1-based column of a field, or 0.
func (fm *form) index(field string) int {
	for i, c := range fm.cols {
		if c.field.Name == field {
			return i + 1
		}
	}
	return 0
}

// title is the form's title line, with the year for M1 (SPEC §3).
func (fm *form) title() string {
	t := strings.ToUpper(fm.schema.Title)
	if len(fm.schema.Titles) > 0 {
		t = fm.schema.Titles[0]
	}
	if fm.schema.Name == string(record.FormM1) {
		t += fmt.Sprintf(" NĂM %d", fm.year)
	}
	return t
}

// issuer is the header block's issuing body: "UBND XÃ THƯỜNG PHƯỚC 1".
func (fm *form) issuer() string {
	return "UBND " + strings.ToUpper(fm.commune.FullName())
}

// placeLine names where the sheet belongs: "Ấp 1, xã Thường Phước 1,
// huyện Hồng Ngự, tỉnh Đồng Tháp".
func (fm *form) placeLine(hamlet string) string {
	var parts []string
	if h := strings.TrimSpace(hamlet); h != "" {
		parts = append(parts, h)
	}
	parts = append(parts, fm.commune.FullName())
	if d := fm.plan.District.Name; d != "" {
		parts = append(parts, d)
	}
	if pr := fm.plan.District.Province; pr != "" {
		parts = append(parts, pr)
	}
	for i := 1; i < len(parts); i++ {
		parts[i] = lowerKind(parts[i])
	}
	return upperFirst(strings.Join(parts, ", "))
}

// dateLine is the footer's place and date.
func dateLine(place string, d time.Time, year int) string {
	if d.IsZero() {
		return fmt.Sprintf("%s, ngày … tháng … năm %d", place, year)
	}
	return fmt.Sprintf("%s, ngày %d tháng %d năm %d", place, d.Day(), int(d.Month()), d.Year())
}

// lowerKind lowers an administrative kind at the start of a name ("Huyện
// Hồng Ngự" → "huyện Hồng Ngự") and leaves other names alone.
func lowerKind(s string) string {
	for _, k := range []string{"Huyện", "Tỉnh", "Thị trấn", "Thị xã", "Thành phố", "Xã", "Phường", "Quận"} {
		if strings.HasPrefix(s, k+" ") {
			return strings.ToLower(k) + s[len(k):]
		}
	}
	return s
}

// upperFirst capitalises the first letter.
func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
