package grid

import (
	"bytes"
	"context"
	"fmt"
	"io"
)

// Limit names one of the Limits, as an Excess reports it.
type Limit string

// The limits a too_large Problem can name.
const (
	LimitFileBytes     Limit = "file_bytes"     // MaxFileBytes
	LimitUnpackedBytes Limit = "unpacked_bytes" // MaxUnpackedBytes or MaxPartBytes
	LimitZipRatio      Limit = "zip_ratio"      // a zip entry inflates more than any real file (Max is the ratio)
	LimitCellBytes     Limit = "cell_bytes"     // MaxCellBytes
	LimitSheetBytes    Limit = "sheet_bytes"    // MaxSheetBytes
	LimitWorkbookBytes Limit = "workbook_bytes" // MaxWorkbookBytes
	LimitSheets        Limit = "sheets"         // MaxSheets
	LimitRows          Limit = "rows"           // MaxRows
	LimitCols          Limit = "cols"           // MaxCols
	LimitCells         Limit = "cells"          // MaxCells
	LimitXMLDepth      Limit = "xml_depth"      // MaxXMLDepth
)

// Excess is which limit a file went over and where: the read stage words
// it for the commune. Max is the limit's value (bytes, rows, ...); Sheet,
// Row and Col (1-based) are zero when not known.
type Excess struct {
	Limit Limit
	Max   int64
	Sheet string
	Row   int
	Col   int
}

// TooLarge makes a too_large Problem that says which limit was exceeded;
// the detail (English, for logs) is formatted from format and args.
func TooLarge(ex Excess, format string, args ...any) *Problem {
	return &Problem{Code: CodeTooLarge, Detail: fmt.Sprintf(format, args...), Excess: &ex}
}

// Budget charges the decoded text of one workbook against MaxCellBytes,
// MaxSheetBytes and MaxWorkbookBytes. A decoder charges a cell before it
// stores it, and a repeated cell or row once for all its repeats (count ×
// bytes) before it expands them, so that no repeat bomb is materialised.
type Budget struct {
	lim   Limits
	sheet string
	sheetBytes,
	bookBytes int64
}

// NewBudget returns an empty budget under lim (whose fields are set).
func NewBudget(lim Limits) *Budget { return &Budget{lim: lim} }

// Sheet starts charging the sheet called name.
func (b *Budget) Sheet(name string) {
	b.sheet, b.sheetBytes = name, 0
}

// Cell checks one cell's decoded text length n against MaxCellBytes.
func (b *Budget) Cell(n int, row, col int) error {
	if n > b.lim.MaxCellBytes {
		return TooLarge(Excess{Limit: LimitCellBytes, Max: int64(b.lim.MaxCellBytes), Sheet: b.sheet, Row: row, Col: col},
			"sheet %q: cell at row %d, column %d holds %d bytes of text, limit %d", b.sheet, row, col, n, b.lim.MaxCellBytes)
	}
	return nil
}

// Charge adds n bytes of text times times (a repeat) to the current sheet
// and the workbook; row and col place the first of them for the message.
func (b *Budget) Charge(n int64, times int64, row, col int) error {
	if n <= 0 || times <= 0 {
		return nil
	}
	sheetLeft := b.lim.MaxSheetBytes - b.sheetBytes
	if times > sheetLeft/n || n*times > sheetLeft {
		return TooLarge(Excess{Limit: LimitSheetBytes, Max: b.lim.MaxSheetBytes, Sheet: b.sheet, Row: row, Col: col},
			"sheet %q: text reaches more than %d bytes at row %d (%d bytes × %d)", b.sheet, b.lim.MaxSheetBytes, row, n, times)
	}
	bookLeft := b.lim.MaxWorkbookBytes - b.bookBytes
	if times > bookLeft/n || n*times > bookLeft {
		return TooLarge(Excess{Limit: LimitWorkbookBytes, Max: b.lim.MaxWorkbookBytes, Sheet: b.sheet, Row: row, Col: col},
			"workbook text reaches more than %d bytes on sheet %q at row %d", b.lim.MaxWorkbookBytes, b.sheet, row)
	}
	b.sheetBytes += n * times
	b.bookBytes += n * times
	return nil
}

// Shared charges n bytes held once for the whole workbook (a shared string
// table) against MaxWorkbookBytes.
func (b *Budget) Shared(n int64) error {
	if n > b.lim.MaxWorkbookBytes-b.bookBytes {
		return TooLarge(Excess{Limit: LimitWorkbookBytes, Max: b.lim.MaxWorkbookBytes},
			"shared strings reach more than %d bytes", b.lim.MaxWorkbookBytes)
	}
	b.bookBytes += n
	return nil
}

// XMLRunMax is the longest stretch of XML bytes without a '<' that an
// XMLGuard lets through: room for the longest cell MaxCellBytes allows,
// written entirely in character references, and never under 4 MiB (a
// flat OpenDocument file may embed a small picture as base64).
func XMLRunMax(lim Limits) int {
	return max(4<<20, 10*lim.MaxCellBytes)
}

// XMLGuard sits between a part's bytes and encoding/xml. encoding/xml
// buffers a whole text run, attribute value, comment or tag before it
// returns the token, so one giant cell would be held in memory whole: the
// guard fails once more than max bytes pass without a '<', before the
// decoder has them. It also fails when ctx ends, so a decoder blocked on
// one huge token still stops promptly.
type XMLGuard struct {
	ctx  context.Context
	r    io.Reader
	max  int // XMLRunMax
	cell int // MaxCellBytes, for the message
	run  int // bytes since the last '<'
}

// NewXMLGuard wraps r, allowing runs of XMLRunMax(lim) bytes.
func NewXMLGuard(ctx context.Context, r io.Reader, lim Limits) *XMLGuard {
	return &XMLGuard{ctx: ctx, r: r, max: XMLRunMax(lim), cell: lim.MaxCellBytes}
}

func (g *XMLGuard) Read(p []byte) (int, error) {
	if err := g.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := g.r.Read(p)
	b := p[:n]
	if g.run+len(b) <= g.max {
		// No run in b can pass max: only the one after its last '<'
		// goes on (one search a read, not one a tag).
		if i := bytes.LastIndexByte(b, '<'); i >= 0 {
			g.run = len(b) - i - 1
		} else {
			g.run += len(b)
		}
		return n, err
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			g.run += len(b)
			break
		}
		g.run += i
		if g.run > g.max {
			break
		}
		g.run = 0
		b = b[i+1:]
	}
	if g.run > g.max {
		return 0, TooLarge(Excess{Limit: LimitCellBytes, Max: int64(g.cell)},
			"more than %d bytes of XML without a tag (a giant cell, attribute or comment)", g.max)
	}
	return n, err
}
