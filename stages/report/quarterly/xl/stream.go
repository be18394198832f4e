package xl

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/schemas/template/xlsxzip"
)

// A streamed sheet (Book.StreamSheet) keeps its cells in a light grid of
// its own instead of excelize's worksheet model, and Save writes it in one
// pass, as excelize's StreamWriter would (its rows by rows.go, its frame
// by frame.go, or the StreamWriter itself): writing a large sheet this
// way costs a fraction of cell-by-cell calls and of excelize marshalling
// its model.
// What the sheet holds is the same as with direct calls: a value written
// into a merged range lands in its top-left cell, merging empties the
// other cells, the last style of a cell wins, overlapping merges are
// joined as excelize joins them when saving. Column widths and comments
// are applied in the order they were given (a comment's box is placed by
// the widths set before it); row heights and print setup never move a
// comment's box (they are applied after every comment), as on a direct
// sheet whose comments come before its heights and Setup.

// gcell is one cell of a grid: a value and a style ID. The value is kept
// unboxed: a text in s, a number or a date in num.
type gcell struct {
	s     string
	num   uint64 // an int64, the bits of a float64, the Unix time of a date
	style int32
	kind  kind
	used  bool
}

// kind is the type of a gcell's value.
type kind uint8

const (
	kNone kind = iota
	kText
	kInt
	kFloat
	kDate
)

// empty reports whether the cell has no value.
func (c *gcell) empty() bool { return c.kind == kNone }

// clear removes the cell's value.
func (c *gcell) clear() { c.kind, c.s, c.num = kNone, "", 0 }

// value is the cell's value as excelize takes it (nil: none).
func (c *gcell) value() any {
	switch c.kind {
	case kText:
		return c.s
	case kInt:
		return int64(c.num)
	case kFloat:
		return math.Float64frombits(c.num)
	case kDate:
		return time.Unix(int64(c.num), 0).UTC()
	}
	return nil
}

// gridRow is a row of a grid.
type gridRow struct {
	cells  []gcell // by column - 1
	height float64
	tall   bool // height was set
}

// grid is the content of a streamed sheet until Save.
type grid struct {
	rows   []*gridRow // by row - 1
	merges [][4]int
	pre    []preOp // widths and comments, in order
	prints []Print
	breaks []string
	src    RowSource // more rows, written at Save (Sheet.StreamRows)

	mergedTo int // the last row of a merged range (0: none)

	// rawEscapes writes texts holding "_xHHHH_" as they are, read back as
	// a direct sheet's (Sheet.DirectTexts).
	rawEscapes bool
	// noDates sends a sheet with a date through SetRow: the book's File
	// was handed out (its workbook may count days from 1904).
	noDates bool
}

// DirectTexts makes a streamed sheet's texts read back as those of a
// sheet from Book.Sheet: a text holding "_xHHHH_" is written as it is,
// so that Excel and excelize read the sequence as the character it
// escapes, as they read a direct sheet's shared string ("ab_x0041_" reads
// "abA"), rather than escaped so that it reads as written. For writers
// moving from direct to streamed sheets with the same content.
func (s *Sheet) DirectTexts() {
	if s.g != nil {
		s.g.rawEscapes = true
	}
}

func (g *grid) row(r int) *gridRow {
	for len(g.rows) < r {
		g.rows = append(g.rows, nil)
	}
	if g.rows[r-1] == nil {
		g.rows[r-1] = &gridRow{}
	}
	return g.rows[r-1]
}

func (g *grid) cell(col, r int) *gcell {
	gr := g.row(r)
	gr.cells = growCells(gr.cells, col)
	c := &gr.cells[col-1]
	c.used = true
	return c
}

// growCells makes cells at least n long, the new cells empty: in one
// step, with room for two more (a copied row gets its row number and its
// “to fix” cell after its own columns), rather than a cell at a time.
func growCells(cells []gcell, n int) []gcell {
	if len(cells) >= n {
		return cells
	}
	if !leanSave {
		for len(cells) < n {
			cells = append(cells, gcell{})
		}
		return cells
	}
	old := len(cells)
	cells = slices.Grow(cells, n-old+2)[:n]
	clear(cells[old:])
	return cells
}

// lookup is the cell at (col, r) or nil, without creating it.
func (g *grid) lookup(col, r int) *gcell {
	if r < 1 || r > len(g.rows) || g.rows[r-1] == nil || col < 1 || col > len(g.rows[r-1].cells) {
		return nil
	}
	return &g.rows[r-1].cells[col-1]
}

// anchor is where a value written at (col, r) goes: the top-left cell of
// the first merged range holding it, as excelize does.
func (g *grid) anchor(col, r int) (int, int) {
	if r > g.mergedTo && leanSave {
		return col, r // below every merged range
	}
	for _, m := range g.merges {
		if col >= m[0] && col <= m[2] && r >= m[1] && r <= m[3] {
			return m[0], m[1]
		}
	}
	return col, r
}

// valid reports whether (col, r) is a cell of a worksheet.
func valid(col, r int) error {
	if col < 1 || col > excelize.MaxColumns || r < 1 || r > excelize.TotalRows {
		return fmt.Errorf("cell (%d, %d) out of the sheet", col, r)
	}
	return nil
}

// put is Sheet.Put on a grid.
func (g *grid) put(col, r int, v any, style int) error {
	if err := valid(col, r); err != nil {
		return err
	}
	var val gcell
	setValue(&val, v)
	if val.kind != kNone {
		ac, ar := g.anchor(col, r)
		c := g.cell(ac, ar)
		c.kind, c.s, c.num = val.kind, val.s, val.num
	}
	g.cell(col, r).style = int32(style)
	return nil
}

// putText is put(col, r, text, style) for a text.
func (g *grid) putText(col, r int, text string, style int) error {
	if err := valid(col, r); err != nil {
		return err
	}
	ac, ar := g.anchor(col, r)
	c := g.cell(ac, ar)
	c.kind, c.s, c.num = kText, CleanText(text), 0
	g.cell(col, r).style = int32(style)
	return nil
}

// putNum is put(col, r, v, style) for a number of kind k (kInt, kFloat)
// whose bits are num.
func (g *grid) putNum(col, r int, k kind, num uint64, style int) error {
	if err := valid(col, r); err != nil {
		return err
	}
	ac, ar := g.anchor(col, r)
	c := g.cell(ac, ar)
	c.kind, c.s, c.num = k, "", num
	g.cell(col, r).style = int32(style)
	return nil
}

// setValue sets c's value to v as Sheet.Put takes it (nil and Blank: no
// value; zero dates, NaN and infinities stay empty).
func setValue(c *gcell, v any) {
	switch x := v.(type) {
	case nil, Blank:
	case string:
		c.kind, c.s = kText, CleanText(x)
	case int:
		c.kind, c.num = kInt, uint64(int64(x))
	case int64:
		c.kind, c.num = kInt, uint64(x)
	case float64:
		if x == x && x-x == 0 { // neither NaN nor infinite
			c.kind, c.num = kFloat, math.Float64bits(x)
		}
	case time.Time:
		if !x.IsZero() {
			// The calendar day, free of time zones.
			c.kind, c.num = kDate, uint64(time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC).Unix())
		}
	default:
		c.kind, c.s = kText, CleanText(fmt.Sprint(x))
	}
}

// rect orders a rectangle's corners (top-left first) and checks both.
func rect(c1, r1, c2, r2 int) (int, int, int, int, error) {
	if c2 < c1 {
		c1, c2 = c2, c1
	}
	if r2 < r1 {
		r1, r2 = r2, r1
	}
	if err := valid(c1, r1); err != nil {
		return 0, 0, 0, 0, err
	}
	if err := valid(c2, r2); err != nil {
		return 0, 0, 0, 0, err
	}
	return c1, r1, c2, r2, nil
}

// styleRange sets the style of a rectangle.
func (g *grid) styleRange(c1, r1, c2, r2, style int) error {
	c1, r1, c2, r2, err := rect(c1, r1, c2, r2)
	if err != nil {
		return err
	}
	for r := r1; r <= r2; r++ {
		if !leanSave {
			for c := c1; c <= c2; c++ {
				g.cell(c, r).style = int32(style)
			}
			continue
		}
		// g.cell(c, r).style = style for each c, the row looked up once.
		gr := g.row(r)
		gr.cells = growCells(gr.cells, c2)
		for i := c1 - 1; i < c2; i++ {
			gr.cells[i].used, gr.cells[i].style = true, int32(style)
		}
	}
	return nil
}

// merge merges a rectangle: the other cells than the top-left one lose
// their value.
func (g *grid) merge(c1, r1, c2, r2 int) error {
	c1, r1, c2, r2, err := rect(c1, r1, c2, r2)
	if err != nil {
		return err
	}
	for r := r1; r <= r2; r++ {
		for c := c1; c <= c2; c++ {
			if c != c1 || r != r1 {
				g.cell(c, r).clear()
			}
		}
	}
	g.merges = append(g.merges, [4]int{c1, r1, c2, r2})
	g.mergedTo = max(g.mergedTo, r2)
	return nil
}

// value is the text of the cell at (col, r) (of the top-left cell of its
// merged range), numbers unformatted.
func (g *grid) value(col, r int) string {
	col, r = g.anchor(col, r)
	c := g.lookup(col, r)
	if c == nil {
		return ""
	}
	switch x := c.value().(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return x.Format("01-02-06")
	}
	return ""
}

// joinedMerges is the merged ranges with overlapping ones joined into
// their bounding rectangle, as excelize does when saving a worksheet.
func (g *grid) joinedMerges() [][4]int {
	list := append([][4]int(nil), g.merges...)
	overlap := func(a, b [4]int) bool {
		return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
	}
	for joined := true; joined; {
		joined = false
		var out [][4]int
		used := make([]bool, len(list))
		for i := range list {
			if used[i] {
				continue
			}
			r1 := list[i]
			for j := i + 1; j < len(list); j++ {
				if used[j] {
					continue
				}
				if r2 := list[j]; overlap(r1, r2) {
					r1 = [4]int{min(r1[0], r2[0]), min(r1[1], r2[1]), max(r1[2], r2[2]), max(r1[3], r2[3])}
					joined, used[j] = true, true
				}
			}
			out = append(out, r1)
		}
		list = out
	}
	return list
}

// StreamSheet adds a worksheet whose content is kept until Save writes it
// in one pass (see the comment at the top of stream.go). It takes the same
// calls as a Sheet from Book.Sheet.
func (b *Book) StreamSheet(name string) *Sheet {
	s := b.addSheet(name)
	s.g = &grid{}
	b.streamed = append(b.streamed, s)
	return s
}

// writeFrame is flush for a sheet whose frame is written here (frame.go)
// and whose rows are written by rows.go: the sheet's part is stored in
// the package with empty sheet data, which the zip writer fills.
func (b *Book) writeFrame(s *Sheet, part string, comments bool) error {
	g, f := s.g, b.f
	for _, p := range g.prints {
		if err := s.printTitles(p); err != nil {
			return err
		}
	}
	var rows xlsxzip.RowsFunc = g.writeRows
	if g.src != nil {
		var err error
		if rows, err = g.sourceRows(); err != nil {
			return err
		}
	}
	if b.rows == nil {
		b.rows = map[string]xlsxzip.RowsFunc{}
	}
	b.rows[part] = rows
	f.Sheet.Delete(part)
	f.Pkg.Store(part, s.frame(nil, comments))
	framedSheets.Add(1)
	return nil
}

// sheetIDs is the sheet ID of each sheet of the book by name.
func (b *Book) sheetIDs() map[string]int {
	if b.ids == nil {
		b.ids = map[string]int{}
		for id, name := range b.f.GetSheetMap() {
			b.ids[name] = id
		}
	}
	return b.ids
}

// directRows makes flush write a streamed sheet's rows itself (rows.go)
// rather than with StreamWriter.SetRow; tests and benchmarks turn it off
// to compare.
var directRows = true

// flush writes a streamed sheet with excelize's StreamWriter.
func (b *Book) flush(s *Sheet) error {
	g, f := s.g, b.f
	g.noDates = b.handed
	id, ok := b.sheetIDs()[s.Name]
	if !ok {
		return fmt.Errorf("xl: sheet %q not in the workbook", s.Name)
	}
	part := fmt.Sprintf("xl/worksheets/sheet%d.xml", id)
	relsPart := fmt.Sprintf("xl/worksheets/_rels/sheet%d.xml.rels", id)
	_, rels := f.Relationships.Load(relsPart)
	if _, inPkg := f.Pkg.Load(relsPart); inPkg {
		rels = true
	}
	framed := b.framed(s, rels) && directRows && (g.src != nil || g.direct())
	if framed {
		idx, err := f.GetSheetIndex(s.Name)
		framed = err == nil && idx == s.index
	}
	comments := false
	for _, op := range g.pre {
		comments = comments || op.comment != nil
	}
	// Widths and comments go to the still empty worksheet first: a
	// comment's box is placed by the widths and row heights excelize knows
	// then, and the sheet properties give the sheet a default row height
	// (which moves boxes), as when Setup comes last on a direct sheet. A
	// sheet framed here without comments needs none of it.
	if !framed || comments {
		if err := b.applyPre(s); err != nil {
			return err
		}
	}
	if framed {
		return b.writeFrame(s, part, comments)
	}
	for range g.prints {
		fit := true
		if err := f.SetSheetProps(s.Name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
			return err
		}
	}
	sw, err := f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}
	for _, p := range g.prints {
		if err := s.setup(p, sw); err != nil {
			return err
		}
	}
	for _, c := range g.breaks {
		if err := sw.InsertPageBreak(c); err != nil {
			return err
		}
	}
	for _, m := range g.joinedMerges() {
		if err := sw.MergeCell(Cell(m[0], m[1]), Cell(m[2], m[3])); err != nil {
			return err
		}
	}
	if g.src != nil {
		rows, err := g.sourceRows()
		if err != nil {
			return err
		}
		if b.rows == nil {
			b.rows = map[string]xlsxzip.RowsFunc{}
		}
		b.rows[fmt.Sprintf("xl/worksheets/sheet%d.xml", sw.SheetID)] = rows
		return sw.Flush()
	}
	if directRows {
		if g.direct() {
			// The stream writer writes the sheet without rows; the zip
			// writer has them written into it.
			if b.rows == nil {
				b.rows = map[string]xlsxzip.RowsFunc{}
			}
			b.rows[fmt.Sprintf("xl/worksheets/sheet%d.xml", sw.SheetID)] = g.writeRows
			return sw.Flush()
		}
	}
	var cells []excelize.Cell
	var vals []any
	for i, gr := range g.rows {
		if gr == nil {
			continue
		}
		n := g.rowLen(gr)
		if n == 0 && !gr.tall {
			continue
		}
		cells = cells[:0]
		vals = vals[:0]
		for j := 0; j < n; j++ {
			c := &gr.cells[j]
			cells = append(cells, excelize.Cell{StyleID: int(c.style), Value: c.value()})
		}
		for j := 0; j < n; j++ {
			c := &gr.cells[j]
			if !c.used || c.empty() && c.style == 0 {
				vals = append(vals, nil)
			} else {
				vals = append(vals, &cells[j])
			}
		}
		var opts []excelize.RowOpts
		if gr.tall {
			opts = append(opts, excelize.RowOpts{Height: gr.height})
		}
		if err := sw.SetRow(Cell(1, i+1), vals, opts...); err != nil {
			return err
		}
	}
	return sw.Flush()
}
