// Package xls decodes legacy Excel workbooks (.xls): BIFF8 (Excel 97-2003)
// and BIFF5/7 (Excel 5.0/95) inside an OLE2 compound file, into the common
// grid shape. It reads cell values only (shared strings, labels, numbers,
// booleans, errors, cached formula results), the sheet names and hidden
// state, merged ranges and which numbers carry a date format. Older BIFF2-4
// files and encrypted workbooks are rejected with a grid.Problem.
package xls

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/richardlehane/mscfb"

	"doithoai/stages/read/grid"
)

// oleMagic starts every OLE2 compound file.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Decode reads the .xls workbook at path within the limits. Zero or
// negative limit fields take their grid.DefaultLimits value. Errors are
// *grid.Problem (corrupt, encrypted, unsupported, too_large, or empty when
// the workbook has no worksheet), except a failure to open the file and the
// context's error when ctx ends, both wrapped.
func Decode(ctx context.Context, path string, lim grid.Limits) (*grid.Workbook, error) {
	return grid.DecodeFile(ctx, "xls", path, lim, decodeBytes)
}

// decodeBytes decodes a whole .xls file held in memory.
func decodeBytes(ctx context.Context, data []byte, lim grid.Limits) (*grid.Workbook, error) {
	if len(data) == 0 {
		return nil, grid.Fail(grid.CodeCorrupt, "zero-byte file", nil)
	}
	if bytes.HasPrefix(data, oleMagic) {
		stream, biff, err := workbookStream(ctx, data, lim)
		if err != nil {
			return nil, err
		}
		return decodeStream(ctx, stream, biff, lim)
	}
	if len(data) >= 4 {
		switch binary.LittleEndian.Uint16(data) {
		case recBOF2, recBOF3, recBOF4:
			return nil, unsupportedBIFF(binary.LittleEndian.Uint16(data))
		case recBOF:
			// A bare BIFF5/8 stream without the OLE2 container.
			if int64(len(data)) > lim.MaxUnpackedBytes {
				return nil, tooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: lim.MaxUnpackedBytes}, "workbook stream exceeds %d bytes", lim.MaxUnpackedBytes)
			}
			return decodeStream(ctx, data, 0, lim)
		}
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, grid.Fail(grid.CodeCorrupt, "a zip container (xlsx/ods?), not an Excel 97-2003 file", nil)
	}
	return nil, grid.Fail(grid.CodeCorrupt, "neither an OLE2 compound file nor a BIFF stream", nil)
}

// unsupportedBIFF names the old format whose BOF record type is typ.
func unsupportedBIFF(typ uint16) error {
	v := map[uint16]string{recBOF2: "BIFF2 (Excel 2.x)", recBOF3: "BIFF3 (Excel 3.0)", recBOF4: "BIFF4 (Excel 4.0)"}[typ]
	return grid.Fail(grid.CodeUnsupported, v+" workbook: only Excel 5.0 and later (BIFF5/BIFF8) are read", nil)
}

// workbookStream opens the compound file and returns the bytes of its
// root-level Workbook (BIFF8) or Book (BIFF5) stream and the BIFF version
// the stream name implies.
func workbookStream(ctx context.Context, data []byte, lim grid.Limits) ([]byte, int, error) {
	doc, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		// Some writers get the header's mini FAT sector count wrong; retry
		// once with the count taken from the FAT chain itself.
		fixed, ok := repairMiniFATCount(data)
		if !ok {
			return nil, 0, grid.Fail(grid.CodeCorrupt, "damaged OLE2 compound file", err)
		}
		doc2, err2 := mscfb.New(bytes.NewReader(fixed))
		if err2 != nil {
			return nil, 0, grid.Fail(grid.CodeCorrupt, "damaged OLE2 compound file", err)
		}
		doc = doc2
	}
	var book, workbook *mscfb.File
	var encrypted bool
	for _, f := range doc.File {
		if len(f.Path) != 0 || f.FileInfo().IsDir() {
			continue
		}
		switch strings.ToLower(f.Name) {
		case "workbook":
			if workbook == nil {
				workbook = f
			}
		case "book":
			if book == nil {
				book = f
			}
		case "encryptedpackage", "encryptioninfo":
			encrypted = true
		}
	}
	f, biff := workbook, 8
	if f == nil {
		f, biff = book, 5
	}
	if f == nil {
		if encrypted {
			return nil, 0, grid.Fail(grid.CodeEncrypted, "password-protected Office Open XML workbook", nil)
		}
		return nil, 0, grid.Fail(grid.CodeCorrupt, "OLE2 file without a Workbook or Book stream (not an Excel workbook)", nil)
	}
	if f.Size > lim.MaxUnpackedBytes {
		return nil, 0, tooLarge(grid.Excess{Limit: grid.LimitUnpackedBytes, Max: lim.MaxUnpackedBytes}, "workbook stream is %d bytes, limit %d", f.Size, lim.MaxUnpackedBytes)
	}
	if f.Size > int64(len(data)) {
		return nil, 0, grid.Fail(grid.CodeCorrupt, fmt.Sprintf("workbook stream claims %d bytes in a %d-byte file", f.Size, len(data)), nil)
	}
	stream, err := readStream(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if int64(len(stream)) < f.Size {
		return nil, 0, grid.Fail(grid.CodeCorrupt, fmt.Sprintf("workbook stream truncated: %d of %d bytes", len(stream), f.Size), nil)
	}
	return stream, biff, nil
}

// streamChunk is how much of a stream one read asks for: mscfb's cost per
// read grows with the square of the sectors asked for, so big reads of a
// fragmented (or looping) sector chain would take minutes.
const streamChunk = 64 << 10

// readStream reads the whole stream f, whose Size is already known to be
// within the file's size, in chunks, checking ctx between them.
func readStream(ctx context.Context, f *mscfb.File) ([]byte, error) {
	buf := make([]byte, f.Size)
	n := 0
	for n < len(buf) {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("xls: %w", err)
		}
		k, err := f.Read(buf[n:min(len(buf), n+streamChunk)])
		n += k
		if errors.Is(err, io.EOF) || (err == nil && k == 0) {
			break
		}
		if err != nil {
			return nil, grid.Fail(grid.CodeCorrupt, "cannot read the workbook stream", err)
		}
	}
	return buf[:n], nil
}

// repairMiniFATCount returns a copy of a compound file whose header's mini
// FAT sector count is replaced by the length of the mini FAT's sector chain,
// or false when the header cannot be read or the count is already right.
// Only files whose FAT is listed entirely in the header are handled.
func repairMiniFATCount(data []byte) ([]byte, bool) {
	const (
		endOfChain = 0xFFFFFFFE
		headerLen  = 512
	)
	if len(data) < headerLen {
		return nil, false
	}
	shift := binary.LittleEndian.Uint16(data[0x1E:])
	if shift != 9 && shift != 12 {
		return nil, false
	}
	ss := 1 << shift
	numFAT := int(binary.LittleEndian.Uint32(data[0x2C:]))
	miniStart := binary.LittleEndian.Uint32(data[0x3C:])
	numMini := binary.LittleEndian.Uint32(data[0x40:])
	numDIFAT := binary.LittleEndian.Uint32(data[0x48:])
	if numDIFAT != 0 || numFAT <= 0 || numFAT > 109 {
		return nil, false
	}
	sector := func(sn uint32) []byte {
		off := int64(sn+1) * int64(ss)
		if sn >= 0xFFFFFFFA || off+int64(ss) > int64(len(data)) {
			return nil
		}
		return data[off : off+int64(ss)]
	}
	var fat []uint32
	for i := 0; i < numFAT; i++ {
		sec := sector(binary.LittleEndian.Uint32(data[0x4C+4*i:]))
		if sec == nil {
			return nil, false
		}
		for j := 0; j+4 <= len(sec); j += 4 {
			fat = append(fat, binary.LittleEndian.Uint32(sec[j:]))
		}
	}
	count := uint32(0)
	for sn := miniStart; sn != endOfChain; sn = fat[sn] {
		if int(sn) >= len(fat) || int(count) >= len(fat) {
			return nil, false // broken or looping chain
		}
		count++
	}
	if count == numMini {
		return nil, false
	}
	fixed := bytes.Clone(data)
	binary.LittleEndian.PutUint32(fixed[0x40:], count)
	return fixed, true
}
