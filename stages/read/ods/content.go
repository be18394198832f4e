package ods

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"

	"doithoai/stages/read/grid"
)

// ns is an XML namespace with its usual prefix; the prefix is accepted too
// because some writers forget the namespace declarations.
type ns struct{ uri, prefix string }

// OpenDocument namespaces used by content.xml.
var (
	nsOffice  = ns{"urn:oasis:names:tc:opendocument:xmlns:office:1.0", "office"}
	nsTable   = ns{"urn:oasis:names:tc:opendocument:xmlns:table:1.0", "table"}
	nsText    = ns{"urn:oasis:names:tc:opendocument:xmlns:text:1.0", "text"}
	nsStyle   = ns{"urn:oasis:names:tc:opendocument:xmlns:style:1.0", "style"}
	nsDraw    = ns{"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0", "draw"}
	nsCalcExt = ns{"urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0", "calcext"}
)

// has reports whether the name belongs to the namespace.
func (n ns) has(name xml.Name) bool { return name.Space == n.uri || name.Space == n.prefix }

// is reports whether name is local in namespace n.
func (n ns) is(name xml.Name, local string) bool { return name.Local == local && n.has(name) }

// attr returns the value of attribute n:local.
func (n ns) attr(attrs []xml.Attr, local string) (string, bool) {
	for _, a := range attrs {
		if n.is(a.Name, local) {
			return a.Value, true
		}
	}
	return "", false
}

// Bounds on repeat and span attributes; ODF sheets have at most 2^20 rows.
const (
	maxRepeat = 1 << 31
	maxSpan   = 1 << 20
)

// count parses a repeat or span attribute: at least 1, at most max.
func (n ns) count(attrs []xml.Attr, local string, max int64) int64 {
	s, ok := n.attr(attrs, local)
	if !ok {
		return 1
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < 1 {
		// strconv reports out-of-range values as ErrRange with v at the bound.
		if errors.Is(err, strconv.ErrRange) && v > 0 {
			return max
		}
		return 1
	}
	return min(v, max)
}

// span is a merged range starting in the current row.
type span struct{ col, cols, rows int64 }

// parser holds the state of the content.xml token loop.
type parser struct {
	lim grid.Limits
	wb  grid.Workbook
	bud *grid.Budget // text bytes, repeats charged before they are expanded

	hidden    map[string]bool // automatic table styles with table:display="false"
	styleName string          // automatic table style being read
	depth     int             // current element depth
	skip      int             // >0 while inside an ignored subtree
	cells     int             // non-empty cells in the workbook
	merges    int             // merged ranges in the workbook

	sawSheetBody, sawOtherBody bool

	sheet      *grid.Sheet // current table, nil outside one
	tableDepth int
	truncNoted bool  // a cut cell was noted for this sheet
	row        int64 // rows consumed in the current table

	inRow     bool
	rowDepth  int
	rowRepeat int64
	col       int64 // columns consumed in the current row
	rowCells  []grid.Cell
	rowMerges []span
	rowTrunc  bool

	cell *cellState // current cell, nil outside one
}

// parseContent runs the token loop over content.xml (or a flat document).
// lr, when not nil, tells a size-limit failure from an XML error.
func parseContent(ctx context.Context, r io.Reader, lim grid.Limits, lr *limitedReader) (*grid.Workbook, error) {
	// The guard bounds one token's bytes and stops on ctx even inside a
	// huge token.
	d := xml.NewDecoder(grid.NewXMLGuard(ctx, r, lim))
	d.CharsetReader = charsetReader
	p := &parser{lim: lim, hidden: map[string]bool{}, bud: grid.NewBudget(lim)}
	p.wb.Format = "ods"
	for n := 0; ; n++ {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("ods: %w", err)
			}
		}
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if lr != nil && lr.exceeded {
				return nil, grid.TooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: lim.MaxPartBytes}, "content.xml unpacks to more than %d bytes", lim.MaxPartBytes)
			}
			var pr *grid.Problem
			if errors.As(err, &pr) {
				return nil, pr
			}
			if cerr := ctx.Err(); cerr != nil {
				return nil, fmt.Errorf("ods: %w", cerr)
			}
			return nil, grid.Fail(grid.CodeCorrupt, "content.xml is not well-formed XML (truncated or damaged)", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			p.depth++
			if p.depth > lim.MaxXMLDepth {
				return nil, grid.TooLarge(grid.Excess{Limit: grid.LimitXMLDepth, Max: int64(lim.MaxXMLDepth)}, "XML nested deeper than %d elements", lim.MaxXMLDepth)
			}
			if err := p.start(t); err != nil {
				return nil, err
			}
		case xml.EndElement:
			err := p.end(t)
			p.depth--
			if err != nil {
				return nil, err
			}
		case xml.CharData:
			if p.cell != nil && p.skip == 0 && p.cell.inPara > 0 {
				p.cell.chars(t)
			}
		}
	}
	if !p.sawSheetBody && p.sawOtherBody {
		return nil, grid.Fail(grid.CodeNotSheet, "OpenDocument file is not a spreadsheet (text, drawing or presentation body)", nil)
	}
	if len(p.wb.Sheets) == 0 {
		return nil, grid.Fail(grid.CodeEmpty, "spreadsheet has no table", nil)
	}
	return &p.wb, nil
}

// charsetReader lets content declared in a legacy encoding be read.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, fmt.Errorf("ods: unknown XML encoding %q: %w", label, err)
	}
	return enc.NewDecoder().Reader(input), nil
}

// start handles an opening tag.
func (p *parser) start(t xml.StartElement) error {
	if p.skip > 0 {
		p.skip++
		return nil
	}
	if p.cell != nil {
		p.cellStart(t)
		return nil
	}
	switch {
	case nsStyle.is(t.Name, "style"):
		if f, _ := nsStyle.attr(t.Attr, "family"); f == "table" {
			p.styleName, _ = nsStyle.attr(t.Attr, "name")
		}
	case nsStyle.is(t.Name, "table-properties"):
		if d, _ := nsTable.attr(t.Attr, "display"); p.styleName != "" && d == "false" {
			p.hidden[p.styleName] = true
		}
	case nsOffice.is(t.Name, "spreadsheet"):
		p.sawSheetBody = true
	case nsOffice.has(t.Name) && slices.Contains([]string{"text", "drawing", "presentation", "chart", "image"}, t.Name.Local):
		p.sawOtherBody = true
	case nsOffice.is(t.Name, "annotation"):
		p.skip = 1
	case nsTable.is(t.Name, "null-date"):
		if v, _ := nsTable.attr(t.Attr, "date-value"); strings.HasPrefix(v, "1904-01-01") {
			p.wb.Date1904 = true
		}
	case nsTable.is(t.Name, "table"):
		if p.sheet != nil {
			p.skip = 1 // a table inside a table is not a sheet
			return nil
		}
		if len(p.wb.Sheets) >= p.lim.MaxSheets {
			return grid.TooLarge(grid.Excess{Limit: grid.LimitSheets, Max: int64(p.lim.MaxSheets)}, "more than %d tables", p.lim.MaxSheets)
		}
		name, _ := nsTable.attr(t.Attr, "name")
		p.sheet = &grid.Sheet{Name: name}
		p.bud.Sheet(name)
		if st, _ := nsTable.attr(t.Attr, "style-name"); p.hidden[st] {
			p.sheet.Visibility = grid.Hidden
		}
		p.tableDepth, p.row, p.truncNoted = p.depth, 0, false
	case nsTable.is(t.Name, "table-row"):
		if p.sheet == nil || p.inRow {
			p.skip = 1
			return nil
		}
		p.inRow, p.rowDepth, p.col, p.rowTrunc = true, p.depth, 0, false
		p.rowRepeat = nsTable.count(t.Attr, "number-rows-repeated", maxRepeat)
		p.rowCells, p.rowMerges = p.rowCells[:0], p.rowMerges[:0]
	case nsTable.is(t.Name, "table-cell"), nsTable.is(t.Name, "covered-table-cell"):
		if !p.inRow {
			p.skip = 1
			return nil
		}
		p.cell = newCell(t, p.depth, p.lim.MaxCellChars, p.lim.MaxCellBytes)
	}
	return nil
}

// end handles a closing tag.
func (p *parser) end(t xml.EndElement) error {
	if p.skip > 0 {
		p.skip--
		return nil
	}
	if p.cell != nil {
		if p.depth == p.cell.depth {
			return p.finishCell()
		}
		p.cell.end(t)
		return nil
	}
	switch {
	case nsStyle.is(t.Name, "style"):
		p.styleName = ""
	case p.inRow && p.depth == p.rowDepth:
		return p.finishRow()
	case p.sheet != nil && p.depth == p.tableDepth:
		p.wb.Sheets = append(p.wb.Sheets, *p.sheet)
		p.sheet = nil
	}
	return nil
}

// cellStart handles an opening tag inside a cell.
func (p *parser) cellStart(t xml.StartElement) {
	c := p.cell
	switch {
	case nsOffice.is(t.Name, "annotation"), nsDraw.has(t.Name), nsTable.is(t.Name, "table"),
		nsText.is(t.Name, "note"), nsText.is(t.Name, "tracked-changes"), nsText.is(t.Name, "ruby-text"):
		p.skip = 1
	case nsText.is(t.Name, "p"), nsText.is(t.Name, "h"):
		if c.inPara == 0 {
			if c.paras > 0 {
				c.write("\n")
			}
			c.paras++
			c.prevSpace = true
		}
		c.inPara++
	case c.inPara == 0:
		// Only paragraphs carry cell text.
	case nsText.is(t.Name, "s"):
		n := nsText.count(t.Attr, "c", maxRepeat)
		n = min(n, int64(c.max-c.runes+1))
		for range n {
			c.write(" ")
		}
		c.prevSpace = true
	case nsText.is(t.Name, "tab"):
		c.write("\t")
		c.prevSpace = true
	case nsText.is(t.Name, "line-break"):
		c.write("\n")
		c.prevSpace = true
	}
}

// finishCell turns the cell just closed into row cells and merges.
func (p *parser) finishCell() error {
	c := p.cell
	p.cell = nil
	start := p.col
	p.col += c.repeat
	if v, ok := c.result(); ok {
		row := int(min(p.row+1, maxRepeat))
		if err := p.bud.Cell(max(c.full, len(v.Text)), row, int(min(start+1, maxRepeat))); err != nil {
			return err
		}
		// Checked before the repeat is expanded: a value repeated past
		// the last column is refused at once.
		if last := start + c.repeat; last > int64(p.lim.MaxCols) {
			col := max(start+1, int64(p.lim.MaxCols)+1)
			return grid.TooLarge(grid.Excess{Limit: grid.LimitCols, Max: int64(p.lim.MaxCols), Sheet: p.sheet.Name, Row: row, Col: int(col)},
				"table %q has a value in column %d, limit %d", p.sheet.Name, col, p.lim.MaxCols)
		}
		for i := range c.repeat {
			v.Col = int(start + i + 1)
			p.rowCells = append(p.rowCells, v)
		}
		p.rowTrunc = p.rowTrunc || c.truncated
	}
	if !c.covered && (c.colSpan > 1 || c.rowSpan > 1) {
		for i := int64(0); i < c.repeat && start+i < int64(p.lim.MaxCols); i++ {
			p.rowMerges = append(p.rowMerges, span{col: start + i, cols: c.colSpan, rows: c.rowSpan})
		}
	}
	return nil
}

// finishRow materialises the row just closed, once per repetition. Empty
// rows are only counted, however often they repeat.
func (p *parser) finishRow() error {
	p.inRow = false
	start := p.row
	p.row += p.rowRepeat
	if len(p.rowCells) == 0 && len(p.rowMerges) == 0 {
		return nil
	}
	if err := p.checkRepeat(start); err != nil {
		return err
	}
	for i := range p.rowRepeat {
		num := start + i + 1
		if len(p.rowCells) > 0 {
			p.cells += len(p.rowCells)
			p.sheet.Rows = append(p.sheet.Rows, grid.Row{Num: int(num), Cells: slices.Clone(p.rowCells)})
		} else if num > int64(p.lim.MaxRows) {
			break // merged empty cells beyond the row limit are dropped
		}
		for _, m := range p.rowMerges {
			if p.merges >= p.lim.MaxCells {
				return grid.TooLarge(grid.Excess{Limit: grid.LimitCells, Max: int64(p.lim.MaxCells), Sheet: p.sheet.Name, Row: int(num)},
					"more than %d merged ranges", p.lim.MaxCells)
			}
			p.merges++
			p.sheet.Merges = append(p.sheet.Merges, grid.Merge{
				FromRow: int(num), FromCol: int(m.col + 1),
				ToRow: int(num + m.rows - 1), ToCol: int(m.col + m.cols),
			})
		}
	}
	if p.rowTrunc && !p.truncNoted {
		p.truncNoted = true
		p.wb.Notes = append(p.wb.Notes, fmt.Sprintf("cell text cut to %d characters on sheet %q", p.lim.MaxCellChars, p.sheet.Name))
	}
	return nil
}

// checkRepeat charges the row just closed, starting after row start, for
// all its repeats before any is expanded: the rows it reaches, its text
// bytes and its cells (count × bytes), and its merged ranges.
func (p *parser) checkRepeat(start int64) error {
	lim, name := p.lim, p.sheet.Name
	first := int(min(start+1, maxRepeat))
	if len(p.rowCells) > 0 {
		if last := start + p.rowRepeat; last > int64(lim.MaxRows) {
			num := max(start+1, int64(lim.MaxRows)+1)
			return grid.TooLarge(grid.Excess{Limit: grid.LimitRows, Max: int64(lim.MaxRows), Sheet: name, Row: int(num)},
				"table %q has a value in row %d, limit %d", name, num, lim.MaxRows)
		}
		var n int64
		for _, c := range p.rowCells {
			n += int64(len(c.Text))
		}
		if err := p.bud.Charge(n, p.rowRepeat, first, p.rowCells[0].Col); err != nil {
			return err
		}
		if int64(p.cells)+p.rowRepeat*int64(len(p.rowCells)) > int64(lim.MaxCells) {
			return grid.TooLarge(grid.Excess{Limit: grid.LimitCells, Max: int64(lim.MaxCells), Sheet: name, Row: first},
				"more than %d non-empty cells", lim.MaxCells)
		}
	}
	if len(p.rowMerges) > 0 {
		kept := min(p.rowRepeat, max(0, int64(lim.MaxRows)-start))
		if int64(p.merges)+kept*int64(len(p.rowMerges)) > int64(lim.MaxCells) {
			return grid.TooLarge(grid.Excess{Limit: grid.LimitCells, Max: int64(lim.MaxCells), Sheet: name, Row: first},
				"more than %d merged ranges", lim.MaxCells)
		}
	}
	return nil
}

// cellState collects one table:table-cell.
type cellState struct {
	depth            int
	covered          bool
	repeat           int64
	colSpan, rowSpan int64

	valueType, calcType                string
	value, dateValue, timeValue, boolV string
	stringValue                        string
	hasString, formula                 bool

	buf       strings.Builder
	runes     int
	max       int
	full      int // bytes of the whole text, before any cut
	maxBytes  int // MaxCellBytes: past it the text is only counted
	truncated bool
	paras     int
	inPara    int
	prevSpace bool
}

// newCell reads a cell's attributes.
func newCell(t xml.StartElement, depth, maxChars, maxBytes int) *cellState {
	c := &cellState{depth: depth, max: maxChars, maxBytes: maxBytes, covered: t.Name.Local == "covered-table-cell"}
	c.repeat = nsTable.count(t.Attr, "number-columns-repeated", maxRepeat)
	c.colSpan = nsTable.count(t.Attr, "number-columns-spanned", maxSpan)
	c.rowSpan = nsTable.count(t.Attr, "number-rows-spanned", maxSpan)
	c.valueType, _ = nsOffice.attr(t.Attr, "value-type")
	c.calcType, _ = nsCalcExt.attr(t.Attr, "value-type")
	c.value, _ = nsOffice.attr(t.Attr, "value")
	c.dateValue, _ = nsOffice.attr(t.Attr, "date-value")
	c.timeValue, _ = nsOffice.attr(t.Attr, "time-value")
	c.boolV, _ = nsOffice.attr(t.Attr, "boolean-value")
	c.stringValue, c.hasString = nsOffice.attr(t.Attr, "string-value")
	_, c.formula = nsTable.attr(t.Attr, "formula")
	return c
}

// write appends s, cutting the text at the character limit.
func (c *cellState) write(s string) {
	c.full += len(s)
	if c.runes+len(s) <= c.max {
		c.buf.WriteString(s)
		c.runes += utf8.RuneCountInString(s)
		return
	}
	for _, r := range s {
		if c.runes >= c.max {
			c.truncated = true
			return
		}
		c.buf.WriteRune(r)
		c.runes++
	}
}

// chars appends paragraph text, collapsing runs of white space as ODF
// prescribes (extra spaces are written as text:s elements).
func (c *cellState) chars(data []byte) {
	if c.full > c.maxBytes {
		c.full += len(data) // already too long: the cell will be refused
		return
	}
	var b strings.Builder
	for _, r := range string(data) {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			if c.prevSpace {
				continue
			}
			c.prevSpace = true
			b.WriteByte(' ')
			continue
		}
		c.prevSpace = false
		b.WriteRune(r)
	}
	c.write(b.String())
}

// end handles a closing tag inside the cell.
func (c *cellState) end(t xml.EndElement) {
	if (nsText.is(t.Name, "p") || nsText.is(t.Name, "h")) && c.inPara > 0 {
		c.inPara--
	}
}

// result is the cell's value; ok is false for an empty cell.
func (c *cellState) result() (grid.Cell, bool) {
	text := c.buf.String()
	if c.calcType == "error" {
		if text == "" {
			text = "#VALUE!"
		}
		return grid.Cell{Kind: grid.Error, Text: text, Formula: c.formula}, true
	}
	vt := c.valueType
	if vt == "" {
		vt = c.calcType
	}
	switch vt {
	case "float", "percentage", "currency":
		s := strings.TrimSpace(c.value)
		if f, err := strconv.ParseFloat(s, 64); s != "" && err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return grid.Cell{Kind: grid.Number, Text: s, Num: f, Formula: c.formula}, true
		}
	case "date":
		if v, ok := dateSerial(c.dateValue); ok {
			return grid.Cell{Kind: grid.Date, Text: formatSerial(v), Num: v, Formula: c.formula}, true
		}
		if text == "" {
			text = strings.TrimSpace(c.dateValue)
		}
	case "time":
		if v, ok := durationDays(c.timeValue); ok {
			return grid.Cell{Kind: grid.Date, Text: formatSerial(v), Num: v, Formula: c.formula}, true
		}
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(c.boolV)) {
		case "true", "1":
			return grid.Cell{Kind: grid.Bool, Text: "TRUE", Num: 1, Formula: c.formula}, true
		case "false", "0":
			return grid.Cell{Kind: grid.Bool, Text: "FALSE", Num: 0, Formula: c.formula}, true
		}
	case "string":
		if c.hasString {
			c.buf.Reset()
			c.runes, c.full = 0, 0
			c.write(c.stringValue)
			text = c.buf.String()
		}
	}
	if text == "" {
		return grid.Cell{}, false
	}
	return grid.Cell{Kind: grid.String, Text: text, Formula: c.formula}, true
}
