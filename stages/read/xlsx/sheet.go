package xlsx

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"doithoai/stages/read/grid"
)

// book is the decoding state shared by the sheets of one workbook.
type book struct {
	p        *opcPackage
	lim      grid.Limits
	wb       *grid.Workbook
	sst      sharedTable
	dateXF   []bool
	date1904 bool
	cells    int          // non-empty cells so far
	bud      *grid.Budget // text bytes of cells and shared strings
}

// maxNotes bounds the decoder remarks of one workbook.
const maxNotes = 50

// note adds a decoder remark once.
func (b *book) note(s string) {
	if len(b.wb.Notes) < maxNotes && !slices.Contains(b.wb.Notes, s) {
		b.wb.Notes = append(b.wb.Notes, s)
	}
}

// rawCell is a <c> element as read.
type rawCell struct {
	ref      string
	typ      string
	style    int
	v        strings.Builder
	is       strings.Builder
	hasV     bool
	hasIS    bool
	formula  bool
	col, row int
}

// sheetReader streams one worksheet part into a grid.Sheet.
type sheetReader struct {
	b     *book
	sheet *grid.Sheet
	x     *xmlPart

	inData, inRow, inCell, inIS bool
	rph                         int
	capture                     *strings.Builder
	capOver                     bool // the cell's text passed textCap
	cell                        rawCell

	rowNum      int  // current row number
	rowHasAttr  bool // the <row> carried a valid r
	rowFixed    bool // row number settled (attribute or first cell ref)
	lastRow     int
	prevCol     int
	cells       []grid.Cell
	cellsSorted bool
	rowsSorted  bool
}

// readSheet reads the worksheet part into s.
func (b *book) readSheet(part string, s *grid.Sheet) error {
	x, err := b.p.openXML(part)
	if err != nil {
		return err
	}
	defer x.close()
	r := &sheetReader{b: b, sheet: s, x: x, rowsSorted: true}
	if b.bud == nil {
		b.bud = grid.NewBudget(b.lim)
	}
	b.bud.Sheet(s.Name)
	capCap := textCap(b.lim)
	for {
		tok, err := x.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := r.start(t); err != nil {
				return err
			}
		case xml.CharData:
			if r.capture != nil && r.capture.Len()+len(t) > capCap {
				r.capOver = true
			}
			if r.capture != nil && r.capture.Len() < capCap {
				r.capture.Write(t[:min(len(t), capCap-r.capture.Len())])
			}
		case xml.EndElement:
			if err := r.end(t); err != nil {
				return err
			}
		}
	}
	if !r.rowsSorted {
		s.Rows = mergeRows(s.Rows)
	}
	if len(s.Rows) > b.lim.MaxRows {
		return grid.TooLarge(grid.Excess{Limit: grid.LimitRows, Max: int64(b.lim.MaxRows), Sheet: s.Name}, "sheet %q has more than %d rows", s.Name, b.lim.MaxRows)
	}
	return nil
}

// start handles an opening tag.
func (r *sheetReader) start(t xml.StartElement) error {
	switch t.Name.Local {
	case "sheetData":
		r.inData = true
	case "row":
		if r.inData {
			r.startRow(t)
		}
	case "c":
		if r.inRow {
			r.startCell(t)
		}
	case "v":
		if r.inCell && !r.inIS {
			r.cell.hasV = true
			r.capture = &r.cell.v
		}
	case "f":
		if r.inCell {
			r.cell.formula = true
		}
	case "is":
		if r.inCell {
			r.inIS, r.rph = true, 0
			r.cell.hasIS = true
		}
	case "rPh":
		if r.inIS {
			r.rph++
		}
	case "t":
		if r.inIS && r.rph == 0 {
			r.capture = &r.cell.is
		}
	case "mergeCell":
		if !r.inData {
			return r.merge(attrOr(t, "ref"))
		}
	}
	return nil
}

// end handles a closing tag.
func (r *sheetReader) end(t xml.EndElement) error {
	switch t.Name.Local {
	case "v", "t":
		r.capture = nil
	case "rPh":
		if r.inIS {
			r.rph--
		}
	case "is":
		r.inIS, r.capture = false, nil
	case "c":
		if r.inCell {
			r.inCell, r.inIS, r.capture = false, false, nil
			return r.endCell()
		}
	case "row":
		if r.inRow {
			r.inRow = false
			return r.endRow()
		}
	case "sheetData":
		r.inData = false
	}
	return nil
}

// startRow opens a row: its number is the r attribute, else the row
// after the previous one (or, failing r, the row of its first cell ref).
func (r *sheetReader) startRow(t xml.StartElement) {
	r.inRow = true
	r.cells = r.cells[:0]
	r.cellsSorted = true
	r.prevCol = 0
	r.rowNum, r.rowHasAttr = r.lastRow+1, false
	if v, ok := attr(t, "r"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 1 && n <= maxRowNum {
			r.rowNum, r.rowHasAttr = n, true
		}
	}
	r.rowFixed = r.rowHasAttr
}

// startCell opens a cell and reads its attributes.
func (r *sheetReader) startCell(t xml.StartElement) {
	r.inCell = true
	c := &r.cell
	c.ref, c.typ, c.style = "", "", 0
	c.v.Reset()
	c.is.Reset()
	c.hasV, c.hasIS, c.formula = false, false, false
	r.capOver = false
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "r":
			c.ref = a.Value
		case "t":
			c.typ = strings.TrimSpace(a.Value)
		case "s":
			if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil {
				c.style = n
			}
		}
	}
	col, row, ok := parseRef(c.ref)
	if !ok {
		col, row = r.prevCol+1, 0
	}
	if row > 0 && !r.rowFixed {
		r.rowNum = row
	}
	r.rowFixed = true
	if col <= r.prevCol {
		r.cellsSorted = false
	}
	r.prevCol = col
	c.col = col
}

// endCell resolves the cell value and adds it to the row.
func (r *sheetReader) endCell() error {
	gc, ok := r.value()
	if !ok {
		return nil
	}
	b := r.b
	gc.Col = r.cell.col
	if gc.Col > b.lim.MaxCols {
		return grid.TooLarge(grid.Excess{Limit: grid.LimitCols, Max: int64(b.lim.MaxCols), Sheet: r.sheet.Name, Row: r.rowNum, Col: gc.Col},
			"sheet %q has a value in column %d, limit %d", r.sheet.Name, gc.Col, b.lim.MaxCols)
	}
	n := len(gc.Text)
	if r.capOver {
		n = max(n, b.lim.MaxCellBytes+1)
	}
	if err := b.bud.Cell(n, r.rowNum, gc.Col); err != nil {
		return err
	}
	if n := b.lim.MaxCellChars; len(gc.Text) > n {
		if cut, done := grid.CutText(gc.Text, n); done {
			gc.Text = cut
			b.note(grid.CutNote(n, r.sheet.Name))
		}
	}
	b.cells++
	if b.cells > b.lim.MaxCells {
		return grid.TooLarge(grid.Excess{Limit: grid.LimitCells, Max: int64(b.lim.MaxCells), Sheet: r.sheet.Name, Row: r.rowNum, Col: gc.Col},
			"workbook has more than %d non-empty cells", b.lim.MaxCells)
	}
	// Shared-string amplification: many cells pointing at one long
	// string cost nothing here but would flood every later stage, so
	// every reference is charged in full.
	if err := b.bud.Charge(int64(len(gc.Text)), 1, r.rowNum, gc.Col); err != nil {
		return err
	}
	r.cells = append(r.cells, gc)
	return nil
}

// endRow stores a row that has values.
func (r *sheetReader) endRow() error {
	r.lastRow = r.rowNum
	if len(r.cells) == 0 {
		return nil
	}
	if r.rowNum > r.b.lim.MaxRows {
		return grid.TooLarge(grid.Excess{Limit: grid.LimitRows, Max: int64(r.b.lim.MaxRows), Sheet: r.sheet.Name, Row: r.rowNum},
			"sheet %q has a value in row %d, limit %d", r.sheet.Name, r.rowNum, r.b.lim.MaxRows)
	}
	cells := slices.Clone(r.cells)
	if !r.cellsSorted {
		cells = sortCells(cells)
	}
	rows := r.sheet.Rows
	if n := len(rows); n > 0 && rows[n-1].Num >= r.rowNum {
		r.rowsSorted = false
	}
	if len(rows) > 2*r.b.lim.MaxRows {
		return grid.TooLarge(grid.Excess{Limit: grid.LimitRows, Max: int64(r.b.lim.MaxRows), Sheet: r.sheet.Name}, "sheet %q has more than %d rows", r.sheet.Name, r.b.lim.MaxRows)
	}
	r.sheet.Rows = append(rows, grid.Row{Num: r.rowNum, Cells: cells})
	return nil
}

// sortCells orders cells by column; of duplicates the last one wins.
func sortCells(cells []grid.Cell) []grid.Cell {
	slices.SortStableFunc(cells, func(a, b grid.Cell) int { return a.Col - b.Col })
	out := cells[:0]
	for _, c := range cells {
		if n := len(out); n > 0 && out[n-1].Col == c.Col {
			out[n-1] = c
			continue
		}
		out = append(out, c)
	}
	return out
}

// mergeRows orders rows by number and joins rows with the same number.
func mergeRows(rows []grid.Row) []grid.Row {
	slices.SortStableFunc(rows, func(a, b grid.Row) int { return a.Num - b.Num })
	out := rows[:0]
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1].Num == r.Num {
			out[n-1].Cells = sortCells(append(out[n-1].Cells, r.Cells...))
			continue
		}
		out = append(out, r)
	}
	return out
}

// merge records a merged range.
func (r *sheetReader) merge(ref string) error {
	from, to, ok := strings.Cut(strings.TrimSpace(ref), ":")
	if !ok {
		to = from // a one-cell range, as some writers emit
	}
	c1, r1, ok1 := parseRef(from)
	c2, r2, ok2 := parseRef(to)
	if !ok1 || !ok2 {
		return nil
	}
	if c1 > c2 {
		c1, c2 = c2, c1
	}
	if r1 > r2 {
		r1, r2 = r2, r1
	}
	lim := r.b.lim
	if c1 > lim.MaxCols || r1 > lim.MaxRows {
		return nil // starts beyond anything we keep
	}
	if len(r.sheet.Merges) >= lim.MaxCells {
		return grid.Fail(grid.CodeTooLarge, fmt.Sprintf("sheet %q has more than %d merged ranges", r.sheet.Name, lim.MaxCells), nil)
	}
	// Whole-row or whole-column merges are clipped to the limits so that
	// no consumer walks 16384 columns for them.
	r.sheet.Merges = append(r.sheet.Merges, grid.Merge{
		FromRow: r1, FromCol: c1, ToRow: min(r2, lim.MaxRows), ToCol: min(c2, lim.MaxCols),
	})
	return nil
}

// value turns the raw cell into a grid cell; ok is false for an empty
// cell.
func (r *sheetReader) value() (grid.Cell, bool) {
	c := &r.cell
	gc := grid.Cell{Formula: c.formula}
	switch c.typ {
	case "s":
		if !c.hasV {
			return gc, false
		}
		idx, err := strconv.Atoi(strings.TrimSpace(c.v.String()))
		if err != nil || idx < 0 || idx >= r.b.sst.len() {
			r.b.note(fmt.Sprintf("shared string index out of range on sheet %q", r.sheet.Name))
			return gc, false
		}
		gc.Kind, gc.Text = grid.String, r.b.sst.at(idx)
	case "inlineStr":
		switch {
		case c.hasIS:
			gc.Text = unescapeX(c.is.String())
		case c.hasV:
			gc.Text = unescapeX(c.v.String())
		}
		gc.Kind = grid.String
	case "str":
		if !c.hasV {
			return gc, false
		}
		gc.Kind, gc.Text = grid.String, unescapeX(c.v.String())
	case "b":
		if !c.hasV {
			return gc, false
		}
		switch v := strings.TrimSpace(c.v.String()); strings.ToLower(v) {
		case "1", "true":
			gc.Kind, gc.Text = grid.Bool, "TRUE"
		case "0", "false":
			gc.Kind, gc.Text = grid.Bool, "FALSE"
		default:
			gc.Kind, gc.Text = grid.String, v
		}
	case "e":
		if !c.hasV {
			return gc, false
		}
		gc.Kind, gc.Text = grid.Error, strings.TrimSpace(c.v.String())
	case "d":
		if !c.hasV {
			return gc, false
		}
		v := strings.TrimSpace(c.v.String())
		if serial, ok := isoSerial(v); ok {
			gc.Kind, gc.Num, gc.Text = grid.Date, serial, grid.NumText(serial)
		} else {
			gc.Kind, gc.Text = grid.String, v
		}
	default: // "n", absent, or unknown: a number
		if !c.hasV {
			if c.hasIS { // an inline string without t="inlineStr"
				gc.Kind, gc.Text = grid.String, unescapeX(c.is.String())
				break
			}
			return gc, false
		}
		r.number(&gc, strings.TrimSpace(c.v.String()))
	}
	if gc.Text == "" {
		return gc, false
	}
	return gc, true
}

// number fills a numeric cell: the raw text is kept as stored unless it
// uses exponent notation, which is written out in plain digits; numbers
// with a date format become Date cells with a 1900-system serial.
func (r *sheetReader) number(gc *grid.Cell, raw string) {
	if raw == "" {
		return
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		// Not a number at all, or one float64 cannot hold: keep the text.
		gc.Kind, gc.Text = grid.String, raw
		return
	}
	gc.Kind, gc.Num, gc.Text = grid.Number, f, raw
	if !plainDecimal(raw) {
		gc.Text = grid.NumText(f)
	}
	s := r.cell.style
	if s >= 0 && s < len(r.b.dateXF) && r.b.dateXF[s] && f >= 0 {
		gc.Kind = grid.Date
		if r.b.date1904 {
			gc.Num = f + 1462
			gc.Text = grid.NumText(gc.Num)
		}
	}
}

// plainDecimal reports whether s is written as [-]digits[.digits].
func plainDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") {
		return false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// excelEpoch is serial 0 of the 1900 date system (as Excel counts after
// its fictitious 1900-02-29).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// isoLayouts are the ISO 8601 forms of t="d" cells.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
	"15:04:05.999999999",
	"15:04",
}

// isoSerial converts an ISO 8601 date/time (t="d" cells) to a serial of
// the 1900 date system.
func isoSerial(v string) (float64, bool) {
	for _, l := range isoLayouts {
		t, err := time.Parse(l, v)
		if err != nil {
			continue
		}
		if t.Year() == 0 { // time of day only
			secs := t.Hour()*3600 + t.Minute()*60 + t.Second()
			return (float64(secs) + float64(t.Nanosecond())/1e9) / 86400, true
		}
		t = t.UTC()
		days := t.Sub(excelEpoch).Hours() / 24
		if t.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
			days-- // Excel's serials count a 1900-02-29 that never was
		}
		if days < 0 {
			return 0, false
		}
		return days, true
	}
	return 0, false
}

// Excel's grid bounds.
const (
	maxColNum = 16384
	maxRowNum = 1048576
)

// parseRef parses a cell reference such as "B7", "b7" or "$B$7".
func parseRef(ref string) (col, row int, ok bool) {
	i := 0
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	start := i
	for i < len(ref) {
		ch := ref[i] | 0x20 // lower-case letters
		if ch < 'a' || ch > 'z' {
			break
		}
		col = col*26 + int(ch-'a'+1)
		if col > maxColNum {
			return 0, 0, false
		}
		i++
	}
	if i == start {
		return 0, 0, false
	}
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	if i == len(ref) {
		return 0, 0, false
	}
	for ; i < len(ref); i++ {
		ch := ref[i]
		if ch < '0' || ch > '9' {
			return 0, 0, false
		}
		row = row*10 + int(ch-'0')
		if row > maxRowNum {
			return 0, 0, false
		}
	}
	if row < 1 {
		return 0, 0, false
	}
	return col, row, true
}
