package read

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// fuzzExts are the names a fuzzed file is saved under: each decoder's own
// extension, and one the reader does not know (the bytes decide).
var fuzzExts = []string{".xlsx", ".xls", ".ods", ".csv", ".bin"}

// fuzzReadLimits are small, so that every input stays cheap and hostile
// ones hit the limits.
var fuzzReadLimits = grid.Limits{
	MaxFileBytes: 1 << 20, MaxUnpackedBytes: 8 << 20, MaxPartBytes: 4 << 20,
	MaxSheets: 8, MaxRows: 500, MaxCols: 64, MaxCells: 5000, MaxCellChars: 500, MaxXMLDepth: 64,
	MaxCellBytes: 4000, MaxSheetBytes: 200_000, MaxWorkbookBytes: 400_000,
}

// FuzzRead feeds arbitrary bytes, saved under each extension, to the whole
// Reader.Read of a commune's submission. Whatever the bytes, Read returns
// no error, and a verdict: accepted, or rejected with a reason and exactly
// one file-level finding that names the file. A panic that Read (or a
// decoder) recovered from is reported too: it is a bug, even though the
// file is rejected as corrupt all the same.
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s.data, s.ext)
	}
	p := plan.Default()
	dir := f.TempDir() // one folder: t.TempDir per input is slow
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		ext := fuzzExts[int(which)%len(fuzzExts)]
		file := readtest.WriteTempIn(t, dir, "*"+ext, data)
		panics := &panicLog{}
		rd := &Reader{Plan: p, Limits: fuzzReadLimits, Logger: slog.New(panics)}
		sub := record.Submission{ID: "fuzz", Path: "29956/Biểu mẫu" + ext, Size: int64(len(data)), ArchivePath: file, FolderHint: "29956"}
		// The limits bound the work; the deadline only turns a hang into
		// a failure instead of a stuck fuzzer.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		wb, err := rd.Read(ctx, sub)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Read did not finish within a minute despite the limits")
		}
		if err != nil {
			t.Fatalf("Read returned an error for bad bytes: %v", err)
		}
		if len(panics.records) > 0 {
			t.Fatalf("Read recovered from a panic:\n%s", panics.records[0])
		}
		checkVerdict(t, sub, wb)
	})
}

// checkVerdict asserts what Read promises for any file: an accepted
// workbook has a form and a commune; a rejected one a reason and one
// file-level finding; every finding names the file.
func checkVerdict(t *testing.T, sub record.Submission, wb record.Workbook) {
	t.Helper()
	for _, fd := range wb.Findings {
		if fd.Path != sub.Path || fd.SubmissionID != sub.ID || !strings.Contains(fd.Message, sub.Path) {
			t.Fatalf("finding does not name the file: %+v", fd)
		}
	}
	switch wb.Status {
	case record.StatusAccepted:
		if wb.Reason != "" || wb.Form == "" || wb.CommuneCode == "" {
			t.Fatalf("accepted with reason %q, form %q, commune %q", wb.Reason, wb.Form, wb.CommuneCode)
		}
	case record.StatusRejected:
		if wb.Reason == "" || len(wb.Findings) != 1 {
			t.Fatalf("rejected with reason %q and %d findings, want a reason and one finding", wb.Reason, len(wb.Findings))
		}
		if fd := wb.Findings[0]; fd.Code != wb.Reason || fd.Severity != record.Error || fd.Row != 0 || fd.Sheet != "" {
			t.Fatalf("rejection finding is not file-level: %+v", fd)
		}
	default:
		t.Fatalf("status %q", wb.Status)
	}
}

// panicLog is a slog.Handler that keeps the records Read logs: it logs
// nothing but recovered panics.
type panicLog struct{ records []string }

func (h *panicLog) Enabled(context.Context, slog.Level) bool { return true }

func (h *panicLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, "\n%s: %v", a.Key, a.Value)
		return true
	})
	h.records = append(h.records, b.String())
	return nil
}

func (h *panicLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *panicLog) WithGroup(string) slog.Handler      { return h }

// fuzzSeed is one seed input: bytes and the index of their extension.
type fuzzSeed struct {
	data []byte
	ext  uint8
}

// fuzzSeeds builds small valid files of every format and a few hostile
// ones.
func fuzzSeeds(f *testing.F) []fuzzSeed {
	const (
		xlsxExt = iota
		xlsExt
		odsExt
		csvExt
		unknownExt
	)
	var seeds []fuzzSeed
	add := func(data []byte, exts ...uint8) {
		for _, e := range exts {
			seeds = append(seeds, fuzzSeed{data, e})
		}
	}

	// A small M1 form written by excelize, and the same cut in half.
	book := filepath.Join(f.TempDir(), "m1.xlsx")
	writeXLSX(f, book, fxSheet{name: "DS", rows: concat(m1Block("UBND XÃ THƯỜNG PHƯỚC 1"), [][]any{m1Header1}, m1Data(3), footerRows),
		merges: []string{"A1:D1"}})
	xlsx, err := os.ReadFile(book)
	if err != nil {
		f.Fatal(err)
	}
	add(xlsx, xlsxExt, xlsExt, unknownExt)
	add(xlsx[:len(xlsx)/2], xlsxExt)
	add(rezip(f, xlsx, func(h *zip.FileHeader) {
		if strings.HasPrefix(h.Name, "xl/worksheets/") {
			h.UncompressedSize64 = 1 << 40 // declares a terabyte
		}
	}), xlsxExt, odsExt)
	add(zipBomb(f), xlsxExt, odsExt)
	add([]byte("PK\x05\x06"+strings.Repeat("\x00", 18)), xlsxExt, odsExt) // an empty zip

	// Real .xls files kept as the xls decoder's fuzz seeds.
	xlsSeeds, _ := filepath.Glob(filepath.Join("xls", "testdata", "fuzzseed", "*.xls"))
	for _, p := range xlsSeeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		add(b, xlsExt)
	}
	if shared := truth.SharedDir(); shared != "" {
		// A commune's real M1 form saved by Excel 97-2003, when present.
		if b, err := os.ReadFile(filepath.Join(shared, "samples", "2022", "inbox", "Long Khanh A", "M1 LKA.xls")); err == nil {
			add(b, xlsExt)
		}
	}
	add([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, xlsExt, xlsxExt) // an OLE2 header alone

	// A small OpenDocument form, zipped and flat.
	content := `<?xml version="1.0" encoding="UTF-8"?><office:document-content ` + odsNS + `><office:body><office:spreadsheet>` +
		`<table:table table:name="DS">` + odsRow("UBND XÃ THƯỜNG PHƯỚC 1") + odsRow("STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Khóm/Ấp") +
		`<table:table-row><table:table-cell office:value-type="float" office:value="1"/>` + odsCells("29956-0100", "Nguyễn Văn Một") +
		`<table:table-cell office:value-type="float" office:value="1970"/>` + odsCells("Ấp 1") + `</table:table-row>` +
		`<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>` +
		`</table:table></office:spreadsheet></office:body></office:document-content>`
	add(readtest.Zip(f,
		readtest.ZipEntry{Name: "mimetype", Body: "application/vnd.oasis.opendocument.spreadsheet", Method: zip.Store},
		readtest.ZipEntry{Name: "content.xml", Body: content, Method: zip.Deflate}), odsExt, unknownExt)
	add([]byte(strings.Replace(content, "office:document-content", "office:document", 2)), odsExt)

	// CSV forms: UTF-8 with a BOM, and Windows-1258 with semicolons.
	add([]byte("\ufeffUBND XÃ THƯỜNG PHƯỚC 1,,,,\nDANH SÁCH HỘ NGHÈO DỰ KIẾN THOÁT NGHÈO,,,,\nSTT,Mã hộ,Họ và tên chủ hộ,Năm sinh,Giới tính\n"+
		"(1),(2),(3),(4),(5)\n1,29956-0001,Lê Thị Hoa,1960,Nữ\n2,29956-0002,\"Phan Văn\nTư\",1955,Nam\n,Người lập biểu,,,\n"), csvExt)
	add([]byte("STT;Ho\xD2 t\xEAn;N\xE3m sinh\r\n1;Nguy\xEA\xDEn V\xE3n Ha\xD2i;1959\r\n"), csvExt)

	// Not a spreadsheet.
	add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), unknownExt, xlsxExt)
	add(nil, xlsxExt, csvExt, unknownExt)
	return seeds
}

// odsNS declares the OpenDocument namespaces of the seed content.
const odsNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
	`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"`

// odsCells are string cells of an OpenDocument row.
func odsCells(texts ...string) string {
	var b strings.Builder
	for _, s := range texts {
		b.WriteString(`<table:table-cell office:value-type="string"><text:p>` + s + `</text:p></table:table-cell>`)
	}
	return b.String()
}

// odsRow is an OpenDocument row of string cells.
func odsRow(texts ...string) string {
	return `<table:table-row>` + odsCells(texts...) + `</table:table-row>`
}

// rezip copies a zip archive entry by entry without inflating anything,
// letting edit change each entry's header (e.g. its declared size).
func rezip(f *testing.F, data []byte, edit func(*zip.FileHeader)) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		h := zf.FileHeader
		edit(&h)
		raw, err := zf.OpenRaw()
		if err != nil {
			f.Fatal(err)
		}
		w, err := zw.CreateRaw(&h)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := io.Copy(w, raw); err != nil {
			f.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb is an xlsx-looking zip whose sheet inflates 16 MiB of zeros
// from a few kilobytes.
func zipBomb(f *testing.F) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []struct{ name, body string }{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>`},
		{"xl/worksheets/sheet1.xml", strings.Repeat("\x00", 16<<20)},
	} {
		w, err := zw.Create(e.name)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := io.WriteString(w, e.body); err != nil {
			f.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}
