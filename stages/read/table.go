package read

import (
	"fmt"
	"math/bits"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
	"doithoai/stages/read/grid"
)

// fileCtx is what messages need to name the place of a finding.
type fileCtx struct {
	sub record.Submission
	csv bool // CSV: no sheet names in messages
}

// rowChunk is how many rows' worth of record cells are allocated at once,
// at most.
const rowChunk = 256

// refsChunk is the size of the buffers the cells' references are cut
// from.
const refsChunk = 2048

// chunkRows is how many rows' worth of record cells to allocate once
// stored rows are stored: as many as may still come (hint, the rows
// below the header, when known) up to rowChunk, else as many as stored
// so far (from 16 on), so that a short table takes little room.
func chunkRows(stored, hint int) int {
	if hint > 0 {
		return max(1, min(rowChunk, hint-stored))
	}
	return min(rowChunk, max(16, stored))
}

// rowsBelow is how many of the rows (in number order) come below row
// num.
func rowsBelow(rows []grid.Row, num int) int {
	i := sort.Search(len(rows), func(i int) bool { return rows[i].Num > num })
	return len(rows) - i
}

// extractTable reads the data region below the header of the mapping
// from the decoded sheet.
func extractTable(v *sheetView, m *mapping, fc fileCtx) (record.Table, []record.Finding) {
	tb := newTableBuilder(v, m, fc)
	tb.hint = rowsBelow(v.s.Rows, tb.lastHeader)
	tb.t.Rows = make([]record.SourceRow, 0, tb.hint)
	// A column-number row right after the header (one blank row allowed).
	for num := tb.lastHeader + 1; num <= tb.lastHeader+2; num++ {
		if isNumberRow(v, num) {
			tb.numberRow(num)
			break
		}
		if !v.isBlankRow(num) {
			break
		}
	}
	tb.searching = false
	for i := range v.s.Rows {
		r := &v.s.Rows[i]
		if !tb.add(r, v.row(r.Num)) {
			break
		}
		if v.release && v.unique {
			// The row is in the table now (or not at all): its grid cells
			// are not needed any more, so a big sheet is not held twice.
			r.Cells = nil
		}
	}
	return tb.finish()
}

// tableBuilder maps the rows of a sheet below a header to source rows,
// one row at a time in row order, so that a decoder can hand them over
// as it reads them. The cells of a row are stored as they come; the text
// of string cells is converted from a legacy font and cleaned in finish,
// when the whole column is known (the column decides its font, never the
// cell).
type tableBuilder struct {
	v  *sheetView
	m  *mapping
	fc fileCtx
	t  record.Table

	cols       []int // the mapped columns, in order
	headerKeys map[int]*headerKeys
	lastHeader int
	searching  bool // the column-number row may still come (rows lastHeader+1, +2)
	start      int  // rows up to here are header (or number row)
	prev       int  // the last non-blank row seen
	done       bool // the footer was reached

	order   []int // positions in cols of the cells of a source row, by field
	pos     []int // position in a source row's cells of cols[j], -1 for none
	ids     []schemas.FieldID
	letters []string
	buf     []record.Cell // free record cells of the current chunk
	refs    []byte        // the references of the latest rows, end to end (never overwritten)
	// hint bounds the data rows still to come (the sheet's rows below
	// the header), 0 when unknown: the cells are allocated for no more.
	hint int
	// isText marks, bit i*len(order)+k, the cell k of source row i when
	// it is a string cell whose Text is still raw; extra holds the raw
	// strings of columns without a field id (they count for the font
	// decision only).
	isText []uint64
	extra  map[int][]rawText

	// A builder of a big sheet read with a TableSink keeps no rows: a
	// counting pass (count) gathers each column's text in stats and
	// counts the rows; decide then gives each column its font, and an
	// emitting pass (emit) converts each row with them as it comes and
	// hands the rows over a chunk at a time (out).
	count    bool
	stats    []vntext.ColumnStats // count: the raw string cells of cols[j]
	emit     bool
	encs     []vntext.Encoding // emit: the font of cols[j]
	changed  []int             // emit: cells of cols[j] the font changed
	firstRow []int             // emit: the first row of such a cell
	rows     int               // count, emit: the rows stored
	chunk    []record.SourceRow
	out      func([]record.SourceRow)
}

// rawText is a string cell of a column outside the source rows.
type rawText struct {
	row  int
	text string
}

// newTableBuilder starts the table of the mapping.
func newTableBuilder(v *sheetView, m *mapping, fc fileCtx) *tableBuilder {
	tb := &tableBuilder{v: v, m: m, fc: fc, searching: true}
	t := &tb.t
	t.Sheet, t.HeaderRows = v.s.Name, append([]int(nil), m.b.rows...)
	tb.lastHeader = m.b.rows[len(m.b.rows)-1]
	tb.start, tb.prev = tb.lastHeader, tb.lastHeader
	for c := range m.fields {
		tb.cols = append(tb.cols, c)
	}
	sort.Ints(tb.cols)
	for _, c := range tb.cols {
		t.Columns = append(t.Columns, record.Column{Field: m.fields[c], Col: c, Letter: colLetters(c), Header: m.headers[c]})
	}
	for _, l := range m.unknown {
		t.Unknown = append(t.Unknown, l.display())
	}
	tb.headerKeys = map[int]*headerKeys{}
	for _, l := range m.b.labels {
		tb.headerKeys[l.col] = newHeaderKeys(l.folded)
	}
	// The cells of every row in field order (the order of record.Cells);
	// the match gives a field one column.
	n := len(tb.cols)
	tb.ids, tb.letters, tb.pos = make([]schemas.FieldID, n), make([]string, n), make([]int, n)
	for j, c := range tb.cols {
		tb.letters[j] = colLetters(c)
		tb.pos[j] = -1
		if id, ok := schemas.FieldIDOf(m.fields[c]); ok {
			tb.ids[j] = id
			tb.order = append(tb.order, j)
		}
	}
	sort.SliceStable(tb.order, func(a, b int) bool { return tb.ids[tb.order[a]] < tb.ids[tb.order[b]] })
	for k, j := range tb.order {
		tb.pos[j] = k
	}
	return tb
}

// numberRow records the column-number row under the header.
func (tb *tableBuilder) numberRow(num int) {
	tb.t.NumberRow = num
	tb.start, tb.prev = num, num
	tb.searching = false
}

// add takes the next row of the sheet, in row order; cr is the row its
// cells are read from (the first row of that number; r itself when row
// numbers are unique). It returns false once the footer is reached: later
// rows are not part of the table.
func (tb *tableBuilder) add(r, cr *grid.Row) bool {
	if tb.done {
		return false
	}
	if r.Num <= tb.lastHeader {
		return true
	}
	if tb.searching {
		// A column-number row right after the header (one blank row
		// allowed), as extractTable looks for it.
		switch {
		case r.Num == tb.lastHeader+1 && isNumberRowOf(cr):
			tb.numberRow(r.Num)
			return true
		case r.Num == tb.lastHeader+1 && !rowHasValue(cr):
			// blank: the number row may be the next one
		case r.Num == tb.lastHeader+2 && isNumberRowOf(cr):
			tb.numberRow(r.Num)
			return true
		default:
			tb.searching = false
		}
	}
	v, cols := tb.v, tb.cols
	if r.Num <= tb.start || !rowHasValue(r) {
		return true
	}
	gap := r.Num - tb.prev - 1
	tb.prev = r.Num
	if isFooterRow(v, r, gap) {
		tb.t.FooterRow = r.Num
		tb.done = true
		return false
	}
	if isNumberRowOf(cr) || repeatsHeaderOf(cr, cols, tb.headerKeys) || isHeadingRow(v, r, cols) {
		return true
	}
	hasData := false
	for _, c := range cols {
		cell := cellOf(cr, c)
		if cell == nil || cell.Kind == grid.Empty {
			continue
		}
		if !tb.m.ix.ignored[tb.m.fields[c]] && !isBlank(cell.Text) {
			hasData = true
			break
		}
	}
	if !hasData {
		return true
	}
	tb.store(r.Num, cr)
	return true
}

// store adds the source row of a data row: every mapped cell, string text
// raw until finish.
func (tb *tableBuilder) store(num int, cr *grid.Row) {
	if tb.count {
		tb.countRow(cr)
		return
	}
	n := len(tb.order)
	stored := len(tb.t.Rows)
	if tb.emit {
		stored = tb.rows
	}
	if len(tb.buf) < n {
		tb.buf = make([]record.Cell, n*chunkRows(stored, tb.hint))
	}
	sr := record.SourceRow{Row: num, Cells: tb.buf[:0:n]}
	tb.buf = tb.buf[n:]
	// The references of the row in one string, cut from a buffer shared
	// by the references of the next rows (appended after them, never
	// written over).
	var nb [20]byte
	numText := strconv.AppendInt(nb[:0], int64(num), 10)
	need := 0
	for _, j := range tb.order {
		need += len(tb.letters[j]) + len(numText)
	}
	if cap(tb.refs)-len(tb.refs) < need {
		tb.refs = make([]byte, 0, max(need, refsChunk))
	}
	from := len(tb.refs)
	for _, j := range tb.order {
		tb.refs = append(append(tb.refs, tb.letters[j]...), numText...)
	}
	refs := ""
	if need > 0 {
		refs = unsafe.String(&tb.refs[from], need)
	}
	base := len(tb.t.Rows) * n
	if need := (base + n + 63) / 64; !tb.emit && len(tb.isText) < need {
		tb.isText = append(tb.isText, make([]uint64, need-len(tb.isText))...)
	}
	at := 0
	for _, j := range tb.order {
		c := tb.cols[j]
		ref := refs[at : at+len(tb.letters[j])+len(numText)]
		at += len(ref)
		rc := record.Cell{Field: tb.ids[j], Col: c, Ref: ref}
		if cell := cellOf(cr, c); cell != nil && cell.Kind != grid.Empty {
			switch {
			case cell.Kind == grid.String && tb.emit:
				rc.Text, rc.Encoding = tb.convert(j, num, cell.Text)
			case cell.Kind == grid.String:
				rc.Text = cell.Text // raw: finish converts and cleans it
				b := base + len(sr.Cells)
				tb.isText[b/64] |= 1 << (b % 64)
			default:
				fillCell(&rc, cell, cell.Text)
			}
		}
		sr.Cells = append(sr.Cells, rc)
	}
	for j, c := range tb.cols {
		if tb.pos[j] >= 0 {
			continue
		}
		if cell := cellOf(cr, c); cell != nil && cell.Kind == grid.String {
			if tb.emit {
				tb.convert(j, num, cell.Text) // counts for the finding only
				continue
			}
			if tb.extra == nil {
				tb.extra = map[int][]rawText{}
			}
			tb.extra[j] = append(tb.extra[j], rawText{num, cell.Text})
		}
	}
	if tb.emit {
		tb.rows++
		tb.chunk = append(tb.chunk, sr)
		if len(tb.chunk) >= sinkChunk {
			tb.flush()
		}
		return
	}
	tb.t.Rows = append(tb.t.Rows, sr)
}

// countRow gathers a data row's string cells into the columns' stats
// (the counting pass).
func (tb *tableBuilder) countRow(cr *grid.Row) {
	for j, c := range tb.cols {
		if cell := cellOf(cr, c); cell != nil && cell.Kind == grid.String {
			tb.stats[j].Add(cell.Text)
		}
	}
	tb.rows++
}

// decide gives each column its font from the counting pass's stats, as
// finish decides it from the whole column.
func (tb *tableBuilder) decide() []vntext.Encoding {
	var all vntext.ColumnStats
	for j := range tb.cols {
		all.Merge(&tb.stats[j])
	}
	tableEnc := all.Detect()
	if tableEnc == vntext.Unicode && all.Cells() > 0 && !all.Contradicts(tb.v.sheetEnc) {
		tableEnc = tb.v.sheetEnc // a few short cells: the sheet's font decides
	}
	encs := make([]vntext.Encoding, len(tb.cols))
	for j := range tb.cols {
		st := &tb.stats[j]
		if st.Cells() == 0 {
			continue
		}
		enc := st.Detect()
		if enc == vntext.Unicode && !st.Contradicts(tableEnc) {
			enc = tableEnc
		}
		encs[j] = enc
	}
	return encs
}

// emitting makes tb (fresh, for the same sheet and mapping as the
// counting builder c) convert its rows with the fonts c decided and hand
// them to out as it stores them.
func (tb *tableBuilder) emitting(c *tableBuilder, out func([]record.SourceRow)) {
	tb.emit, tb.encs, tb.out = true, c.decide(), out
	tb.changed, tb.firstRow = make([]int, len(tb.cols)), make([]int, len(tb.cols))
}

// convert is the text of a string cell of cols[j] in row num, converted
// from its column's font and cleaned, and the font's name when the
// conversion changed it (the emitting pass).
func (tb *tableBuilder) convert(j, num int, raw string) (string, string) {
	enc := tb.encs[j]
	if enc == vntext.Unicode {
		return vntext.Clean(raw), ""
	}
	out := vntext.DecodeCell(raw, enc)
	if out == raw {
		return vntext.Clean(out), ""
	}
	tb.changed[j]++
	if tb.firstRow[j] == 0 {
		tb.firstRow[j] = num
	}
	return vntext.Clean(out), enc.String()
}

// flush hands the rows stored since the last flush to out.
func (tb *tableBuilder) flush() {
	if len(tb.chunk) > 0 {
		tb.out(tb.chunk)
		clear(tb.chunk)
		tb.chunk = tb.chunk[:0]
	}
}

// finishEmit ends the emitting pass: the table without its rows (handed
// over) and its findings, as finish makes them.
func (tb *tableBuilder) finishEmit() (record.Table, []record.Finding) {
	tb.flush()
	var findings []record.Finding
	for j, c := range tb.cols {
		if tb.changed[j] > 0 {
			findings = append(findings, tb.legacyFinding(j, c, tb.encs[j], tb.changed[j], tb.firstRow[j]))
		}
	}
	return tb.t, findings
}

// legacyFinding tells that changed cells of cols[j] (column c), from row
// firstRow on, were converted from font enc.
func (tb *tableBuilder) legacyFinding(j, c int, enc vntext.Encoding, changed, firstRow int) record.Finding {
	f, v := tb.m.fields[c], tb.v
	title := fieldTitle(tb.m.ix, f)
	return record.Finding{
		SubmissionID: tb.fc.sub.ID, Path: tb.fc.sub.Path, Sheet: v.s.Name, Row: firstRow,
		Column: f, ColumnTitle: title, Ref: ref(c, firstRow),
		Code: "legacy-encoding", Severity: record.Warning,
		Message: where(tb.fc, v.s.Name, 0, colLetters(c), title) + ": " +
			fmt.Sprintf("văn bản gõ bằng %s đã được chuyển sang Unicode (%d ô, từ dòng %d).", encodingName(enc), changed, firstRow),
	}
}

// text reports whether cell k of source row i is a raw string cell.
func (tb *tableBuilder) text(i, k int) bool {
	b := i*len(tb.order) + k
	return b/64 < len(tb.isText) && tb.isText[b/64]&(1<<(b%64)) != 0
}

// finish decides the legacy font of each column, converts and cleans the
// text cells, and returns the table with its findings.
func (tb *tableBuilder) finish() (record.Table, []record.Finding) {
	var findings []record.Finding
	v, t := tb.v, &tb.t
	rows := t.Rows
	// column j's raw texts and their rows, in row order
	column := func(j int, texts []string, at []int) ([]string, []int) {
		texts, at = texts[:0], at[:0]
		if k := tb.pos[j]; k >= 0 {
			for i := range rows {
				if tb.text(i, k) {
					texts = append(texts, rows[i].Cells[k].Text)
					at = append(at, rows[i].Row)
				}
			}
			return texts, at
		}
		for _, x := range tb.extra[j] {
			texts, at = append(texts, x.text), append(at, x.row)
		}
		return texts, at
	}
	// The table's font: every text cell, row by row.
	nAll := 0
	for _, w := range tb.isText {
		nAll += bits.OnesCount64(w)
	}
	for j := range tb.cols {
		if tb.pos[j] < 0 {
			nAll += len(tb.extra[j])
		}
	}
	all := make([]string, 0, nAll)
	for i := range rows {
		for k := range tb.order {
			if tb.text(i, k) {
				all = append(all, rows[i].Cells[k].Text)
			}
		}
	}
	for j := range tb.cols {
		if tb.pos[j] < 0 {
			for _, x := range tb.extra[j] {
				all = append(all, x.text)
			}
		}
	}
	tableEnc := vntext.DetectColumn(all)
	if tableEnc == vntext.Unicode && len(all) > 0 && !vntext.Contradicts(all, v.sheetEnc) {
		tableEnc = v.sheetEnc // a few short cells: the sheet's font decides
	}
	all = nil
	texts := make([]string, 0, len(rows)) // one column's, reused
	at := make([]int, 0, len(rows))
	for j, c := range tb.cols {
		texts, at = column(j, texts, at)
		if len(texts) == 0 {
			continue
		}
		// The column decides; a column without evidence of its own (short
		// cells such as "Êp 3", "N÷") follows the table, unless one of its
		// cells contradicts it. Never cell by cell.
		enc := vntext.DetectColumn(texts)
		if enc == vntext.Unicode && !vntext.Contradicts(texts, tableEnc) {
			enc = tableEnc
		}
		k := tb.pos[j]
		if enc == vntext.Unicode {
			if k >= 0 {
				for i := range rows {
					if tb.text(i, k) {
						rows[i].Cells[k].Text = vntext.Clean(rows[i].Cells[k].Text)
					}
				}
			}
			continue
		}
		out := vntext.DecodeCells(texts, enc)
		changed, firstRow := 0, 0
		for i, s := range texts {
			if out[i] != s {
				changed++
				if firstRow == 0 {
					firstRow = at[i]
				}
			}
		}
		if k >= 0 {
			i := 0
			for r := range rows {
				if !tb.text(r, k) {
					continue
				}
				rc := &rows[r].Cells[k]
				if out[i] != texts[i] {
					rc.Encoding = enc.String()
				}
				rc.Text = vntext.Clean(out[i])
				i++
			}
		}
		if changed > 0 {
			findings = append(findings, tb.legacyFinding(j, c, enc, changed, firstRow))
		}
	}
	tb.isText, tb.extra = nil, nil
	if len(t.Rows) == 0 {
		t.Rows = nil // as when no row was ever stored
	}
	return tb.t, findings
}

// cellOf returns the cell of the row at column col, or nil.
func cellOf(r *grid.Row, col int) *grid.Cell {
	if r == nil {
		return nil
	}
	cells := r.Cells
	if i := col - 1; i >= 0 && i < len(cells) && cells[i].Col == col && (i == 0 || cells[i-1].Col < col) {
		return &cells[i] // a row without gaps before col
	}
	lo, hi := 0, len(cells) // sort.Search without its closure
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if cells[h].Col < col {
			lo = h + 1
		} else {
			hi = h
		}
	}
	if lo < len(cells) && cells[lo].Col == col {
		return &cells[lo]
	}
	return nil
}

// fillCell sets the value of a record cell from a grid cell and its
// (decoded) text.
func fillCell(rc *record.Cell, c *grid.Cell, text string) {
	switch c.Kind {
	case grid.String:
		rc.Text = vntext.Clean(text)
	case grid.Number:
		rc.Text = strings.TrimSpace(c.Text)
		rc.Num, rc.IsNum = c.Num, true
	case grid.Date:
		rc.Text = strings.TrimSpace(c.Text)
		rc.Num, rc.IsDate = c.Num, true
	default:
		rc.Text = vntext.Clean(c.Text)
	}
}

// fieldTitle is the Vietnamese title of a field.
func fieldTitle(ix *schemaIndex, field string) string {
	if f := ix.s.Field(field); f != nil {
		return f.Title
	}
	return field
}

// Footer words (folded) that start a footer cell.
var footerPrefixes = []string{
	"nguoi lap bieu", "nguoi lap bang", "nguoi lap danh sach", "nguoi lap", "nguoi tong hop",
	"can bo lap bieu", "can bo tong hop", "tm ubnd", "tm uy ban", "t m ubnd", "t m uy ban", "tm ban",
	"kt chu tich", "kt truong ban", "tl chu tich", "q chu tich", "kt ubnd", "xac nhan",
	"ky ghi ro ho ten", "ky va ghi ro", "ky ten", "ky dong dau", "thu truong don vi",
	"noi nhan",
}

// Whole cells (folded) that start a total row.
var totalWords = map[string]bool{"cong": true, "tong": true, "tong so": true, "tong cong": true, "cong tong": true}

// Footer words that could also be a value ("Chủ tịch" is a position in
// M3): a footer only in a sparse row.
var footerWeak = map[string]bool{
	"chu tich": true, "pho chu tich": true, "truong ban": true, "pho truong ban": true,
	"thu ky": true, "truong ban chi dao": true,
}

var (
	totalLine = regexp.MustCompile(`^(tong so|tong|cong) \d+( ho| nguoi| y kien| thanh vien| dai bieu)?$`)
	dateLine  = regexp.MustCompile(`^ngay(?: \d{1,2})? thang(?: \d{1,2})? nam(?: \d{1,4})?$|^ngay \d{1,2} \d{1,2} \d{2,4}$`)
)

// isFooterRow reports whether the row starts the footer: signatures, the
// "…, ngày … tháng … năm …" line, a total row, or (after blank rows) a
// lone note.
func isFooterRow(v *sheetView, r *grid.Row, gap int) bool {
	nonEmpty := 0
	for _, c := range r.Cells {
		if c.Kind != grid.Empty && strings.TrimSpace(c.Text) != "" {
			nonEmpty++
		}
	}
	legacy := v.sheetEnc != vntext.Unicode || v.topEnc != vntext.Unicode
	for _, c := range r.Cells {
		if c.Kind != grid.String || len(c.Text) > maxFooterBytes {
			continue
		}
		if !legacy {
			// The cell is its only reading. In a full row only a total
			// word counts, and every one folds to a text starting with
			// "t" or "c": a cell starting with another ASCII letter or
			// digit (which Fold keeps, lower-cased) is not folded at all.
			if nonEmpty > 4 && !mayFoldToTotal(c.Text) {
				continue
			}
			if isFooterText(c.Text, nonEmpty, gap) {
				return true
			}
			continue
		}
		for _, t := range footerTexts(v, c.Text) {
			if isFooterText(t, nonEmpty, gap) {
				return true
			}
		}
	}
	return false
}

// isFooterText reports whether one reading t of a cell starts the footer,
// in a row of nonEmpty values after gap blank rows.
func isFooterText(t string, nonEmpty, gap int) bool {
	f := vntext.Fold(t)
	if f == "" {
		return false
	}
	if totalWords[f] || strings.HasPrefix(f, "tong cong ") || (strings.HasPrefix(f, "tong ") || strings.HasPrefix(f, "cong ")) && totalLine.MatchString(f) {
		return true // a total row ends the data, whatever it holds
	}
	if nonEmpty > 4 {
		return false // a full row is data even if a note reads "Xác nhận …"
	}
	for _, p := range footerPrefixes {
		if strings.HasPrefix(f, p) && (len(f) == len(p) || f[len(p)] == ' ') {
			return true
		}
	}
	if footerWeak[f] && nonEmpty <= 2 {
		return true
	}
	if strings.Contains(f, "thang") && isDateLine(t) {
		return true
	}
	if gap >= 2 && nonEmpty == 1 && isNoteLine(t, f) {
		return true
	}
	return false
}

// mayFoldToTotal is false when vntext.Fold(t) cannot start with "tong"
// or "cong" followed by a space or nothing, as every total word does:
// Fold keeps the ASCII letters and digits that t starts with as the
// first bytes of its key, lower-cased, so those must begin "tong" or
// "cong" (four at most).
func mayFoldToTotal(t string) bool {
	var lead [4]byte
	k := 0
	for k < len(t) && asciiAlnum(t[k]) {
		if k == len(lead) {
			return false // "tong" or "cong" and a fifth letter or digit
		}
		lead[k] = asciiLower(t[k])
		k++
	}
	return string(lead[:k]) == "tong"[:k] || string(lead[:k]) == "cong"[:k]
}

// asciiAlnum reports whether c is an ASCII letter or digit.
func asciiAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// maxFooterBytes: longer cells are contents, never footer words.
const maxFooterBytes = 160

// footerTexts is the cell text, and its Unicode readings when the sheet
// or its top rows are typed in a legacy font.
func footerTexts(v *sheetView, s string) []string {
	out := []string{s}
	for _, enc := range []vntext.Encoding{v.sheetEnc, v.topEnc} {
		if enc == vntext.Unicode {
			continue
		}
		if d := vntext.DecodeCells([]string{s}, enc)[0]; d != s && !contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// isDateLine matches "Thường Phước 1, ngày 18 tháng 3 năm 2022" and
// "ngày … tháng … năm 20…" as whole cells.
func isDateLine(t string) bool {
	place, rest := "", t
	if i := strings.Index(t, ","); i >= 0 {
		place, rest = t[:i], t[i+1:]
	}
	if len([]rune(place)) > 40 {
		return false
	}
	return dateLine.MatchString(vntext.Fold(rest))
}

// isNoteLine matches a lone note under a table ("Ghi chú: …", "* …").
func isNoteLine(t, f string) bool {
	t = strings.TrimSpace(t)
	if strings.HasPrefix(t, "*") || strings.HasPrefix(t, "(*)") {
		return true
	}
	for _, p := range []string{"ghi chu", "luu y", "chu y", "nguon"} {
		if strings.HasPrefix(f, p+" ") && len(f) > len(p)+1 {
			return true
		}
	}
	return false
}

// repeatsHeaderOf reports whether the row repeats the column header (a
// header printed again on each page).
func repeatsHeaderOf(r *grid.Row, cols []int, keys map[int]*headerKeys) bool {
	same := 0
	for _, c := range cols {
		cell := cellOf(r, c)
		if cell == nil || cell.Kind != grid.String {
			continue
		}
		if keys[c].has(cell.Text) {
			same++
		}
	}
	return same >= 2 && same*2 >= len(cols)
}

// headerKeys are the folded texts of one header column, with what lets
// most data cells be told apart from them without folding them.
type headerKeys struct {
	set map[string]bool
	// first: the first bytes of the keys; maxLen: the longest key.
	first  [256]bool
	maxLen int
}

// newHeaderKeys holds the folded texts.
func newHeaderKeys(folded []string) *headerKeys {
	k := &headerKeys{set: make(map[string]bool, len(folded))}
	for _, f := range folded {
		k.set[f] = true
		if f != "" {
			k.first[f[0]] = true
		}
		k.maxLen = max(k.maxLen, len(f))
	}
	return k
}

// has reports whether vntext.Fold(s) is one of the keys (k may be nil:
// none). Fold keeps every ASCII letter and digit of s, lower-cased and
// in order, and those s starts with as the first bytes of its key: a
// text whose leading ones begin no key, or that has more of them than
// the longest key has bytes, is none of them.
func (k *headerKeys) has(s string) bool {
	if k == nil || len(k.set) == 0 {
		return false
	}
	var lead [16]byte
	n := 0
	for n < len(s) && n < len(lead) && asciiAlnum(s[n]) {
		lead[n] = asciiLower(s[n])
		n++
	}
	if n > 0 {
		if !k.first[lead[0]] {
			return false
		}
		if n > 1 && !k.begins(lead[:n]) {
			return false
		}
	}
	n = 0
	for i := 0; i < len(s); i++ {
		if asciiAlnum(s[i]) {
			if n++; n > k.maxLen {
				return false
			}
		}
	}
	return k.set[vntext.Fold(s)]
}

// begins reports whether a key starts with p.
func (k *headerKeys) begins(p []byte) bool {
	for key := range k.set {
		if len(key) >= len(p) && key[:len(p)] == string(p) {
			return true
		}
	}
	return false
}

// asciiLower lower-cases an ASCII letter.
func asciiLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// sectionHeading matches a numbered section title: "I. Ban giảm nghèo",
// "II - Trưởng ấp", "A) Ấp 1".
var sectionHeading = regexp.MustCompile(`^([IVX]{1,4}|[A-Z])\s*[\.\)\-–:]\s*\S`)

// isHeadingRow reports whether the row is a section heading inside the
// table: its only value is a numbered section title ("I. Ban giảm
// nghèo") or sits in a merge spanning three or more columns ("Ấp 1").
func isHeadingRow(v *sheetView, r *grid.Row, cols []int) bool {
	var only *grid.Cell
	for i := range r.Cells {
		c := &r.Cells[i]
		if c.Kind == grid.Empty || strings.TrimSpace(c.Text) == "" {
			continue
		}
		if only != nil {
			return false
		}
		only = c
	}
	if only == nil {
		return false
	}
	if only.Kind == grid.String && sectionHeading.MatchString(strings.TrimSpace(only.Text)) {
		return true
	}
	m := v.mergeAt(r.Num, only.Col)
	return m != nil && m.ToCol-m.FromCol >= 2 && len(cols) >= 3
}
