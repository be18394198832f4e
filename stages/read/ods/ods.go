// Package ods decodes OpenDocument spreadsheets (.ods, and flat XML .fods)
// into the common grid shape. It checks the zip container against the
// limits before inflating anything, then streams content.xml through an
// XML token loop, so huge repeats of empty rows and columns cost nothing.
package ods

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"doithoai/stages/read/grid"
)

// Container signatures.
var (
	zipMagic      = []byte("PK\x03\x04")
	zipEmptyMagic = []byte("PK\x05\x06")
	oleMagic      = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// maxRatio is the largest accepted inflate ratio of a part bigger than
// ratioFloor bytes; real spreadsheet XML stays far below it.
const (
	maxRatio   = 500
	ratioFloor = 1 << 20
)

// Decode reads the OpenDocument spreadsheet at path within the limits.
// Zero or negative limit fields take their grid.DefaultLimits value. A zip
// (.ods) and a flat XML document (.fods) are both accepted, whatever the
// file's extension. Errors are *grid.Problem (corrupt, encrypted,
// too_large, empty, not_spreadsheet, unsupported) except for I/O failures
// and context cancellation.
func Decode(ctx context.Context, path string, lim grid.Limits) (*grid.Workbook, error) {
	return grid.DecodeFile(ctx, "ods", path, lim, decodeBytes)
}

// decodeBytes decodes a whole file held in memory.
func decodeBytes(ctx context.Context, data []byte, lim grid.Limits) (*grid.Workbook, error) {
	switch {
	case len(data) == 0:
		return nil, grid.Fail(grid.CodeCorrupt, "zero-byte file", nil)
	case bytes.HasPrefix(data, zipMagic), bytes.HasPrefix(data, zipEmptyMagic):
		return decodeZip(ctx, data, lim)
	case bytes.HasPrefix(data, oleMagic):
		return nil, grid.Fail(grid.CodeCorrupt, "an OLE2 compound file (xls or encrypted xlsx), not an OpenDocument spreadsheet", nil)
	case looksLikeXML(data):
		return decodeFlat(ctx, data, lim)
	}
	return nil, grid.Fail(grid.CodeCorrupt, "neither a zip archive nor a flat OpenDocument XML file", nil)
}

// looksLikeXML reports whether data starts (after a BOM and white space)
// with '<'.
func looksLikeXML(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '<'
}

// decodeFlat decodes a flat OpenDocument (.fods) XML document.
func decodeFlat(ctx context.Context, data []byte, lim grid.Limits) (*grid.Workbook, error) {
	if int64(len(data)) > lim.MaxPartBytes {
		return nil, grid.TooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: lim.MaxPartBytes}, "XML document is %d bytes, limit %d", len(data), lim.MaxPartBytes)
	}
	return parseContent(ctx, bytes.NewReader(data), lim, nil)
}

// budget counts decompressed bytes across the parts of one archive.
type budget struct {
	used, max int64
}

// limitedReader counts the bytes read from one zip part and fails once the
// part or the whole archive goes over its limit.
type limitedReader struct {
	r        io.Reader
	n, max   int64
	b        *budget
	exceeded bool
}

// errLimit is returned by limitedReader when a limit is hit.
var errLimit = errors.New("decompressed size limit exceeded")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.exceeded {
		return 0, errLimit
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	l.b.used += int64(n)
	if l.n > l.max || l.b.used > l.b.max {
		l.exceeded = true
		return n, errLimit
	}
	return n, err
}

// archive is an opened .ods zip with its entries indexed by normalised name.
type archive struct {
	files map[string]*zip.File
	bud   *budget
	lim   grid.Limits
}

// normName lower-cases a zip entry name and uses '/' separators, so that
// "META-INF\manifest.xml" and "/Content.xml" are found.
func normName(n string) string {
	n = strings.ReplaceAll(n, "\\", "/")
	return strings.ToLower(strings.TrimLeft(path.Clean("/"+n), "/"))
}

// open returns a limited reader over the named part, after checking its
// declared sizes so that a zip bomb is refused before it is inflated.
func (a *archive) open(name string, max int64) (*limitedReader, io.Closer, error) {
	f := a.files[name]
	if max > a.lim.MaxPartBytes {
		max = a.lim.MaxPartBytes
	}
	size := f.UncompressedSize64
	if size > uint64(max) {
		return nil, nil, grid.TooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: max}, "%s declares %d bytes, limit %d", f.Name, size, max)
	}
	if a.bud.used+int64(size) > a.bud.max {
		return nil, nil, grid.TooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: a.bud.max}, "archive unpacks to more than %d bytes", a.bud.max)
	}
	if size > ratioFloor && f.CompressedSize64 > 0 && size/f.CompressedSize64 > maxRatio {
		return nil, nil, grid.TooLarge(grid.Excess{Limit: grid.LimitZipRatio, Max: maxRatio}, "%s inflates %d:1 (zip bomb?)", f.Name, size/f.CompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, nil, grid.Fail(grid.CodeUnsupported, fmt.Sprintf("%s uses an unknown zip compression method", f.Name), err)
		}
		return nil, nil, grid.Fail(grid.CodeCorrupt, fmt.Sprintf("cannot open %s in the zip archive", f.Name), err)
	}
	return &limitedReader{r: rc, max: max, b: a.bud}, rc, nil
}

// readSmall reads a whole small part (manifest, mimetype).
func (a *archive) readSmall(name string, max int64) ([]byte, error) {
	lr, c, err := a.open(name, max)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	data, err := io.ReadAll(lr)
	if err != nil {
		if lr.exceeded {
			return nil, grid.TooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: max}, "%s exceeds its size limit", name)
		}
		return nil, grid.Fail(grid.CodeCorrupt, fmt.Sprintf("cannot read %s", name), err)
	}
	return data, nil
}

// decodeZip decodes a zipped OpenDocument spreadsheet.
func decodeZip(ctx context.Context, data []byte, lim grid.Limits) (*grid.Workbook, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return nil, grid.Fail(grid.CodeCorrupt, "not a readable zip archive (truncated or damaged)", err)
	}
	a := &archive{files: map[string]*zip.File{}, bud: &budget{max: lim.MaxUnpackedBytes}, lim: lim}
	for _, f := range zr.File {
		n := normName(f.Name)
		if _, dup := a.files[n]; !dup {
			a.files[n] = f
		}
	}
	if len(a.files) == 0 {
		return nil, grid.Fail(grid.CodeCorrupt, "empty zip archive", nil)
	}

	if f, ok := a.files["mimetype"]; ok && f.UncompressedSize64 <= 1024 {
		mt, err := a.readSmall("mimetype", 1024)
		if err != nil {
			return nil, err
		}
		m := strings.TrimSpace(string(mt))
		if strings.HasPrefix(m, "application/vnd.oasis.opendocument.") && !strings.Contains(m, "spreadsheet") {
			return nil, grid.Fail(grid.CodeNotSheet, fmt.Sprintf("OpenDocument file of type %q, not a spreadsheet", m), nil)
		}
	}
	encrypted := false
	if _, ok := a.files["meta-inf/manifest.xml"]; ok {
		man, err := a.readSmall("meta-inf/manifest.xml", 4<<20)
		if err != nil {
			return nil, err
		}
		encrypted = bytes.Contains(man, []byte("encryption-data"))
	}
	if encrypted {
		return nil, grid.Fail(grid.CodeEncrypted, "password-protected OpenDocument file (manifest has encryption-data)", nil)
	}
	if _, ok := a.files["content.xml"]; !ok {
		switch {
		case a.files["[content_types].xml"] != nil:
			return nil, grid.Fail(grid.CodeCorrupt, "zip holds an Office Open XML package (xlsx?), not an OpenDocument spreadsheet", nil)
		case a.files["index/document.iwa"] != nil:
			return nil, grid.Fail(grid.CodeUnsupported, "Apple Numbers document", nil)
		}
		return nil, grid.Fail(grid.CodeCorrupt, "zip archive has no content.xml", nil)
	}

	lr, c, err := a.open("content.xml", lim.MaxPartBytes)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return parseContent(ctx, lr, lim, lr)
}
