package template

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// fontFamily is the font of Vietnamese administrative documents.
const fontFamily = "Times New Roman"

// listSheet is the hidden sheet holding the drop-down lists.
const listSheet = "Danh mục"

// defaultSheetNames are the tab names of a form's only sheet.
var defaultSheetNames = map[record.Form]string{
	record.FormM1: "DS hộ thoát nghèo",
	record.FormM2: "DS đại diện hộ",
	record.FormM3: "Thành phần cấp xã",
	record.FormM4: "Ý kiến, kiến nghị",
	record.FormM5: "Kết quả đối thoại",
}

// styles are the cell styles of one workbook.
type styles struct {
	issuer, nation, motto, mau, title, sub  int
	head, number                            int
	cell, center, text, date, integer       int
	footDate, footTitle, footNote, footName int
}

func newStyles(f book) (*styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	font := func(bold, italic bool, size float64) *excelize.Font {
		return &excelize.Font{Family: fontFamily, Size: size, Bold: bold, Italic: italic}
	}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	// Data cells stay editable when the sheet is protected (Options.Protect);
	// every other cell is locked, as Excel makes them by default.
	open := &excelize.Protection{Locked: false}
	dateFmt := "dd/mm/yyyy"
	var s styles
	for _, d := range []struct {
		dst   *int
		style excelize.Style
	}{
		{&s.issuer, excelize.Style{Font: font(true, false, 12), Alignment: center}},
		{&s.nation, excelize.Style{Font: font(true, false, 12), Alignment: center}},
		{&s.motto, excelize.Style{Font: &excelize.Font{Family: fontFamily, Size: 12, Bold: true, Underline: "single"}, Alignment: center}},
		{&s.mau, excelize.Style{Font: font(false, true, 12), Alignment: &excelize.Alignment{Horizontal: "right"}}},
		{&s.title, excelize.Style{Font: font(true, false, 13), Alignment: center}},
		{&s.sub, excelize.Style{Font: font(false, true, 12), Alignment: center}},
		{&s.head, excelize.Style{Font: font(true, false, 11), Alignment: center, Border: border}},
		{&s.number, excelize.Style{Font: font(false, true, 10), Alignment: center, Border: border}},
		{&s.cell, excelize.Style{Font: font(false, false, 11), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}, Border: border, Protection: open}},
		{&s.center, excelize.Style{Font: font(false, false, 11), Alignment: center, Border: border, Protection: open}},
		{&s.integer, excelize.Style{Font: font(false, false, 11), Alignment: center, Border: border, NumFmt: 1, Protection: open}},
		{&s.text, excelize.Style{Font: font(false, false, 11), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}, Border: border, NumFmt: 49, Protection: open}},
		{&s.date, excelize.Style{Font: font(false, false, 11), Alignment: center, Border: border, CustomNumFmt: &dateFmt, Protection: open}},
		{&s.footDate, excelize.Style{Font: font(false, true, 12), Alignment: center}},
		{&s.footTitle, excelize.Style{Font: font(true, false, 12), Alignment: center}},
		{&s.footNote, excelize.Style{Font: font(false, true, 11), Alignment: center}},
		{&s.footName, excelize.Style{Font: font(true, false, 12), Alignment: center}},
	} {
		id, err := f.NewStyle(&d.style)
		if err != nil {
			return nil, fmt.Errorf("style: %w", err)
		}
		*d.dst = id
	}
	return &s, nil
}

// build makes the workbook of opt.
func build(p *plan.Plan, opt Options) (*excelize.File, error) {
	fm, err := newForm(p, opt)
	if err != nil {
		return nil, err
	}
	f := excelize.NewFile()
	if err := fillBook(f, fm, opt); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// fillBook writes the form fm of opt into f, a new workbook (its only sheet
// is "Sheet1").
func fillBook(f book, fm *form, opt Options) error {
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	names := sheetNames(opt)
	for i, sh := range opt.Sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", names[0]); err != nil {
				return fmt.Errorf("sheet %q: %w", names[0], err)
			}
		} else if _, err := f.NewSheet(names[i]); err != nil {
			return fmt.Errorf("sheet %q: %w", names[i], err)
		}
		w := &sheetWriter{f: f, fm: fm, st: st, name: names[i], opt: &opt}
		if err := w.write(sh); err != nil {
			return fmt.Errorf("sheet %q: %w", names[i], err)
		}
	}
	if err := writeChecks(f, fm, opt, names); err != nil {
		return err
	}
	if opt.Guide {
		if err := writeGuide(f, fm, st, opt); err != nil {
			return fmt.Errorf("sheet %q: %w", guideSheet, err)
		}
	}
	if opt.Protect {
		for _, name := range f.GetSheetList() {
			if err := protect(f, name); err != nil {
				return fmt.Errorf("sheet %q: %w", name, err)
			}
		}
	}
	f.SetActiveSheet(0)
	props := &excelize.DocProperties{
		Title:    fm.title(),
		Subject:  fm.schema.Mau,
		Creator:  fm.issuer(),
		Language: "vi-VN",
	}
	if !opt.Date.IsZero() {
		d := opt.Date
		at := time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05Z")
		props.Created, props.Modified = at, at
	}
	if err := f.SetDocProps(props); err != nil {
		return fmt.Errorf("document properties: %w", err)
	}
	return nil
}

// protect protects a sheet without a password: locked cells (all but the
// data cells) cannot be changed; data rows can be inserted and deleted,
// and columns widened.
func protect(f book, sheet string) error {
	return f.ProtectSheet(sheet, &excelize.SheetProtectionOptions{
		SelectLockedCells: true, SelectUnlockedCells: true,
		FormatColumns: true, FormatRows: true, InsertRows: true, DeleteRows: true,
	})
}

// sheetNames gives every sheet a valid, distinct tab name.
func sheetNames(opt Options) []string {
	seen := map[string]bool{strings.ToLower(listSheet): true, strings.ToLower(guideSheet): true}
	out := make([]string, len(opt.Sheets))
	for i, sh := range opt.Sheets {
		name := sh.Name
		if strings.TrimSpace(name) == "" {
			name = sh.Hamlet
		}
		if strings.TrimSpace(name) == "" {
			name = defaultSheetNames[opt.Form]
		}
		name = cleanSheetName(name)
		base := name
		for k := 2; seen[strings.ToLower(name)]; k++ {
			suffix := fmt.Sprintf(" (%d)", k)
			name = cutRunes(base, 31-len([]rune(suffix))) + suffix
		}
		seen[strings.ToLower(name)] = true
		out[i] = name
	}
	return out
}

// cleanSheetName replaces the characters Excel forbids in a tab name and
// cuts it to 31 characters.
func cleanSheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ':', '\\', '/', '?', '*', '[', ']':
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.Trim(s, "'")
	if s == "" {
		s = "Trang"
	}
	return cutRunes(s, 31)
}

func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return strings.TrimSpace(string(r[:n]))
	}
	return s
}

// sheetWriter writes one sheet of a form.
type sheetWriter struct {
	f    book
	fm   *form
	st   *styles
	name string
	opt  *Options
}

func (w *sheetWriter) cellName(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// text writes a string with a style, merged over cols from..to.
func (w *sheetWriter) text(row, from, to int, s string, style int) error {
	a, b := w.cellName(from, row), w.cellName(to, row)
	if to > from {
		if err := w.f.MergeCell(w.name, a, b); err != nil {
			return err
		}
	}
	if err := w.f.SetCellStyle(w.name, a, b, style); err != nil {
		return err
	}
	if s == "" {
		return nil
	}
	return w.f.SetCellStr(w.name, a, s)
}

// write writes one sheet: the header block, the column header, the
// numbering row, the data and the footer.
func (w *sheetWriter) write(sh Sheet) error {
	fm, st := w.fm, w.st
	n := len(fm.cols)
	half := n / 2
	right := n - half + 1
	if err := w.text(1, 1, half, fm.issuer(), st.issuer); err != nil {
		return err
	}
	if err := w.text(1, right, n, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.nation); err != nil {
		return err
	}
	if err := w.text(2, right, n, "Độc lập - Tự do - Hạnh phúc", st.motto); err != nil {
		return err
	}
	if err := w.text(3, n, n, fm.schema.Mau, st.mau); err != nil {
		return err
	}
	lay := newLayout(fm, *w.opt)
	if err := w.text(lay.title, 1, n, fm.title(), st.title); err != nil {
		return err
	}
	if err := w.f.SetRowHeight(w.name, lay.title, 36); err != nil {
		return err
	}
	if lay.reference > 0 {
		if err := w.text(lay.reference, 1, n, strings.TrimSpace(w.opt.Reference), st.sub); err != nil {
			return err
		}
	}
	if err := w.text(lay.place, 1, n, fm.placeLine(sh.Hamlet), st.sub); err != nil {
		return err
	}
	if err := w.header(lay.headerTop); err != nil {
		return err
	}
	for c := 1; c <= n; c++ {
		if err := w.text(lay.number, c, c, fmt.Sprintf("(%d)", c), st.number); err != nil {
			return err
		}
	}
	first := lay.firstData
	last := first + len(sh.Rows) + w.opt.BlankRows - 1
	if last >= first {
		for c, col := range fm.cols {
			if err := w.f.SetCellStyle(w.name, w.cellName(c+1, first), w.cellName(c+1, last), w.columnStyle(col.field)); err != nil {
				return err
			}
		}
	}
	for i, r := range sh.Rows {
		if err := w.dataRow(first+i, i+1, r); err != nil {
			return err
		}
	}
	if err := w.footer(max(last, first-1) + 2); err != nil {
		return err
	}
	return w.page(lay.headerTop, lay.number-1, first)
}

// header writes the column header at row (two rows when grouped).
func (w *sheetWriter) header(row int) error {
	fm, st := w.fm, w.st
	if !fm.grouped() {
		for c, col := range fm.cols {
			if err := w.text(row, c+1, c+1, col.title, st.head); err != nil {
				return err
			}
		}
		return w.f.SetRowHeight(w.name, row, 60)
	}
	for c := 0; c < len(fm.cols); {
		col := fm.cols[c]
		if col.parent == "" {
			a, b := w.cellName(c+1, row), w.cellName(c+1, row+1)
			if err := w.f.MergeCell(w.name, a, b); err != nil {
				return err
			}
			if err := w.f.SetCellStyle(w.name, a, b, st.head); err != nil {
				return err
			}
			if err := w.f.SetCellStr(w.name, a, col.title); err != nil {
				return err
			}
			c++
			continue
		}
		end := c
		for end+1 < len(fm.cols) && fm.cols[end+1].parent == col.parent {
			end++
		}
		if err := w.text(row, c+1, end+1, col.parent, st.head); err != nil {
			return err
		}
		for k := c; k <= end; k++ {
			if err := w.text(row+1, k+1, k+1, fm.cols[k].title, st.head); err != nil {
				return err
			}
		}
		c = end + 1
	}
	if err := w.f.SetRowHeight(w.name, row, 30); err != nil {
		return err
	}
	return w.f.SetRowHeight(w.name, row+1, 48)
}

// columnStyle is the style of a column's data cells.
func (w *sheetWriter) columnStyle(f *schemas.Field) int {
	switch {
	case textField(f):
		return w.st.text
	case f.Type == schemas.TypeDate:
		return w.st.date
	case f.Type == schemas.TypeInteger || f.Type == schemas.TypeYear:
		return w.st.integer
	case f.Name == schemas.FieldGender || f.Type == schemas.TypeCluster:
		return w.st.center
	}
	return w.st.cell
}

// dataRow writes one data row; stt is its number unless the row has one.
func (w *sheetWriter) dataRow(row, stt int, r Row) error {
	fm := w.fm
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if fm.index(k) == 0 {
			return fmt.Errorf("row %d: %q is not a field of form %s", row, k, fm.schema.Name)
		}
	}
	if _, ok := r[schemas.FieldSTT]; !ok {
		if err := w.f.SetCellInt(w.name, w.cellName(fm.index(schemas.FieldSTT), row), int64(stt)); err != nil {
			return err
		}
	}
	for _, k := range keys {
		col := fm.index(k)
		if err := w.value(w.cellName(col, row), fm.cols[col-1].field, r[k]); err != nil {
			return fmt.Errorf("row %d, field %s: %w", row, k, err)
		}
	}
	return nil
}

// value writes one value by its Go type (see Row).
func (w *sheetWriter) value(cell string, f *schemas.Field, v any) error {
	number := func() error {
		if textField(f) {
			// A number typed into a General column, as Excel stores it.
			return w.f.SetCellStyle(w.name, cell, cell, w.st.center)
		}
		return nil
	}
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return w.f.SetCellStr(w.name, cell, x)
	case int:
		return w.int(cell, int64(x), number)
	case int8:
		return w.int(cell, int64(x), number)
	case int16:
		return w.int(cell, int64(x), number)
	case int32:
		return w.int(cell, int64(x), number)
	case int64:
		return w.int(cell, x, number)
	case uint:
		return w.int(cell, int64(x), number)
	case uint8:
		return w.int(cell, int64(x), number)
	case uint16:
		return w.int(cell, int64(x), number)
	case uint32:
		return w.int(cell, int64(x), number)
	case uint64:
		if x > math.MaxInt64 {
			return fmt.Errorf("number %d is too large", x)
		}
		return w.int(cell, int64(x), number)
	case float32:
		return w.float(cell, float64(x), number)
	case float64:
		return w.float(cell, x, number)
	case time.Time:
		if err := w.f.SetCellStyle(w.name, cell, cell, w.st.date); err != nil {
			return err
		}
		return w.f.SetCellFloat(w.name, cell, Serial(x), -1, 64)
	}
	return fmt.Errorf("unsupported value type %T", v)
}

func (w *sheetWriter) int(cell string, n int64, before func() error) error {
	if err := before(); err != nil {
		return err
	}
	return w.f.SetCellInt(w.name, cell, n)
}

func (w *sheetWriter) float(cell string, x float64, before func() error) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("number %v cannot be written", x)
	}
	if err := before(); err != nil {
		return err
	}
	return w.f.SetCellFloat(w.name, cell, x, -1, 64)
}

// timeOf is the calendar day y-m-d.
func timeOf(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Serial is the Excel (1900 date system) serial of the calendar day of t in
// t's own location: 2022-05-20 → 44701.
func Serial(t time.Time) float64 {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	n := day.Sub(epoch).Hours() / 24
	if day.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
		n-- // Excel's fictitious 29 February 1900
	}
	return math.Round(n)
}

// footer writes the date line and the signatures from row on.
func (w *sheetWriter) footer(row int) error {
	fm, st := w.fm, w.st
	n := len(fm.cols)
	half := n / 2
	right := n - half + 1
	lFrom, lTo := 2, max(2, half)
	if n < 4 {
		lFrom, lTo = 1, 1
	}
	if err := w.text(row, right, n, dateLine(fm.commune.Name, w.opt.Date, fm.year), st.footDate); err != nil {
		return err
	}
	lines := []struct {
		left, right    string
		lStyle, rStyle int
	}{
		{"NGƯỜI LẬP BIỂU", "TM. ỦY BAN NHÂN DÂN", st.footTitle, st.footTitle},
		{"(Ký, ghi rõ họ tên)", "CHỦ TỊCH", st.footNote, st.footTitle},
	}
	for i, l := range lines {
		if err := w.text(row+1+i, lFrom, lTo, l.left, l.lStyle); err != nil {
			return err
		}
		if err := w.text(row+1+i, right, n, l.right, l.rStyle); err != nil {
			return err
		}
	}
	names := row + 6
	if err := w.text(names, lFrom, lTo, w.opt.Preparer, st.footName); err != nil {
		return err
	}
	return w.text(names, right, n, w.opt.Signer, st.footName)
}

// page sets the column widths, frozen header, print titles and paper.
func (w *sheetWriter) page(headerTop, headerBottom, firstData int) error {
	for c, col := range w.fm.cols {
		letter, _ := excelize.ColumnNumberToName(c + 1)
		if err := w.f.SetColWidth(w.name, letter, letter, width(col.field)); err != nil {
			return err
		}
	}
	if err := w.f.SetPanes(w.name, &excelize.Panes{
		Freeze: true, YSplit: firstData - 1, TopLeftCell: w.cellName(1, firstData), ActivePane: "bottomLeft",
	}); err != nil {
		return err
	}
	if err := w.f.SetDefinedName(&excelize.DefinedName{
		Name:     "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", strings.ReplaceAll(w.name, "'", "''"), headerTop, headerBottom+1),
		Scope:    w.name,
	}); err != nil {
		return err
	}
	size, fit, zero := 9, 1, 0 // A4, one page wide
	orient := "portrait"
	if len(w.fm.cols) >= 8 {
		orient = "landscape"
	}
	if err := w.f.SetPageLayout(w.name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &fit, FitToHeight: &zero}); err != nil {
		return err
	}
	yes := true
	return w.f.SetSheetProps(w.name, &excelize.SheetPropsOptions{FitToPage: &yes})
}

// layout holds the row numbers of the top of a sheet; every sheet of a
// workbook has the same.
type layout struct {
	title, reference, place int // reference is 0 when there is none
	headerTop, number       int
	firstData               int
}

func newLayout(fm *form, opt Options) layout {
	l := layout{title: 5}
	row := 6
	if strings.TrimSpace(opt.Reference) != "" {
		l.reference = row
		row++
	}
	l.place = row
	l.headerTop = row + 2
	l.number = l.headerTop + 1
	if fm.grouped() {
		l.number++
	}
	l.firstData = l.number + 1
	return l
}

// FirstDataRow is the sheet row of the first data row of every sheet that
// Write makes of opt (Sheet.Rows[i] is on row FirstDataRow(opt)+i). It is
// 0 when opt.Form is not M1–M5.
func FirstDataRow(opt Options) int {
	sc := schemas.Get(string(opt.Form))
	if sc == nil {
		return 0
	}
	fm := &form{schema: sc, cols: columns(sc, opt.FlatHeader)}
	return newLayout(fm, opt).firstData
}
