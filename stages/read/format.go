package read

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/richardlehane/mscfb"

	"doithoai/pipeline/record"
	"doithoai/stages/read/csvtext"
	"doithoai/stages/read/grid"
	"doithoai/stages/read/ods"
	"doithoai/stages/read/xls"
	"doithoai/stages/read/xlsx"
)

// fileKind is how a file is read.
type fileKind int

const (
	kindOther    fileKind = iota // not a spreadsheet: rejected
	kindXLSX                     // Office Open XML workbook
	kindXLS                      // Excel 97-2003 (BIFF in OLE2)
	kindODS                      // OpenDocument spreadsheet (zip or flat XML)
	kindCSV                      // delimited text
	kindDocument                 // the commune's plan (KH): archived, not parsed
)

// extKinds maps known extensions to how they are read.
var extKinds = map[string]fileKind{
	"xlsx": kindXLSX, "xlsm": kindXLSX, "xltx": kindXLSX, "xltm": kindXLSX,
	"xls": kindXLS, "xlt": kindXLS, "et": kindXLS, "ett": kindXLS,
	"ods": kindODS, "fods": kindODS, "ots": kindODS,
	"csv": kindCSV, "tsv": kindCSV,
	"pdf": kindDocument, "doc": kindDocument, "docx": kindDocument, "odt": kindDocument,
}

// unsupportedExts are spreadsheets in formats we do not read: the commune
// is asked to save them as .xlsx.
var unsupportedExts = map[string]bool{
	"xlsb": true, "numbers": true, "gnumeric": true, "sxc": true, "wks": true,
	"wk1": true, "wk3": true, "wk4": true, "123": true, "qpw": true, "wb1": true, "wb2": true, "wb3": true,
}

var (
	magicZip   = []byte("PK\x03\x04")
	magicZipE  = []byte("PK\x05\x06") // empty zip archive
	magicOLE2  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	odsMime    = []byte("application/vnd.oasis.opendocument.spreadsheet")
	headerSize = 128
)

// sniff decides how to read the submission from its extension and its
// first bytes. It returns the kind, the format name and a *grid.Problem
// when the file is unusable before decoding (zero bytes, too large,
// encrypted OOXML).
func sniff(sub record.Submission, lim grid.Limits) (fileKind, string, error) {
	e := ext(sub.Path)
	kind, known := extKinds[e]
	if known && kind == kindDocument {
		if st, err := os.Stat(sub.ArchivePath); err == nil && st.Size() == 0 {
			return kind, e, grid.Fail(grid.CodeCorrupt, "zero-byte file", nil)
		}
		return kind, e, nil
	}
	f, err := os.Open(sub.ArchivePath)
	if err != nil {
		return kind, e, grid.Fail(grid.CodeCorrupt, "cannot open the archived copy", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return kind, e, grid.Fail(grid.CodeCorrupt, "cannot stat the archived copy", err)
	}
	if st.Size() == 0 {
		if !known {
			return kindOther, e, nil
		}
		return kind, e, grid.Fail(grid.CodeCorrupt, "zero-byte file", nil)
	}
	head := make([]byte, headerSize)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	isZip := bytes.HasPrefix(head, magicZip) || bytes.HasPrefix(head, magicZipE)
	isOLE := bytes.HasPrefix(head, magicOLE2)
	isODS := isZip && bytes.Contains(head, odsMime)

	if !known && unsupportedExts[e] && !(isZip && zipHas(f, st.Size(), "xl/workbook.xml")) {
		return kindOther, e, grid.Fail(grid.CodeUnsupported, "spreadsheet format not read: "+e, nil)
	}
	if !known {
		// Unknown extension: read it only when the bytes clearly are a
		// workbook; anything else (.png, .txt, ...) is not a spreadsheet.
		switch {
		case isODS:
			kind = kindODS
		case isZip && zipHas(f, st.Size(), "xl/workbook.xml", "xl/workbook.bin"):
			kind = kindXLSX
		case isOLE && oleHasStream(f, "Workbook", "Book"):
			kind = kindXLS
		default:
			return kindOther, e, nil
		}
	}
	if st.Size() > lim.MaxFileBytes {
		return kind, e, grid.Fail(grid.CodeTooLarge, fmt.Sprintf("file is %d bytes, limit %d", st.Size(), lim.MaxFileBytes), nil)
	}
	switch kind {
	case kindXLSX, kindXLS:
		switch {
		case isODS:
			kind = kindODS
		case isZip:
			kind = kindXLSX
		case isOLE:
			if oleHasStream(f, "EncryptedPackage", "EncryptionInfo") {
				return kind, e, grid.Fail(grid.CodeEncrypted, "OLE2 container holding encrypted OOXML", nil)
			}
			kind = kindXLS
		}
	case kindODS:
		if isZip && !isODS && zipHas(f, st.Size(), "xl/workbook.xml") {
			kind = kindXLSX
		}
	}
	return kind, e, nil
}

// zipHas reports whether the zip archive holds one of the names.
func zipHas(ra io.ReaderAt, size int64, names ...string) bool {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return false
	}
	for _, zf := range zr.File {
		n := strings.ReplaceAll(zf.Name, "\\", "/")
		for _, want := range names {
			if strings.EqualFold(n, want) {
				return true
			}
		}
	}
	return false
}

// oleHasStream reports whether the OLE2 compound file holds a stream with
// one of the names. Damaged containers report false (the decoder will say
// why).
func oleHasStream(ra io.ReaderAt, names ...string) (found bool) {
	defer func() {
		if recover() != nil {
			found = false
		}
	}()
	doc, err := mscfb.New(ra)
	if err != nil {
		return false
	}
	for i := 0; i < 10_000; i++ {
		entry, err := doc.Next()
		if err != nil {
			return false
		}
		for _, n := range names {
			if strings.EqualFold(entry.Name, n) {
				return true
			}
		}
	}
	return false
}

// decode runs the decoder of the kind, turning a decoder panic into a
// corrupt-file problem.
func decode(ctx context.Context, kind fileKind, p string, lim grid.Limits) (wb *grid.Workbook, err error) {
	defer grid.Recover("read", &wb, &err)
	switch kind {
	case kindXLSX:
		return xlsx.Decode(ctx, p, lim)
	case kindXLS:
		return xls.Decode(ctx, p, lim)
	case kindODS:
		return ods.Decode(ctx, p, lim)
	case kindCSV:
		return csvtext.Decode(ctx, p, lim)
	}
	return nil, grid.Fail(grid.CodeNotSheet, "not a spreadsheet", nil)
}

// problemReason maps a decoder problem code to the submission's reason
// and the Vietnamese message for the commune.
func problemReason(code, file string, lim grid.Limits) (string, string) {
	switch code {
	case grid.CodeEncrypted:
		return record.ReasonEncrypted, msgEncrypted(file)
	case grid.CodeTooLarge:
		return record.ReasonTooLarge, msgTooLarge(file, lim)
	case grid.CodeUnsupported:
		return record.ReasonUnsupported, msgUnsupported(file)
	case grid.CodeNotSheet:
		return record.ReasonNotSpreadsheet, msgNotSpreadsheet(file)
	}
	return record.ReasonCorrupt, msgCorrupt(file)
}
