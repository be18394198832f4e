package xls

import (
	"cmp"
	"math"
	"slices"

	"doithoai/stages/read/grid"
)

// cellAt is a cell with its 1-based row number, before rows are assembled.
type cellAt struct {
	row  int
	cell grid.Cell
}

// sheetReader collects one worksheet's cells.
type sheetReader struct {
	b       *book
	name    string
	cells   []cellAt
	merges  []grid.Merge
	pending *[2]int // row, col of a formula whose string result follows
}

// sheet parses the substream whose BOF is at pos. ok is false for
// substreams that are not worksheets (charts, macro sheets, modules).
func (b *book) sheet(pos int, bs boundSheet) (sh grid.Sheet, ok bool, err error) {
	rec, err := readRecord(b.stream, pos)
	if err != nil {
		return sh, false, corrupt(err, "sheet %q", bs.name)
	}
	if d := rec.data(); len(d) >= 4 {
		if dt := le16(d, 2); dt != bofWorksheet && dt != 0 {
			return sh, false, nil
		}
	}
	s := &sheetReader{b: b, name: bs.name}
	b.bud.Sheet(bs.name)
	depth := 0 // nesting of embedded substreams (charts in a worksheet)
	for p := rec.next; ; {
		if err := b.tick(); err != nil {
			return sh, false, err
		}
		if p >= len(b.stream) {
			return sh, false, corrupt(nil, "sheet %q ends without EOF record", bs.name)
		}
		rec, err := readRecord(b.stream, p)
		if err != nil {
			return sh, false, corrupt(err, "sheet %q", bs.name)
		}
		p = rec.next
		switch rec.typ {
		case recBOF:
			depth++
			continue
		case recEOF:
			if depth == 0 {
				return s.finish(bs), true, nil
			}
			depth--
			continue
		}
		if depth > 0 {
			continue
		}
		if err := s.record(rec); err != nil {
			return sh, false, err
		}
	}
}

// record handles one record of a worksheet substream.
func (s *sheetReader) record(rec record) error {
	d := rec.data()
	switch rec.typ {
	case recString, recShrFmla, recArray, recTable, recContinue:
	default:
		s.pending = nil
	}
	bad := func(err error) error {
		return corrupt(err, "sheet %q: record 0x%04X at offset %d", s.name, rec.typ, rec.pos)
	}
	switch rec.typ {
	case recLabelSST:
		if len(d) < 10 {
			return bad(errShort)
		}
		i := uint64(le32(d, 6))
		if i >= uint64(len(s.b.sst)) {
			return corrupt(nil, "sheet %q: shared string index %d out of range (%d strings)", s.name, i, len(s.b.sst))
		}
		return s.text(d, s.b.sst[i], false)
	case recLabel, recRString:
		if len(d) < 8 {
			return bad(errShort)
		}
		r := newSegReader(rec.segs)
		_ = r.skip(6)
		str, err := s.b.label(r)
		if err != nil {
			return bad(err)
		}
		return s.text(d, str, false)
	case recNumber:
		if len(d) < 14 {
			return bad(errShort)
		}
		return s.number(int(le16(d, 0)), int(le16(d, 2)), int(le16(d, 4)), f64(d, 6), false)
	case recRK:
		if len(d) < 10 {
			return bad(errShort)
		}
		return s.number(int(le16(d, 0)), int(le16(d, 2)), int(le16(d, 4)), rkValue(le32(d, 6)), false)
	case recMulRK:
		if len(d) < 6 {
			return bad(errShort)
		}
		row, col := int(le16(d, 0)), int(le16(d, 2))
		n := (len(d) - 6) / 6
		for k := 0; k < n; k++ {
			o := 4 + 6*k
			if err := s.number(row, col+k, int(le16(d, o)), rkValue(le32(d, o+2)), false); err != nil {
				return err
			}
		}
	case recBoolErr:
		if len(d) < 8 {
			return bad(errShort)
		}
		return s.boolErr(int(le16(d, 0)), int(le16(d, 2)), d[6], d[7] != 0, false)
	case recFormula:
		if len(d) < 14 {
			return bad(errShort)
		}
		return s.formula(d)
	case recString:
		if s.pending == nil {
			return nil
		}
		row, col := s.pending[0], s.pending[1]
		s.pending = nil
		r := newSegReader(rec.segs)
		str, err := s.b.label(r)
		if err != nil {
			return bad(err)
		}
		return s.addText(row, col, str, true)
	case recMerged:
		s.merged(d)
	}
	return nil
}

// label reads a LABEL/RSTRING/STRING string: BIFF8 XLUnicodeString, or a
// 16-bit counted 8-bit string in BIFF5.
func (b *book) label(r *segReader) (string, error) {
	n, err := r.u16()
	if err != nil {
		return "", err
	}
	if b.biff == 8 {
		return r.stringBody(int(n))
	}
	raw, err := r.bytes(int(n))
	if err != nil {
		return "", err
	}
	return b.dec.decode(raw), nil
}

// text adds a string cell at the row and column of a cell record.
func (s *sheetReader) text(d []byte, str string, formula bool) error {
	return s.addText(int(le16(d, 0)), int(le16(d, 2)), str, formula)
}

// addText adds a string cell (0-based position) after checking its whole
// text against MaxCellBytes.
func (s *sheetReader) addText(row, col int, str string, formula bool) error {
	if err := s.b.bud.Cell(len(str), row+1, col+1); err != nil {
		return err
	}
	return s.add(row, col, s.stringCell(str, formula))
}

// stringCell makes a String cell, cutting text over the character limit.
func (s *sheetReader) stringCell(str string, formula bool) grid.Cell {
	if cut, done := grid.CutText(str, s.b.lim.MaxCellChars); done {
		str = cut
		s.b.note(grid.CutNote(s.b.lim.MaxCellChars, s.name))
	}
	return grid.Cell{Kind: grid.String, Text: str, Formula: formula}
}

// number adds a numeric cell, as a Date when its XF has a date format.
func (s *sheetReader) number(row, col, xf int, v float64, formula bool) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return s.add(row, col, grid.Cell{Kind: grid.Error, Text: "#NUM!", Formula: formula})
	}
	if xf < len(s.b.dateXF) && s.b.dateXF[xf] && v >= 0 {
		if s.b.date1904 {
			v += 1462
		}
		return s.add(row, col, grid.Cell{Kind: grid.Date, Num: v, Text: grid.NumText(v), Formula: formula})
	}
	return s.add(row, col, grid.Cell{Kind: grid.Number, Num: v, Text: grid.NumText(v), Formula: formula})
}

// boolErr adds a boolean or error cell.
func (s *sheetReader) boolErr(row, col int, val byte, isErr, formula bool) error {
	if isErr {
		return s.add(row, col, grid.Cell{Kind: grid.Error, Text: errorText(val), Formula: formula})
	}
	t := "FALSE"
	if val != 0 {
		t = "TRUE"
	}
	return s.add(row, col, grid.Cell{Kind: grid.Bool, Text: t, Formula: formula})
}

// formula adds the cached result of a FORMULA record. A string result is
// in the STRING record that follows.
func (s *sheetReader) formula(d []byte) error {
	row, col, xf := int(le16(d, 0)), int(le16(d, 2)), int(le16(d, 4))
	if d[12] != 0xFF || d[13] != 0xFF {
		return s.number(row, col, xf, f64(d, 6), true)
	}
	switch d[6] {
	case 0: // string, in the next STRING record
		s.pending = &[2]int{row, col}
	case 1:
		return s.boolErr(row, col, d[8], false, true)
	case 2:
		return s.boolErr(row, col, d[8], true, true)
	}
	return nil // 3: empty string; others unknown
}

// merged reads a MERGEDCELLS record.
func (s *sheetReader) merged(d []byte) {
	if len(d) < 2 {
		return
	}
	n := min(int(le16(d, 0)), (len(d)-2)/8)
	for k := 0; k < n; k++ {
		o := 2 + 8*k
		r1, r2, c1, c2 := int(le16(d, o)), int(le16(d, o+2)), int(le16(d, o+4)), int(le16(d, o+6))
		if r1 > r2 || c1 > c2 {
			continue
		}
		s.merges = append(s.merges, grid.Merge{FromRow: r1 + 1, FromCol: c1 + 1, ToRow: r2 + 1, ToCol: c2 + 1})
	}
}

// add stores a cell (0-based position), enforcing the limits. Empty strings
// are not cells.
func (s *sheetReader) add(row, col int, c grid.Cell) error {
	if c.Kind == grid.String && c.Text == "" {
		return nil
	}
	lim := s.b.lim
	if row+1 > lim.MaxRows {
		return tooLarge(grid.Excess{Limit: grid.LimitRows, Max: int64(lim.MaxRows), Sheet: s.name, Row: row + 1, Col: col + 1},
			"sheet %q: row %d beyond limit %d", s.name, row+1, lim.MaxRows)
	}
	if col+1 > lim.MaxCols {
		return tooLarge(grid.Excess{Limit: grid.LimitCols, Max: int64(lim.MaxCols), Sheet: s.name, Row: row + 1, Col: col + 1},
			"sheet %q: column %d beyond limit %d", s.name, col+1, lim.MaxCols)
	}
	s.b.cells++
	if s.b.cells > lim.MaxCells {
		return tooLarge(grid.Excess{Limit: grid.LimitCells, Max: int64(lim.MaxCells), Sheet: s.name, Row: row + 1, Col: col + 1},
			"more than %d cells", lim.MaxCells)
	}
	// Every reference to a shared string is charged in full.
	if err := s.b.bud.Charge(int64(len(c.Text)), 1, row+1, col+1); err != nil {
		return err
	}
	c.Col = col + 1
	s.cells = append(s.cells, cellAt{row: row + 1, cell: c})
	return nil
}

// finish assembles rows in order; a later record for the same cell wins.
func (s *sheetReader) finish(bs boundSheet) grid.Sheet {
	sh := grid.Sheet{Name: bs.name, Merges: s.merges}
	switch bs.state {
	case 1, 3:
		sh.Visibility = grid.Hidden
	case 2:
		sh.Visibility = grid.VeryHidden
	}
	slices.SortStableFunc(s.cells, func(a, b cellAt) int {
		if c := cmp.Compare(a.row, b.row); c != 0 {
			return c
		}
		return cmp.Compare(a.cell.Col, b.cell.Col)
	})
	for i, c := range s.cells {
		if i+1 < len(s.cells) && s.cells[i+1].row == c.row && s.cells[i+1].cell.Col == c.cell.Col {
			continue // superseded by the next one
		}
		if n := len(sh.Rows); n == 0 || sh.Rows[n-1].Num != c.row {
			sh.Rows = append(sh.Rows, grid.Row{Num: c.row})
		}
		r := &sh.Rows[len(sh.Rows)-1]
		r.Cells = append(r.Cells, c.cell)
	}
	return sh
}
