package xlsx

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

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
	sink     grid.RowSink // sees every row (DecodeRows); nil keeps them all
	index    int          // the index in wb.Sheets of the sheet being read
	texts    []byte       // what keep cuts the cells' texts from
}

var (
	// forceXML makes every sheet go through encoding/xml (the agreement
	// tests compare both paths).
	forceXML = false
	// fallbacks counts the sheets read again with encoding/xml.
	fallbacks atomic.Int64
	// valueHook, when set (by tests), sees every cell value as it is
	// made, while the raw cell is still there.
	valueHook func(r *sheetReader, gc grid.Cell, ok bool)
)

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
	typ      string
	style    int
	v        []byte
	is       []byte
	hasV     bool
	hasIS    bool
	formula  bool
	col, row int
}

// sheetReader turns the elements of one worksheet part, as either
// tokenizer gives them, into a grid.Sheet.
type sheetReader struct {
	b     *book
	sheet *grid.Sheet

	inData, inRow, inCell, inIS bool
	rph                         int
	capture                     *[]byte
	capCap                      int  // textCap: what one cell's text may capture
	capOver                     bool // the cell's text passed capCap
	cell                        rawCell

	rowNum      int  // current row number
	rowHasAttr  bool // the <row> carried a valid r
	rowFixed    bool // row number settled (attribute or first cell ref)
	lastRow     int
	prevCol     int
	cells       []grid.Cell
	slab        []grid.Cell // room for the cells of the next rows
	cellsSorted bool
	rowsSorted  bool
	count       int  // rows with values so far
	lastNum     int  // the number of the last of them
	skim        bool // the sink wants no more rows (grid.SkipRows)
}

// readSheet reads the worksheet part into s, with the fast tokenizer
// (fastxml.go) when the part is plain UTF-8 XML without the constructs
// only encoding/xml handles, else, from the start again, with
// encoding/xml. The fast path gives up before it accepts anything
// encoding/xml would not, so both read a part the same way.
func (b *book) readSheet(part string, s *grid.Sheet) error {
	if b.bud == nil {
		b.bud = grid.NewBudget(b.lim)
	}
	cells, notes := b.cells, len(b.wb.Notes)
	name, vis := s.Name, s.Visibility
	reset := func() {
		b.cells, b.wb.Notes = cells, b.wb.Notes[:notes]
		*s = grid.Sheet{Name: name, Visibility: vis}
	}
	return b.p.readPart(part, b.bud, reset, func(ev events) error {
		r := &sheetReader{b: b, sheet: s, rowsSorted: true, capCap: textCap(b.lim)}
		b.bud.Sheet(s.Name)
		if b.sink != nil {
			b.sink.StartSheet(b.index, s.Name)
		}
		for {
			kind, local, text, a, err := ev.event()
			if err != nil {
				return err
			}
			switch kind {
			case tokEOF:
				return r.finish()
			case tokStart:
				err = r.start(local, a)
			case tokText:
				r.text(text)
			case tokEnd:
				err = r.end(local)
			}
			if err != nil {
				return err
			}
		}
	})
}

// finish settles the sheet once its part is read.
func (r *sheetReader) finish() error {
	s, b := r.sheet, r.b
	if !r.rowsSorted {
		s.Rows = mergeRows(s.Rows)
	}
	n := len(s.Rows)
	if r.rowsSorted {
		n = r.count // rows a sink took are not in s.Rows
	}
	if n > b.lim.MaxRows {
		return grid.TooLarge(grid.Excess{Limit: grid.LimitRows, Max: int64(b.lim.MaxRows), Sheet: s.Name}, "sheet %q has more than %d rows", s.Name, b.lim.MaxRows)
	}
	return nil
}

// text takes the character data of the current element.
func (r *sheetReader) text(t []byte) {
	if r.capture == nil {
		return
	}
	if len(*r.capture)+len(t) > r.capCap {
		r.capOver = true
	}
	if len(*r.capture) < r.capCap {
		*r.capture = append(*r.capture, t[:min(len(t), r.capCap-len(*r.capture))]...)
	}
}

// attrs are the attributes of one start tag, in order, as either
// tokenizer gives them: local names (any namespace) and decoded values.
type attrs interface {
	n() int
	local(i int) []byte
	value(i int) []byte
}

// first returns the value of the first attribute with the local name.
func first(a attrs, local string) ([]byte, bool) {
	for i := range a.n() {
		if string(a.local(i)) == local {
			return a.value(i), true
		}
	}
	return nil, false
}

// xmlAttrs are encoding/xml's attributes.
type xmlAttrs []xml.Attr

func (a xmlAttrs) n() int             { return len(a) }
func (a xmlAttrs) local(i int) []byte { return []byte(a[i].Name.Local) }
func (a xmlAttrs) value(i int) []byte { return []byte(a[i].Value) }

// start handles an opening tag.
func (r *sheetReader) start(local []byte, a attrs) error {
	switch string(local) {
	case "sheetData":
		r.inData = true
	case "row":
		if r.inData && !r.skim {
			r.startRow(a)
		}
	case "c":
		if r.inRow {
			r.startCell(a)
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
			ref, _ := first(a, "ref")
			return r.merge(string(ref))
		}
	}
	return nil
}

// end handles a closing tag.
func (r *sheetReader) end(local []byte) error {
	switch string(local) {
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
func (r *sheetReader) startRow(a attrs) {
	r.inRow = true
	r.cells = r.cells[:0]
	r.cellsSorted = true
	r.prevCol = 0
	r.rowNum, r.rowHasAttr = r.lastRow+1, false
	if v, ok := first(a, "r"); ok {
		if n, ok := atoi(bytes.TrimSpace(v)); ok && n >= 1 && n <= maxRowNum {
			r.rowNum, r.rowHasAttr = n, true
		}
	}
	r.rowFixed = r.rowHasAttr
}

// startCell opens a cell and reads its attributes (of repeated ones, the
// last valid one counts).
func (r *sheetReader) startCell(a attrs) {
	r.inCell = true
	c := &r.cell
	c.typ, c.style = "", 0
	c.v = c.v[:0]
	c.is = c.is[:0]
	c.hasV, c.hasIS, c.formula = false, false, false
	r.capOver = false
	var ref []byte
	for i := range a.n() {
		switch string(a.local(i)) {
		case "r":
			ref = a.value(i)
		case "t":
			c.typ = cellType(bytes.TrimSpace(a.value(i)))
		case "s":
			if n, ok := atoi(bytes.TrimSpace(a.value(i))); ok {
				c.style = n
			}
		}
	}
	col, row, ok := parseRef(ref)
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

// cellType is the t attribute of a cell as a string, the usual ones
// without an allocation.
func cellType(v []byte) string {
	switch string(v) {
	case "s":
		return "s"
	case "n":
		return "n"
	case "str":
		return "str"
	case "inlineStr":
		return "inlineStr"
	case "b":
		return "b"
	case "e":
		return "e"
	case "d":
		return "d"
	}
	return string(v)
}

// atoi is strconv.Atoi on bytes: an optional sign and decimal digits,
// false when there are none or the value overflows.
func atoi(b []byte) (int, bool) {
	if len(b) > 0 && len(b) < 19 {
		neg := false
		s := b
		if s[0] == '-' || s[0] == '+' {
			neg = s[0] == '-'
			s = s[1:]
			if len(s) == 0 {
				return 0, false
			}
		}
		n := 0
		for _, ch := range s {
			if ch < '0' || ch > '9' {
				return 0, false
			}
			n = n*10 + int(ch-'0')
		}
		if neg {
			n = -n
		}
		return n, true
	}
	n, err := strconv.Atoi(string(b))
	return n, err == nil
}

// endCell resolves the cell value and adds it to the row.
func (r *sheetReader) endCell() error {
	gc, ok := r.value()
	if valueHook != nil {
		valueHook(r, gc, ok)
	}
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
	// The row's cells are cut from a slab (one allocation for many rows,
	// each row's slice full to its capacity so that appending to it
	// copies); a row the sink does not keep leaves its room to the next.
	n := len(r.cells)
	if len(r.slab) < n {
		r.slab = make([]grid.Cell, max(n, slabCells))
	}
	cells := r.slab[:n:n]
	copy(cells, r.cells)
	if !r.cellsSorted {
		cells = sortCells(cells)
	}
	if r.count > 0 && r.lastNum >= r.rowNum {
		r.rowsSorted = false
	}
	if r.count > 2*r.b.lim.MaxRows {
		return grid.TooLarge(grid.Excess{Limit: grid.LimitRows, Max: int64(r.b.lim.MaxRows), Sheet: r.sheet.Name}, "sheet %q has more than %d rows", r.sheet.Name, r.b.lim.MaxRows)
	}
	r.count++
	r.lastNum = r.rowNum
	row := grid.Row{Num: r.rowNum, Cells: cells}
	if sink := r.b.sink; sink != nil {
		keep, err := sink.Row(&row)
		if err == grid.SkipRows {
			r.skim, keep, err = true, false, nil
		}
		if err != nil {
			return err
		}
		if !keep {
			return nil // the sink is done with the row: its room is reused
		}
	}
	r.slab = r.slab[n:]
	r.sheet.Rows = append(r.sheet.Rows, row)
	return nil
}

// slabCells is how many cells one slab of sheetReader holds.
const slabCells = 1024

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
		idx, ok := atoi(bytes.TrimSpace(c.v))
		if !ok || idx < 0 || idx >= r.b.sst.len() {
			r.b.note(fmt.Sprintf("shared string index out of range on sheet %q", r.sheet.Name))
			return gc, false
		}
		gc.Kind, gc.Text = grid.String, r.b.sst.at(idx)
	case "inlineStr":
		switch {
		case c.hasIS:
			gc.Text = r.b.unescape(c.is)
		case c.hasV:
			gc.Text = r.b.unescape(c.v)
		}
		gc.Kind = grid.String
	case "str":
		if !c.hasV {
			return gc, false
		}
		gc.Kind, gc.Text = grid.String, r.b.unescape(c.v)
	case "b":
		if !c.hasV {
			return gc, false
		}
		switch v := strings.TrimSpace(string(c.v)); strings.ToLower(v) {
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
		gc.Kind, gc.Text = grid.Error, strings.TrimSpace(string(c.v))
	case "d":
		if !c.hasV {
			return gc, false
		}
		v := strings.TrimSpace(string(c.v))
		if serial, ok := isoSerial(v); ok {
			gc.Kind, gc.Num, gc.Text = grid.Date, serial, grid.NumText(serial)
		} else {
			gc.Kind, gc.Text = grid.String, v
		}
	default: // "n", absent, or unknown: a number
		if !c.hasV {
			if c.hasIS { // an inline string without t="inlineStr"
				gc.Kind, gc.Text = grid.String, r.b.unescape(c.is)
				break
			}
			return gc, false
		}
		r.number(&gc, bytes.TrimSpace(c.v))
	}
	if gc.Text == "" {
		return gc, false
	}
	return gc, true
}

// number fills a numeric cell from its raw bytes b: the raw text is kept as stored unless it
// uses exponent notation, which is written out in plain digits; numbers
// with a date format become Date cells with a 1900-system serial.
func (r *sheetReader) number(gc *grid.Cell, b []byte) {
	if len(b) == 0 {
		return
	}
	raw := unsafe.String(&b[0], len(b)) // read here only: kept through r.b.keep
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		// Not a number at all, or one float64 cannot hold: keep the text.
		gc.Kind, gc.Text = grid.String, r.b.keep(b)
		return
	}
	gc.Kind, gc.Num = grid.Number, f
	if plainDecimal(raw) {
		gc.Text = r.b.keep(b)
	} else {
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

// textChunk is the size of the buffers that the texts of a book's cells
// (numbers, inline strings) are cut from.
const textChunk = 16 << 10

// keep is v as a string cut from the book's text buffer: one allocation
// for many cells. A text is never written over once cut (the buffer only
// grows after it), so the string stays as it was.
func (b *book) keep(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if len(v) > textChunk/8 {
		return string(v)
	}
	if cap(b.texts)-len(b.texts) < len(v) {
		b.texts = make([]byte, 0, textChunk)
	}
	from := len(b.texts)
	b.texts = append(b.texts, v...)
	return unsafe.String(&b.texts[from], len(v))
}

// unescape is unescapeX(string(v)), kept with keep when v has no escape.
func (b *book) unescape(v []byte) string {
	if bytes.Contains(v, []byte("_x")) {
		return unescapeX(string(v))
	}
	return b.keep(v)
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
func parseRef[T string | []byte](ref T) (col, row int, ok bool) {
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
