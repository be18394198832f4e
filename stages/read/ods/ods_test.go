package ods

import (
	"archive/zip"
	"context"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

const nsDecl = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
	`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ` +
	`xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ` +
	`xmlns:xlink="http://www.w3.org/1999/xlink" ` +
	`xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"`

const manifestPlain = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>`

const manifestEncrypted = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="4771">
  <manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="abc=">
   <manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="xyz="/>
  </manifest:encryption-data>
 </manifest:file-entry>
</manifest:manifest>`

// body wraps tables in a content.xml document.
func body(styles, tables string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` +
		`<office:document-content ` + nsDecl + ` office:version="1.2">` +
		`<office:automatic-styles>` + styles + `</office:automatic-styles>` +
		`<office:body><office:spreadsheet>` + tables + `</office:spreadsheet></office:body></office:document-content>`
}

// mainContent is the fixture exercising repeats, spans, types and a hidden
// table.
var mainContent = body(
	`<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>`+
		`<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>`,
	`<table:table table:name="Trang1" table:style-name="ta1">`+
		`<table:table-column table:number-columns-repeated="1024"/>`+
		// row 1: a 3x2 merge at A1
		`<table:table-row><table:table-cell office:value-type="string" table:number-columns-spanned="3" table:number-rows-spanned="2"><text:p>UBND XÃ</text:p></table:table-cell>`+
		`<table:covered-table-cell table:number-columns-repeated="2"/><table:table-cell table:number-columns-repeated="1021"/></table:table-row>`+
		// row 2
		`<table:table-row><table:covered-table-cell table:number-columns-repeated="3"/><table:table-cell office:value-type="float" office:value="87079105129" calcext:value-type="float"><text:p>87079105129</text:p></table:table-cell></table:table-row>`+
		// rows 3-4 empty
		`<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>`+
		// row 5: every value type
		`<table:table-row>`+
		`<table:table-cell office:value-type="string"><text:p>A<text:s text:c="2"/>B<text:tab/>C<text:line-break/>D <text:span text:style-name="T1">E</text:span></text:p><text:p><text:a xlink:href="http://x">link</text:a></text:p></table:table-cell>`+
		`<table:table-cell office:value-type="date" office:date-value="2022-03-20"><text:p>20/03/2022</text:p></table:table-cell>`+
		`<table:table-cell office:value-type="date" office:date-value="2021-01-01T12:00:00"><text:p>01/01/2021 12:00</text:p></table:table-cell>`+
		`<table:table-cell office:value-type="time" office:time-value="PT10H30M"><text:p>10:30</text:p></table:table-cell>`+
		`<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>`+
		`<table:table-cell office:value-type="percentage" office:value="0.15"><text:p>15%</text:p></table:table-cell>`+
		`<table:table-cell office:value-type="currency" office:currency="VND" office:value="1500000"><text:p>1.500.000 ₫</text:p></table:table-cell>`+
		`<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>`+
		`<table:table-cell office:value-type="string" table:number-columns-repeated="3"><office:annotation><text:p>comment</text:p></office:annotation><text:p>Ấp 1</text:p></table:table-cell>`+
		`<table:table-cell table:formula="of:=1+1" office:value-type="float" office:value="2"><text:p>2</text:p></table:table-cell>`+
		`<table:table-cell office:value-type="string" office:string-value="sv"/>`+
		`<table:table-cell office:value-type="date" office:date-value="1899-12-31"><text:p>31/12/1899</text:p></table:table-cell>`+
		`<table:table-cell office:value-type="string"><text:p>  lead   multi
 line </text:p></table:table-cell>`+
		`<table:table-cell table:number-columns-repeated="1000"/>`+
		`</table:table-row>`+
		// rows 6-7: a repeated non-empty row
		`<table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1023"/></table:table-row>`+
		// the usual huge tail of empty rows
		`<table:table-row table:number-rows-repeated="1048568"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>`+
		`<table:table-row><table:table-cell table:number-columns-repeated="1024"/></table:table-row>`+
		`</table:table>`+
		`<table:table table:name="DanhMuc" table:style-name="ta2"><table:table-row><table:table-cell office:value-type="string"><text:p>Nam</text:p></table:table-cell></table:table-row></table:table>`,
)

// makeODS builds an .ods zip from (name, content) pairs in order; the
// mimetype entry is stored, the others deflated.
func makeODS(t testing.TB, parts ...string) []byte {
	t.Helper()
	var entries []readtest.ZipEntry
	for i := 0; i+1 < len(parts); i += 2 {
		e := readtest.ZipEntry{Name: parts[i], Body: parts[i+1], Method: zip.Deflate}
		if parts[i] == "mimetype" {
			e.Method = zip.Store
		}
		entries = append(entries, e)
	}
	return readtest.Zip(t, entries...)
}

// standard builds a normal .ods around content.
func standard(t testing.TB, content string) []byte {
	return makeODS(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet",
		"META-INF/manifest.xml", manifestPlain, "content.xml", content)
}

// decodeData writes data to a temporary file and decodes it.
func decodeData(t testing.TB, name string, data []byte, lim grid.Limits) (*grid.Workbook, error) {
	t.Helper()
	return Decode(context.Background(), readtest.WriteTemp(t, name, data), lim)
}

func TestDecodeFixture(t *testing.T) {
	wb, err := decodeData(t, "f.ods", standard(t, mainContent), grid.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if wb.Format != "ods" || len(wb.Sheets) != 2 {
		t.Fatalf("format %q, %d sheets", wb.Format, len(wb.Sheets))
	}
	s := wb.Sheets[0]
	if s.Name != "Trang1" || s.Visibility != grid.Visible {
		t.Errorf("sheet 1 = %q %v", s.Name, s.Visibility)
	}
	if h := wb.Sheets[1]; h.Name != "DanhMuc" || h.Visibility != grid.Hidden || len(h.Rows) != 1 || h.Rows[0].Cells[0].Text != "Nam" {
		t.Errorf("sheet 2 = %+v", h)
	}
	var nums []int
	for _, r := range s.Rows {
		nums = append(nums, r.Num)
	}
	if !slices.Equal(nums, []int{1, 2, 5, 6, 7}) {
		t.Fatalf("row numbers %v", nums)
	}
	if want := []grid.Merge{{FromRow: 1, FromCol: 1, ToRow: 2, ToCol: 3}}; !slices.Equal(s.Merges, want) {
		t.Errorf("merges %v, want %v", s.Merges, want)
	}
	cell := func(row, col int) grid.Cell {
		c, _ := readtest.Cell(&s, row, col)
		return c
	}
	tests := []struct {
		row, col int
		want     grid.Cell
	}{
		{1, 1, grid.Cell{Col: 1, Kind: grid.String, Text: "UBND XÃ"}},
		{2, 4, grid.Cell{Col: 4, Kind: grid.Number, Text: "87079105129", Num: 87079105129}},
		{5, 1, grid.Cell{Col: 1, Kind: grid.String, Text: "A  B\tC\nD E\nlink"}},
		{5, 2, grid.Cell{Col: 2, Kind: grid.Date, Text: "44640", Num: 44640}},
		{5, 3, grid.Cell{Col: 3, Kind: grid.Date, Text: "44197.5", Num: 44197.5}},
		{5, 4, grid.Cell{Col: 4, Kind: grid.Date, Text: "0.4375", Num: 0.4375}},
		{5, 5, grid.Cell{Col: 5, Kind: grid.Bool, Text: "TRUE", Num: 1}},
		{5, 6, grid.Cell{Col: 6, Kind: grid.Number, Text: "0.15", Num: 0.15}},
		{5, 7, grid.Cell{Col: 7, Kind: grid.Number, Text: "1500000", Num: 1500000}},
		{5, 8, grid.Cell{Col: 8, Kind: grid.Error, Text: "#DIV/0!", Formula: true}},
		{5, 9, grid.Cell{Col: 9, Kind: grid.String, Text: "Ấp 1"}},
		{5, 11, grid.Cell{Col: 11, Kind: grid.String, Text: "Ấp 1"}},
		{5, 12, grid.Cell{Col: 12, Kind: grid.Number, Text: "2", Num: 2, Formula: true}},
		{5, 13, grid.Cell{Col: 13, Kind: grid.String, Text: "sv"}},
		{5, 14, grid.Cell{Col: 14, Kind: grid.String, Text: "31/12/1899"}},
		{5, 15, grid.Cell{Col: 15, Kind: grid.String, Text: "lead multi line "}},
		{6, 1, grid.Cell{Col: 1, Kind: grid.String, Text: "x"}},
		{7, 1, grid.Cell{Col: 1, Kind: grid.String, Text: "x"}},
		{3, 1, grid.Cell{}},
	}
	for _, tc := range tests {
		if got := cell(tc.row, tc.col); got != tc.want {
			t.Errorf("R%dC%d = %+v, want %+v", tc.row, tc.col, got, tc.want)
		}
	}
	if n := len(s.Rows[2].Cells); n != 15 {
		t.Errorf("row 5 has %d cells, want 15", n)
	}
}

func TestDateSerial(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1900-01-01", 1, true},
		{"1900-02-28", 59, true},
		{"1900-03-01", 61, true},
		{"2022-03-01", 44621, true},
		{"2022-03-20T06:00:00", 44640.25, true},
		{"2022-03-20T06:00:00.5Z", 44640.25 + 0.5/86400, true},
		{"1899-12-31", 0, false},
		{"junk", 0, false},
	}
	for _, tc := range tests {
		got, ok := dateSerial(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("dateSerial(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	durs := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"PT12H", 0.5, true},
		{"PT36H", 1.5, true},
		{"P1DT6H", 1.25, true},
		{"-PT6H", -0.25, true},
		{"PT10H10M10.5S", (10*3600 + 10*60 + 10.5) / 86400, true},
		{"P1Y", 0, false},
		{"PT", 0, false},
		{"12:00", 0, false},
	}
	for _, tc := range durs {
		got, ok := durationDays(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("durationDays(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDecodeProblems(t *testing.T) {
	small := grid.DefaultLimits
	small.MaxCells = 3
	tinyPart := grid.DefaultLimits
	tinyPart.MaxPartBytes = 200
	oneRow := func(cells string) string {
		return body("", `<table:table table:name="S"><table:table-row>`+cells+`</table:table-row></table:table>`)
	}
	deep := body("", `<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>`+
		strings.Repeat("<text:span>", 300)+"x"+strings.Repeat("</text:span>", 300)+
		`</text:p></table:table-cell></table:table-row></table:table>`)
	full := standard(t, mainContent)
	tests := []struct {
		name string
		data []byte
		lim  grid.Limits
		code string
	}{
		{"zero bytes", nil, grid.DefaultLimits, grid.CodeCorrupt},
		{"plain text", []byte("hello, world"), grid.DefaultLimits, grid.CodeCorrupt},
		{"ole2", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), grid.DefaultLimits, grid.CodeCorrupt},
		{"truncated zip", full[:len(full)/2], grid.DefaultLimits, grid.CodeCorrupt},
		{"encrypted", makeODS(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet",
			"META-INF/manifest.xml", manifestEncrypted, "content.xml", "\x01\x02binary"), grid.DefaultLimits, grid.CodeEncrypted},
		{"no content.xml", makeODS(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet",
			"META-INF/manifest.xml", manifestPlain), grid.DefaultLimits, grid.CodeCorrupt},
		{"xlsx in disguise", makeODS(t, "[Content_Types].xml", "<Types/>", "xl/workbook.xml", "<workbook/>"), grid.DefaultLimits, grid.CodeCorrupt},
		{"text document", makeODS(t, "mimetype", "application/vnd.oasis.opendocument.text",
			"content.xml", "<x/>"), grid.DefaultLimits, grid.CodeNotSheet},
		{"bad xml", standard(t, `<office:document-content `+nsDecl+`><office:body><table:table`), grid.DefaultLimits, grid.CodeCorrupt},
		{"no table", standard(t, body("", "")), grid.DefaultLimits, grid.CodeEmpty},
		{"column repeat bomb", standard(t, oneRow(`<table:table-cell table:number-columns-repeated="999999999" office:value-type="string"><text:p>X</text:p></table:table-cell>`)),
			grid.DefaultLimits, grid.CodeTooLarge},
		{"row repeat bomb", standard(t, body("", `<table:table table:name="S"><table:table-row table:number-rows-repeated="999999999"><table:table-cell office:value-type="float" office:value="1"/></table:table-row></table:table>`)),
			grid.DefaultLimits, grid.CodeTooLarge},
		{"cell limit", standard(t, oneRow(`<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="4"/>`)), small, grid.CodeTooLarge},
		{"depth", standard(t, deep), grid.DefaultLimits, grid.CodeTooLarge},
		{"part limit", full, tinyPart, grid.CodeTooLarge},
		{"ratio bomb", standard(t, body("", strings.Repeat(" ", 4<<20))), grid.DefaultLimits, grid.CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wb, err := decodeData(t, "x.ods", tc.data, tc.lim)
			readtest.WantProblem(t, wb, err, tc.code)
		})
	}
}

func TestDecodeVariants(t *testing.T) {
	cut := grid.DefaultLimits
	cut.MaxCellChars = 5
	longSpace := body("", `<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>ab<text:s text:c="999999999"/>cd</text:p></table:table-cell></table:table-row></table:table>`)
	flat := `<?xml version="1.0" encoding="UTF-8"?><office:document ` + nsDecl + ` office:mimetype="application/vnd.oasis.opendocument.spreadsheet">` +
		`<office:body><office:spreadsheet><table:table table:name="Flat"><table:table-row table:number-rows-repeated="3"/><table:table-row><table:table-cell office:value-type="float" office:value="42"/></table:table-row></table:table></office:spreadsheet></office:body></office:document>`
	noMime := makeODS(t, "META-INF/manifest.xml", manifestPlain, "Content.xml", mainContent)
	tests := []struct {
		name  string
		file  string
		data  []byte
		lim   grid.Limits
		check func(*testing.T, *grid.Workbook)
	}{
		{"cut long text", "a.ods", standard(t, longSpace), cut, func(t *testing.T, wb *grid.Workbook) {
			if c := wb.Sheets[0].Rows[0].Cells[0]; c.Text != "ab   " {
				t.Errorf("text %q", c.Text)
			}
			if len(wb.Notes) != 1 || !strings.Contains(wb.Notes[0], "cut to 5") {
				t.Errorf("notes %q", wb.Notes)
			}
		}},
		{"flat fods", "a.fods", []byte(flat), grid.DefaultLimits, func(t *testing.T, wb *grid.Workbook) {
			s := wb.Sheets[0]
			if s.Name != "Flat" || len(s.Rows) != 1 || s.Rows[0].Num != 4 || s.Rows[0].Cells[0].Num != 42 {
				t.Errorf("sheet %+v", s)
			}
		}},
		{"no mimetype, odd case", "a.ods", noMime, grid.DefaultLimits, func(t *testing.T, wb *grid.Workbook) {
			if len(wb.Sheets) != 2 {
				t.Errorf("%d sheets", len(wb.Sheets))
			}
		}},
		{"zero limits mean defaults", "a.ods", standard(t, mainContent), grid.Limits{}, func(t *testing.T, wb *grid.Workbook) {
			if len(wb.Sheets[0].Rows) != 5 {
				t.Errorf("%d rows", len(wb.Sheets[0].Rows))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wb, err := decodeData(t, tc.file, tc.data, tc.lim)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, wb)
		})
	}
}

func TestSamplesAgainstTruth(t *testing.T) {
	set, truth := readtest.SampleSet(t, "2022")
	files, checked := 0, 0
	for _, f := range truth.Files {
		if f.Format != "ods" {
			continue
		}
		files++
		wb, err := Decode(context.Background(), filepath.Join(set, "inbox", filepath.FromSlash(f.Path)), grid.DefaultLimits)
		if f.Expect != "accepted" && f.Expect != "" && strings.HasPrefix(f.Expect, "rejected") {
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		for _, ts := range f.Sheets {
			i := slices.IndexFunc(wb.Sheets, func(s grid.Sheet) bool { return s.Name == ts.Name })
			if i < 0 {
				t.Errorf("%s: sheet %q missing", f.Path, ts.Name)
				continue
			}
			if hidden := wb.Sheets[i].Visibility != grid.Visible; hidden != (ts.State != "visible") {
				t.Errorf("%s: sheet %q visibility %v, truth %s", f.Path, ts.Name, wb.Sheets[i].Visibility, ts.State)
			}
		}
		for _, tr := range truth.Rows {
			if tr.Path != f.Path || tr.Check.Text == "" {
				continue
			}
			checked++
			if !rowHasText(wb, tr.Sheet, tr.Row, readtest.NormText(tr.Check.Text)) {
				t.Errorf("%s: sheet %q row %d lacks %q (%s)", f.Path, tr.Sheet, tr.Row, tr.Check.Text, tr.Check.Column)
			}
		}
	}
	if files == 0 || checked == 0 {
		t.Fatalf("truth has %d ods files, %d checked rows", files, checked)
	}
	t.Logf("%d ods sample files, %d truth rows found", files, checked)
}

// rowHasText reports whether the row holds a cell whose normalised text is want.
func rowHasText(wb *grid.Workbook, sheet string, row int, want string) bool {
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range s.Rows {
			if r.Num != row {
				continue
			}
			for _, c := range r.Cells {
				if readtest.NormText(c.Text) == want {
					return true
				}
			}
		}
	}
	return false
}

func TestRealWorldCorpus(t *testing.T) {
	root := filepath.Join(readtest.SharedDir(t), "corpus", "realworld")
	notes, _ := readtest.ReadManifest(root) // without it, files are only decoded
	counts := map[string]int{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if ext != ".ods" && ext != ".fods" {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		wb, err := readtest.DecodeWithin(t, Decode, p, grid.DefaultLimits, 20*time.Second)
		note := notes[rel]
		code := "ok"
		if err != nil {
			code = grid.CodeOf(err)
		}
		counts[code]++
		t.Logf("%s: %s %s", rel, code, readtest.Describe(wb, err))
		switch {
		case strings.Contains(note, "encrypted"):
			if code != grid.CodeEncrypted {
				t.Errorf("%s (%s): got %s, want encrypted", rel, note, code)
			}
		case strings.Contains(note, "EXTENSION MISMATCH"):
			if err == nil {
				t.Errorf("%s (%s): decoded, want a rejection", rel, note)
			}
		case strings.Contains(note, "max repeat count 999999999"):
			if code != grid.CodeTooLarge {
				t.Errorf("%s (%s): got %s, want too_large", rel, note, code)
			}
		case strings.HasPrefix(note, "ODS") || strings.Contains(note, "| ODS"):
			if err != nil {
				t.Errorf("%s (%s): %v", rel, note, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("realworld ods: %v", counts)
}

func FuzzDecode(f *testing.F) {
	f.Add(standard(f, mainContent))
	f.Add([]byte(`<?xml version="1.0"?><office:document ` + nsDecl + `><office:body><office:spreadsheet><table:table table:name="a"><table:table-row><table:table-cell office:value-type="date" office:date-value="2022-03-20"/></table:table-row></table:table></office:spreadsheet></office:body></office:document>`))
	f.Add(standard(f, body("", `<table:table table:name="S"><table:table-row table:number-rows-repeated="99999"><table:table-cell table:number-columns-repeated="99999" office:value-type="string"><text:p>X<text:s text:c="99999"/></text:p></table:table-cell></table:table-row></table:table>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFuzzResult(t, data)
	})
}

// fuzzLimits are small so that fuzzed inputs hit every limit.
var fuzzLimits = grid.Limits{
	MaxFileBytes: 1 << 20, MaxUnpackedBytes: 4 << 20, MaxPartBytes: 2 << 20,
	MaxSheets: 8, MaxRows: 200, MaxCols: 50, MaxCells: 2000, MaxCellChars: 200, MaxXMLDepth: 64,
	MaxCellBytes: 2000, MaxSheetBytes: 100_000, MaxWorkbookBytes: 200_000,
}

// FuzzDecodeContent fuzzes content.xml itself, wrapped in a valid .ods zip
// (mutating the zip bytes mostly breaks its checksums).
func FuzzDecodeContent(f *testing.F) {
	f.Add([]byte(mainContent))
	f.Add([]byte(body("", `<table:table table:name="S"><table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="9999" office:value-type="time" office:time-value="PT1H"/></table:table-row></table:table>`)))
	f.Fuzz(func(t *testing.T, content []byte) {
		checkFuzzResult(t, standard(t, string(content)))
	})
}

// checkFuzzResult decodes data and checks the result is well formed.
func checkFuzzResult(t *testing.T, data []byte) {
	t.Helper()
	wb, err := decodeData(t, "f.ods", data, fuzzLimits)
	readtest.CheckResult(t, wb, err, fuzzLimits)
}
