package read

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
)

// fxSheet describes one worksheet of a fixture workbook: rows[i] is sheet
// row i+1 (nil for a blank row), merges like "A9:A10".
type fxSheet struct {
	name   string
	hidden bool
	rows   [][]any
	merges []string
}

// writeXLSX writes a workbook of the sheets with excelize.
func writeXLSX(t testing.TB, file string, sheets ...fxSheet) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil || v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(s.name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, m := range s.merges {
			parts := strings.Split(m, ":")
			if err := f.MergeCell(s.name, parts[0], parts[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, s := range sheets {
		if s.hidden {
			if err := f.SetSheetVisible(s.name, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(file); err != nil {
		t.Fatal(err)
	}
}

// row is shorthand for a fixture row.
func row(v ...any) []any { return v }

// m1Block is the header block of an M1 form for a commune line.
func m1Block(commune string, extra ...[]any) [][]any {
	rows := [][]any{
		row(commune, nil, nil, nil, nil, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
		row(nil, nil, nil, nil, nil, "Độc lập - Tự do - Hạnh phúc"),
		nil,
		row("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO DỰ KIẾN THOÁT NGHÈO, THOÁT CẬN NGHÈO NĂM 2022"),
	}
	return append(rows, extra...)
}

// m1Header1 is a one-row M1 header.
var m1Header1 = row("STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Dân tộc", "Khóm/Ấp", "Phân loại hộ", "Số nhân khẩu", "Ghi chú")

// m1Data returns n M1 data rows starting at STT 1.
func m1Data(n int, names ...string) [][]any {
	var out [][]any
	for i := 0; i < n; i++ {
		name := "Nguyễn Văn Một"
		if i < len(names) {
			name = names[i]
		}
		out = append(out, row(i+1, "29956-0"+string(rune('1'+i%9))+"00", name, 1970+i, "Nam", "087070000000", "Kinh", "Ấp 1", "Hộ nghèo", 4))
	}
	return out
}

// footer rows of a form.
var footerRows = [][]any{
	row(nil, nil, nil, nil, nil, nil, "Thường Phước 1, ngày 18 tháng 3 năm 2022"),
	row(nil, "NGƯỜI LẬP BIỂU", nil, nil, nil, nil, "TM. ỦY BAN NHÂN DÂN"),
	row(nil, "(Ký, ghi rõ họ tên)", nil, nil, nil, nil, "CHỦ TỊCH"),
	nil, nil,
	row(nil, "Trần Thị Lựu", nil, nil, nil, nil, "Đặng Văn Hưng"),
}

func concat(parts ...[][]any) [][]any {
	var out [][]any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Legacy-font spellings, written with tiny tables (Latin-1 code points
// of the font bytes, as Excel stores .VnTime and VNI-Times text).
var tcvn3Names = map[string]string{
	"Nguyễn Văn Hùng": "Nguy\u00d4n V\u00a8n H\u00efng",
	"Trần Thị Lan":    "Tr\u00c7n Th\u00de Lan",
	"Lê Văn Phước":    "L\u00aa V\u00a8n Ph\u00ad\u00edc",
	"Võ Thị Đào":      "V\u00e2 Th\u00de \u00a7\u00b5o",
}

var vniNames = map[string]string{
	"Nguyễn Văn Hùng": "Nguye\u00e3n Va\u00ean Hu\u00f8ng",
	"Trần Thị Lan":    "Tra\u00e0n Th\u00f2 Lan",
	"Lê Văn Phước":    "Le\u00e2 Va\u00ean Ph\u00f6\u00f4\u00f9c",
	"Võ Thị Đào":      "Vo\u00f5 Th\u00f2 \u00d1a\u00f8o",
}

var legacyOrder = []string{"Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Văn Phước", "Võ Thị Đào"}

func legacyNames(table map[string]string) []string {
	var out []string
	for _, n := range legacyOrder {
		out = append(out, table[n])
	}
	return out
}

// byName returns the cell of the field with the canonical name, or the
// zero Cell.
func byName(cs record.Cells, name string) record.Cell {
	id, _ := schemas.FieldIDOf(name)
	return cs.At(id)
}

// cellAt returns the cell of a field in the table row with the number.
func cellAt(t *testing.T, wb record.Workbook, sheet string, rowNum int, field string) record.Cell {
	t.Helper()
	for _, tb := range wb.Tables {
		if tb.Sheet != sheet {
			continue
		}
		for _, r := range tb.Rows {
			if r.Row == rowNum {
				return byName(r.Cells, field)
			}
		}
	}
	t.Fatalf("no row %d on sheet %q", rowNum, sheet)
	return record.Cell{}
}

func rowNums(wb record.Workbook) map[string][]int {
	out := map[string][]int{}
	for _, tb := range wb.Tables {
		for _, r := range tb.Rows {
			out[tb.Sheet] = append(out[tb.Sheet], r.Row)
		}
	}
	return out
}

func hasFinding(wb record.Workbook, code string) *record.Finding {
	for i := range wb.Findings {
		if wb.Findings[i].Code == code {
			return &wb.Findings[i]
		}
	}
	return nil
}

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		path    string // inbox-relative; the folder is its first segment
		build   func(t *testing.T, file string)
		status  record.Status
		reason  string
		form    record.Form
		commune string
		check   func(t *testing.T, wb record.Workbook)
	}{
		{
			name: "two-row merged header, (1)(2) row, blank rows, footer, Mẫu line",
			path: "29956/DS thoat ngheo.xlsx",
			build: func(t *testing.T, file string) {
				rows := concat(
					[][]any{
						row("UBND XÃ THƯỜNG PHƯỚC 1", nil, nil, nil, nil, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
						row(nil, nil, nil, nil, nil, "Độc lập - Tự do - Hạnh phúc"),
						nil, nil,
						row(nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, "Mẫu M1"),
						row("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO DỰ KIẾN THOÁT NGHÈO, THOÁT CẬN NGHÈO NĂM 2022"),
						row("(Kèm theo Kế hoạch số 28/KH-UBND ngày 10/3/2022 của UBND xã Thường Phước 1)"),
						nil,
						row("STT", "Mã hộ", "Thông tin chủ hộ", nil, nil, nil, "Dân tộc", "Khóm/Ấp", "Phân loại hộ", "Số nhân khẩu", "Ghi chú"),
						row(nil, nil, "Họ và tên", "Năm sinh", "Giới tính", "Số CCCD/CMND"),
						row("(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)", "(11)"),
					},
					m1Data(3, "Nguyễn Văn Trí", "Võ  Tuấn", "Nguye\u0302\u0303n Kim Lệ"), // row 12..14; NFD name
					[][]any{nil, nil},
					m1Data(2), // rows 17, 18
					[][]any{nil, nil},
					footerRows, // row 21
				)
				writeXLSX(t, file,
					fxSheet{name: "DS thoat ngheo", rows: rows,
						merges: []string{"A1:D1", "A9:A10", "B9:B10", "C9:F9", "G9:G10", "H9:H10", "I9:I10", "J9:J10", "K9:K10", "G21:K21"}},
					fxSheet{name: "Sheet2"}, fxSheet{name: "Sheet3"})
			},
			status: record.StatusAccepted, form: record.FormM1, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				if len(wb.Tables) != 1 {
					t.Fatalf("tables %d, want 1 (empty sheets skipped)", len(wb.Tables))
				}
				tb := wb.Tables[0]
				if got := tb.HeaderRows; len(got) != 2 || got[0] != 9 || got[1] != 10 {
					t.Errorf("header rows %v, want [9 10]", got)
				}
				if tb.NumberRow != 11 || tb.FooterRow != 21 {
					t.Errorf("number row %d footer %d, want 11 and 21", tb.NumberRow, tb.FooterRow)
				}
				if got := rowNums(wb)["DS thoat ngheo"]; len(got) != 5 || got[0] != 12 || got[4] != 18 {
					t.Errorf("rows %v, want 12 13 14 17 18", got)
				}
				if len(tb.Columns) != 11 || len(tb.Unknown) != 0 {
					t.Errorf("columns %d unknown %v, want 11 and none", len(tb.Columns), tb.Unknown)
				}
				c := cellAt(t, wb, "DS thoat ngheo", 13, "head_name")
				if c.Text != "Võ Tuấn" || c.Ref != "C13" || c.Col != 3 {
					t.Errorf("C13 = %+v", c)
				}
				if c := cellAt(t, wb, "DS thoat ngheo", 14, "head_name"); c.Text != "Nguyễn Kim Lệ" {
					t.Errorf("NFD name not NFC: %q", c.Text)
				}
				if c := cellAt(t, wb, "DS thoat ngheo", 12, "birth_year"); !c.IsNum || c.Num != 1970 || c.Text != "1970" {
					t.Errorf("birth year cell %+v", c)
				}
				if wb.HeaderName != "UBND XÃ THƯỜNG PHƯỚC 1" || !strings.HasPrefix(wb.Title, "DANH SÁCH HỘ NGHÈO") {
					t.Errorf("header name %q title %q", wb.HeaderName, wb.Title)
				}
				if len(wb.Findings) != 0 {
					t.Errorf("findings %v", messages(wb))
				}
			},
		},
		{
			name: "three-row header with merged parents, M5",
			path: "29971/ket qua.xlsx",
			build: func(t *testing.T, file string) {
				rows := [][]any{
					row("UBND THỊ TRẤN THƯỜNG THỚI TIỀN"),
					nil,
					row("KẾT QUẢ TỔ CHỨC ĐỐI THOẠI CHÍNH SÁCH GIẢM NGHÈO"),
					nil,
					row("STT", "Cụm", "Ngày tổ chức", "Kết quả"),
					row(nil, nil, nil, "Số người tham dự", nil, nil, nil, "Ý kiến, kiến nghị"),
					row(nil, nil, nil, "Tổ công tác huyện", "Cấp xã", "Trưởng khóm/ấp", "Đại diện hộ", "Tổng số", "Trả lời tại buổi", "Chuyển cơ quan giải quyết"),
					row(1, 1, "24/05/2022", 7, 7, 4, 20, 5, 3, 2),
					nil,
					row(nil, nil, nil, nil, nil, "Thường Thới Tiền, ngày 14 tháng 6 năm 2022"),
				}
				writeXLSX(t, file, fxSheet{name: "M5", rows: rows,
					merges: []string{"A5:A7", "B5:B7", "C5:C7", "D5:J5", "D6:G6", "H6:J6", "F10:J10"}})
			},
			status: record.StatusAccepted, form: record.FormM5, commune: "29971",
			check: func(t *testing.T, wb record.Workbook) {
				tb := wb.Tables[0]
				if len(tb.HeaderRows) != 3 || tb.HeaderRows[0] != 5 {
					t.Errorf("header rows %v, want [5 6 7]", tb.HeaderRows)
				}
				if len(tb.Columns) != 10 || len(tb.Rows) != 1 || tb.FooterRow != 10 {
					t.Fatalf("columns %d rows %d footer %d", len(tb.Columns), len(tb.Rows), tb.FooterRow)
				}
				if c := tb.Rows[0].Cells.At(schemas.IDForwarded); c.Text != "2" || c.Ref != "J8" {
					t.Errorf("forwarded %+v", c)
				}
				if c := tb.Rows[0].Cells.At(schemas.IDDate); c.Text != "24/05/2022" || c.IsNum {
					t.Errorf("date text %+v", c)
				}
			},
		},
		{
			name: "merges lost: parent carried right; plain integer number row; M2",
			path: "29956/M2.xlsx",
			build: func(t *testing.T, file string) {
				rows := concat([][]any{
					row("UBND XÃ THƯỜNG PHƯỚC 1"),
					row("DANH SÁCH ĐẠI DIỆN HỘ NGHÈO, HỘ CẬN NGHÈO THAM GIA ĐỐI THOẠI"),
					row("STT", "Người đại diện tham gia đối thoại", nil, nil, nil, nil, "Thông tin hộ", nil, nil, nil, "Số điện thoại", "Ghi chú"),
					row(nil, "Họ và tên", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Quan hệ với chủ hộ", "Họ và tên chủ hộ", "Mã hộ", "Khóm/Ấp", "Phân loại hộ"),
					row(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
					row(1, "Nguyễn Văn Hùng", 1956, "Nam", "087056713271", "Chủ hộ", "Nguyễn Văn Hùng", "29956-0400", "Ấp 1", "Hộ cận nghèo", "0949422344"),
					row(2, "Nguyễn Thị Lệ", 1972, "Nữ", nil, "Vợ", "Phan Minh Mến", "29956-0515", "Ấp 1", "Hộ cận nghèo"),
					row(nil, "Người lập biểu"),
				})
				writeXLSX(t, file, fxSheet{name: "M2", rows: rows})
			},
			status: record.StatusAccepted, form: record.FormM2, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				tb := wb.Tables[0]
				if tb.NumberRow != 5 || len(tb.Rows) != 2 || tb.FooterRow != 8 {
					t.Errorf("number row %d rows %d footer %d", tb.NumberRow, len(tb.Rows), tb.FooterRow)
				}
				if c := cellAt(t, wb, "M2", 7, "rep_name"); c.Text != "Nguyễn Thị Lệ" {
					t.Errorf("rep_name %q", c.Text)
				}
				if c := cellAt(t, wb, "M2", 7, "head_name"); c.Text != "Phan Minh Mến" {
					t.Errorf("head_name %q", c.Text)
				}
				if c := cellAt(t, wb, "M2", 7, "phone"); c.Text != "" || c.Ref != "K7" {
					t.Errorf("empty phone cell %+v", c)
				}
			},
		},
		{
			name: "section headings inside the table are not data",
			path: "29956/M3 muc.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M3", rows: [][]any{
					row("UBND XÃ THƯỜNG PHƯỚC 1"),
					row("STT", "Họ và tên", "Chức vụ", "Thành phần", "Khóm/Ấp", "Số điện thoại"),
					row(nil, "I. Ban giảm nghèo"),
					row(1, "Nguyễn Văn Đức", "Phó Chủ tịch UBND xã", "Ban giảm nghèo"),
					row("II. Trưởng ấp"),
					row(2, "Lê Văn Tám", "Trưởng ấp", "Trưởng khóm/ấp", "Ấp 1"),
					row(nil, "Ấp 2 (merged heading)"),
					row(3, "Phan Văn Chín", "Trưởng ấp", "Trưởng khóm/ấp", "Ấp 2"),
				}, merges: []string{"B7:F7"}})
			},
			status: record.StatusAccepted, form: record.FormM3, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				if got := rowNums(wb)["M3"]; len(got) != 3 || got[0] != 4 || got[1] != 6 || got[2] != 8 {
					t.Errorf("rows %v, want 4 6 8", got)
				}
			},
		},
		{
			name: "the same child under two parents: the parent tells them apart",
			path: "29956/M2 cha con.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M2", rows: [][]any{
					row("UBND XÃ THƯỜNG PHƯỚC 1"),
					row("STT", "Người đại diện", nil, nil, "Chủ hộ", nil, "Khóm/Ấp", "Phân loại hộ"),
					row(nil, "Họ và tên", "Năm sinh", "Quan hệ", "Họ và tên", "Mã hộ"),
					row(1, "Nguyễn Thị Lệ", 1972, "Vợ", "Phan Minh Mến", "29956-0515", "Ấp 1", "Hộ cận nghèo"),
				}, merges: []string{"A2:A3", "B2:D2", "E2:F2", "G2:G3", "H2:H3"}})
			},
			status: record.StatusAccepted, form: record.FormM2, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				if c := cellAt(t, wb, "M2", 4, "rep_name"); c.Text != "Nguyễn Thị Lệ" {
					t.Errorf("rep_name %q", c.Text)
				}
				if c := cellAt(t, wb, "M2", 4, "head_name"); c.Text != "Phan Minh Mến" || c.Ref != "E4" {
					t.Errorf("head_name %+v", c)
				}
				if u := wb.Tables[0].Unknown; len(u) != 0 {
					t.Errorf("unknown %v", u)
				}
			},
		},
		{
			name: "sheet per hamlet, hidden helper sheet, data sheet not first",
			path: "Thường Thới Tiền/Danh sach.xlsx",
			build: func(t *testing.T, file string) {
				block := [][]any{
					row("UBND THỊ TRẤN THƯỜNG THỚI TIỀN"),
					nil,
					row("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO DỰ KIẾN THOÁT NGHÈO, THOÁT CẬN NGHÈO NĂM 2022"),
					m1Header1,
				}
				writeXLSX(t, file,
					fxSheet{name: "Hướng dẫn", rows: [][]any{row("Hướng dẫn điền biểu: mỗi khóm một trang."), row("Cột Mã hộ ghi theo danh sách rà soát.")}},
					fxSheet{name: "Khóm Thượng 1", rows: concat(block, m1Data(3), [][]any{nil, row(nil, nil, nil, nil, nil, nil, "Thường Thới Tiền, ngày 16 tháng 3 năm 2022")})},
					fxSheet{name: "Khóm Thượng 2", rows: concat(block, m1Data(2), [][]any{nil, nil, nil, row(nil, "NGƯỜI LẬP BIỂU")})},
					fxSheet{name: "DanhMuc", hidden: true, rows: [][]any{row("Khóm/Ấp", "Phân loại hộ", "Giới tính", "Dân tộc"), row("Khóm Thượng 1", "Hộ nghèo", "Nam", "Kinh")}},
				)
			},
			status: record.StatusAccepted, form: record.FormM1, commune: "29971",
			check: func(t *testing.T, wb record.Workbook) {
				got := rowNums(wb)
				if len(wb.Tables) != 2 || len(got["Khóm Thượng 1"]) != 3 || len(got["Khóm Thượng 2"]) != 2 {
					t.Errorf("tables %d rows %v", len(wb.Tables), got)
				}
				if _, ok := got["DanhMuc"]; ok {
					t.Error("hidden helper sheet was read")
				}
			},
		},
		{
			name: "columns reordered, unknown column, flat file, commune only in header",
			path: "M1 - Phu Thuan A.xlsx",
			build: func(t *testing.T, file string) {
				rows := concat(m1Block("ỦY BAN NHÂN DÂN XÃ PHÚ THUẬN A"), [][]any{
					nil,
					row("STT", "Họ và tên chủ hộ", "Mã hộ", "Khóm/Ấp", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Dân tộc", "Nghề nghiệp", "Phân loại hộ", "Số nhân khẩu", "Ghi chú"),
					row("(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)", "(11)", "(12)"),
					row(1, "Lê Văn Bé", "29998-0001", "Ấp Phú Lợi", 1959, "Nam", nil, "Kinh", "Làm ruộng", "Hộ nghèo", 3),
				})
				writeXLSX(t, file, fxSheet{name: "Sheet1", rows: rows})
			},
			status: record.StatusAccepted, form: record.FormM1, commune: "29998",
			check: func(t *testing.T, wb record.Workbook) {
				tb := wb.Tables[0]
				if len(tb.Unknown) != 1 || tb.Unknown[0] != "Nghề nghiệp" {
					t.Errorf("unknown %v", tb.Unknown)
				}
				f := hasFinding(wb, "extra-label")
				if f == nil || f.Severity != record.Warning || f.Ref != "I6" || !strings.Contains(f.Message, "Nghề nghiệp") {
					t.Errorf("extra-label finding %+v", f)
				}
				if c := cellAt(t, wb, "Sheet1", 8, "household_code"); c.Text != "29998-0001" || c.Ref != "C8" {
					t.Errorf("household_code %+v", c)
				}
				if wb.HeaderName != "ỦY BAN NHÂN DÂN XÃ PHÚ THUẬN A" {
					t.Errorf("header name %q", wb.HeaderName)
				}
			},
		},
		{
			name: "abbreviated headers without diacritics, missing required column",
			path: "29962/DS.xlsx",
			build: func(t *testing.T, file string) {
				rows := concat(m1Block("UBND XÃ THƯỜNG THỚI HẬU A", row("BAN CHỈ ĐẠO GIẢM NGHÈO")), [][]any{
					row("TT", "Ma ho", "Ho ten chu ho", "Nam sinh", "Gioi tinh", "CCCD", "Dan toc", "Phan loai", "So khau", "Ghi chu"),
					row(1, "29962-0702", "Nguyễn Văn Hùng", 1971, "Nam", "87071614323", "Kinh", "Hộ nghèo", 4),
				})
				writeXLSX(t, file, fxSheet{name: "Sheet1", rows: rows})
			},
			status: record.StatusAccepted, form: record.FormM1, commune: "29962",
			check: func(t *testing.T, wb record.Workbook) {
				if n := len(wb.Tables[0].Columns); n != 10 {
					t.Errorf("columns %d, want 10", n)
				}
				f := hasFinding(wb, "missing-label")
				if f == nil || f.Column != "hamlet" || f.ColumnTitle != "Khóm/Ấp" || f.Severity != record.Error || f.Row != 6 {
					t.Errorf("missing-label finding %+v", f)
				}
			},
		},
		{
			name: "Mẫu line disagrees with the headers: headers win, warning",
			path: "29956/M3.xlsx",
			build: func(t *testing.T, file string) {
				rows := [][]any{
					row("UBND XÃ THƯỜNG PHƯỚC 1", nil, nil, nil, nil, "Mẫu M2"),
					row("DANH SÁCH THÀNH PHẦN CẤP XÃ THAM DỰ ĐỐI THOẠI"),
					row("STT", "Họ và tên", "Chức vụ", "Thành phần", "Khóm/Ấp", "Số điện thoại"),
					row(1, "Nguyễn Văn Đức", "Chủ tịch", "Ban giảm nghèo", nil, "0903640608"),
					row(2, "Trần Thị Ngọc", "Chủ tịch Hội Liên hiệp Phụ nữ", "Hội đoàn thể"),
					row(nil, nil, nil, nil, "KT. CHỦ TỊCH"),
				}
				writeXLSX(t, file, fxSheet{name: "M3", rows: rows})
			},
			status: record.StatusAccepted, form: record.FormM3, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				if f := hasFinding(wb, "form-mismatch"); f == nil || !strings.Contains(f.Message, "M2") {
					t.Errorf("form-mismatch finding %+v", f)
				}
				if got := rowNums(wb)["M3"]; len(got) != 2 {
					t.Errorf("rows %v: a position \"Chủ tịch\" is data, not a footer", got)
				}
			},
		},
		{
			name: "title alone names the form when few columns match",
			path: "29956/M4.xlsx",
			build: func(t *testing.T, file string) {
				rows := [][]any{
					row("UBND XÃ THƯỜNG PHƯỚC 1"),
					row("TỔNG HỢP Ý KIẾN, KIẾN NGHỊ CỦA HỘ NGHÈO, HỘ CẬN NGHÈO"),
					row("STT", "Khóm/Ấp", "Nội dung"),
					row(1, "Ấp 1", "Đề nghị lắp đèn.\nĐề nghị sửa cầu."),
				}
				writeXLSX(t, file, fxSheet{name: "M4", rows: rows})
			},
			status: record.StatusAccepted, form: record.FormM4, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				if c := cellAt(t, wb, "M4", 4, "content"); c.Text != "Đề nghị lắp đèn.\nĐề nghị sửa cầu." {
					t.Errorf("multi-line content %q", c.Text)
				}
				if f := hasFinding(wb, "missing-label"); f == nil || f.Column != "topic" {
					t.Errorf("missing-label %+v", f)
				}
			},
		},
		{
			name: "folder and header name different plan communes: conflict",
			path: "29974/M3 - thanh phan cap xa.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M3", rows: [][]any{
					row("UBND XÃ THƯỜNG PHƯỚC 1"),
					row("DANH SÁCH THÀNH PHẦN CẤP XÃ THAM DỰ ĐỐI THOẠI"),
					row("STT", "Họ và tên", "Chức vụ", "Thành phần", "Khóm/Ấp", "Số điện thoại"),
					row(1, "Nguyễn Văn Đức", "Phó Chủ tịch UBND xã", "Ban giảm nghèo"),
				}})
			},
			status: record.StatusRejected, reason: record.ReasonConflict, form: record.FormM3,
			check: func(t *testing.T, wb record.Workbook) {
				msg := wb.Findings[0].Message
				if !strings.Contains(msg, "Thường Phước 2") || !strings.Contains(msg, "THƯỜNG PHƯỚC 1") || !strings.Contains(msg, "29974/M3 - thanh phan cap xa.xlsx") {
					t.Errorf("conflict message %q", msg)
				}
			},
		},
		{
			name: "header names a commune outside the plan: unknown_commune",
			path: "Thuong Thoi Hau B/M2.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M2", rows: [][]any{
					row("UBND XÃ THƯỜNG THỚI HẬU B"),
					row("DANH SÁCH ĐẠI DIỆN HỘ NGHÈO, HỘ CẬN NGHÈO THAM GIA ĐỐI THOẠI"),
					row("STT", "Họ và tên người đại diện", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Quan hệ với chủ hộ", "Họ và tên chủ hộ", "Mã hộ", "Khóm/Ấp", "Phân loại hộ"),
					row(1, "Trần Thị Mai", 1970, "Nữ", nil, "Chủ hộ", "Trần Thị Mai", "X-1", "Ấp 1", "Hộ nghèo"),
				}})
			},
			status: record.StatusRejected, reason: record.ReasonUnknownCommune, form: record.FormM2,
			check: func(t *testing.T, wb record.Workbook) {
				if !strings.Contains(wb.Findings[0].Message, "THƯỜNG THỚI HẬU B") {
					t.Errorf("message %q", wb.Findings[0].Message)
				}
			},
		},
		{
			name: "plan commune folder but header outside the plan: unknown_commune",
			path: "29962/M1.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M1", rows: concat(m1Block("UBND XÃ THƯỜNG THỚI HẬU B"), [][]any{m1Header1}, m1Data(1))})
			},
			status: record.StatusRejected, reason: record.ReasonUnknownCommune, form: record.FormM1,
		},
		{
			name: "flat file naming no commune: unknown_commune",
			path: "M1.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M1", rows: concat(m1Block("BAN CHỈ ĐẠO GIẢM NGHÈO"), [][]any{m1Header1}, m1Data(1))})
			},
			status: record.StatusRejected, reason: record.ReasonUnknownCommune, form: record.FormM1,
		},
		{
			name: "commune only in the folder name (any spelling)",
			path: "thuong phuoc 2/M1.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M1", rows: concat(m1Block("CỘNG HÒA"), [][]any{m1Header1}, m1Data(2))})
			},
			status: record.StatusAccepted, form: record.FormM1, commune: "29974",
		},
		{
			name: "TCVN3 name column and header block",
			path: "M1 tcvn3.xlsx",
			build: func(t *testing.T, file string) {
				data := m1Data(4, legacyNames(tcvn3Names)...)
				rows := concat([][]any{
					row("UBND x\u00b7 Th\u00ad\u00eang Ph\u00ad\u00edc 1"),
					nil,
					row("Danh s\u00b8ch h\u00e9 ngh\u00cco, h\u00e9 c\u00cbn ngh\u00cco d\u00f9 ki\u00d5n tho\u00b8t ngh\u00cco"),
					row("STT", "M\u00b7 h\u00e9", "H\u00e4 v\u00b5 t\u00aan ch\u00f1 h\u00e9", "N\u00a8m sinh", "Gi\u00edi t\u00ddnh", "S\u00e8 CCCD/CMND", "D\u00a9n t\u00e9c", "Kh\u00e3m/\u00cap", "Ph\u00a9n lo\u00b9i h\u00e9", "S\u00e8 nh\u00a9n kh\u00c8u"),
				}, data)
				writeXLSX(t, file, fxSheet{name: "DS", rows: rows})
			},
			status: record.StatusAccepted, form: record.FormM1, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				for i, want := range legacyOrder {
					c := cellAt(t, wb, "DS", 5+i, "head_name")
					if c.Text != want || c.Encoding != "tcvn3" {
						t.Errorf("row %d: %q (%s), want %q (tcvn3)", 5+i, c.Text, c.Encoding, want)
					}
				}
				f := hasFinding(wb, "legacy-encoding")
				if f == nil || f.Column != "head_name" || !strings.Contains(f.Message, "TCVN3") || f.Sheet != "DS" {
					t.Errorf("legacy-encoding finding %+v", f)
				}
				if c := cellAt(t, wb, "DS", 5, "household_code"); c.Encoding != "" {
					t.Errorf("ASCII column marked %q", c.Encoding)
				}
			},
		},
		{
			name: "VNI name column",
			path: "29956/M1 vni.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "DS", rows: concat(m1Block("UBND XÃ THƯỜNG PHƯỚC 1"), [][]any{m1Header1}, m1Data(4, legacyNames(vniNames)...))})
			},
			status: record.StatusAccepted, form: record.FormM1, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				for i, want := range legacyOrder {
					c := cellAt(t, wb, "DS", 6+i, "head_name")
					if c.Text != want || c.Encoding != "vni" {
						t.Errorf("row %d: %q (%s), want %q (vni)", 6+i, c.Text, c.Encoding, want)
					}
				}
				if f := hasFinding(wb, "legacy-encoding"); f == nil || !strings.Contains(f.Message, "VNI") {
					t.Errorf("legacy-encoding finding %+v", f)
				}
			},
		},
		{
			name: "commune only in a \"Kèm theo … của UBND xã\" line",
			path: "DS M4.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M4", rows: [][]any{
					row("BAN CHỈ ĐẠO GIẢM NGHÈO", nil, nil, nil, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
					row("TỔNG HỢP Ý KIẾN, KIẾN NGHỊ CỦA HỘ NGHÈO, HỘ CẬN NGHÈO"),
					row("(Kèm theo Kế hoạch số 12/KH-UBND ngày 1/3/2022 của UBND xã Long Thuận)"),
					row("STT", "Khóm/Ấp", "Họ và tên người kiến nghị", "Mã hộ", "Lĩnh vực", "Nội dung ý kiến, kiến nghị", "Ngày tiếp nhận"),
					row(1, "Ấp Long Hòa", "Lê Văn Tư", nil, "Y tế", "Đề nghị cấp thẻ BHYT."),
				}})
			},
			status: record.StatusAccepted, form: record.FormM4, commune: "29992",
		},
		{
			name: "issuing body on two lines; its line beats a mention of another commune",
			path: "DS dai dien.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "DS", rows: [][]any{
					row("ỦY BAN NHÂN DÂN"),
					row("XÃ PHÚ THUẬN B"),
					row("DANH SÁCH ĐẠI DIỆN HỘ NGHÈO, HỘ CẬN NGHÈO THAM GIA ĐỐI THOẠI"),
					row("(Theo mẫu của UBND xã Phú Thuận A)"),
					row("STT", "Họ và tên người đại diện", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Quan hệ với chủ hộ", "Họ và tên chủ hộ", "Mã hộ", "Khóm/Ấp", "Phân loại hộ", "Số điện thoại", "Ghi chú"),
					row(1, "Trần Thị Lan", 1971, "Nữ", nil, "Chủ hộ", "Trần Thị Lan", "29995-0553", "Ấp Phú Lợi A", "Hộ nghèo"),
				}})
			},
			status: record.StatusAccepted, form: record.FormM2, commune: "29995",
		},
		{
			name: "\"UBND XÃ\" and the name on two lines of one cell",
			path: "29977/M2.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M2", rows: [][]any{
					row("UBND XÃ\nTHƯỜNG LẠC"),
					row("DANH SÁCH ĐẠI DIỆN HỘ NGHÈO, HỘ CẬN NGHÈO THAM GIA ĐỐI THOẠI"),
					row("STT", "Họ và tên người đại diện", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Quan hệ với chủ hộ", "Họ và tên chủ hộ", "Mã hộ", "Khóm/Ấp", "Phân loại hộ"),
					row(1, "Lê Thị Hoa", 1960, "Nữ", nil, "Chủ hộ", "Lê Thị Hoa", "29977-0001", "Ấp 1", "Hộ nghèo"),
				}})
			},
			status: record.StatusAccepted, form: record.FormM2, commune: "29977",
			check: func(t *testing.T, wb record.Workbook) {
				if wb.HeaderName != "UBND XÃ THƯỜNG LẠC" {
					t.Errorf("header name %q", wb.HeaderName)
				}
			},
		},
		{
			name: "header repeated on a new page, a full row with a note, a total row",
			path: "29956/M1 dai.xlsx",
			build: func(t *testing.T, file string) {
				rows := concat(m1Block("UBND XÃ THƯỜNG PHƯỚC 1"), [][]any{m1Header1}, m1Data(2), // rows 6, 7
					[][]any{m1Header1}, // row 8: repeated header
					[][]any{row(3, "29956-0003", "Lê Văn Ba", 1950, "Nam", nil, "Kinh", "Ấp 2", "Hộ nghèo", 2, "Xác nhận của trưởng ấp")}, // row 9
					[][]any{row("Tổng cộng", nil, nil, nil, nil, nil, nil, nil, nil, 10)},                                                 // row 10
					m1Data(1)) // row 11: after the total, not data
				writeXLSX(t, file, fxSheet{name: "M1", rows: rows})
			},
			status: record.StatusAccepted, form: record.FormM1, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				if got := rowNums(wb)["M1"]; len(got) != 3 || got[2] != 9 {
					t.Errorf("rows %v, want 6 7 9", got)
				}
				if wb.Tables[0].FooterRow != 10 {
					t.Errorf("footer %d, want 10", wb.Tables[0].FooterRow)
				}
			},
		},
		{
			name:   "plan document in a commune folder",
			path:   "29956/KH doi thoai.docx",
			build:  writeBytes("PK\x03\x04 not really a docx"),
			status: record.StatusAccepted, form: record.FormKH, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				if len(wb.Tables) != 0 || len(wb.Findings) != 0 || wb.Format != "docx" {
					t.Errorf("KH: %+v", wb)
				}
			},
		},
		{
			name: "plan PDF in a folder named by spelling", path: "Long Thuận/Ke hoach.pdf", build: writeBytes("%PDF-1.4\n"),
			status: record.StatusAccepted, form: record.FormKH, commune: "29992",
		},
		{
			name: "plan document dropped flat", path: "Ke hoach.docx", build: writeBytes("x"),
			status: record.StatusRejected, reason: record.ReasonUnknownCommune, form: record.FormKH,
		},
		{
			name: "screenshot", path: "29980/Anh chup.png", build: writeBytes("\x89PNG\r\n\x1a\n...."),
			status: record.StatusRejected, reason: record.ReasonNotSpreadsheet, commune: "29980",
			check: func(t *testing.T, wb record.Workbook) {
				f := wb.Findings[0]
				if f.Row != 0 || f.Column != "" || f.Severity != record.Error || !strings.Contains(f.Message, "29980/Anh chup.png") {
					t.Errorf("finding %+v", f)
				}
			},
		},
		{
			name: "text note", path: "29995/ghi chu.txt", build: writeBytes("gui huyen"),
			status: record.StatusRejected, reason: record.ReasonNotSpreadsheet, commune: "29995",
		},
		{
			name: "zero-byte xlsx", path: "29977/M2.xlsx", build: writeBytes(""),
			status: record.StatusRejected, reason: record.ReasonCorrupt, commune: "29977",
			check: func(t *testing.T, wb record.Workbook) {
				if !strings.Contains(wb.Findings[0].Message, "bị hỏng hoặc chưa sao chép xong") {
					t.Errorf("message %q", wb.Findings[0].Message)
				}
			},
		},
		{
			name: "truncated xlsx", path: "29977/M2 cut.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M1", rows: concat(m1Block("UBND XÃ THƯỜNG LẠC"), [][]any{m1Header1}, m1Data(30))})
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, b[:len(b)/2], 0o644); err != nil {
					t.Fatal(err)
				}
			},
			status: record.StatusRejected, reason: record.ReasonCorrupt, commune: "29977",
		},
		{
			name: "xlsx saved with a .xls name", path: "29956/M1.xls",
			build: func(t *testing.T, file string) {
				tmp := file + ".xlsx"
				writeXLSX(t, tmp, fxSheet{name: "M1", rows: concat(m1Block("UBND XÃ THƯỜNG PHƯỚC 1"), [][]any{m1Header1}, m1Data(2))})
				if err := os.Rename(tmp, file); err != nil {
					t.Fatal(err)
				}
			},
			status: record.StatusAccepted, form: record.FormM1, commune: "29956",
		},
		{
			name: "no form at all: not_a_form", path: "29956/so tay.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "Sheet1", rows: [][]any{row("Chi tiêu", "Số tiền"), row("Gạo", 100000)}})
			},
			status: record.StatusRejected, reason: record.ReasonNotAForm, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				if !strings.Contains(wb.Findings[0].Message, "không phải một trong các mẫu đối thoại (M1–M5)") {
					t.Errorf("message %q", wb.Findings[0].Message)
				}
			},
		},
		{
			name: "title names a form but no header of it: unknown_form", path: "29956/M1 thieu cot.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M1", rows: concat(m1Block("UBND XÃ THƯỜNG PHƯỚC 1"),
					[][]any{row("STT", "Họ và tên", "Năm sinh", "Giới tính", "Dân tộc"), row(1, "Lê Văn Bé", 1959, "Nam", "Kinh")})})
			},
			status: record.StatusRejected, reason: record.ReasonUnknownForm, commune: "29956",
			check: func(t *testing.T, wb record.Workbook) {
				msg := wb.Findings[0].Message
				if !strings.Contains(msg, "Tiêu đề cho biết đây là mẫu M1") || !strings.Contains(msg, "Mã hộ, Khóm/Ấp (hoặc Phân loại hộ)") {
					t.Errorf("message %q", msg)
				}
			},
		},
		{
			name: "header but no data rows: no_data", path: "29956/trong.xlsx",
			build: func(t *testing.T, file string) {
				writeXLSX(t, file, fxSheet{name: "M1", rows: concat(m1Block("UBND XÃ THƯỜNG PHƯỚC 1"), [][]any{m1Header1, row(1), row(2)}, footerRows)})
			},
			status: record.StatusRejected, reason: record.ReasonNoData, form: record.FormM1, commune: "29956",
		},
		{
			name: "CSV with header block lines", path: "29977/M1.csv",
			build:  writeBytes("\ufeffUBND XÃ THƯỜNG LẠC,,,,\n,,,,\nDANH SÁCH HỘ NGHÈO DỰ KIẾN THOÁT NGHÈO,,,,\nSTT,Mã hộ,Họ và tên chủ hộ,Năm sinh,Giới tính\n(1),(2),(3),(4),(5)\n1,29977-0001,Lê Thị Hoa,1960,Nữ\n,,,,\n2,29977-0002,Phan Văn Tư,1955,Nam\n,,,,\n,Người lập biểu,,,\n"),
			status: record.StatusAccepted, form: record.FormM1, commune: "29977",
			check: func(t *testing.T, wb record.Workbook) {
				tb := wb.Tables[0]
				if tb.Sheet != "" || tb.NumberRow != 5 || tb.FooterRow != 10 {
					t.Errorf("sheet %q number %d footer %d", tb.Sheet, tb.NumberRow, tb.FooterRow)
				}
				if got := rowNums(wb)[""]; len(got) != 2 || got[0] != 6 || got[1] != 8 {
					t.Errorf("rows %v, want lines 6 and 8", got)
				}
				if c := cellAt(t, wb, "", 8, "head_name"); c.Text != "Phan Văn Tư" || c.Ref != "C8" {
					t.Errorf("cell %+v", c)
				}
				if f := hasFinding(wb, "missing-label"); f == nil || f.Column != "hamlet" || strings.Contains(f.Message, "trang") {
					t.Errorf("CSV finding should name no sheet: %+v", f)
				}
			},
		},
	}
	rd := &Reader{Plan: plan.Default()}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "archived"+filepath.Ext(tc.path))
			tc.build(t, file)
			folder := ""
			if i := strings.Index(tc.path, "/"); i >= 0 {
				folder = tc.path[:i]
			}
			sub := record.Submission{ID: "sha-" + tc.name, Path: tc.path, ArchivePath: file, FolderHint: folder}
			wb, err := rd.Read(context.Background(), sub)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if wb.Status != tc.status || wb.Reason != tc.reason {
				t.Fatalf("status %s reason %q, want %s %q; findings %v", wb.Status, wb.Reason, tc.status, tc.reason, messages(wb))
			}
			if wb.Form != tc.form {
				t.Errorf("form %q, want %q", wb.Form, tc.form)
			}
			if wb.CommuneCode != tc.commune {
				t.Errorf("commune %q, want %q", wb.CommuneCode, tc.commune)
			}
			if wb.Status == record.StatusRejected {
				if len(wb.Findings) != 1 || wb.Findings[0].Row != 0 || wb.Findings[0].Code != wb.Reason {
					t.Errorf("rejected: want one file-level finding, got %+v", wb.Findings)
				}
			}
			for _, f := range wb.Findings {
				if !strings.Contains(f.Message, tc.path) || f.Path != tc.path || f.SubmissionID != sub.ID {
					t.Errorf("finding does not name the file: %+v", f)
				}
				if f.CommuneCode != wb.CommuneCode {
					t.Errorf("finding commune %q, workbook %q", f.CommuneCode, wb.CommuneCode)
				}
			}
			if tc.check != nil {
				tc.check(t, wb)
			}
		})
	}
}

// writeBytes builds a fixture holding the bytes.
func writeBytes(s string) func(t *testing.T, file string) {
	return func(t *testing.T, file string) {
		if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLegacyFixtureTables(t *testing.T) {
	for _, tc := range []struct {
		enc   vntext.Encoding
		table map[string]string
	}{{vntext.TCVN3, tcvn3Names}, {vntext.VNI, vniNames}} {
		for want, enc := range tc.table {
			if got := vntext.Decode(enc, tc.enc); got != want {
				t.Errorf("%s: %q decodes to %q, want %q (fix the test table)", tc.enc, enc, got, want)
			}
		}
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rd := &Reader{Plan: plan.Default()}
	if _, err := rd.Read(ctx, record.Submission{Path: "x.xlsx", ArchivePath: "/nonexistent"}); err != context.Canceled {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}
