package readtest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// Hostile files built by the tests themselves (never committed): each
// builder writes its bomb to a path, streaming the big ones so that the
// test never holds them in memory.

// ODSNamespaces declares the OpenDocument namespaces of built content.
const ODSNamespaces = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
	`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"`

// ODSHead and ODSTail wrap the tables of a built content.xml.
const (
	ODSHead = `<?xml version="1.0" encoding="UTF-8"?><office:document-content ` + ODSNamespaces +
		`><office:body><office:spreadsheet>`
	ODSTail = `</office:spreadsheet></office:body></office:document-content>`
)

// ODSRow is an OpenDocument row of string cells.
func ODSRow(texts ...string) string {
	var b strings.Builder
	b.WriteString(`<table:table-row>`)
	for _, s := range texts {
		b.WriteString(`<table:table-cell office:value-type="string"><text:p>` + s + `</text:p></table:table-cell>`)
	}
	b.WriteString(`</table:table-row>`)
	return b.String()
}

// ODSRepeatBomb is the file of issue 11: one header row, then one row
// repeated rows times whose one cell, holding text, is repeated cols times.
// Its bytes are well under a kilobyte for the 199,990 × 10 of the issue.
func ODSRepeatBomb(t testing.TB, rows, cols int, text string) []byte {
	t.Helper()
	content := ODSHead + `<table:table table:name="DS">` +
		ODSRow("STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Dân tộc", "Khóm/Ấp", "Phân loại hộ", "Ghi chú") +
		fmt.Sprintf(`<table:table-row table:number-rows-repeated="%d"><table:table-cell office:value-type="string" table:number-columns-repeated="%d"><text:p>%s</text:p></table:table-cell></table:table-row>`, rows, cols, text) +
		`</table:table>` + ODSTail
	return ODSZip(t, content)
}

// ODSZip packs content.xml into an .ods archive (mimetype first, stored).
func ODSZip(t testing.TB, content string) []byte {
	t.Helper()
	return Zip(t,
		ZipEntry{Name: "mimetype", Body: "application/vnd.oasis.opendocument.spreadsheet", Method: zip.Store},
		ZipEntry{Name: "content.xml", Body: content, Method: zip.Deflate})
}

// StreamZip writes a zip archive to path whose entries are produced by
// their write functions, compressed at the fastest deflate level.
func StreamZip(t testing.TB, path string, entries ...StreamEntry) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		ew := bufio.NewWriterSize(w, 1<<20)
		e.Write(ew)
		if err := ew.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
}

// StreamEntry is one zip entry written by StreamZip.
type StreamEntry struct {
	Name  string
	Write func(w io.Writer)
}

// Text returns an entry with fixed content.
func Text(name, body string) StreamEntry {
	return StreamEntry{Name: name, Write: func(w io.Writer) { _, _ = io.WriteString(w, body) }}
}

// Filler writes n bytes of text made of a 16 KiB block of random letters
// repeated: it deflates about 100:1, under the zip-bomb ratio the decoders
// refuse at once, so the bytes really reach the XML reader.
func Filler(w io.Writer, n int64) {
	r := rand.New(rand.NewPCG(1, 2))
	block := make([]byte, 16<<10)
	for i := range block {
		block[i] = 'a' + byte(r.IntN(26))
	}
	for n > 0 {
		k := min(n, int64(len(block)))
		_, _ = w.Write(block[:k])
		n -= k
	}
}

// RandomLetters writes n random lowercase letters (they hardly compress).
func RandomLetters(w io.Writer, n int64) {
	r := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 64<<10)
	for n > 0 {
		k := min(n, int64(len(buf)))
		for i := range buf[:k] {
			buf[i] = 'a' + byte(r.IntN(26))
		}
		_, _ = w.Write(buf[:k])
		n -= k
	}
}

// Minimal SpreadsheetML parts of one sheet "DS".
const (
	nsMain        = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	xlsxTypes     = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`
	xlsxWorkbook  = `<workbook xmlns="` + nsMain + `" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>`
	xlsxRelsStart = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	xlsxRelsSST = `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
)

// XLSX writes a one-sheet workbook to path: sheetData writes the rows of
// <sheetData>, sst (when not nil) the items of sharedStrings.xml.
func XLSX(t testing.TB, path string, sheetData, sst func(w io.Writer)) {
	t.Helper()
	rels := xlsxRelsStart
	if sst != nil {
		rels += xlsxRelsSST
	}
	entries := []StreamEntry{
		Text("[Content_Types].xml", xlsxTypes),
		Text("xl/workbook.xml", xlsxWorkbook),
		Text("xl/_rels/workbook.xml.rels", rels+`</Relationships>`),
		{Name: "xl/worksheets/sheet1.xml", Write: func(w io.Writer) {
			_, _ = io.WriteString(w, `<worksheet xmlns="`+nsMain+`"><sheetData>`)
			sheetData(w)
			_, _ = io.WriteString(w, `</sheetData></worksheet>`)
		}},
	}
	if sst != nil {
		entries = append(entries, StreamEntry{Name: "xl/sharedStrings.xml", Write: func(w io.Writer) {
			_, _ = io.WriteString(w, `<sst xmlns="`+nsMain+`">`)
			sst(w)
			_, _ = io.WriteString(w, `</sst>`)
		}})
	}
	StreamZip(t, path, entries...)
}

// SharedRefs writes rows of cells that all reference shared string 0:
// cells of them, ten to a row.
func SharedRefs(cells int) func(w io.Writer) {
	return func(w io.Writer) {
		for i := 0; i < cells; i++ {
			r, c := i/10+1, i%10
			if c == 0 {
				if i > 0 {
					_, _ = io.WriteString(w, `</row>`)
				}
				fmt.Fprintf(w, `<row r="%d">`, r)
			}
			fmt.Fprintf(w, `<c r="%c%d" t="s"><v>0</v></c>`, 'A'+c, r)
		}
		if cells > 0 {
			_, _ = io.WriteString(w, `</row>`)
		}
	}
}

// WriteLine writes a CSV file at path: a header line, then one line of
// one field of n bytes, streamed.
func WriteLine(t testing.TB, path string, n int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	_, _ = bw.WriteString("STT,Mã hộ,Họ và tên chủ hộ\n1,")
	Filler(bw, n)
	_, _ = bw.WriteString(",x\n")
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// BIFF8 building blocks for hostile .xls streams (a bare BIFF8 stream is
// read as an .xls, as Excel itself reads it).

// BIFFRec is one BIFF record of type typ.
func BIFFRec(typ int, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	return append(binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, uint16(typ)), uint16(len(p))), p...)
}

// U16 and U32 are little-endian fields.
func U16(v int) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }

// U32 is a little-endian 32-bit field.
func U32(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }

// BIFF8Book assembles a BIFF8 stream: globals (BOF, the extra records, one
// BOUNDSHEET "DS", EOF), then the sheet substream of body.
func BIFF8Book(globals [][]byte, body []byte) []byte {
	bof := func(dt int) []byte {
		return BIFFRec(0x0809, U16(0x0600), U16(dt), U16(0), U16(0), U32(0), U32(0))
	}
	build := func(offset int) []byte {
		g := [][]byte{bof(0x0005)}
		g = append(g, globals...)
		g = append(g, BIFFRec(0x0085, U32(offset), []byte{0, 0, 2, 0}, []byte("DS")))
		g = append(g, BIFFRec(0x000A))
		return bytes.Join(g, nil)
	}
	head := build(0)
	head = build(len(head))
	return bytes.Join([][]byte{head, bof(0x0010), body, BIFFRec(0x000A)}, nil)
}

// BIFFSST is an SST record of one string of 8-bit characters (at most
// about 8,000 of them: no CONTINUE record is written).
func BIFFSST(s string) []byte {
	return BIFFRec(0x00FC, U32(1), U32(1), U16(len(s)), []byte{0}, []byte(s))
}

// CFB is an OLE2 compound file held in memory, for patching the directory
// entry and the sector chain of one of its streams.
type CFB struct {
	Data   []byte
	sector int
	fat    []uint32
}

// ParseCFB reads the header and FAT (only the 109 header DIFAT entries).
func ParseCFB(data []byte) (*CFB, error) {
	if len(data) < 512 {
		return nil, fmt.Errorf("cfb: short header")
	}
	c := &CFB{Data: data, sector: 1 << binary.LittleEndian.Uint16(data[0x1E:])}
	n := int(binary.LittleEndian.Uint32(data[0x2C:]))
	for i := 0; i < n && i < 109; i++ {
		sec := c.sectorBytes(binary.LittleEndian.Uint32(data[0x4C+4*i:]))
		if sec == nil {
			return nil, fmt.Errorf("cfb: FAT sector out of range")
		}
		for j := 0; j+4 <= len(sec); j += 4 {
			c.fat = append(c.fat, binary.LittleEndian.Uint32(sec[j:]))
		}
	}
	return c, nil
}

func (c *CFB) offset(sn uint32) int { return (int(sn) + 1) * c.sector }

func (c *CFB) sectorBytes(sn uint32) []byte {
	off := c.offset(sn)
	if sn >= 0xFFFFFFFA || off+c.sector > len(c.Data) {
		return nil
	}
	return c.Data[off : off+c.sector]
}

// entry returns the offset of the directory entry named name.
func (c *CFB) entry(name string) (int, error) {
	want := make([]byte, 0, 64)
	for _, r := range name {
		want = binary.LittleEndian.AppendUint16(want, uint16(r))
	}
	for sn, seen := binary.LittleEndian.Uint32(c.Data[0x30:]), 0; sn < 0xFFFFFFFA && seen < len(c.fat); sn, seen = c.fat[sn], seen+1 {
		sec := c.sectorBytes(sn)
		if sec == nil || int(sn) >= len(c.fat) {
			break
		}
		for e := 0; e+128 <= len(sec); e += 128 {
			nameLen := int(binary.LittleEndian.Uint16(sec[e+64:]))
			if nameLen >= 2 && nameLen <= 64 && bytes.EqualFold(sec[e:e+nameLen-2], want) {
				return c.offset(sn) + e, nil
			}
		}
	}
	return 0, fmt.Errorf("cfb: no entry %q", name)
}

// SetSize sets the stream size of the entry named name.
func (c *CFB) SetSize(name string, size uint64) error {
	e, err := c.entry(name)
	if err != nil {
		return err
	}
	binary.LittleEndian.PutUint64(c.Data[e+120:], size)
	return nil
}

// LoopChain makes the first sector of the entry's chain point to itself in
// the FAT, so that its chain never ends.
func (c *CFB) LoopChain(name string) error {
	e, err := c.entry(name)
	if err != nil {
		return err
	}
	start := binary.LittleEndian.Uint32(c.Data[e+116:])
	if int(start) >= len(c.fat) {
		return fmt.Errorf("cfb: start sector %d outside the FAT", start)
	}
	// Find where the FAT entry lives and overwrite it.
	per := uint32(c.sector / 4)
	fatSector := binary.LittleEndian.Uint32(c.Data[0x4C+4*int(start/per):])
	off := c.offset(fatSector) + 4*int(start%per)
	binary.LittleEndian.PutUint32(c.Data[off:], start)
	c.fat[start] = start
	return nil
}
