// Package xl holds what the printable workbooks of the report stage share
// (the quarterly report, the attendance lists and the agencies' question
// lists): a thin writer over excelize with named styles, print setup (A4,
// fit to width, repeated header rows, footer "Trang &P/&N"), frozen panes,
// the Vietnamese administrative header block, date and quarter labels, and
// the rule of which records count (valid rows of current files).
//
// Text is always written as text: a value starting with "=" never becomes
// a formula.
package xl

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/atomicfile"
	"doithoai/schemas/template/xlsxzip"
)

// FontName is the font of every workbook (the font of Vietnamese
// administrative documents).
const FontName = "Times New Roman"

// Style names a cell style of the workbooks.
type Style int

// The styles.
const (
	Plain        Style = iota // no border
	Title                     // bold 14, centred
	Subtitle                  // bold 12, centred
	Centered                  // centred, no border
	Italic                    // italic, centred
	BoldLeft                  // bold, left
	BoldCenter                // bold, centred, no border
	Header                    // table header: bold, centred, wrapped, bordered, grey
	Text                      // table cell: bordered, wrapped, top-left
	TextCenter                // table cell: bordered, centred
	Int                       // table cell: bordered, "#,##0"
	Percent                   // table cell: bordered, "0.0%"
	Date                      // table cell: bordered, "dd/mm/yyyy", centred
	Section                   // a section row of a table: bold, bordered, pale fill
	SubSection                // a sub-section row: bold italic, bordered
	Minor                     // a third-level group row: italic, bordered
	TotalText                 // total row text: bold, bordered
	TotalCenter               // total row text, centred
	TotalInt                  // total row number: bold, bordered, "#,##0"
	TotalPercent              // total row percentage: bold, bordered
	Note                      // italic, wrapped, left, no border
	Paragraph                 // wrapped, justified, no border
	Late                      // bordered, centred, orange fill (late)
	Missing                   // bordered, centred, red fill (missing, overdue)
	Pending                   // bordered, centred, yellow fill (missing, not yet due)
	Received                  // bordered, centred, green fill (received on time)
	Muted                     // bordered, centred, grey text (not applicable)
	Draft                     // bold red, centred (DỰ THẢO)
	numStyles
)

// Book is a workbook being written. The first error is kept and returned
// by Save, so that writers need not check every call.
type Book struct {
	f      *excelize.File
	styles [numStyles]int
	err    error
	first  bool // the default sheet has not been renamed yet
	lazy   bool // styles are made on first use (0 in styles: not yet)

	streamed []*Sheet // sheets written at Save, in order
	cache    *xlsxzip.Cache
	rows     map[string]xlsxzip.RowsFunc // the rows of streamed sheets, by part name
	level    int                         // deflate level of the parts (0: xlsxzip.DefaultLevel)

	// The book's place in the memo of style sequences (styles.go; nil:
	// styles made in excelize only), the styles it gave out from the memo
	// without making them in excelize, and whether its excelize model
	// holds every style it gave out.
	memo   *styleNode
	seq    []func() *excelize.Style
	isLive bool

	handed bool // File was called
	sheets int  // sheets added

	ids map[string]int // sheet IDs by name, while saving (sheetIDs)
}

// leanSave makes Book write with fewer allocations and system calls (pooled
// row buffers, column letters made once, rows grown in one step, the
// temporary file written through the handle that created it), the bytes
// written the same; tests turn it off (SetLean) to compare.
var leanSave = true

// SetLean sets whether books are written the lean way (on, the default;
// see leanSave), forgets the memo of style sequences (styles.go) and
// returns the previous setting: for tests that compare both ways. Not
// safe while books are written.
func SetLean(on bool) bool {
	old := leanSave
	leanSave = on
	styleMemo.mu.Lock()
	styleMemo.root, styleMemo.nodes = styleNode{}, 0
	styleMemo.mu.Unlock()
	return old
}

// SetCache makes Save take the compressed parts it has already met from c
// and keep the new ones there (the bytes written are the same): the
// workbooks of one run share one.
func (b *Book) SetCache(c *xlsxzip.Cache) { b.cache = c }

// SetLevel makes Save deflate the workbook's parts at level (a
// compress/flate level; 0: xlsxzip.DefaultLevel, the bytes excelize
// writes). The content is the same at every level; a lower one is faster
// and gives a larger file.
func (b *Book) SetLevel(level int) { b.level = level }

// NewBook starts an empty workbook.
func NewBook() *Book {
	b := &Book{f: newFile(), first: true}
	b.fail(b.f.SetDefaultFont(FontName))
	b.startMemo()
	for st := Style(0); st < numStyles; st++ {
		id, err := b.namedStyle(st)
		b.fail(err)
		b.styles[st] = id
	}
	return b
}

// NewLazyBook is NewBook whose named styles are made when first used: a
// workbook that uses few of them (a feedback workbook uses about a third)
// saves making the others. Style IDs then differ from NewBook's; what a
// cell looks like does not.
func NewLazyBook() *Book {
	b := &Book{f: newFile(), first: true, lazy: true}
	b.fail(b.f.SetDefaultFont(FontName))
	b.startMemo()
	return b
}

// startMemo puts a new book at the root of the memo of style sequences
// when books are written the lean way.
func (b *Book) startMemo() {
	if leanSave && b.err == nil {
		b.memo = &styleMemo.root
	}
}

// style is the ID of a named style, made now when the book is lazy.
func (b *Book) style(st Style) int {
	if b.lazy && b.styles[st] == 0 && st >= 0 && st < numStyles {
		id, err := b.namedStyle(st)
		b.fail(err)
		b.styles[st] = id
	}
	return b.styles[st]
}

// File is the underlying excelize file (for tests and special needs):
// every style given out so far is then made in it, and the book's styles
// are no longer taken from the memo (the file may make others).
func (b *Book) File() *excelize.File {
	if b.f != nil {
		b.live()
		b.memo = nil
		b.handed = true
	}
	return b.f
}

// Err is the first error met so far.
func (b *Book) Err() error { return b.err }

func (b *Book) fail(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

// SetTitle sets the document's title and author properties.
func (b *Book) SetTitle(title, creator string) {
	b.fail(b.f.SetDocProps(&excelize.DocProperties{Title: title, Creator: creator, Language: "vi-VN"}))
}

// Save writes the workbook to path atomically (temporary name, then
// rename). A panic inside excelize becomes an error.
func (b *Book) Save(path string) (err error) {
	if b.err != nil {
		return fmt.Errorf("build %s: %w", path, b.err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("save %s: %v", path, r)
		}
	}()
	if len(b.f.GetSheetList()) > 0 {
		b.f.SetActiveSheet(0)
	}
	for _, s := range b.streamed {
		if err := b.flush(s); err != nil {
			b.f.Close()
			return fmt.Errorf("write %s sheet %q: %w", path, s.Name, err)
		}
	}
	streamed := len(b.streamed) > 0
	b.streamed = nil
	// excelize writes stream-written sheets in map order: the zip writer
	// puts them in sheet order so that the same content gives the same
	// bytes.
	storeTheme(b.f)
	b.storeStyles()
	opt := xlsxzip.Options{Cache: b.cache, SortSheets: streamed, Rows: b.rows, Level: b.level}
	b.rows = nil
	if streamed && leanSave {
		// Straight to the file the temporary name was made with, not
		// through excelize's buffer of the whole zip.
		err = atomicfile.WriteFileWith(path, atomicfile.Mode, func(fh *os.File) error {
			bw := fileBufs.Get().(*bufio.Writer)
			defer fileBufs.Put(bw)
			bw.Reset(fh)
			defer bw.Reset(nil)
			opt.Out = bw
			xlsxzip.Install(b.f, opt)
			if err := b.f.Write(fh); err != nil {
				return err
			}
			return bw.Flush()
		})
		if err == nil {
			b.keepStyles()
		}
		if cerr := b.f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		return err
	}
	xlsxzip.Install(b.f, opt)
	err = atomicfile.WriteWith(path, func(tmp string) error {
		if !streamed {
			return b.f.SaveAs(tmp)
		}
		// Straight to the file: a big workbook is not copied into one
		// more buffer.
		fh, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		err = b.f.Write(fh)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if err == nil {
		b.keepStyles()
	}
	if cerr := b.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// fileBufs are the buffers through which Save writes a workbook's file
// (fewer, larger writes than the zip writer's own 4 KiB).
var fileBufs = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

func border() []excelize.Border {
	return []excelize.Border{
		{Type: "left", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1},
		{Type: "bottom", Color: "000000", Style: 1},
	}
}

func fill(color string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
}

func styleOf(st Style) *excelize.Style {
	font := func(bold, italic bool, size float64, color string) *excelize.Font {
		return &excelize.Font{Family: FontName, Bold: bold, Italic: italic, Size: size, Color: color}
	}
	al := func(h, v string, wrap bool) *excelize.Alignment {
		return &excelize.Alignment{Horizontal: h, Vertical: v, WrapText: wrap}
	}
	numFmt := func(s string) *string { return &s }
	switch st {
	case Title:
		return &excelize.Style{Font: font(true, false, 14, ""), Alignment: al("center", "center", true)}
	case Subtitle:
		return &excelize.Style{Font: font(true, false, 12, ""), Alignment: al("center", "center", true)}
	case Centered:
		return &excelize.Style{Font: font(false, false, 11, ""), Alignment: al("center", "center", true)}
	case Italic:
		return &excelize.Style{Font: font(false, true, 11, ""), Alignment: al("center", "center", true)}
	case BoldLeft:
		return &excelize.Style{Font: font(true, false, 11, ""), Alignment: al("left", "center", false)}
	case BoldCenter:
		return &excelize.Style{Font: font(true, false, 11, ""), Alignment: al("center", "center", true)}
	case Header:
		return &excelize.Style{Font: font(true, false, 11, ""), Alignment: al("center", "center", true), Border: border(), Fill: fill("D9D9D9")}
	case Text:
		return &excelize.Style{Font: font(false, false, 11, ""), Alignment: al("left", "top", true), Border: border()}
	case TextCenter:
		return &excelize.Style{Font: font(false, false, 11, ""), Alignment: al("center", "top", true), Border: border()}
	case Int:
		return &excelize.Style{Font: font(false, false, 11, ""), Alignment: al("right", "top", false), Border: border(), CustomNumFmt: numFmt("#,##0")}
	case Percent:
		return &excelize.Style{Font: font(false, false, 11, ""), Alignment: al("right", "top", false), Border: border(), CustomNumFmt: numFmt("0.0%")}
	case Date:
		return &excelize.Style{Font: font(false, false, 11, ""), Alignment: al("center", "top", false), Border: border(), CustomNumFmt: numFmt("dd/mm/yyyy")}
	case Section:
		return &excelize.Style{Font: font(true, false, 11, ""), Alignment: al("left", "center", true), Border: border(), Fill: fill("EDF2F9")}
	case SubSection:
		return &excelize.Style{Font: font(true, true, 11, ""), Alignment: al("left", "center", true), Border: border()}
	case Minor:
		return &excelize.Style{Font: font(false, true, 11, ""), Alignment: al("left", "center", true), Border: border()}
	case TotalText:
		return &excelize.Style{Font: font(true, false, 11, ""), Alignment: al("left", "center", true), Border: border(), Fill: fill("F2F2F2")}
	case TotalCenter:
		return &excelize.Style{Font: font(true, false, 11, ""), Alignment: al("center", "center", true), Border: border(), Fill: fill("F2F2F2")}
	case TotalInt:
		return &excelize.Style{Font: font(true, false, 11, ""), Alignment: al("right", "center", false), Border: border(), Fill: fill("F2F2F2"), CustomNumFmt: numFmt("#,##0")}
	case TotalPercent:
		return &excelize.Style{Font: font(true, false, 11, ""), Alignment: al("right", "center", false), Border: border(), Fill: fill("F2F2F2"), CustomNumFmt: numFmt("0.0%")}
	case Note:
		return &excelize.Style{Font: font(false, true, 10, ""), Alignment: al("left", "top", true)}
	case Paragraph:
		return &excelize.Style{Font: font(false, false, 12, ""), Alignment: al("justify", "top", true)}
	case Late:
		return &excelize.Style{Font: font(false, false, 11, ""), Alignment: al("center", "center", true), Border: border(), Fill: fill("FCE4D6")}
	case Missing:
		return &excelize.Style{Font: font(true, false, 11, "9C0006"), Alignment: al("center", "center", true), Border: border(), Fill: fill("FFC7CE")}
	case Pending:
		return &excelize.Style{Font: font(false, false, 11, "7F6000"), Alignment: al("center", "center", true), Border: border(), Fill: fill("FFF2CC")}
	case Received:
		return &excelize.Style{Font: font(false, false, 11, "006100"), Alignment: al("center", "center", true), Border: border(), Fill: fill("E2EFDA")}
	case Muted:
		return &excelize.Style{Font: font(false, false, 11, "808080"), Alignment: al("center", "center", true), Border: border()}
	case Draft:
		return &excelize.Style{Font: font(true, false, 14, "C00000"), Alignment: al("center", "center", true)}
	}
	return &excelize.Style{Font: font(false, false, 11, ""), Alignment: al("left", "center", false)}
}

// Sheet is one worksheet of a Book.
type Sheet struct {
	b    *Book
	Name string
	g    *grid // the content of a streamed sheet (Book.StreamSheet)

	index    int  // its place in the book
	template bool // the sheet of excelize's new file, renamed
}

// Sheet adds a worksheet (names longer than 31 characters are cut).
func (b *Book) Sheet(name string) *Sheet {
	// Its cells are styled in excelize's model, which must hold the
	// styles; excelize may also make styles of its own there (a time put
	// in a cell gets a default date style), so the book's styles part is
	// neither taken from the memo nor kept in it.
	b.live()
	b.memo = nil
	return b.addSheet(name)
}

// addSheet adds a worksheet to excelize's model.
func (b *Book) addSheet(name string) *Sheet {
	name = SheetName(name)
	s := &Sheet{b: b, Name: name, index: b.sheets, template: b.first}
	b.sheets++
	if b.first {
		b.first = false
		b.fail(b.f.SetSheetName(b.f.GetSheetName(0), name))
	} else {
		_, err := b.f.NewSheet(name)
		b.fail(err)
	}
	return s
}

// SheetName makes a valid worksheet name: at most 31 characters, none of
// : \ / ? * [ ].
func SheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, s)
	s = strings.Trim(s, "'")
	if utf8.RuneCountInString(s) > 31 {
		s = strings.TrimSpace(string([]rune(s)[:31]))
	}
	if s == "" {
		s = "Sheet"
	}
	return s
}

// Cell is the A1 reference of a 1-based column and row.
func Cell(col, row int) string {
	c, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return "A1"
	}
	return c
}

// colNames are the letters of columns 1 to len(colNames), made once.
var colNames = func() []string {
	out := make([]string, 702) // A to ZZ
	for i := range out {
		out[i], _ = excelize.ColumnNumberToName(i + 1)
	}
	return out
}()

// colName is Col without making the letters of the first columns again.
func colName(col int) string {
	if leanSave && col >= 1 && col <= len(colNames) {
		return colNames[col-1]
	}
	return Col(col)
}

// Col is the letters of a 1-based column.
func Col(col int) string {
	c, err := excelize.ColumnNumberToName(col)
	if err != nil {
		return "A"
	}
	return c
}

// Styled pairs a value with a style other than the row's default.
type Styled struct {
	V any
	S Style
}

// Blank is an empty cell that still gets its style (borders).
type Blank struct{}

// Put writes one value at (col, row) with a style: strings as text, ints,
// floats, dates (zero dates stay empty), Blank, or Styled to override st.
func (s *Sheet) Put(col, row int, v any, st Style) {
	if sv, ok := v.(Styled); ok {
		v, st = sv.V, sv.S
	}
	if s.g != nil {
		s.b.fail(s.g.put(col, row, v, s.b.style(st)))
		return
	}
	ref := Cell(col, row)
	f := s.b.f
	switch x := v.(type) {
	case nil, Blank:
	case string:
		s.b.fail(f.SetCellStr(s.Name, ref, CleanText(x)))
	case int:
		s.b.fail(f.SetCellInt(s.Name, ref, int64(x)))
	case int64:
		s.b.fail(f.SetCellInt(s.Name, ref, x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			break
		}
		s.b.fail(f.SetCellFloat(s.Name, ref, x, -1, 64))
	case time.Time:
		if !x.IsZero() {
			// The calendar day, free of time zones.
			s.b.fail(f.SetCellValue(s.Name, ref, time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)))
		}
	default:
		s.b.fail(f.SetCellStr(s.Name, ref, CleanText(fmt.Sprint(x))))
	}
	s.b.fail(f.SetCellStyle(s.Name, ref, ref, s.b.style(st)))
}

// PutText is Put(col, row, text, st) for a text: the same cell, without
// making an interface value of the text.
func (s *Sheet) PutText(col, row int, text string, st Style) {
	if s.g == nil || !leanSave {
		s.Put(col, row, text, st)
		return
	}
	s.b.fail(s.g.putText(col, row, text, s.b.style(st)))
}

// PutInt is Put(col, row, n, st) for an int: the same cell, without making
// an interface value of n.
func (s *Sheet) PutInt(col, row, n int, st Style) {
	if s.g == nil || !leanSave {
		s.Put(col, row, n, st)
		return
	}
	s.b.fail(s.g.putNum(col, row, kInt, uint64(int64(n)), s.b.style(st)))
}

// Blanks is Put(c, row, Blank{}, st) for each column c from c1 to c2: the
// cells get the style and keep their values.
func (s *Sheet) Blanks(c1, c2, row int, st Style) {
	if s.g == nil || c1 < 1 || c2 < c1 || c2 > excelize.MaxColumns || valid(c1, row) != nil {
		for c := c1; c <= c2; c++ {
			s.Put(c, row, Blank{}, st)
		}
		return
	}
	s.b.fail(s.g.styleRange(c1, row, c2, row, s.b.style(st)))
}

// Row writes values from column 1 of a row, all with one style (values may
// be Styled).
func (s *Sheet) Row(row int, st Style, vals ...any) {
	for i, v := range vals {
		s.Put(i+1, row, v, st)
	}
}

// Merge merges a range of one row (from column c1 to c2), writes v in it
// and styles the whole range.
func (s *Sheet) Merge(row, c1, c2 int, v any, st Style) {
	s.MergeRange(row, c1, row, c2, v, st)
}

// MergeRange merges a rectangle and writes v in it.
func (s *Sheet) MergeRange(r1, c1, r2, c2 int, v any, st Style) {
	s.Put(c1, r1, v, st)
	if r2 > r1 || c2 > c1 {
		if s.g != nil {
			s.b.fail(s.g.merge(c1, r1, c2, r2))
		} else {
			s.b.fail(s.b.f.MergeCell(s.Name, Cell(c1, r1), Cell(c2, r2)))
		}
		s.StyleID(c1, r1, c2, r2, s.b.style(st))
	}
}

// StyleID gives a rectangle a style made with the Book's File().NewStyle.
func (s *Sheet) StyleID(c1, r1, c2, r2, id int) {
	if s.g != nil {
		s.b.fail(s.g.styleRange(c1, r1, c2, r2, id))
		return
	}
	s.b.fail(s.b.f.SetCellStyle(s.Name, Cell(c1, r1), Cell(c2, r2), id))
}

// Value is the text of a cell as written (of the top-left cell of its
// merged range).
func (s *Sheet) Value(col, row int) string {
	if s.g != nil {
		return s.g.value(col, row)
	}
	v, err := s.b.f.GetCellValue(s.Name, Cell(col, row))
	s.b.fail(err)
	return v
}

// Comment adds a note to a cell.
func (s *Sheet) Comment(c excelize.Comment) {
	if s.g != nil {
		s.g.pre = append(s.g.pre, preOp{comment: &c})
		return
	}
	s.b.fail(s.b.f.AddComment(s.Name, c))
}

// Widths sets the column widths from column 1 (in characters).
func (s *Sheet) Widths(ws ...float64) {
	for i, w := range ws {
		if s.g != nil {
			s.g.pre = append(s.g.pre, preOp{col: i + 1, width: w})
			continue
		}
		c := Col(i + 1)
		s.b.fail(s.b.f.SetColWidth(s.Name, c, c, w))
	}
}

// Height sets a row's height in points.
func (s *Sheet) Height(row int, pt float64) {
	if pt > 409 {
		pt = 409
	}
	if s.g != nil {
		if err := valid(1, row); err != nil {
			s.b.fail(err)
			return
		}
		gr := s.g.row(row)
		gr.height, gr.tall = pt, true
		return
	}
	s.b.fail(s.b.f.SetRowHeight(s.Name, row, pt))
}

// FitHeight sets a row tall enough for texts wrapped in columns of the
// given widths (characters), since Excel does not grow rows for merged or
// freshly written wrapped cells. lineHeight is in points (15 for 11 pt).
func (s *Sheet) FitHeight(row int, lineHeight float64, texts []string, widths []float64) {
	if lines := fitLines(texts, widths); lines > 1 {
		s.Height(row, float64(lines)*lineHeight+3)
	}
}

// fitLines is the most lines of texts wrapped in columns of the given
// widths (at least 1).
func fitLines(texts []string, widths []float64) int {
	lines := 1
	for i, t := range texts {
		if i < len(widths) {
			lines = max(lines, Lines(t, widths[i]))
		}
	}
	return lines
}

// FitHeightMin is FitHeight with a minimum height in points (e.g. room
// for a signature).
func (s *Sheet) FitHeightMin(row int, lineHeight, minHeight float64, texts []string, widths []float64) {
	lines := 1
	for i, t := range texts {
		if i < len(widths) {
			lines = max(lines, Lines(t, widths[i]))
		}
	}
	s.Height(row, max(minHeight, float64(lines)*lineHeight+3))
}

// Lines estimates how many lines text takes when wrapped at word
// boundaries in a column of width characters (Excel's unit: the width of
// "0"). Capitals count wider than small letters, a space narrower.
func Lines(text string, width float64) int {
	capacity := width - 1 // cell padding
	if capacity < 1 {
		capacity = 1
	}
	// No character is wider than 1.5: a short line fits (with a margin
	// for rounding), as the word-by-word count below would find.
	if 1.5*float64(len(text))+1 <= capacity && strings.IndexByte(text, '\n') < 0 {
		return 1
	}
	n := 0
	for para := range strings.SplitSeq(text, "\n") {
		lines, used := 1, 0.0
		for i := 0; i < len(para); {
			// The next word (as strings.Fields splits) and its width.
			wl, in := 0.0, false
			for i < len(para) {
				r, size := rune(para[i]), 1
				if r >= utf8.RuneSelf {
					r, size = utf8.DecodeRuneInString(para[i:])
				}
				if unicode.IsSpace(r) {
					if in {
						break
					}
					i += size
					continue
				}
				in = true
				wl += runeWidth(r)
				i += size
			}
			if !in {
				break
			}
			switch {
			case used == 0:
				used = wl
			case used+0.5+wl <= capacity:
				used += 0.5 + wl
			default:
				lines++
				used = wl
			}
			for used > capacity { // a word longer than the line breaks
				lines++
				used -= capacity
			}
		}
		n += lines
	}
	return max(1, n)
}

// runeWidth is a character's width in widths of "0" (Times New Roman).
func runeWidth(r rune) float64 {
	switch {
	case unicode.IsUpper(r):
		return 1.35
	case r == 'm' || r == 'w':
		return 1.5
	case r == 'i' || r == 'l' || r == 'j' || r == 't' || r == 'f' || r == 'r' || r == '.' || r == ',' || r == ':' || r == ';' || r == '(' || r == ')' || r == '/' || r == '-':
		return 0.6
	}
	return 0.95
}

// PageBreak starts a new printed page above row.
func (s *Sheet) PageBreak(row int) {
	if row > 1 {
		if s.g != nil {
			s.g.breaks = append(s.g.breaks, Cell(1, row))
			return
		}
		s.b.fail(s.b.f.InsertPageBreak(s.Name, Cell(1, row)))
	}
}

// Print is the print setup of a sheet.
type Print struct {
	Landscape bool
	// TitleRows are the first and last rows repeated at the top of every
	// printed page (0: none).
	TitleRows [2]int
	// FreezeRows and FreezeCols are the rows above and the columns left of
	// the frozen panes (0: none).
	FreezeRows, FreezeCols int
	// Draft prints "DỰ THẢO" in the page header.
	Draft bool
}

// Setup applies A4 paper, orientation, fit to one page wide, margins, the
// footer "Trang &P/&N", print titles and frozen panes.
func (s *Sheet) Setup(p Print) {
	if s.g != nil {
		s.g.prints = append(s.g.prints, p)
		return
	}
	fit := true
	s.b.fail(s.setup(p, nil))
	s.b.fail(s.b.f.SetSheetProps(s.Name, &excelize.SheetPropsOptions{FitToPage: &fit}))
}

// setup applies p but for the sheet properties (fit to page), which a
// streamed sheet needs set before its stream writer starts; panes go
// through sw when not nil. It returns the first error.
func (s *Sheet) setup(p Print, sw *excelize.StreamWriter) error {
	var first error
	fail := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	f := s.b.f
	size := 9 // A4
	orient := "portrait"
	if p.Landscape {
		orient = "landscape"
	}
	one, zero := 1, 0
	fail(f.SetPageLayout(s.Name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}))
	l, r, t, bo, h, ft := 0.5, 0.4, 0.6, 0.6, 0.3, 0.3
	fail(f.SetPageMargins(s.Name, &excelize.PageLayoutMarginsOptions{Left: &l, Right: &r, Top: &t, Bottom: &bo, Header: &h, Footer: &ft}))
	hf := &excelize.HeaderFooterOptions{OddFooter: "&CTrang &P/&N"}
	if p.Draft {
		hf.OddHeader = draftHeader
	}
	fail(f.SetHeaderFooter(s.Name, hf))
	fail(s.printTitles(p))
	if p.FreezeRows > 0 || p.FreezeCols > 0 {
		pane, tl := p.frozenPane()
		panes := &excelize.Panes{
			Freeze: true, XSplit: p.FreezeCols, YSplit: p.FreezeRows, TopLeftCell: tl, ActivePane: pane,
			Selection: []excelize.Selection{{SQRef: tl, ActiveCell: tl, Pane: pane}},
		}
		if sw != nil {
			fail(sw.SetPanes(panes))
		} else {
			fail(f.SetPanes(s.Name, panes))
		}
	}
	return first
}

// frozenPane is the active pane of p's frozen panes (excelize's names)
// and the top-left cell of the pane below and right of them.
func (p *Print) frozenPane() (pane, topLeft string) {
	pane = "bottomLeft"
	switch {
	case p.FreezeRows > 0 && p.FreezeCols > 0:
		pane = "bottomRight"
	case p.FreezeRows == 0:
		pane = "topRight"
	}
	return pane, Cell(p.FreezeCols+1, p.FreezeRows+1)
}

// draftHeader is the page header of a draft: "DỰ THẢO" at the right, bold.
const draftHeader = "&R&\"" + FontName + ",Bold\"DỰ THẢO"

// printTitles names the rows p repeats on every printed page.
func (s *Sheet) printTitles(p Print) error {
	if p.TitleRows[0] > 0 && p.TitleRows[1] >= p.TitleRows[0] {
		return s.b.f.SetDefinedName(&excelize.DefinedName{
			Name:     "_xlnm.Print_Titles",
			RefersTo: fmt.Sprintf("%s!$%d:$%d", QuoteSheet(s.Name), p.TitleRows[0], p.TitleRows[1]),
			Scope:    s.Name,
		})
	}
	return nil
}

// QuoteSheet quotes a sheet name for a formula reference: 'Theo xã'.
func QuoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// CleanText drops control characters that XML cannot hold (keeping tabs
// and line breaks), so that odd input never makes a broken file.
func CleanText(s string) string {
	if clean(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if bad(r) {
			return -1
		}
		return r
	}, s)
}

// clean reports whether s is valid UTF-8 without a character bad
// drops (one pass; !strings.ContainsFunc(s, bad) && utf8.ValidString(s)).
func clean(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || bad(r) {
			return false
		}
		i += size
	}
	return true
}

func bad(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF)
}

// ErrNoPlan is returned by writers called without a plan.
var ErrNoPlan = errors.New("no plan")

// Failed is a book that only reports err when saved.
func Failed(err error) *Book { return &Book{err: err} }
