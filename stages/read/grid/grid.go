// Package grid is the common shape every spreadsheet decoder produces: a
// workbook of sheets of rows of typed cells, plus the limits that protect a
// run from hostile or broken files, and what the decoders share: the file
// entry with its size limit and panic guard (DecodeFile, Recover), the raw
// text of numbers, the cutting of long cell text and its note, and the
// number formats that show dates. Decoders (xlsx, xls, ods, csv) know
// nothing about forms; the read stage turns grids into form tables.
package grid

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Kind is the type a cell's value had in the file (not its display format).
type Kind uint8

// Cell kinds.
const (
	Empty  Kind = iota // no value
	String             // text (shared string, inline string, CSV field)
	Number             // a numeric value; Text holds its raw decimal form
	Bool               // a boolean; Text is "TRUE" or "FALSE"
	Date               // a number whose number format is a date; Num is the serial
	Error              // an error value such as #N/A; Text holds it
)

// String names the kind for messages and tests.
func (k Kind) String() string {
	switch k {
	case Empty:
		return "empty"
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "bool"
	case Date:
		return "date"
	case Error:
		return "error"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Cell is one non-empty cell. Col is 1-based.
//
// The fields are ordered for size (40 bytes: Kind and Formula share one
// word): a decoded sheet holds every cell.
type Cell struct {
	Col int
	// Text is the raw value as text: the string itself, or the number exactly
	// as the file stores it (e.g. "87079105129", "44621", "8.7E+10" only if
	// that was typed as text). Never display-formatted.
	Text string
	// Num is the numeric value for Number and Date cells (Excel serial for
	// dates, already corrected for the 1904 system: serials are always in
	// the 1900 system here).
	Num  float64
	Kind Kind
	// Formula is true when the value is the cached result of a formula.
	Formula bool
}

// Row is one spreadsheet row with its non-empty cells in column order.
// Num is the 1-based row number in the sheet (for CSV: the 1-based line).
type Row struct {
	Num   int
	Cells []Cell
}

// Merge is a merged range, 1-based and inclusive.
type Merge struct {
	FromRow, FromCol, ToRow, ToCol int
}

// Visibility of a sheet.
type Visibility uint8

// Sheet visibility states.
const (
	Visible Visibility = iota
	Hidden
	VeryHidden
)

// Sheet is one worksheet. Rows are in ascending Num order; empty rows may be
// omitted.
type Sheet struct {
	Name       string
	Visibility Visibility
	Rows       []Row
	Merges     []Merge
}

// Workbook is a decoded spreadsheet file.
type Workbook struct {
	Format   string // xlsx, xlsm, xls, ods, csv
	Date1904 bool   // informative: serials in cells are already 1900-based
	Sheets   []Sheet
	// Notes are decoder remarks worth telling the commune (e.g. "CSV decoded
	// as Windows-1258"). Plain English codes; the read stage words them.
	Notes []string
}

// RowSink sees the rows of a workbook as a decoder reads them, so that
// they can be used without holding a whole sheet (xlsx.DecodeRows).
type RowSink interface {
	// StartSheet is called when the decoder starts reading the sheet
	// that will be Workbook.Sheets[index], and again if it reads the
	// sheet once more from its start: rows seen before are to be
	// forgotten.
	StartSheet(index int, name string)
	// Row takes the next row with values of the sheet, its cells in
	// column order; keep says whether the decoder is to keep it in the
	// sheet too. A row not kept may have its cells reused after Row
	// returns. An error stops the decoding, except SkipRows.
	Row(r *Row) (keep bool, err error)
}

// SkipRows, returned by RowSink.Row, asks for no more rows of the sheet:
// the decoder reads on to the sheet's merges without building (or
// checking) its remaining rows and cells.
var SkipRows = errors.New("grid: no more rows of this sheet")

// Limits bound the work a single file may cause. Decoders must check them
// while reading, not after, and count repeated rows and cells (ODS
// repeats, one shared string referenced many times) before expanding them.
type Limits struct {
	MaxFileBytes     int64 // size of the file on disk
	MaxUnpackedBytes int64 // total decompressed bytes read from a zip container
	MaxPartBytes     int64 // decompressed bytes of one zip part (one sheet's XML)
	MaxSheets        int
	MaxRows          int // per sheet
	MaxCols          int
	MaxCells         int // per workbook, non-empty cells
	MaxCellChars     int // characters in one cell; longer text is cut and flagged
	MaxXMLDepth      int
	// MaxCellBytes bounds the decoded UTF-8 text of one cell (or one
	// shared string); a longer one makes the file too large. The default
	// is above what Excel's 32,767 characters can take.
	MaxCellBytes int
	// MaxSheetBytes bounds the decoded text of one sheet, every repeat and
	// every reference to a shared string charged in full.
	MaxSheetBytes int64
	// MaxWorkbookBytes bounds the decoded text of the whole file: its
	// sheets and its shared string table.
	MaxWorkbookBytes int64
	// MaxFileDuration is the time one file may take to read (decode and
	// map); the read stage applies it as a context deadline.
	MaxFileDuration time.Duration
}

// DefaultLimits are generous for commune forms (a few thousand rows) and
// small enough that a hostile file cannot exhaust a district PC.
var DefaultLimits = Limits{
	MaxFileBytes:     64 << 20,
	MaxUnpackedBytes: 256 << 20,
	MaxPartBytes:     128 << 20,
	MaxSheets:        256,
	MaxRows:          200_000,
	MaxCols:          1_000,
	MaxCells:         2_000_000,
	MaxCellChars:     32_767,
	MaxXMLDepth:      256,
	MaxCellBytes:     128 << 10,
	MaxSheetBytes:    64 << 20,
	MaxWorkbookBytes: 128 << 20,
	MaxFileDuration:  60 * time.Second,
}

// MaxSheetRows is the most rows a sheet can have in Excel (xlsx, and
// LibreOffice's ods): the ceiling of ForRows.
const MaxSheetRows = 1 << 20

// cellsPerRow is what ForRows allows a row: a form's table has at most a
// dozen columns (M1 has eleven).
const cellsPerRow = 12

// ForRows returns l for sheets of up to rows rows: MaxRows is rows (at
// most MaxSheetRows), and the limits that a longer sheet needs raised in
// proportion (never lowered): the cells, 12 a row, and every byte limit,
// by rows ÷ l.MaxRows. The other limits, the time budget among them,
// stay: a district that accepts a province's roster as one file raises
// --file-timeout as well. rows at or below l.MaxRows only lower MaxRows.
func (l Limits) ForRows(rows int) Limits {
	l = l.WithDefaults()
	rows = min(max(rows, 1), MaxSheetRows)
	if rows <= l.MaxRows {
		l.MaxRows = rows
		return l
	}
	scale := func(v int64) int64 { return int64(math.Ceil(float64(v) * float64(rows) / float64(l.MaxRows))) }
	l.MaxFileBytes = scale(l.MaxFileBytes)
	l.MaxUnpackedBytes = scale(l.MaxUnpackedBytes)
	l.MaxPartBytes = scale(l.MaxPartBytes)
	l.MaxSheetBytes = scale(l.MaxSheetBytes)
	l.MaxWorkbookBytes = scale(l.MaxWorkbookBytes)
	l.MaxCells = max(l.MaxCells, int(scale(int64(l.MaxCells))), cellsPerRow*rows)
	l.MaxRows = rows
	return l
}

// Problem is why a file cannot be decoded. Code is stable (used as the
// submission's rejection reason); Detail is English context for logs.
type Problem struct {
	Code   string
	Detail string
	Err    error
	// Excess says which limit a too_large file went over, and where, for
	// the message to the commune; nil when not known.
	Excess *Excess
}

// Problem codes.
const (
	CodeCorrupt     = "corrupt"         // truncated, damaged or not what its extension says
	CodeEncrypted   = "encrypted"       // password protected
	CodeTooLarge    = "too_large"       // a limit was exceeded (bomb, absurd dimensions)
	CodeUnsupported = "unsupported"     // a format we do not read (BIFF2-4, .numbers, ...)
	CodeEmpty       = "empty"           // zero bytes or no sheet at all
	CodeNotSheet    = "not_spreadsheet" // not a spreadsheet at all
)

func (p *Problem) Error() string {
	if p.Err != nil {
		return p.Code + ": " + p.Detail + ": " + p.Err.Error()
	}
	return p.Code + ": " + p.Detail
}

func (p *Problem) Unwrap() error { return p.Err }

// Fail makes a Problem.
func Fail(code, detail string, err error) *Problem {
	return &Problem{Code: code, Detail: detail, Err: err}
}

// CodeOf returns the Problem code of err, or CodeCorrupt for any other error.
func CodeOf(err error) string {
	var p *Problem
	if errors.As(err, &p) {
		return p.Code
	}
	return CodeCorrupt
}
