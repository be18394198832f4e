package xl

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/xuri/excelize/v2"
)

// The frame of a streamed sheet (its XML but for the rows: the worksheet's
// head, sheet properties, views and panes, columns, merged ranges, page
// setup, page breaks, the comments' drawing) is written here, byte for
// byte as excelize's StreamWriter writes it, for the sheets the report
// stage writes: excelize's frame goes through its worksheet model and an
// XML encoder per group of fields, a good part of what a small workbook
// allocates. A sheet this does not reproduce (more than one Setup, relationships of its own before its comments, a book whose File
// was handed out) goes through the StreamWriter as before.
// TestFrameSameAsStreamWriter compares both.

// directFrame makes flush write the frames it can itself; tests turn it
// off to compare.
var directFrame = true

// framedSheets counts the frames written here (for tests).
var framedSheets atomic.Int64

// framed reports whether frame writes s's frame as the StreamWriter would.
// rels tells whether the sheet had relationships before its comments.
func (b *Book) framed(s *Sheet, rels bool) bool {
	g := s.g
	if !directFrame || !leanSave || b.handed || len(g.prints) > 1 || rels {
		return false
	}
	for _, c := range g.breaks {
		if col, row, err := excelize.CellNameToCoordinates(c); err != nil || col != 1 || row < 2 {
			return false
		}
	}
	for _, op := range g.pre {
		if op.comment == nil && (op.col < 1 || op.col > excelize.MaxColumns || op.width > excelize.MaxColumnWidth) {
			return false
		}
	}
	_, err := sheetHead()
	return err == nil
}

// sheetHead is the start of every streamed sheet's XML, up to its sheet
// properties: the XML header and the worksheet's start tag with the
// namespaces excelize writes, taken once from a sheet excelize streams.
var sheetHead = sync.OnceValues(func() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return nil, err
	}
	for _, zf := range zr.File {
		if zf.Name != "xl/worksheets/sheet1.xml" {
			continue
		}
		r, err := zf.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, err
		}
		at := bytes.Index(data, []byte("<dimension "))
		if at < 0 {
			return nil, errors.New("xl: no dimension in a streamed sheet")
		}
		return data[:at], nil
	}
	return nil, errors.New("xl: no streamed sheet")
})

// frame is the XML of streamed sheet s with empty sheet data (where the
// zip writer puts its rows), as the StreamWriter writes it after the
// calls flush makes: legacy is whether the sheet has comments (their
// drawing is the sheet's first relationship).
func (s *Sheet) frame(out []byte, legacy bool) []byte {
	g := s.g
	head, _ := sheetHead()
	out = slices.Grow(out, len(head)+frameRoom(g))
	out = append(out, head...)
	var p *Print
	if len(g.prints) > 0 {
		p = &g.prints[0]
		out = append(out, `<sheetPr><pageSetUpPr fitToPage="true"></pageSetUpPr></sheetPr>`...)
	}
	out = append(out, `<dimension ref="A1"></dimension><sheetViews><sheetView`...)
	if s.index == 0 {
		out = append(out, ` tabSelected="true"`...)
	}
	out = append(out, ` workbookViewId="0">`...)
	if p != nil && (p.FreezeRows > 0 || p.FreezeCols > 0) {
		pane, tl := p.frozenPane()
		out = append(out, `<pane activePane="`...)
		out = append(out, pane...)
		out = append(out, `" state="frozen" topLeftCell="`...)
		out = append(out, tl...)
		out = append(out, '"')
		if p.FreezeCols != 0 {
			out = append(out, ` xSplit="`...)
			out = strconv.AppendInt(out, int64(p.FreezeCols), 10)
			out = append(out, '"')
		}
		if p.FreezeRows != 0 {
			out = append(out, ` ySplit="`...)
			out = strconv.AppendInt(out, int64(p.FreezeRows), 10)
			out = append(out, '"')
		}
		out = append(out, `></pane><selection activeCell="`...)
		out = append(out, tl...)
		out = append(out, `" pane="`...)
		out = append(out, pane...)
		out = append(out, `" sqref="`...)
		out = append(out, tl...)
		out = append(out, `"></selection>`...)
	}
	out = append(out, `</sheetView></sheetViews>`...)
	if p != nil || s.template {
		out = append(out, `<sheetFormatPr defaultRowHeight="15"></sheetFormatPr>`...)
	}
	// The columns in the order excelize keeps them: the last set first.
	cols := false
	for i := len(g.pre) - 1; i >= 0; i-- {
		op := g.pre[i]
		if op.comment != nil || laterWidth(g.pre[i+1:], op.col) {
			continue
		}
		if !cols {
			out = append(out, `<cols>`...)
			cols = true
		}
		out = append(out, `<col min="`...)
		out = strconv.AppendInt(out, int64(op.col), 10)
		out = append(out, `" max="`...)
		out = strconv.AppendInt(out, int64(op.col), 10)
		out = append(out, `" width="`...)
		out = strconv.AppendFloat(out, op.width, 'f', -1, 64)
		out = append(out, `" customWidth="1"/>`...)
	}
	if cols {
		out = append(out, `</cols>`...)
	}
	out = append(out, `<sheetData></sheetData>`...)
	if merges := g.joinedMerges(); len(merges) > 0 {
		out = append(out, `<mergeCells count="`...)
		out = strconv.AppendInt(out, int64(len(merges)), 10)
		out = append(out, `">`...)
		for _, m := range merges {
			out = append(out, `<mergeCell ref="`...)
			out = append(out, Cell(m[0], m[1])...)
			out = append(out, ':')
			out = append(out, Cell(m[2], m[3])...)
			out = append(out, `"/>`...)
		}
		out = append(out, `</mergeCells>`...)
	}
	if p != nil {
		orient := "portrait"
		if p.Landscape {
			orient = "landscape"
		}
		out = append(out, `<pageMargins left="0.5" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"></pageMargins><pageSetup fitToHeight="0" fitToWidth="1" orientation="`...)
		out = append(out, orient...)
		out = append(out, `" paperSize="9"></pageSetup><headerFooter>`...)
		if p.Draft {
			out = append(out, `<oddHeader>`...)
			out = appendEscaped(out, draftHeader, true)
			out = append(out, `</oddHeader>`...)
		}
		out = append(out, `<oddFooter>&amp;CTrang &amp;P/&amp;N</oddFooter></headerFooter>`...)
	}
	if len(g.breaks) > 0 {
		// Above rows of column A: row breaks, each row once, in order.
		var ids []int
		for _, c := range g.breaks {
			_, row, _ := excelize.CellNameToCoordinates(c)
			if !slices.Contains(ids, row-1) {
				ids = append(ids, row-1)
			}
		}
		out = append(out, `<rowBreaks count="`...)
		out = strconv.AppendInt(out, int64(len(ids)), 10)
		out = append(out, `" manualBreakCount="`...)
		out = strconv.AppendInt(out, int64(len(ids)), 10)
		out = append(out, `">`...)
		for _, id := range ids {
			out = append(out, `<brk id="`...)
			out = strconv.AppendInt(out, int64(id), 10)
			out = append(out, `" max="16383" man="true"></brk>`...)
		}
		out = append(out, `</rowBreaks><colBreaks></colBreaks>`...)
	}
	if legacy {
		out = append(out, `<legacyDrawing xmlns:relationships="http://schemas.openxmlformats.org/officeDocument/2006/relationships" relationships:id="rId1"></legacyDrawing>`...)
	}
	return append(out, `</worksheet>`...)
}

// laterWidth reports whether ops set the width of column col.
func laterWidth(ops []preOp, col int) bool {
	for _, op := range ops {
		if op.comment == nil && op.col == col {
			return true
		}
	}
	return false
}

// frameRoom is about what a frame holds past its head, so that it is
// made in one allocation.
func frameRoom(g *grid) int {
	return 1024 + 64*len(g.pre) + 40*len(g.merges)
}
