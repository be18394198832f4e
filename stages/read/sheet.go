package read

import (
	"sort"
	"strconv"
	"sync"
	"unicode"

	"doithoai/pipeline/vntext"
	"doithoai/stages/read/grid"
)

// topRowsScanned is how many non-empty rows at the top of a sheet are
// searched for the header block and the column header.
const topRowsScanned = 30

// maxHeaderCols bounds the columns considered in a header (hostile merges
// may claim thousands).
const maxHeaderCols = 256

// sheetView indexes one decoded sheet for the read stage.
type sheetView struct {
	s     *grid.Sheet
	byNum map[int]int // row number -> index in s.Rows
	// top holds the decoded, cleaned text of string cells in the top rows
	// (legacy fonts converted), keyed by row and column.
	top    map[[2]int]string
	topEnc vntext.Encoding // legacy encoding of the top rows, decided for them together
	// sheetEnc is the legacy encoding of the sheet as a whole (Unicode
	// when it is not typed in a legacy font): never decided cell by cell.
	sheetEnc vntext.Encoding
	tops     []int             // row numbers of the first non-empty rows
	blocks   map[[2]int]*block // candidate header blocks by (first row, rows)
	unique   bool              // no two rows share a number
	// release lets extractTable drop the grid cells of each row it has
	// mapped (the read of one file: the grid is not used afterwards).
	release bool
	index   int    // the sheet's index in the workbook
	probe   *probe // the first pass over the file; nil when it was decoded whole
	// truncated: the decoder kept only the first rows of the sheet (an
	// xlsx sheet longer than streamKeepRows); its table is streamed.
	truncated bool
}

// legacySample bounds how many non-ASCII text cells decide the encoding
// of a whole sheet.
const legacySample = 4000

func newSheetView(s *grid.Sheet) *sheetView {
	v := &sheetView{s: s, byNum: make(map[int]int, len(s.Rows)), top: map[[2]int]string{}}
	sorted := sort.SliceIsSorted(s.Rows, func(i, j int) bool { return s.Rows[i].Num < s.Rows[j].Num })
	if !sorted {
		sort.SliceStable(s.Rows, func(i, j int) bool { return s.Rows[i].Num < s.Rows[j].Num })
	}
	for i := range s.Rows {
		if _, dup := v.byNum[s.Rows[i].Num]; !dup {
			v.byNum[s.Rows[i].Num] = i
		}
	}
	v.unique = len(v.byNum) == len(s.Rows)
	// The top rows: decode legacy fonts with the evidence of the header
	// block and the column header together (data rows that show among
	// the top rows have their own fonts, decided column by column).
	var keys [][2]int
	var raw []string
	region, inTable, regionOpen := 0, false, true
	for i := range s.Rows {
		if !rowHasValue(&s.Rows[i]) {
			continue
		}
		if len(v.tops) >= topRowsScanned {
			break
		}
		v.tops = append(v.tops, s.Rows[i].Num)
		if regionOpen {
			if inTable && hasNumber(&s.Rows[i]) {
				regionOpen = false // the first data row under the header
			} else if tableLike(&s.Rows[i]) {
				inTable = true
			}
		}
		for _, c := range s.Rows[i].Cells {
			if c.Kind == grid.String && c.Col <= maxHeaderCols {
				keys = append(keys, [2]int{s.Rows[i].Num, c.Col})
				raw = append(raw, c.Text)
			}
		}
		if regionOpen {
			region = len(raw)
		}
	}
	// One decision for the header region: a Unicode block is never
	// touched, a legacy one is converted whole, short cells included.
	enc := vntext.DetectColumn(raw[:region])
	decoded := vntext.DecodeCells(raw, enc)
	v.topEnc = enc
	for i, k := range keys {
		v.top[k] = vntext.Clean(decoded[i])
	}
	v.sheetEnc = sheetEncoding(s)
	return v
}

// sheetEncoding decides the legacy encoding of a sheet from its text
// cells together (the first legacySample non-ASCII ones).
func sheetEncoding(s *grid.Sheet) vntext.Encoding {
	p := sampleScratch.Get().(*[]string)
	sample := (*p)[:0]
	defer func() {
		clear(sample) // the scratch keeps no text alive
		*p = sample[:0]
		sampleScratch.Put(p)
	}()
	for i := range s.Rows {
		for _, c := range s.Rows[i].Cells {
			if c.Kind == grid.String && !isASCII(c.Text) {
				sample = append(sample, c.Text)
				if len(sample) >= legacySample {
					return vntext.DetectColumn(sample)
				}
			}
		}
	}
	return vntext.DetectColumn(sample)
}

// sampleScratch holds the slices sheetEncoding gathers its sample in,
// reused between sheets and files (legacySample strings at most each).
var sampleScratch = sync.Pool{New: func() any { return new([]string) }}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// tableLike reports whether a row looks like a row of a table (a column
// header or data): four or more non-blank cells, or three beginning with
// an STT cell. Header-block rows hold one or two cells ("UBND XÃ …",
// "CỘNG HÒA …").
func tableLike(r *grid.Row) bool {
	n, first := 0, ""
	for _, c := range r.Cells {
		if c.Col > maxHeaderCols {
			break
		}
		if c.Kind == grid.Empty || isBlank(c.Text) {
			continue
		}
		if n == 0 {
			first = vntext.Fold(c.Text)
		}
		n++
	}
	return n >= 4 || n == 3 && (first == "stt" || first == "tt" || first == "so tt")
}

// hasNumber reports whether a row holds a number or date cell.
func hasNumber(r *grid.Row) bool {
	for _, c := range r.Cells {
		if c.Kind == grid.Number || c.Kind == grid.Date {
			return true
		}
	}
	return false
}

// rowHasValue reports whether a row holds a non-blank cell.
func rowHasValue(r *grid.Row) bool {
	for _, c := range r.Cells {
		if c.Kind != grid.Empty && !isBlank(c.Text) {
			return true
		}
	}
	return false
}

// isBlank reports whether s holds only spaces and invisible characters.
func isBlank(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r >= 0x200b && r <= 0x200f, r == 0xfeff, r == 0x2060, r == 0xa0:
		default:
			return false
		}
	}
	return true
}

// row returns the row with the number, or nil.
func (v *sheetView) row(num int) *grid.Row {
	if i, ok := v.byNum[num]; ok {
		return &v.s.Rows[i]
	}
	return nil
}

// cell returns the cell at (row, col), or nil.
func (v *sheetView) cell(num, col int) *grid.Cell {
	r := v.row(num)
	if r == nil {
		return nil
	}
	i := sort.Search(len(r.Cells), func(i int) bool { return r.Cells[i].Col >= col })
	if i < len(r.Cells) && r.Cells[i].Col == col {
		return &r.Cells[i]
	}
	return nil
}

// text returns the cleaned text of a cell as a person reads it, with
// legacy fonts converted (header block and labels).
func (v *sheetView) text(num, col int) string {
	if t, ok := v.top[[2]int{num, col}]; ok {
		return t
	}
	c := v.cell(num, col)
	if c == nil || c.Kind == grid.Empty {
		return ""
	}
	return v.plainText(c)
}

// plainText is the cleaned text of any cell, converted when the sheet is
// typed in a legacy font (the sheet decides, never the cell).
func (v *sheetView) plainText(c *grid.Cell) string {
	if c.Kind != grid.String {
		return vntext.Clean(c.Text)
	}
	return vntext.Clean(vntext.DecodeCells([]string{c.Text}, v.sheetEnc)[0])
}

// isBlankRow reports whether the row is absent or holds only blanks.
func (v *sheetView) isBlankRow(num int) bool {
	r := v.row(num)
	return r == nil || !rowHasValue(r)
}

// mergeAt returns the merge whose top-left cell is (row, col), or nil.
func (v *sheetView) mergeAt(num, col int) *grid.Merge {
	for i := range v.s.Merges {
		m := &v.s.Merges[i]
		if m.FromRow == num && m.FromCol == col {
			return m
		}
	}
	return nil
}

// colLetters turns a 1-based column number into its letters (1 -> "A").
func colLetters(n int) string {
	if n < 1 {
		return "?"
	}
	var b []byte
	for n > 0 {
		n--
		b = append([]byte{byte('A' + n%26)}, b...)
		n /= 26
	}
	return string(b)
}

// ref is an A1-style reference.
func ref(col, row int) string { return colLetters(col) + strconv.Itoa(row) }
