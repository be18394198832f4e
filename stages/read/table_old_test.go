package read

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
	"doithoai/stages/read/grid"
)

// rawRowOld is one data row before its cells are decoded.
type rawRowOld struct {
	num   int
	cells []*grid.Cell // by position in the table's sorted columns; nil when blank
}

// rawChunkOld is how many rows' worth of cell pointers are allocated at once.
const rawChunkOld = 256

// extractTableOld is extractTable as it was before the table builder:
// the oracle of TestTableBuilderAgrees.
func extractTableOld(v *sheetView, m *mapping, fc fileCtx) (record.Table, []record.Finding) {
	var findings []record.Finding
	t := record.Table{Sheet: v.s.Name, HeaderRows: append([]int(nil), m.b.rows...)}
	lastHeader := m.b.rows[len(m.b.rows)-1]
	cols := make([]int, 0, len(m.fields))
	for c := range m.fields {
		cols = append(cols, c)
	}
	sort.Ints(cols)
	for _, c := range cols {
		t.Columns = append(t.Columns, record.Column{Field: m.fields[c], Col: c, Letter: colLetters(c), Header: m.headers[c]})
	}
	for _, l := range m.unknown {
		t.Unknown = append(t.Unknown, l.display())
	}

	// A column-number row right after the header (one blank row allowed).
	for num := lastHeader + 1; num <= lastHeader+2; num++ {
		if isNumberRow(v, num) {
			t.NumberRow = num
			break
		}
		if !v.isBlankRow(num) {
			break
		}
	}

	headerKeys := map[int]map[string]bool{}
	for _, l := range m.b.labels {
		keys := map[string]bool{}
		for _, k := range l.folded {
			keys[k] = true
		}
		headerKeys[l.col] = keys
	}

	var rows []rawRowOld
	var ptrs []*grid.Cell // free cell pointers of the current chunk
	prev := lastHeader
	if t.NumberRow > 0 {
		prev = t.NumberRow
	}
	start := prev
	for i := range v.s.Rows {
		r := &v.s.Rows[i]
		if r.Num <= start {
			continue
		}
		if !rowHasValue(r) {
			continue
		}
		gap := r.Num - prev - 1
		prev = r.Num
		if isFooterRowOld(v, r, gap) {
			t.FooterRow = r.Num
			break
		}
		if isNumberRow(v, r.Num) || repeatsHeader(v, r, cols, headerKeys) || isHeadingRow(v, r, cols) {
			continue
		}
		if len(ptrs) < len(cols) {
			ptrs = make([]*grid.Cell, len(cols)*rawChunkOld)
		}
		rr := rawRowOld{num: r.Num, cells: ptrs[:len(cols):len(cols)]}
		hasData := false
		for j, c := range cols {
			cell := v.cell(r.Num, c)
			if cell == nil || cell.Kind == grid.Empty {
				continue
			}
			f := m.fields[c]
			rr.cells[j] = cell
			if !m.ix.ignored[f] && !isBlank(cell.Text) {
				hasData = true
			}
		}
		if hasData {
			rows = append(rows, rr)
			ptrs = ptrs[len(cols):]
		} else {
			clear(rr.cells) // the next row reuses them
		}
	}

	// Legacy fonts, column by column.
	decoded := map[[2]int]string{} // (row, col) -> Unicode text
	encOf := map[[2]int]string{}
	all := make([]string, 0, len(rows)*len(cols))
	for _, rr := range rows {
		for _, c := range rr.cells {
			if c != nil && c.Kind == grid.String {
				all = append(all, c.Text)
			}
		}
	}
	tableEnc := vntext.DetectColumn(all)
	if tableEnc == vntext.Unicode && len(all) > 0 && !vntext.Contradicts(all, v.sheetEnc) {
		tableEnc = v.sheetEnc // a few short cells: the sheet's font decides
	}
	texts := make([]string, 0, len(rows)) // one column's, reused
	at := make([]int, 0, len(rows))
	for j, c := range cols {
		f := m.fields[c]
		texts, at = texts[:0], at[:0]
		for _, rr := range rows {
			if cell := rr.cells[j]; cell != nil && cell.Kind == grid.String {
				texts = append(texts, cell.Text)
				at = append(at, rr.num)
			}
		}
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
		if enc == vntext.Unicode {
			continue
		}
		out := vntext.DecodeCells(texts, enc)
		changed, firstRow := 0, 0
		for i, s := range texts {
			if out[i] != s {
				k := [2]int{at[i], c}
				decoded[k] = out[i]
				encOf[k] = enc.String()
				changed++
				if firstRow == 0 {
					firstRow = at[i]
				}
			}
		}
		if changed > 0 {
			title := fieldTitle(m.ix, f)
			findings = append(findings, record.Finding{
				SubmissionID: fc.sub.ID, Path: fc.sub.Path, Sheet: v.s.Name, Row: firstRow,
				Column: f, ColumnTitle: title, Ref: ref(c, firstRow),
				Code: "legacy-encoding", Severity: record.Warning,
				Message: where(fc, v.s.Name, 0, colLetters(c), title) + ": " +
					fmt.Sprintf("văn bản gõ bằng %s đã được chuyển sang Unicode (%d ô, từ dòng %d).", encodingName(enc), changed, firstRow),
			})
		}
	}

	// The cells of every row in one allocation, each row's in field order
	// (the order of record.Cells); the match gives a field one column.
	order := make([]int, 0, len(cols)) // positions in cols, by field
	ids := make([]schemas.FieldID, len(cols))
	letters := make([]string, len(cols))
	for j, c := range cols {
		letters[j] = colLetters(c)
		if id, ok := schemas.FieldIDOf(m.fields[c]); ok {
			ids[j] = id
			order = append(order, j)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return ids[order[a]] < ids[order[b]] })
	n := len(order)
	var buf []record.Cell
	if len(rows) > 0 {
		t.Rows = make([]record.SourceRow, 0, len(rows))
		buf = make([]record.Cell, len(rows)*n)
	}
	for i, rr := range rows {
		sr := record.SourceRow{Row: rr.num}
		num := strconv.Itoa(rr.num)
		if n > 0 {
			sr.Cells = buf[i*n : i*n : (i+1)*n]
		}
		for _, j := range order {
			c := cols[j]
			cell := rr.cells[j]
			rc := record.Cell{Field: ids[j], Col: c, Ref: letters[j] + num} // ref(c, rr.num)
			if cell != nil {
				k := [2]int{rr.num, c}
				text := cell.Text
				if d, ok := decoded[k]; ok {
					text = d
					rc.Encoding = encOf[k]
				}
				fillCell(&rc, cell, text)
			}
			sr.Cells = append(sr.Cells, rc)
		}
		t.Rows = append(t.Rows, sr)
	}
	return t, findings
}

// repeatsHeader is repeatsHeaderOf as the old extractTable had it
// (every cell folded).
func repeatsHeader(v *sheetView, r *grid.Row, cols []int, keys map[int]map[string]bool) bool {
	same := 0
	for _, c := range cols {
		cell := cellOf(v.row(r.Num), c)
		if cell == nil || cell.Kind != grid.String {
			continue
		}
		if keys[c][vntext.Fold(cell.Text)] {
			same++
		}
	}
	return same >= 2 && same*2 >= len(cols)
}

// isFooterRowOld is isFooterRow as the old extractTable had it (every
// reading of every cell folded).
func isFooterRowOld(v *sheetView, r *grid.Row, gap int) bool {
	nonEmpty := 0
	for _, c := range r.Cells {
		if c.Kind != grid.Empty && strings.TrimSpace(c.Text) != "" {
			nonEmpty++
		}
	}
	for _, c := range r.Cells {
		if c.Kind != grid.String || len(c.Text) > maxFooterBytes {
			continue
		}
		for _, t := range footerTexts(v, c.Text) {
			f := vntext.Fold(t)
			if f == "" {
				continue
			}
			if totalWords[f] || strings.HasPrefix(f, "tong cong ") || (strings.HasPrefix(f, "tong ") || strings.HasPrefix(f, "cong ")) && totalLine.MatchString(f) {
				return true
			}
			if nonEmpty > 4 {
				continue
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
		}
	}
	return false
}
