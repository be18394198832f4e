package xl

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The rows of a streamed sheet are written here as the XML excelize's
// StreamWriter.SetRow writes for them, byte for byte, without building
// excelize's cell values (a third of the time of a large feedback
// workbook went there); xlsxzip then puts them into the sheet written by
// the StreamWriter without rows. What this does not reproduce exactly (a
// date of style 0 or out of the years excelize counts in whole days, a
// text holding an escaped character "_xHHHH_" but on a sheet made with
// DirectTexts, a text longer than a cell holds) makes the sheet go
// through SetRow as before.
// TestRowsXMLSameAsSetRow compares both.

// direct reports whether writeRows writes every row of g as SetRow would
// (false when a cell needs SetRow).
func (g *grid) direct() bool {
	for _, gr := range g.rows {
		if gr != nil && !g.directRow(gr) {
			return false
		}
	}
	return true
}

// directRow reports whether appendRow writes gr as SetRow would.
func (g *grid) directRow(gr *gridRow) bool {
	if gr.tall && gr.height > excelize.MaxRowHeight {
		return false
	}
	for j := range g.rowLen(gr) {
		c := &gr.cells[j]
		if !c.used || c.empty() && c.style == 0 {
			continue
		}
		switch c.kind {
		case kNone, kInt, kFloat:
		case kDate:
			if _, ok := excelDay(c); !ok || g.noDates {
				return false
			}
		case kText:
			if len(c.s) > excelize.TotalCellChars || escapes(c.s) && !g.rawEscapes {
				return false // truncation, escaped characters
			}
		default:
			return false
		}
	}
	return true
}

// escapeRe is what excelize escapes in a cell's text (its bstrMarshal):
// "_xHHHH_", which Excel reads as an escaped character. A text without
// one is written by SetRow as rows.go writes it ("_x" alone, as in a
// file name "ho_xa.xlsx", changes nothing; XML escaping neither makes
// nor breaks such a sequence).
var escapeRe = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// escapes reports whether excelize escapes part of text s.
func escapes(s string) bool { return strings.Contains(s, "_x") && escapeRe.MatchString(s) }

// rowsChunk is how many bytes of rows writeRows gathers before writing
// them on.
const rowsChunk = 64 << 10

// rowsBufs holds the chunk buffers of writeRows and RowWriter (one new
// buffer of rowsChunk per sheet was a good part of what a small workbook
// allocates); leanSave off makes a new one each time.
var rowsBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, rowsChunk+4<<10)
	return &b
}}

// getRowsBuf is an empty chunk buffer; putRowsBuf gives it back.
func getRowsBuf() *[]byte {
	if !leanSave {
		b := make([]byte, 0, rowsChunk+4<<10)
		return &b
	}
	b := rowsBufs.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

func putRowsBuf(b *[]byte) {
	// A buffer grown by a huge row is not kept.
	if leanSave && cap(*b) <= 4*rowsChunk {
		rowsBufs.Put(b)
	}
}

// writeRows writes the sheet data of g's rows to w as SetRow writes them,
// a chunk at a time (a big sheet's XML is never held whole); g must be
// direct.
func (g *grid) writeRows(w io.Writer) error {
	buf := getRowsBuf()
	defer putRowsBuf(buf)
	out := *buf
	defer func() { *buf = out[:0] }()
	var err error
	for i, gr := range g.rows {
		if gr == nil {
			continue
		}
		if out, err = g.appendRow(out, i+1, gr); err != nil {
			return err
		}
		if len(out) >= rowsChunk {
			if _, err := w.Write(out); err != nil {
				return err
			}
			out = out[:0]
		}
	}
	_, err = w.Write(out)
	return err
}

// appendRow appends the XML of row gr (number row) as SetRow writes it;
// nothing for a row SetRow would leave out.
func (g *grid) appendRow(out []byte, row int, gr *gridRow) ([]byte, error) {
	n := g.rowLen(gr)
	if n == 0 && !gr.tall {
		return out, nil
	}
	out = append(out, `<row r="`...)
	out = strconv.AppendInt(out, int64(row), 10)
	out = append(out, '"')
	if gr.tall && gr.height > 0 {
		out = append(out, ` ht="`...)
		out = strconv.AppendFloat(out, gr.height, 'f', -1, 64)
		out = append(out, `" customHeight="1"`...)
	}
	out = append(out, '>')
	for j := 0; j < n; j++ {
		c := &gr.cells[j]
		if !c.used || c.empty() && c.style == 0 {
			continue
		}
		out = append(out, `<c r="`...)
		out = append(out, colName(j+1)...)
		out = strconv.AppendInt(out, int64(row), 10)
		out = append(out, '"')
		if c.style > 0 {
			out = append(out, ` s="`...)
			out = strconv.AppendInt(out, int64(c.style), 10)
			out = append(out, '"')
		}
		switch c.kind {
		case kNone:
			out = append(out, `></c>`...)
		case kInt:
			out = append(out, `><v>`...)
			out = strconv.AppendInt(out, int64(c.num), 10)
			out = append(out, `</v></c>`...)
		case kFloat:
			out = append(out, `><v>`...)
			out = append(out, formatFloat(math.Float64frombits(c.num))...)
			out = append(out, `</v></c>`...)
		case kDate:
			day, ok := excelDay(c)
			if !ok {
				return out, fmt.Errorf("xl: row %d: a date that cannot be written directly", row)
			}
			out = append(out, `><v>`...)
			out = strconv.AppendInt(out, day, 10)
			out = append(out, `</v></c>`...)
		case kText:
			x := c.s
			out = append(out, ` t="inlineStr"><is><t`...)
			if x != "" && (space(x[0]) || space(x[len(x)-1])) {
				out = append(out, ` xml:space="preserve"`...)
			}
			out = append(out, '>')
			out = escapeText(out, x)
			out = append(out, `</t></is></c>`...)
		default:
			return out, fmt.Errorf("xl: row %d: a cell of kind %d cannot be written directly", row, c.kind)
		}
	}
	return append(out, `</row>`...), nil
}

// rowsXML is the sheet data of g's rows as SetRow writes it, or false
// when a cell needs SetRow (writeRows into memory, for tests).
func (g *grid) rowsXML() ([]byte, bool) {
	if !g.direct() {
		return nil, false
	}
	var b bytes.Buffer
	if err := g.writeRows(&b); err != nil {
		return nil, false
	}
	return b.Bytes(), true
}

// rowLen is the number of cells of a row that flush writes (trailing
// empty cells left out).
func (g *grid) rowLen(gr *gridRow) int {
	n := len(gr.cells)
	for n > 0 && (!gr.cells[n-1].used || gr.cells[n-1].empty() && gr.cells[n-1].style == 0) {
		n--
	}
	return n
}

// space reports whether a text starting or ending with b keeps its
// spaces (xml:space="preserve"), as excelize decides.
func space(b byte) bool { return b == 9 || b == 10 || b == 13 || b == 32 }

// escapeText appends s escaped as encoding/xml.EscapeText does, but for
// line breaks, which stay (excelize unescapes them).
func escapeText(out []byte, s string) []byte { return appendEscaped(out, s, false) }

// appendEscaped appends s escaped as encoding/xml.EscapeText does, line
// breaks as "&#xA;" only when newlines is set.
func appendEscaped(out []byte, s string, newlines bool) []byte {
	last := 0
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		i += width
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\r':
			esc = "&#xD;"
		case '\n':
			if !newlines {
				continue
			}
			esc = "&#xA;"
		default:
			if inCharacterRange(r) && !(r == utf8.RuneError && width == 1) {
				continue
			}
			esc = "\uFFFD"
		}
		out = append(out, s[last:i-width]...)
		out = append(out, esc...)
		last = i
	}
	return append(out, s[last:]...)
}

// inCharacterRange is encoding/xml's test of a character XML may hold.
func inCharacterRange(r rune) bool {
	return r == 0x09 ||
		r == 0x0A ||
		r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// formatFloat is excelize's text of a float64 cell: at most 15
// significant digits.
func formatFloat(value float64) string {
	str := strconv.FormatFloat(value, 'f', -1, 64)
	if math.Abs(value) == math.MaxFloat64 {
		return str
	}
	const maxPrec = 15
	decimal := strings.IndexByte(str, '.')
	significant := 0
	for idx := range str {
		if str[idx] < '0' || str[idx] > '9' || significant == 0 && str[idx] == '0' {
			continue
		}
		significant++
		if significant <= maxPrec {
			continue
		}
		if decimal >= 0 && idx > decimal {
			return strings.TrimSuffix(str[:idx], ".")
		}
		if decimal < 0 {
			decimal = len(str)
		}
		truncated := []byte(str[:decimal])
		for ; idx < len(truncated); idx++ {
			truncated[idx] = '0'
		}
		return string(truncated)
	}
	return str
}

// excelDay is the Excel serial number SetRow writes for a date cell (a
// calendar day at midnight UTC, as setValue keeps it), with false when
// SetRow would write it otherwise: a cell of style 0 (SetRow gives it a
// date style), a day before March 1900 (Excel's leap year bug) or past
// excelize's first span of 290×364 days, where its sum is still a whole
// number of days.
func excelDay(c *gcell) (int64, bool) {
	const (
		day      = 86400
		epoch    = -2209075200 // 1899-12-31 UTC
		firstDay = -2203891200 // 1900-03-01 UTC
		lastDay  = epoch + 290*364*day
	)
	t := int64(c.num)
	if c.style == 0 || t < firstDay || t >= lastDay || (t-epoch)%day != 0 {
		return 0, false
	}
	return (t-epoch)/day + 1, true
}
