package xls

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"slices"
	"testing"
	"unicode/utf16"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// Helpers that build small BIFF streams in memory. decodeBytes reads a bare
// BIFF5/8 stream (no OLE2 container), so tests need no compound file.

func u16b(v int) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func u32b(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func f64b(v float64) []byte {
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))
}
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// rec makes one record.
func rec(typ int, payload ...[]byte) []byte {
	p := cat(payload...)
	return cat(u16b(typ), u16b(len(p)), p)
}

// utf16le encodes s as UTF-16LE.
func utf16le(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

// xlStr is a BIFF8 XLUnicodeString (16-bit count, 16-bit characters).
func xlStr(s string) []byte {
	return cat(u16b(len(utf16.Encode([]rune(s)))), []byte{1}, utf16le(s))
}

// cell is the row, column, XF prefix of cell records.
func cell(row, col, xf int) []byte { return cat(u16b(row), u16b(col), u16b(xf)) }

// rkInt encodes an integer RK value.
func rkInt(v int) []byte { return u32b(v<<2 | 0x02) }

func bof8(dt int) []byte {
	return rec(recBOF, u16b(0x0600), u16b(dt), u16b(0), u16b(0), u32b(0), u32b(0))
}
func bof5(dt int) []byte { return rec(recBOF, u16b(0x0500), u16b(dt), u16b(0), u16b(0)) }
func eof() []byte        { return rec(recEOF) }

// synthSheet is one sheet substream of a synthetic workbook.
type synthSheet struct {
	name  string
	state byte
	typ   byte // BOUNDSHEET dt
	body  [][]byte
}

// book8 assembles a BIFF8 workbook stream: globals records, one
// BOUNDSHEET per sheet with the right offsets, then the substreams.
func book8(globals [][]byte, sheets []synthSheet) []byte {
	build := func(offsets []int) []byte {
		g := [][]byte{bof8(bofGlobals)}
		g = append(g, globals...)
		for i, s := range sheets {
			n := len(utf16.Encode([]rune(s.name)))
			g = append(g, rec(recBoundSheet, u32b(offsets[i]), []byte{s.state, s.typ, byte(n), 1}, utf16le(s.name)))
		}
		g = append(g, eof())
		return cat(g...)
	}
	offsets := make([]int, len(sheets))
	pos := len(build(offsets))
	var subs []byte
	for i, s := range sheets {
		offsets[i] = pos
		dt := bofWorksheet
		if s.typ == 2 {
			dt = 0x0020
		}
		sub := cat(bof8(dt), cat(s.body...), eof())
		subs = append(subs, sub...)
		pos += len(sub)
	}
	return cat(build(offsets), subs)
}

// sstRec builds an SST record holding the strings (16-bit characters).
func sstRec(strs ...string) []byte {
	p := cat(u32b(len(strs)), u32b(len(strs)))
	for _, s := range strs {
		p = append(p, xlStr(s)...)
	}
	return rec(recSST, p)
}

// xfRecs makes XF records whose format ids are fmts.
func xfRecs(fmts ...int) [][]byte {
	var out [][]byte
	for _, f := range fmts {
		out = append(out, rec(recXF, u16b(0), u16b(f), make([]byte, 16)))
	}
	return out
}

func decodeSynth(t *testing.T, stream []byte, lim grid.Limits) (*grid.Workbook, error) {
	t.Helper()
	return Decode(context.Background(), readtest.WriteTemp(t, "book.xls", stream), lim)
}

// richBook is a BIFF8 workbook exercising every cell record.
func richBook(date1904 bool) []byte {
	mode := 0
	if date1904 {
		mode = 1
	}
	globals := [][]byte{
		rec(recCodePage, u16b(1200)),
		rec(recDateMode, u16b(mode)),
		rec(recFormat, u16b(164), xlStr(`dd/mm/yyyy;@`)),
		rec(recFormat, u16b(165), xlStr(`#,##0" ngày"`)),
	}
	// XF 0 General, 1 built-in date 14, 2 custom date 164, 3 custom number 165.
	globals = append(globals, xfRecs(0, 14, 164, 165)...)
	globals = append(globals, sstRec("Họ và tên chủ hộ", "Lê Văn Bé", ""))
	body := [][]byte{
		rec(recLabelSST, cell(0, 0, 0), u32b(0)),
		rec(recLabelSST, cell(1, 0, 0), u32b(1)),
		rec(recLabelSST, cell(1, 9, 0), u32b(2)), // empty string: no cell
		rec(recNumber, cell(1, 1, 0), f64b(87079105129)),
		rec(recRK, cell(1, 2, 0), rkInt(1959)),
		rec(recRK, cell(1, 3, 1), rkInt(44621)),
		rec(recMulRK, u16b(2), u16b(0), u16b(0), rkInt(7), u16b(2), rkInt(44000), u16b(3), rkInt(5), u16b(2)),
		rec(recBoolErr, cell(3, 0, 0), []byte{1, 0}),
		rec(recBoolErr, cell(3, 1, 0), []byte{0x2A, 1}),
		rec(recFormula, cell(4, 0, 0), f64b(0.5), u16b(0), u32b(0), u16b(0)),
		rec(recFormula, cell(4, 1, 0), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, u16b(0), u32b(0), u16b(0)),
		rec(recString, xlStr("kết quả")),
		rec(recFormula, cell(4, 2, 0), []byte{1, 0, 1, 0, 0, 0, 0xFF, 0xFF}, u16b(0), u32b(0), u16b(0)),
		rec(recLabel, cell(5, 0, 0), xlStr("nhãn")),
		rec(recNumber, cell(5, 1, 0), f64b(-0.25)),
		rec(recNumber, cell(5, 2, 1), f64b(-3)), // negative with date format: a number
		rec(recMerged, u16b(2), u16b(0), u16b(1), u16b(0), u16b(2), u16b(5), u16b(4), u16b(1), u16b(0)),
		// An embedded chart substream inside the worksheet is skipped.
		bof8(0x0020), rec(recNumber, cell(9, 9, 0), f64b(1)), eof(),
		rec(recNumber, cell(0, 5, 0), f64b(1)),
		rec(recNumber, cell(0, 5, 0), f64b(2)), // a later record for the same cell wins
	}
	return book8(globals, []synthSheet{
		{name: "M1", body: body},
		{name: "Biểu đồ", typ: 2},
		{name: "DM", state: 1, body: [][]byte{rec(recLabel, cell(0, 0, 0), xlStr("x"))}},
		{name: "VH", state: 2},
	})
}

func TestDecodeSynthetic(t *testing.T) {
	wb, err := decodeSynth(t, richBook(false), grid.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if wb.Format != "xls" || wb.Date1904 {
		t.Errorf("format %q date1904 %v", wb.Format, wb.Date1904)
	}
	var names []string
	var vis []grid.Visibility
	for _, s := range wb.Sheets {
		names = append(names, s.Name)
		vis = append(vis, s.Visibility)
	}
	if want := []string{"M1", "DM", "VH"}; !slices.Equal(names, want) {
		t.Fatalf("sheets %q, want %q (chart sheet skipped)", names, want)
	}
	if vis[0] != grid.Visible || vis[1] != grid.Hidden || vis[2] != grid.VeryHidden {
		t.Errorf("visibility %v", vis)
	}
	sh := wb.Sheets[0]
	tests := []struct {
		row, col int
		kind     grid.Kind
		text     string
		num      float64
		formula  bool
	}{
		{1, 1, grid.String, "Họ và tên chủ hộ", 0, false},
		{1, 6, grid.Number, "2", 2, false},
		{2, 1, grid.String, "Lê Văn Bé", 0, false},
		{2, 2, grid.Number, "87079105129", 87079105129, false},
		{2, 3, grid.Number, "1959", 1959, false},
		{2, 4, grid.Date, "44621", 44621, false},
		{3, 1, grid.Number, "7", 7, false},
		{3, 2, grid.Date, "44000", 44000, false},
		{3, 3, grid.Number, "5", 5, false},
		{4, 1, grid.Bool, "TRUE", 0, false},
		{4, 2, grid.Error, "#N/A", 0, false},
		{5, 1, grid.Number, "0.5", 0.5, true},
		{5, 2, grid.String, "kết quả", 0, true},
		{5, 3, grid.Bool, "TRUE", 0, true},
		{6, 1, grid.String, "nhãn", 0, false},
		{6, 2, grid.Number, "-0.25", -0.25, false},
		{6, 3, grid.Number, "-3", -3, false},
	}
	for _, tc := range tests {
		c, ok := readtest.Cell(&sh, tc.row, tc.col)
		if !ok {
			t.Errorf("R%dC%d missing", tc.row, tc.col)
			continue
		}
		if c.Kind != tc.kind || c.Text != tc.text || c.Num != tc.num || c.Formula != tc.formula {
			t.Errorf("R%dC%d = %+v, want kind %s text %q num %v formula %v", tc.row, tc.col, c, tc.kind, tc.text, tc.num, tc.formula)
		}
	}
	if _, ok := readtest.Cell(&sh, 2, 10); ok {
		t.Error("empty shared string produced a cell")
	}
	if _, ok := readtest.Cell(&sh, 10, 10); ok {
		t.Error("cell of an embedded chart substream leaked into the sheet")
	}
	for i := 1; i < len(sh.Rows); i++ {
		if sh.Rows[i].Num <= sh.Rows[i-1].Num {
			t.Errorf("rows out of order: %d after %d", sh.Rows[i].Num, sh.Rows[i-1].Num)
		}
	}
	want := grid.Merge{FromRow: 1, FromCol: 1, ToRow: 2, ToCol: 3}
	if len(sh.Merges) != 1 || sh.Merges[0] != want {
		t.Errorf("merges %+v, want only %+v (inverted range dropped)", sh.Merges, want)
	}
}

func TestDecodeSynthetic1904(t *testing.T) {
	wb, err := decodeSynth(t, richBook(true), grid.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if !wb.Date1904 {
		t.Error("Date1904 not set")
	}
	c, _ := readtest.Cell(&wb.Sheets[0], 2, 4)
	if c.Kind != grid.Date || c.Num != 44621+1462 || c.Text != "46083" {
		t.Errorf("1904 date cell %+v, want serial 46083", c)
	}
	c, _ = readtest.Cell(&wb.Sheets[0], 2, 3)
	if c.Kind != grid.Number || c.Num != 1959 {
		t.Errorf("plain number changed by 1904 mode: %+v", c)
	}
}

// TestSSTContinue splits shared strings across CONTINUE records: one
// string's characters continue twice with a fresh option byte (16-bit, then
// 8-bit, then 16-bit again), and another string's rich-text runs straddle
// two records before its phonetic data.
func TestSSTContinue(t *testing.T) {
	want := []string{"Nguyen Văn Ánh", "Trần Thị B", "Kin"}
	sst := cat(u32b(3), u32b(3), u16b(14), []byte{1}, utf16le("Ngu"))
	cont1 := cat([]byte{0}, []byte("yen "))
	cont2 := cat([]byte{1}, utf16le("Văn Ánh"),
		u16b(10), []byte{0x0D}, u16b(2), u32b(6), utf16le("Trần Thị B"), []byte{1, 0})
	cont3 := cat([]byte{0, 0, 5, 0, 1, 0}, make([]byte, 6),
		u16b(3), []byte{0}, []byte("Kin"))
	globals := [][]byte{rec(recSST, sst), rec(recContinue, cont1), rec(recContinue, cont2), rec(recContinue, cont3)}
	body := [][]byte{
		rec(recLabelSST, cell(0, 0, 0), u32b(0)),
		rec(recLabelSST, cell(0, 1, 0), u32b(1)),
		rec(recLabelSST, cell(0, 2, 0), u32b(2)),
	}
	wb, err := decodeSynth(t, book8(globals, []synthSheet{{name: "S", body: body}}), grid.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		c, _ := readtest.Cell(&wb.Sheets[0], 1, i+1)
		if c.Text != w {
			t.Errorf("SST string %d = %q, want %q", i, c.Text, w)
		}
	}
}

func TestBIFF5Codepage(t *testing.T) {
	// "Nguyễn" in Windows-1258: N g u y ê(0xEA) + combining tilde (0xDE) n,
	// decoded as stored (decomposed tone mark).
	name := []byte{'N', 'g', 'u', 'y', 0xEA, 0xDE, 'n'}
	sheetName := []byte("Danh s\xE1ch")
	globalsHead := cat(bof5(bofGlobals), rec(recCodePage, u16b(1258)), rec(recFormat, u16b(164), []byte{8}, []byte("dd/mm/yy")), cat(xfRecs(0, 164)...))
	bsLen := len(rec(recBoundSheet, u32b(0), []byte{0, 0, byte(len(sheetName))}, sheetName))
	off := len(globalsHead) + bsLen + len(eof())
	stream := cat(globalsHead,
		rec(recBoundSheet, u32b(off), []byte{0, 0, byte(len(sheetName))}, sheetName), eof(),
		bof5(bofWorksheet),
		rec(recLabel, cell(0, 0, 0), u16b(len(name)), name),
		rec(recNumber, cell(0, 1, 1), f64b(36526)),
		rec(recFormula, cell(0, 2, 0), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, u16b(0), u32b(0), u16b(0)),
		rec(recString, u16b(2), []byte{0xC0, 'b'}),
		eof())
	wb, err := decodeSynth(t, stream, grid.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	sh := wb.Sheets[0]
	if sh.Name != "Danh sách" {
		t.Errorf("sheet name %q", sh.Name)
	}
	if c, _ := readtest.Cell(&sh, 1, 1); c.Text != "Nguy\u00ea\u0303n" {
		t.Errorf("label %q (%U)", c.Text, []rune(c.Text))
	}
	if c, _ := readtest.Cell(&sh, 1, 2); c.Kind != grid.Date || c.Num != 36526 {
		t.Errorf("BIFF5 date cell %+v", c)
	}
	if c, _ := readtest.Cell(&sh, 1, 3); c.Text != "Àb" || !c.Formula {
		t.Errorf("BIFF5 formula string %+v", c)
	}
}

func TestDecodeProblems(t *testing.T) {
	good := richBook(false)
	oneSheet := func(body ...[]byte) []byte {
		return book8([][]byte{sstRec("a")}, []synthSheet{{name: "S", body: body}})
	}
	tests := []struct {
		name string
		data []byte
		lim  grid.Limits
		code string
	}{
		{"zero bytes", nil, grid.DefaultLimits, grid.CodeCorrupt},
		{"plain text", []byte("Attachment not found!"), grid.DefaultLimits, grid.CodeCorrupt},
		{"zip", []byte("PK\x03\x04rest of a zip"), grid.DefaultLimits, grid.CodeCorrupt},
		{"short OLE header", oleMagic, grid.DefaultLimits, grid.CodeCorrupt},
		{"BIFF2", cat(rec(recBOF2, u16b(2), u16b(0x10)), eof()), grid.DefaultLimits, grid.CodeUnsupported},
		{"BIFF3", cat(rec(recBOF3, u16b(0), u16b(0x10), u16b(0)), eof()), grid.DefaultLimits, grid.CodeUnsupported},
		{"BIFF4", cat(rec(recBOF4, u16b(0), u16b(0x10), u16b(0)), eof()), grid.DefaultLimits, grid.CodeUnsupported},
		{"FILEPASS", book8([][]byte{rec(recFilePass, u16b(0), u16b(0x1234), u16b(0x5678))}, []synthSheet{{name: "S"}}), grid.DefaultLimits, grid.CodeEncrypted},
		{"truncated", good[:len(good)-7], grid.DefaultLimits, grid.CodeCorrupt},
		{"globals only", cat(bof8(bofGlobals), eof()), grid.DefaultLimits, grid.CodeEmpty},
		{"SST index out of range", oneSheet(rec(recLabelSST, cell(0, 0, 0), u32b(5))), grid.DefaultLimits, grid.CodeCorrupt},
		{"short NUMBER", oneSheet(rec(recNumber, cell(0, 0, 0), u16b(1))), grid.DefaultLimits, grid.CodeCorrupt},
		{"label past record end", oneSheet(rec(recLabel, cell(0, 0, 0), u16b(50), []byte{0}, []byte("abc"))), grid.DefaultLimits, grid.CodeCorrupt},
		{"too many cells", good, grid.Limits{MaxCells: 5}, grid.CodeTooLarge},
		{"row limit", good, grid.Limits{MaxRows: 3}, grid.CodeTooLarge},
		{"column limit", good, grid.Limits{MaxCols: 4}, grid.CodeTooLarge},
		{"sheet limit", good, grid.Limits{MaxSheets: 2}, grid.CodeTooLarge},
		{"file size limit", good, grid.Limits{MaxFileBytes: 100}, grid.CodeTooLarge},
		{"stream size limit", good, grid.Limits{MaxUnpackedBytes: 100}, grid.CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wb, err := decodeSynth(t, tc.data, tc.lim)
			readtest.WantProblem(t, wb, err, tc.code)
		})
	}
}

func TestCellCharsCut(t *testing.T) {
	wb, err := decodeSynth(t, richBook(false), grid.Limits{MaxCellChars: 5})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := readtest.Cell(&wb.Sheets[0], 1, 1)
	if c.Text != "Họ và" {
		t.Errorf("cut text %q, want %q", c.Text, "Họ và")
	}
	if len(wb.Notes) == 0 {
		t.Error("no note about the cut text")
	}
}

func TestBadSheetOffsetFallsBackToStreamOrder(t *testing.T) {
	stream := book8(nil, []synthSheet{
		{name: "A", body: [][]byte{rec(recNumber, cell(0, 0, 0), f64b(1))}},
		{name: "B", body: [][]byte{rec(recNumber, cell(0, 0, 0), f64b(2))}},
	})
	// Point both BOUNDSHEET offsets at nonsense.
	for pos := 0; pos+4 <= len(stream); {
		typ, _, next, err := rawRecord(stream, pos)
		if err != nil {
			t.Fatal(err)
		}
		if typ == recBoundSheet {
			binary.LittleEndian.PutUint32(stream[pos+4:], 3)
		}
		if typ == recEOF {
			break
		}
		pos = next
	}
	wb, err := decodeSynth(t, stream, grid.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"1", "2"} {
		if c, _ := readtest.Cell(&wb.Sheets[i], 1, 1); c.Text != want {
			t.Errorf("sheet %d A1 = %q, want %q", i, c.Text, want)
		}
	}
}

func TestRKAndNumbers(t *testing.T) {
	tests := []struct {
		rk   uint32
		want float64
		text string
	}{
		{1959<<2 | 2, 1959, "1959"},
		{0xFFFFFFEE, -5, "-5"}, // -5<<2 | 2
		{12345<<2 | 3, 123.45, "123.45"},
		{uint32(math.Float64bits(1.5) >> 32), 1.5, "1.5"},
		{uint32(math.Float64bits(44621.0)>>32) | 1, 446.21, "446.21"},
	}
	for _, tc := range tests {
		v := rkValue(tc.rk)
		if v != tc.want || grid.NumText(v) != tc.text {
			t.Errorf("rk %#x = %v (%q), want %v (%q)", tc.rk, v, grid.NumText(v), tc.want, tc.text)
		}
	}
	for v, want := range map[float64]string{87079105129: "87079105129", 1e20: "100000000000000000000", 0.1: "0.1", math.Copysign(0, -1): "0", 123456789012: "123456789012"} {
		if got := grid.NumText(v); got != want {
			t.Errorf("grid.NumText(%v) = %q, want %q", v, got, want)
		}
	}
}
