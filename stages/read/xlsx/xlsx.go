// Package xlsx decodes Office Open XML workbooks (.xlsx, .xlsm, .xltx)
// into the common grid shape. It streams each worksheet part with
// encoding/xml, so every cell keeps the type it had in the file (shared or
// inline string, number, boolean, error, date by number format) and its
// value exactly as stored; formulas give their cached value. The zip
// container is checked before anything is inflated, and every part is
// read under the grid.Limits (unpacked bytes, XML depth, rows, columns,
// cells, cell length). Password-protected packages, bombs and damaged
// files are rejected with a grid.Problem.
package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/richardlehane/mscfb"

	"doithoai/stages/read/grid"
)

// Container bounds that grid.Limits does not name.
const (
	// maxEntries bounds the zip entries of one package; real workbooks
	// have tens, a few hundred with many pictures.
	maxEntries = 10_000
	// bombRatio and bombMinBytes flag an entry whose compression ratio
	// only a crafted bomb reaches (XML sheets rarely pass 100:1).
	bombRatio    = 500
	bombMinBytes = 8 << 20
)

var (
	magicOLE2 = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicZip  = []byte("PK")
)

// Decode reads the workbook at path within the limits. Zero or negative
// limit fields take their grid.DefaultLimits value. Errors are
// *grid.Problem (corrupt, encrypted, too_large, unsupported, or empty when
// the workbook has no worksheet), except the context's error, wrapped,
// when ctx ends.
func Decode(ctx context.Context, path string, lim grid.Limits) (wb *grid.Workbook, err error) {
	defer grid.Recover("xlsx", &wb, &err)
	return decodeFile(ctx, path, lim)
}

// DecodeRows is Decode handing every row of every worksheet to sink as it
// is read, in file order; a row the sink does not keep is left out of the
// sheet (its cells may be reused once Row returns). Every limit still
// counts every row. Merges, names and visibility are kept as Decode
// keeps them.
func DecodeRows(ctx context.Context, path string, lim grid.Limits, sink grid.RowSink) (wb *grid.Workbook, err error) {
	defer grid.Recover("xlsx", &wb, &err)
	return decodeWith(ctx, path, lim, sink)
}

// decodeFile is Decode without the panic guard (the fuzz test calls it so
// that a panic shows up as the bug it is).
func decodeFile(ctx context.Context, path string, lim grid.Limits) (*grid.Workbook, error) {
	return decodeWith(ctx, path, lim, nil)
}

// decodeWith is DecodeRows without the panic guard.
func decodeWith(ctx context.Context, path string, lim grid.Limits, sink grid.RowSink) (*grid.Workbook, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	lim = lim.WithDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, grid.Fail(grid.CodeCorrupt, "cannot open the file", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, grid.Fail(grid.CodeCorrupt, "cannot stat the file", err)
	}
	size := st.Size()
	if size == 0 {
		return nil, grid.Fail(grid.CodeCorrupt, "zero-byte file", nil)
	}
	if size > lim.MaxFileBytes {
		return nil, grid.TooLarge(grid.Excess{Limit: grid.LimitFileBytes, Max: lim.MaxFileBytes}, "file is %d bytes, limit %d", size, lim.MaxFileBytes)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if bytes.HasPrefix(head, magicOLE2) {
		return nil, oleProblem(f)
	}
	if !bytes.HasPrefix(head, magicZip) {
		return nil, grid.Fail(grid.CodeCorrupt, "not a zip package (Office Open XML files are zip archives)", nil)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, grid.Fail(grid.CodeCorrupt, "damaged or truncated zip archive", err)
	}
	if err := checkContainer(zr, lim); err != nil {
		return nil, err
	}
	wb, err := decodePackage(ctx, newPackage(ctx, zr, lim), lim, sink)
	if err != nil {
		return nil, err
	}
	wb.Format = "xlsx"
	if e := strings.ToLower(filepath.Ext(path)); e == ".xlsm" || e == ".xltm" {
		wb.Format = "xlsm"
	}
	return wb, nil
}

// oleProblem explains an OLE2 compound file given as .xlsx: Excel saves
// password-protected workbooks that way (EncryptionInfo plus
// EncryptedPackage streams); anything else is legacy or damaged content.
func oleProblem(ra io.ReaderAt) (err error) {
	defer func() {
		if recover() != nil {
			err = grid.Fail(grid.CodeCorrupt, "damaged OLE2 compound file", nil)
		}
	}()
	doc, err := mscfb.New(ra)
	if err != nil {
		return grid.Fail(grid.CodeCorrupt, "damaged OLE2 compound file", err)
	}
	legacy := false
	for i := 0; i < 10_000; i++ {
		entry, err := doc.Next()
		if err != nil {
			break
		}
		switch strings.ToLower(entry.Name) {
		case "encryptioninfo", "encryptedpackage":
			return grid.Fail(grid.CodeEncrypted, "password-protected workbook (OLE2 EncryptedPackage)", nil)
		case "workbook", "book":
			legacy = true
		}
	}
	if legacy {
		return grid.Fail(grid.CodeCorrupt, "legacy Excel 97-2003 (.xls) content in an .xlsx file", nil)
	}
	return grid.Fail(grid.CodeCorrupt, "OLE2 compound file that holds no Office Open XML workbook", nil)
}

// checkContainer rejects zip bombs from the central directory alone,
// before anything is inflated: too many entries, a declared total or part
// size above the limits, or a compression ratio only a bomb reaches.
// (archive/zip fails any entry that inflates past its declared size, so
// the declared sizes bind.)
func checkContainer(zr *zip.Reader, lim grid.Limits) error {
	if len(zr.File) > maxEntries {
		return grid.Fail(grid.CodeTooLarge, fmt.Sprintf("zip holds %d entries, limit %d", len(zr.File), maxEntries), nil)
	}
	var total uint64
	for _, zf := range zr.File {
		u := zf.UncompressedSize64
		total += u
		if u > uint64(lim.MaxUnpackedBytes) || total > uint64(lim.MaxUnpackedBytes) {
			return grid.TooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: lim.MaxUnpackedBytes}, "zip unpacks to more than %d bytes", lim.MaxUnpackedBytes)
		}
		if u >= bombMinBytes && (zf.CompressedSize64 == 0 || u/zf.CompressedSize64 > bombRatio) {
			return grid.TooLarge(grid.Excess{Limit: grid.LimitZipRatio, Max: bombRatio}, "zip entry %s has a compression ratio above %d:1 (zip bomb)", zf.Name, bombRatio)
		}
	}
	return nil
}

// decodePackage reads the workbook of an OPC package.
func decodePackage(ctx context.Context, p *opcPackage, lim grid.Limits, sink grid.RowSink) (*grid.Workbook, error) {
	part, err := p.findWorkbook()
	if err != nil {
		return nil, err
	}
	wi, err := p.readWorkbook(part)
	if err != nil {
		return nil, err
	}
	wb := &grid.Workbook{Date1904: wi.date1904}
	b := &book{p: p, lim: lim, wb: wb, date1904: wi.date1904, bud: grid.NewBudget(lim), sink: sink}

	var sheets []sheetRef
	for _, s := range wi.sheets {
		switch {
		case s.kind == "worksheet" && s.part != "":
			sheets = append(sheets, s)
		case s.kind == "worksheet" || s.kind == "":
			b.note(fmt.Sprintf("worksheet part missing for sheet %q", s.name))
		}
		// Chart, dialog and macro sheets hold no cell table.
	}
	if len(sheets) > lim.MaxSheets {
		return nil, grid.TooLarge(grid.Excess{Limit: grid.LimitSheets, Max: int64(lim.MaxSheets)}, "workbook has %d worksheets, limit %d", len(sheets), lim.MaxSheets)
	}
	if len(sheets) == 0 {
		if len(wb.Notes) > 0 {
			return nil, grid.Fail(grid.CodeCorrupt, "no worksheet part could be found", nil)
		}
		return nil, grid.Fail(grid.CodeEmpty, "workbook has no worksheet", nil)
	}
	if b.dateXF, err = p.readStyles(wi.styles); err != nil {
		return nil, err
	}
	if b.sst, err = p.readSharedStrings(wi.strings, b.bud); err != nil {
		return nil, err
	}
	for _, s := range sheets {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("xlsx: %w", err)
		}
		gs := grid.Sheet{Name: s.name, Visibility: s.visibility}
		b.index = len(wb.Sheets)
		if err := b.readSheet(s.part, &gs); err != nil {
			return nil, err
		}
		wb.Sheets = append(wb.Sheets, gs)
	}
	return wb, nil
}
