package xl

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// The comments of a streamed sheet are written here as excelize writes
// them, byte for byte, without its per-comment work (File.AddComment
// reads the worksheet, scans every shape of the drawing, marshals each
// shape and the whole comments part: a quarter of a large feedback
// workbook's CPU went there). The first comment of a sheet still goes
// through AddComment, which sets up the sheet's drawing and comments parts,
// their relationships and content types; the comment and shape this file
// writes for it must then be the very bytes excelize made (else the sheet's
// other comments go through AddComment too, as before). The others are
// written here and the two parts are stored whole in the package. A sheet
// with a comment this does not reproduce (plain text instead of runs, a
// run without a font or with a font setting other than bold, italic,
// family and size, several authors, a repeated cell, text near the
// length limit, no box size) goes through AddComment throughout.
// TestCommentsSameAsAddComment compares both.

// preOp is a column width or a comment of a streamed sheet, applied in
// the order given (a comment's box is placed by the widths set before it).
type preOp struct {
	col     int
	width   float64
	comment *excelize.Comment
}

// directComments makes flush write comments itself; tests turn it off to
// compare.
var directComments = true

// SetShortcuts sets whether Save takes its shortcuts around excelize's
// model (on, the default: streamed sheets' comments and frames written
// here, the theme part stored, all giving excelize's bytes) and returns
// the previous setting: for tests that compare both ways. Not safe while
// books are saved.
func SetShortcuts(on bool) bool {
	old := directComments
	directComments, fixedTheme, directFrame = on, on, on
	return old
}

// storedParts counts the comments parts written here (for tests).
var storedParts atomic.Int64

// applyPre applies a streamed sheet's widths and comments to the still
// empty worksheet.
func (b *Book) applyPre(s *Sheet) error {
	f := s.b.f
	var dc *commentWriter
	if directComments && simpleComments(s.g.pre) {
		props, err := f.GetSheetProps(s.Name)
		if err != nil {
			return err
		}
		dc = &commentWriter{widths: map[int]float64{}, props: props}
	}
	for _, op := range s.g.pre {
		if op.comment == nil {
			c := Col(op.col)
			if err := f.SetColWidth(s.Name, c, c, op.width); err != nil {
				return err
			}
			if dc != nil {
				dc.widths[op.col] = op.width
			}
			continue
		}
		if dc == nil || !dc.started {
			before := partNames(f)
			if err := f.AddComment(s.Name, *op.comment); err != nil {
				return err
			}
			if dc != nil && !dc.start(f, before, op.comment) {
				dc = nil // excelize's own bytes differ: AddComment for the rest
			}
			continue
		}
		if err := dc.add(op.comment); err != nil {
			return err
		}
	}
	if dc != nil && dc.started && dc.n > 1 {
		dc.store(f)
	}
	return nil
}

// simpleComments reports whether ops has comments and every one is one
// the commentWriter reproduces.
func simpleComments(ops []preOp) bool {
	seen := map[string]bool{}
	author, comments := "", 0
	for _, op := range ops {
		c := op.comment
		if c == nil {
			continue
		}
		if c.Text != "" || len(c.Paragraph) == 0 || c.Width == 0 || c.Height == 0 || c.Width > math.MaxInt32 || c.Height > math.MaxInt32 {
			return false
		}
		if c.Author == "" || utf16Len(c.Author) > excelize.MaxFieldLength || author != "" && c.Author != author {
			return false
		}
		author = c.Author
		if _, _, err := excelize.CellNameToCoordinates(c.Cell); err != nil {
			return false
		}
		key := strings.ToUpper(c.Cell)
		if seen[key] {
			return false
		}
		seen[key] = true
		units := 0
		for _, r := range c.Paragraph {
			ft := r.Font
			if ft == nil || ft.Underline != "" || ft.Strike || ft.Color != "" || ft.ColorIndexed != 0 || ft.ColorTheme != nil ||
				ft.ColorTint != 0 || ft.VertAlign != "" || ft.Charset != nil || ft.Size < 0 || math.IsNaN(ft.Size) || math.IsInf(ft.Size, 0) {
				return false
			}
			units += utf16Len(r.Text)
		}
		if units >= excelize.TotalCellChars {
			return false
		}
		comments++
	}
	return comments > 0
}

// utf16Len is the length of s in UTF-16 code units (excelize's measure of
// text limits).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// commentWriter builds a sheet's comments and drawing parts.
type commentWriter struct {
	widths  map[int]float64 // column widths set so far
	props   excelize.SheetPropsOptions
	started bool
	n       int // comments written

	commentsPath, vmlPath string
	shapeBase             int // the first shape's number minus one
	comments, shapes      []byte
	cHead, cTail          []byte // the comments part around its comments
	vHead, vTail          []byte // the drawing part around its shapes
}

// partNames are the comments and drawing parts excelize holds in its
// model.
func partNames(f *excelize.File) map[string]bool {
	out := map[string]bool{}
	for k := range f.Comments {
		out[k] = true
	}
	for k := range f.VMLDrawing {
		out[k] = true
	}
	return out
}

// start takes the parts the first comment c made (AddComment) and checks
// that the bytes written here for c are excelize's.
func (w *commentWriter) start(f *excelize.File, before map[string]bool, c *excelize.Comment) bool {
	for k := range f.Comments {
		if !before[k] {
			if w.commentsPath != "" {
				return false
			}
			w.commentsPath = k
		}
	}
	for k := range f.VMLDrawing {
		if !before[k] {
			if w.vmlPath != "" {
				return false
			}
			w.vmlPath = k
		}
	}
	if w.commentsPath == "" || w.vmlPath == "" {
		return false
	}
	cx, err := xml.Marshal(f.Comments[w.commentsPath])
	if err != nil {
		return false
	}
	vx, err := xml.Marshal(f.VMLDrawing[w.vmlPath])
	if err != nil {
		return false
	}
	// The first shape's number (the sheet's ID × 1024 + 1).
	const idAt = `<v:shape id="_x0000_s`
	i := bytes.Index(vx, []byte(idAt))
	if i < 0 {
		return false
	}
	j := i + len(idAt)
	k := j
	for k < len(vx) && vx[k] >= '0' && vx[k] <= '9' {
		k++
	}
	id, err := strconv.Atoi(string(vx[j:k]))
	if err != nil {
		return false
	}
	w.shapeBase = id - 1
	cmt, shape, ok := w.make(c, 1)
	if !ok {
		return false
	}
	ci := bytes.Index(cx, cmt)
	vi := bytes.Index(vx, shape)
	if ci < 0 || vi != i || !bytes.Equal(cx[ci+len(cmt):], []byte("</commentList></comments>")) || !bytes.Equal(vx[vi+len(shape):], []byte("</xml>")) {
		return false
	}
	w.cHead, w.cTail = cx[:ci], cx[ci+len(cmt):]
	w.vHead, w.vTail = vx[:vi], vx[vi+len(shape):]
	w.comments = append(w.comments, cmt...)
	w.shapes = append(w.shapes, shape...)
	w.started, w.n = true, 1
	return true
}

// add writes the next comment.
func (w *commentWriter) add(c *excelize.Comment) error {
	cmt, shape, ok := w.make(c, w.n+1)
	if !ok {
		return fmt.Errorf("comment at %q", c.Cell)
	}
	w.comments = append(w.comments, cmt...)
	w.shapes = append(w.shapes, shape...)
	w.n++
	return nil
}

// store puts the finished parts in the package in place of excelize's
// model of them.
func (w *commentWriter) store(f *excelize.File) {
	part := append(append(append([]byte(xml.Header), w.cHead...), w.comments...), w.cTail...)
	delete(f.Comments, w.commentsPath)
	f.Pkg.Store(w.commentsPath, part)
	vml := append(append(append([]byte(nil), w.vHead...), w.shapes...), w.vTail...)
	delete(f.VMLDrawing, w.vmlPath)
	f.Pkg.Store(w.vmlPath, vml)
	storedParts.Add(1)
}

// colPx and rowPx are a column's width and a row's height in pixels as
// excelize reckons them for a worksheet without rows (see its
// getColWidth and getRowHeight).
func (w *commentWriter) colPx(col int) int {
	if x, ok := w.widths[col]; ok {
		return int(widthPx(x))
	}
	if w.props.DefaultRowHeight != nil { // the sheet has a format
		if w.props.DefaultColWidth != nil && *w.props.DefaultColWidth > 0 {
			return int(widthPx(*w.props.DefaultColWidth))
		}
		if w.props.BaseColWidth != nil && *w.props.BaseColWidth > 0 {
			return int(widthPx(float64(*w.props.BaseColWidth))) + 5
		}
	}
	return 64
}

func (w *commentWriter) rowPx() int {
	if h := w.props.DefaultRowHeight; h != nil && *h > 0 {
		return int(math.Ceil(4.0 / 3.4 * *h))
	}
	return 20
}

func widthPx(width float64) float64 {
	if width == 0 {
		return 0
	}
	return float64(int(width*8 + 0.5))
}

// make is the n-th comment of the sheet (1-based) and its shape.
func (w *commentWriter) make(c *excelize.Comment, n int) (cmt, shape []byte, ok bool) {
	col, row, err := excelize.CellNameToCoordinates(c.Cell)
	if err != nil {
		return nil, nil, false
	}
	cmt = append(cmt, `<comment ref="`...)
	cmt = escapeXML(cmt, c.Cell)
	cmt = append(cmt, `" authorId="0"><text>`...)
	for _, r := range c.Paragraph {
		ft := r.Font
		cmt = append(cmt, `<r><rPr>`...)
		if ft.Family != "" {
			cmt = append(cmt, `<rFont val="`...)
			cmt = escapeXML(cmt, ft.Family)
			cmt = append(cmt, `"></rFont>`...)
		}
		cmt = append(cmt, `<family val="2"></family>`...)
		if ft.Bold {
			cmt = append(cmt, `<b val="1"></b>`...)
		}
		if ft.Italic {
			cmt = append(cmt, `<i val="1"></i>`...)
		}
		cmt = append(cmt, `<color></color>`...)
		if ft.Size >= excelize.MinFontSize {
			cmt = append(cmt, `<sz val="`...)
			cmt = strconv.AppendFloat(cmt, ft.Size, 'g', -1, 64)
			cmt = append(cmt, `"></sz>`...)
		}
		cmt = append(cmt, `</rPr><t xml:space="preserve">`...)
		cmt = escapeXML(cmt, r.Text)
		cmt = append(cmt, `</t></r>`...)
	}
	cmt = append(cmt, `</text></comment>`...)

	// The box: excelize's positionObjectPixels for a two-cell anchor at
	// the cell, no offset.
	colIdx, rowIdx := col-1, row-1
	colEnd, rowEnd := colIdx, rowIdx
	x2, y2 := int(c.Width), int(c.Height)
	for x2 >= w.colPx(colEnd+1) {
		colEnd++
		x2 -= w.colPx(colEnd)
	}
	rh := w.rowPx()
	if rh <= 0 {
		return nil, nil, false
	}
	for y2 >= rh {
		rowEnd++
		y2 -= rh
	}
	shape = append(shape, `<v:shape id="_x0000_s`...)
	shape = strconv.AppendInt(shape, int64(w.shapeBase+n), 10)
	shape = append(shape, `" type="#_x0000_t202" style="position:absolute;73.5pt;width:108pt;height:59.25pt;z-index:1;visibility:hidden" fillcolor="#FBF6D6" strokecolor="#EDEAA1"><v:fill angle="-180" color2="#FBFE82" type="gradient"><o:fill v:ext="view" type="gradientUnscaled"></o:fill></v:fill><v:shadow on="t" color="black" obscured="t"></v:shadow><v:path o:connecttype="none"></v:path><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells></x:MoveWithCells><x:SizeWithCells></x:SizeWithCells><x:Anchor>`...)
	shape = fmt.Appendf(shape, "%d, %d, %d, 0, %d, %d, %d, %d", colIdx, 23, rowIdx, colEnd, x2, rowEnd, y2)
	shape = append(shape, `</x:Anchor><x:AutoFill>True</x:AutoFill><x:Row>`...)
	shape = strconv.AppendInt(shape, int64(rowIdx), 10)
	shape = append(shape, `</x:Row><x:Column>`...)
	shape = strconv.AppendInt(shape, int64(colIdx), 10)
	shape = append(shape, `</x:Column></x:ClientData></v:shape>`...)
	return cmt, shape, true
}

// escapeXML appends s escaped as encoding/xml.EscapeText does.
func escapeXML(out []byte, s string) []byte { return appendEscaped(out, s, true) }
