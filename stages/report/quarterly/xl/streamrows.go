package xl

import (
	"errors"
	"fmt"
	"io"
)

// A streamed sheet's rows may also come from a RowSource called when Save
// writes them (Sheet.StreamRows): the source writes each row through a
// RowWriter, with the calls a Sheet takes for one row, and the rows go
// straight into the sheet's deflate stream, merged in row order with the
// rows the sheet's grid holds. So a sheet of a million rows is written
// without holding them; its bytes are those of the same calls made on the
// sheet beforehand (TestStreamRowsSameAsGrid).

// ErrNotDirect is returned by Save when a streamed sheet with a
// RowSource holds a value its rows cannot be written with (see direct in
// rows.go: a date, a text holding "_xHHHH_" or longer than a cell holds): the
// caller writes the sheet with the calls made beforehand instead.
var ErrNotDirect = errors.New("xl: a value of a sheet whose rows are streamed needs excelize's row writer")

// RowSource writes a streamed sheet's rows through w, in increasing row
// order, when the workbook is saved. Its error ends the saving (Save
// returns it wrapped).
type RowSource func(w *RowWriter) error

// StreamRows makes src write rows of a streamed sheet (Book.StreamSheet)
// when the book is saved, besides the rows the sheet's calls made: a row
// both give starts with what the calls made, then src's calls apply. A
// row of src must not be in a merged range, and src is called once.
// Calling it again replaces src.
func (s *Sheet) StreamRows(src RowSource) {
	if s.g == nil {
		s.b.fail(errors.New("xl: StreamRows on a sheet that is not streamed"))
		return
	}
	s.g.src = src
}

// StyleIDOf is the ID of a named style in the sheet's book (made now when
// the book is lazy): what RowWriter takes. A lazy book's styles are
// numbered in the order first used, so a RowSource's styles must be asked
// for where the same calls on the sheet would first use them.
func (s *Sheet) StyleIDOf(st Style) int { return s.b.style(st) }

// RowWriter writes the rows of a RowSource: Row starts a row, the other
// calls fill it as the Sheet's calls of the same name would.
type RowWriter struct {
	g    *grid
	w    io.Writer
	out  []byte
	row  int     // the row being built (0: none yet)
	cur  gridRow // its cells and height
	next int     // index in g.rows of the first grid row not yet written
	err  error
}

// Row writes the row being built and starts row r, which must be below
// it.
func (w *RowWriter) Row(r int) error {
	if w.err != nil {
		return w.err
	}
	if r <= w.row {
		return w.fail(fmt.Errorf("xl: row %d streamed after row %d", r, w.row))
	}
	if err := valid(1, r); err != nil {
		return w.fail(err)
	}
	for _, m := range w.g.merges {
		if r >= m[1] && r <= m[3] {
			return w.fail(fmt.Errorf("xl: streamed row %d is in a merged range", r))
		}
	}
	if err := w.end(); err != nil {
		return err
	}
	// The grid's rows above r, then its row r as the start of this one.
	if err := w.gridUpTo(r - 1); err != nil {
		return err
	}
	w.row = r
	w.cur.cells, w.cur.height, w.cur.tall = w.cur.cells[:0], 0, false
	if r <= len(w.g.rows) && w.g.rows[r-1] != nil {
		gr := w.g.rows[r-1]
		w.cur.cells = append(w.cur.cells, gr.cells...)
		w.cur.height, w.cur.tall = gr.height, gr.tall
		w.next = r
	}
	return nil
}

func (w *RowWriter) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

// cell is the cell at col of the row being built.
func (w *RowWriter) cell(col int) (*gcell, error) {
	if w.row == 0 {
		return nil, w.fail(errors.New("xl: a streamed cell before its row"))
	}
	if err := valid(col, w.row); err != nil {
		return nil, w.fail(err)
	}
	w.cur.cells = growCells(w.cur.cells, col)
	c := &w.cur.cells[col-1]
	c.used = true
	return c, nil
}

// Put writes a value at col of the row with a style ID (Sheet.StyleIDOf):
// what Sheet.Put writes.
func (w *RowWriter) Put(col int, v any, style int) {
	c, err := w.cell(col)
	if err != nil {
		return
	}
	var val gcell
	setValue(&val, v)
	if val.kind != kNone {
		c.kind, c.s, c.num = val.kind, val.s, val.num
	}
	c.style = int32(style)
}

// PutText is Put(col, text, style) for a text, without making an
// interface value of it.
func (w *RowWriter) PutText(col int, text string, style int) {
	if !leanSave {
		w.Put(col, text, style)
		return
	}
	c, err := w.cell(col)
	if err != nil {
		return
	}
	c.kind, c.s, c.num = kText, CleanText(text), 0
	c.style = int32(style)
}

// PutInt is Put(col, n, style) for an int, without making an interface
// value of it.
func (w *RowWriter) PutInt(col, n, style int) {
	if !leanSave {
		w.Put(col, n, style)
		return
	}
	c, err := w.cell(col)
	if err != nil {
		return
	}
	c.kind, c.s, c.num = kInt, "", uint64(int64(n))
	c.style = int32(style)
}

// Blanks gives the cells of columns c1 to c2 of the row a style ID,
// keeping their values (Sheet.Blanks).
func (w *RowWriter) Blanks(c1, c2, style int) {
	for c := c1; c <= c2; c++ {
		w.StyleID(c, style)
	}
}

// StyleID gives the cell at col of the row a style ID (Sheet.StyleID).
func (w *RowWriter) StyleID(col, style int) {
	if c, err := w.cell(col); err == nil {
		c.style = int32(style)
	}
}

// FitHeight sets the row's height for texts wrapped in columns of the
// given widths (Sheet.FitHeight).
func (w *RowWriter) FitHeight(lineHeight float64, texts []string, widths []float64) {
	if w.row == 0 {
		w.fail(errors.New("xl: a streamed height before its row"))
		return
	}
	if lines := fitLines(texts, widths); lines > 1 {
		w.cur.height, w.cur.tall = min(float64(lines)*lineHeight+3, 409), true
	}
}

// end writes the row being built.
func (w *RowWriter) end() error {
	if w.row == 0 {
		return nil
	}
	if !w.g.directRow(&w.cur) {
		return w.fail(ErrNotDirect)
	}
	return w.emit(w.row, &w.cur)
}

// gridUpTo writes the grid's rows not yet written down to row r.
func (w *RowWriter) gridUpTo(r int) error {
	for ; w.next < min(r, len(w.g.rows)); w.next++ {
		if gr := w.g.rows[w.next]; gr != nil {
			if err := w.emit(w.next+1, gr); err != nil {
				return err
			}
		}
	}
	return nil
}

// emit appends a row's XML and writes the chunk on once full.
func (w *RowWriter) emit(row int, gr *gridRow) error {
	var err error
	if w.out, err = w.g.appendRow(w.out, row, gr); err != nil {
		return w.fail(err)
	}
	if len(w.out) >= rowsChunk {
		if _, err := w.w.Write(w.out); err != nil {
			return w.fail(err)
		}
		w.out = w.out[:0]
	}
	return nil
}

// writeRowsFrom writes the sheet data of g's rows merged with those of
// its source, a chunk at a time; g must be direct.
func (g *grid) writeRowsFrom(out io.Writer) error {
	buf := getRowsBuf()
	defer putRowsBuf(buf)
	w := &RowWriter{g: g, w: out, out: *buf}
	defer func() { *buf = w.out[:0] }()
	if err := g.src(w); err != nil {
		return err
	}
	if w.err != nil {
		return w.err
	}
	if err := w.end(); err != nil {
		return err
	}
	if err := w.gridUpTo(len(g.rows)); err != nil {
		return err
	}
	_, err := out.Write(w.out)
	return err
}

// sourceRows is the part name's RowsFunc of a sheet with a source; the
// grid's cells must be direct.
func (g *grid) sourceRows() (func(io.Writer) error, error) {
	if !g.direct() {
		return nil, ErrNotDirect
	}
	return g.writeRowsFrom, nil
}
