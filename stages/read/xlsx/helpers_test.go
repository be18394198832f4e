package xlsx

import (
	"archive/zip"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// Namespaces of the raw fixtures.
const (
	nsMain       = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel        = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel     = "http://schemas.openxmlformats.org/package/2006/relationships"
	nsStrictMain = "http://purl.oclc.org/ooxml/spreadsheetml/main"
	nsStrictRel  = "http://purl.oclc.org/ooxml/officeDocument/relationships"
)

// rawBook is a hand-written package: part name -> content. It lets the
// tests reproduce what odd writers put in their files.
type rawBook map[string]string

// newRawBook makes a one-sheet package around the given <sheetData>
// content (plus anything after sheetData, e.g. mergeCells). Its styles
// define cell formats 0 General, 1 built-in date 14, 2 custom dd/mm/yyyy,
// 3 custom #,##0" đ" (a number), 4 built-in 4, 5 custom [h]:mm; its
// shared strings are: 0 "Họ tên", 1 rich "Nguyễn Văn A" with a phonetic
// run, 2 "a_x000D_b", 3 "".
func newRawBook(sheetData, after string) rawBook {
	return rawBook{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"_rels/.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="` + nsPkgRel + `">` +
			`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` +
			`<workbookPr/><sheets><sheet name="S1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="` + nsPkgRel + `">` +
			`<Relationship Id="rId1" Type="` + nsRel + `/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="` + nsRel + `/styles" Target="styles.xml"/>` +
			`<Relationship Id="rId3" Type="` + nsRel + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/styles.xml": `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="` + nsMain + `">` +
			`<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="#,##0&quot; đ&quot;"/>` +
			`<numFmt numFmtId="166" formatCode="[h]:mm"/></numFmts>` +
			`<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>` +
			`<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="4"/><xf numFmtId="166"/></cellXfs>` +
			`<dxfs count="1"><dxf><numFmt numFmtId="165" formatCode="yyyy"/></dxf></dxfs></styleSheet>`,
		"xl/sharedStrings.xml": `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="` + nsMain + `" count="4" uniqueCount="4">` +
			`<si><t>Họ tên</t></si>` +
			`<si><r><rPr><b/></rPr><t xml:space="preserve">Nguyễn </t></r><r><t>Văn A</t></r><rPh sb="0" eb="1"><t>ググ</t></rPh></si>` +
			`<si><t>a_x000D_b</t></si><si><t/></si></sst>`,
		"xl/worksheets/sheet1.xml": `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` +
			`<sheetData>` + sheetData + `</sheetData>` + after + `</worksheet>`,
	}
}

// write stores the package as a zip file and returns its path.
func (rb rawBook) write(t testing.TB) string {
	t.Helper()
	return rb.writeMethod(t, zip.Deflate)
}

// writeMethod stores the package with the given zip compression method.
func (rb rawBook) writeMethod(t testing.TB, method uint16) string {
	t.Helper()
	names := make([]string, 0, len(rb))
	for n := range rb {
		names = append(names, n)
	}
	slices.Sort(names)
	entries := make([]readtest.ZipEntry, 0, len(names))
	for _, n := range names {
		entries = append(entries, readtest.ZipEntry{Name: n, Body: rb[n], Method: method})
	}
	return writeBytes(t, "raw.xlsx", readtest.Zip(t, entries...))
}

// writeBytes stores bytes in a temporary file.
func writeBytes(t testing.TB, name string, b []byte) string {
	t.Helper()
	return readtest.WriteTemp(t, name, b)
}

// writeExcelize builds a workbook with excelize and saves it.
func writeExcelize(t testing.TB, build func(f *excelize.File) error, opts ...excelize.Options) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := build(f); err != nil {
		t.Fatalf("building fixture: %v", err)
	}
	p := filepath.Join(t.TempDir(), "fixture.xlsx")
	if err := f.SaveAs(p, opts...); err != nil {
		t.Fatalf("saving fixture: %v", err)
	}
	return p
}

// gridRows makes a simple sheet of n rows by m numeric columns.
func gridRows(f *excelize.File, sheet string, n, m int) error {
	for r := 1; r <= n; r++ {
		for c := 1; c <= m; c++ {
			ref, _ := excelize.CoordinatesToCellName(c, r)
			if err := f.SetCellValue(sheet, ref, r*100+c); err != nil {
				return err
			}
		}
	}
	return nil
}

// problemCode is the Problem code of err, "" for nil and "not-a-problem"
// for an error that is no *grid.Problem.
func problemCode(err error) string {
	if err == nil {
		return ""
	}
	var p *grid.Problem
	if !errors.As(err, &p) {
		return "not-a-problem"
	}
	return p.Code
}

// serial1900 is the 1900-system serial of a date.
func serial1900(y int, m time.Month, d int) float64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

// isWorkbookExt reports whether the file name has an OOXML workbook
// extension.
func isWorkbookExt(name string, exts ...string) bool {
	e := strings.ToLower(filepath.Ext(name))
	return slices.Contains(exts, e)
}
