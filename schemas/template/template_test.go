package template

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/schemas"
	"doithoai/stages/read"
	"doithoai/stages/validate"
)

var ict = time.FixedZone("ICT", 7*3600)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, ict) }

// readBack reads a written file with the pipeline's reader, as a flat
// inbox file (the commune must come from the header block).
func readBack(t *testing.T, p *plan.Plan, abs, folder string) record.Workbook {
	t.Helper()
	rel := filepath.Base(abs)
	if folder != "" {
		rel = folder + "/" + rel
	}
	r := read.Reader{Plan: p}
	wb, err := r.Read(context.Background(), record.Submission{ID: "x", Path: rel, ArchivePath: abs, FolderHint: folder})
	if err != nil {
		t.Fatalf("read %s: %v", rel, err)
	}
	return wb
}

// checkCell compares a read cell with the value written.
func checkCell(t *testing.T, where string, want any, got record.Cell) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if got.Text != "" || got.IsNum || got.IsDate {
			t.Errorf("%s: want an empty cell, got %+v", where, got)
		}
	case string:
		if got.Text != w || got.IsNum || got.IsDate {
			t.Errorf("%s: want text %q, got %+v", where, w, got)
		}
	case int:
		if !got.IsNum || got.IsDate || got.Num != float64(w) {
			t.Errorf("%s: want number %d, got %+v", where, w, got)
		}
	case int64:
		if !got.IsNum || got.IsDate || got.Num != float64(w) {
			t.Errorf("%s: want number %d, got %+v", where, w, got)
		}
	case float64:
		if !got.IsNum || got.Num != w {
			t.Errorf("%s: want number %v, got %+v", where, w, got)
		}
	case time.Time:
		if !got.IsDate || got.Num != Serial(w) {
			t.Errorf("%s: want date %s (serial %v), got %+v", where, w.Format("02/01/2006"), Serial(w), got)
		}
		if d, ok := validate.ParseDate(got, ict); !ok || !d.Equal(time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, ict)) {
			t.Errorf("%s: the validator reads %v (%v), want %s", where, d, ok, w.Format("02/01/2006"))
		}
	default:
		t.Fatalf("%s: test value of type %T", where, want)
	}
}

func m1Rows() []Row {
	return []Row{
		{"household_code": "29956-0602", "head_name": "Nguyễn Văn Trí", "birth_year": 1979, "gender": "Nam", "citizen_id": "087079105129",
			"ethnicity": "Kinh", "hamlet": "Ấp 1", "household_class": "Hộ cận nghèo", "members": 4},
		{"household_code": "29956-0518", "head_name": "Võ Tuấn", "birth_year": 1952, "gender": "Nam", "citizen_id": "087052425348",
			"ethnicity": "Kinh", "hamlet": "Ấp 1", "household_class": "Hộ nghèo", "members": 4, "note": "Hộ neo đơn"},
		{"household_code": "29956-0178", "head_name": "Nguyễn Kim Lệ", "birth_year": day(1966, time.March, 5), "gender": "Nữ", "citizen_id": "340840773",
			"ethnicity": "Khmer", "hamlet": "Ấp 1", "household_class": "Hộ cận nghèo", "members": 3},
		{"household_code": "29956-0249", "head_name": "Nguyễn Minh Lộc", "birth_year": 1988, "gender": "Nam",
			"ethnicity": "Kinh", "hamlet": "Ấp 1", "household_class": "Hộ cận nghèo", "members": 5},
	}
}

func m2Rows() []Row {
	return []Row{
		{"rep_name": "Nguyễn Văn Trí", "birth_year": 1979, "gender": "Nam", "citizen_id": "087079105129", "relation": "Chủ hộ",
			"head_name": "Nguyễn Văn Trí", "household_code": "29956-0602", "hamlet": "Ấp 1", "household_class": "Hộ cận nghèo", "phone": "0369167671"},
		{"rep_name": "Trần Thị Bé", "birth_year": 1981, "gender": "Nữ", "relation": "Vợ",
			"head_name": "Nguyễn Minh Lộc", "household_code": "29956-0249", "hamlet": "Ấp 1", "household_class": "Hộ cận nghèo", "note": "Đi thay chồng"},
	}
}

func m3Rows() []Row {
	return []Row{
		{"name": "Nguyễn Văn Đức", "position": "Phó Chủ tịch UBND xã", "component": "Ban giảm nghèo", "phone": "0903640608"},
		{"name": "Trần Thị Ngọc", "position": "Chủ tịch Hội Liên hiệp Phụ nữ", "component": "Hội đoàn thể", "phone": "0326138514"},
		{"name": "Võ Văn Lực", "position": "Trưởng ấp", "component": "Trưởng khóm/ấp", "hamlet": "Ấp 1", "phone": "0854726008"},
	}
}

func m4Rows() []Row {
	return []Row{
		{"hamlet": "Ấp 1", "reporter_name": "Nguyễn Thị Nga", "household_code": "29956-0362", "topic": "Y tế, bảo hiểm y tế",
			"content": "Đề nghị khám bệnh lưu động tại ấp.", "received_on": day(2022, time.April, 11)},
		{"hamlet": "Ấp 2", "topic": "Tín dụng chính sách", "content": "=Thủ tục vay vốn hộ mới thoát nghèo còn rườm rà,\nđề nghị đơn giản hóa."},
	}
}

func m5Rows() []Row {
	return []Row{
		{"cluster": "Cụm 1", "date": day(2022, time.May, 24), "district_team": 7, "commune_delegates": 21, "hamlet_heads": 12,
			"household_reps": 58, "opinions": 25, "answered": 15, "forwarded": 8},
	}
}

func TestWriteReadBack(t *testing.T) {
	p := plan.Default()
	dir := t.TempDir()
	cases := []struct {
		name       string
		opt        Options
		headerRows int
	}{
		{"M1", Options{Form: record.FormM1, Commune: "29956", Sheets: []Sheet{{Rows: m1Rows()}}, Date: day(2022, time.March, 18),
			Preparer: "Trần Thị Lựu", Signer: "Đặng Văn Hưng", Reference: "(Kèm theo Kế hoạch số 28/KH-UBND ngày 10/3/2022 của UBND xã Thường Phước 1)"}, 2},
		{"M1 flat", Options{Form: record.FormM1, Commune: "Thường Phước 1", FlatHeader: true, Sheets: []Sheet{{Rows: m1Rows()}}}, 1},
		{"M2", Options{Form: record.FormM2, Commune: "xa thuong phuoc 1", Sheets: []Sheet{{Rows: m2Rows()}}, Date: day(2022, time.April, 15)}, 2},
		{"M3", Options{Form: record.FormM3, Commune: "29956", Sheets: []Sheet{{Rows: m3Rows()}}, BlankRows: 3}, 1},
		{"M4", Options{Form: record.FormM4, Commune: "29956", Sheets: []Sheet{{Rows: m4Rows()}}, NoLists: true}, 1},
		{"M5", Options{Form: record.FormM5, Commune: "29971", Sheets: []Sheet{{Rows: m5Rows()}}, Date: day(2022, time.May, 27)}, 2},
		{"M5 flat", Options{Form: record.FormM5, Commune: "Thường Thới Tiền", FlatHeader: true, Sheets: []Sheet{{Rows: m5Rows()}}}, 1},
		{"M1 per hamlet", Options{Form: record.FormM1, Commune: "29971", Sheets: []Sheet{
			{Hamlet: "Khóm Thượng 1", Rows: []Row{
				{"household_code": "29971-0866", "head_name": "Nguyễn Thị Sương", "birth_year": 1960, "gender": "Nữ", "citizen_id": "087160558028",
					"ethnicity": "Kinh", "hamlet": "Khóm Thượng 1", "household_class": "Hộ cận nghèo", "members": 5},
			}},
			{Hamlet: "Khóm Thượng 2", Rows: []Row{
				{"household_code": "29971-0441", "head_name": "Võ Thị Liên", "birth_year": 1971, "gender": "Nữ", "citizen_id": "087171674312",
					"ethnicity": "Kinh", "hamlet": "Khóm Thượng 2", "household_class": "Hộ nghèo", "members": 3},
				{"household_code": "29971-0046", "head_name": "Nguyễn Thị Dung", "birth_year": 1981, "gender": "Nữ",
					"ethnicity": "Hoa", "hamlet": "Khóm Thượng 2", "household_class": "Hộ nghèo", "members": 4},
			}},
			{Name: "Ghi: chú/ [tạm]*", Hamlet: "Khóm Trung 1", Rows: []Row{
				{"household_code": "29971-0476", "head_name": "Hồ Văn Minh", "birth_year": 1966, "gender": "Nam",
					"hamlet": "Khóm Trung 1", "household_class": "Hộ nghèo", "members": 1},
			}},
		}}, 2},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			abs := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".xlsx")
			if err := Write(abs, p, tc.opt); err != nil {
				t.Fatal(err)
			}
			wb := readBack(t, p, abs, "")
			if wb.Status != record.StatusAccepted {
				t.Fatalf("status %s (%s): %+v", wb.Status, wb.Reason, wb.Findings)
			}
			want, _ := resolveCommune(p, tc.opt.Commune)
			if wb.Form != tc.opt.Form || wb.CommuneCode != want.Code {
				t.Fatalf("read as form %s of commune %s, want %s of %s", wb.Form, wb.CommuneCode, tc.opt.Form, want.Code)
			}
			if wb.HeaderName != "UBND "+strings.ToUpper(want.FullName()) {
				t.Errorf("header name %q", wb.HeaderName)
			}
			if len(wb.Findings) != 0 {
				t.Errorf("reader findings: %+v", wb.Findings)
			}
			if len(wb.Tables) != len(tc.opt.Sheets) {
				t.Fatalf("%d tables, want %d", len(wb.Tables), len(tc.opt.Sheets))
			}
			sc := schemas.Get(string(tc.opt.Form))
			first := FirstDataRow(tc.opt)
			names := sheetNames(tc.opt)
			for si, sh := range tc.opt.Sheets {
				tbl := wb.Tables[si]
				if tbl.Sheet != names[si] {
					t.Errorf("sheet %d is %q, want %q", si, tbl.Sheet, names[si])
				}
				if len(tbl.HeaderRows) != tc.headerRows || tbl.NumberRow != first-1 || tbl.FooterRow == 0 {
					t.Errorf("sheet %q: header rows %v, number row %d, footer row %d (first data row %d)", tbl.Sheet, tbl.HeaderRows, tbl.NumberRow, tbl.FooterRow, first)
				}
				if len(tbl.Columns) != len(sc.Fields) || len(tbl.Unknown) != 0 {
					t.Errorf("sheet %q: columns %+v, unknown %v", tbl.Sheet, tbl.Columns, tbl.Unknown)
				}
				for ci, c := range tbl.Columns {
					if c.Field != sc.Fields[ci].Name || c.Col != ci+1 {
						t.Errorf("sheet %q: column %d read as %s, want %s", tbl.Sheet, c.Col, c.Field, sc.Fields[ci].Name)
					}
				}
				if len(tbl.Rows) != len(sh.Rows) {
					t.Fatalf("sheet %q: %d rows, want %d", tbl.Sheet, len(tbl.Rows), len(sh.Rows))
				}
				for ri, r := range sh.Rows {
					got := tbl.Rows[ri]
					if got.Row != first+ri {
						t.Errorf("row %d is sheet row %d, want %d", ri, got.Row, first+ri)
					}
					checkCell(t, "stt", ri+1, got.Cells.At(schemas.IDSTT))
					for _, f := range sc.Fields {
						if f.Name == "stt" {
							continue
						}
						checkCell(t, tbl.Sheet+"/"+got.Cells.At(f.ID).Ref+"/"+f.Name, r[f.Name], got.Cells.At(f.ID))
					}
				}
			}
			// The rows are valid records of their form.
			wb.Submission.Seq = int64(i)
			ds, err := validate.Validate(context.Background(), p, []record.Workbook{wb})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds.Findings) != 0 {
				t.Errorf("validation findings: %+v", ds.Findings)
			}
		})
	}
}

func TestWriteFileLayout(t *testing.T) {
	p := plan.Default()
	abs := filepath.Join(t.TempDir(), "M1.xlsx")
	rows := m1Rows()
	rows[3]["citizen_id"] = int64(87088198400) // Excel lost the leading zero
	opt := Options{Form: record.FormM1, Commune: "29956", Sheets: []Sheet{{Rows: rows}}, Date: day(2022, time.March, 18), BlankRows: 2}
	if err := Write(abs, p, opt); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := "DS hộ thoát nghèo"
	if got := f.GetSheetList(); len(got) != 2 || got[0] != sheet || got[1] != listSheet {
		t.Fatalf("sheets %v", got)
	}
	if vis, _ := f.GetSheetVisible(listSheet); vis {
		t.Error("the list sheet is visible")
	}
	cell := func(ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for ref, want := range map[string]string{
		"A1": "UBND XÃ THƯỜNG PHƯỚC 1", "G1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "G2": "Độc lập - Tự do - Hạnh phúc",
		"K3": "Mẫu M1", "A5": "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO DỰ KIẾN THOÁT NGHÈO, THOÁT CẬN NGHÈO NĂM 2022",
		"A6": "Xã Thường Phước 1, huyện Hồng Ngự, tỉnh Đồng Tháp",
		"A8": "STT", "C8": "Thông tin chủ hộ", "C9": "Họ và tên", "F9": "Số CCCD/CMND", "K8": "Ghi chú", "A10": "(1)", "K10": "(11)",
		"A11": "1", "F11": "087079105129", "F14": "87088198400",
		"G18": "Thường Phước 1, ngày 18 tháng 3 năm 2022", "B19": "NGƯỜI LẬP BIỂU", "G19": "TM. ỦY BAN NHÂN DÂN", "G20": "CHỦ TỊCH",
	} {
		if got := cell(ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	for ref, want := range map[string]excelize.CellType{"F11": excelize.CellTypeSharedString, "F14": excelize.CellTypeUnset, "D11": excelize.CellTypeUnset} {
		if got, _ := f.GetCellType(sheet, ref); got != want {
			t.Errorf("%s type %v, want %v", ref, got, want)
		}
	}
	merges, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, m := range merges {
		have[m.GetStartAxis()+":"+m.GetEndAxis()] = true
	}
	for _, m := range []string{"A1:E1", "G1:K1", "A5:K5", "A8:A9", "B8:B9", "C8:F8", "G8:G9", "G18:K18"} {
		if !have[m] {
			t.Errorf("merge %s missing (have %v)", m, have)
		}
	}
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	sq := map[string]string{}
	for _, dv := range dvs {
		sq[dv.Sqref] = dv.Formula1
	}
	if got := sq["H11:H16"]; !strings.Contains(got, "Danh mục") {
		t.Errorf("hamlet drop-down %q (all: %v)", got, sq)
	}
	lists, _ := f.GetCols(listSheet)
	if len(lists) != 3 || strings.Join(lists[1], "|") != "Khóm/Ấp|Ấp 1|Ấp 2|Ấp 3|Ấp Chòm Xoài|Ấp Giồng Bàng" ||
		strings.Join(lists[2][:3], "|") != "Phân loại hộ|Hộ nghèo|Hộ cận nghèo" {
		t.Errorf("list sheet columns %v", lists)
	}

	// The 11-digit number is read as Excel left it: a warning, restored.
	wb := readBack(t, p, abs, "Xa Thuong Phuoc 1")
	ds, err := validate.Validate(context.Background(), p, []record.Workbook{wb})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Findings) != 1 || ds.Findings[0].Code != validate.CodeIDZeroRestored || ds.Households[3].CitizenID != "087088198400" {
		t.Errorf("findings %+v, household %+v", ds.Findings, ds.Households[3])
	}
}

func TestWriteBlank(t *testing.T) {
	p := plan.Default()
	dir := t.TempDir()
	for _, form := range []record.Form{record.FormM1, record.FormM2, record.FormM3, record.FormM4, record.FormM5} {
		abs := filepath.Join(dir, string(form)+" mau trong.xlsx")
		if err := WriteBlank(abs, p, form, "Long Khánh A"); err != nil {
			t.Fatal(err)
		}
		// An empty form is recognised, then refused for having no data.
		wb := readBack(t, p, abs, "")
		if wb.Status != record.StatusRejected || wb.Reason != record.ReasonNoData || wb.Form != form || wb.CommuneCode != "29980" {
			t.Errorf("%s: read as %s %s %s of %s", form, wb.Status, wb.Reason, wb.Form, wb.CommuneCode)
		}
		f, err := excelize.OpenFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		sheet := f.GetSheetName(0)
		opt := Options{Form: form}
		first := FirstDataRow(opt)
		dvs, _ := f.GetDataValidations(sheet)
		if len(dvs) == 0 {
			t.Errorf("%s: no drop-down lists", form)
		}
		for _, dv := range dvs {
			if !strings.HasSuffix(dv.Sqref, fmt.Sprint(first+DefaultBlankRows-1)) || !strings.Contains(dv.Sqref, fmt.Sprint(first)+":") {
				t.Errorf("%s: drop-down range %q", form, dv.Sqref)
			}
		}
		foot := first + DefaultBlankRows + 1
		rows, _ := f.GetRows(sheet)
		if len(rows) < foot || !strings.Contains(strings.Join(rows[foot-1], ""), "ngày … tháng … năm 2022") {
			t.Errorf("%s: date line not on row %d: %q", form, foot, rows[min(foot, len(rows))-1])
		}
		f.Close()
	}
}

func TestWriteErrors(t *testing.T) {
	p := plan.Default()
	dir := t.TempDir()
	cases := []struct {
		name string
		opt  Options
		want string
	}{
		{"unknown field", Options{Form: record.FormM3, Commune: "29956", Sheets: []Sheet{{Rows: []Row{{"name": "A", "chuc_vu": "B"}}}}}, `"chuc_vu" is not a field`},
		{"unknown commune", Options{Form: record.FormM3, Commune: "Thường Thới Hậu B", Sheets: []Sheet{{}}}, "not a commune of the plan"},
		{"unknown form", Options{Form: record.FormKH, Commune: "29956", Sheets: []Sheet{{}}}, "not one of M1–M5"},
		{"no sheet", Options{Form: record.FormM3, Commune: "29956"}, "no sheet"},
		{"bad value", Options{Form: record.FormM3, Commune: "29956", Sheets: []Sheet{{Rows: []Row{{"name": []string{"A"}}}}}}, "unsupported value type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			abs := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".xlsx")
			err := Write(abs, p, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(abs); !os.IsNotExist(err) {
				t.Errorf("a failed write left %s", abs)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestWriteDeterministic(t *testing.T) {
	p := plan.Default()
	dir := t.TempDir()
	opt := Options{Form: record.FormM2, Commune: "29956", Sheets: []Sheet{{Rows: m2Rows()}}, Date: day(2022, time.April, 15)}
	var got [][]byte
	for _, name := range []string{"a.xlsx", "b.xlsx"} {
		abs := filepath.Join(dir, name)
		if err := Write(abs, p, opt); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b)
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Error("the same options gave different bytes")
	}
	for _, name := range []string{"c.xlsx", "d.xlsx"} {
		abs := filepath.Join(dir, name)
		if err := WriteBlank(abs, p, record.FormM4, "29956"); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b)
	}
	if !bytes.Equal(got[2], got[3]) {
		t.Error("two blank templates differ")
	}
}

func TestWritePlanDocument(t *testing.T) {
	p := plan.Default()
	dir := filepath.Join(t.TempDir(), "Xã Thường Thới Tiền")
	abs := filepath.Join(dir, "KH doi thoai 2022.docx")
	doc := PlanDocument{Commune: "29971", Number: "28/KH-UBND", Date: day(2022, time.March, 10), Signer: "Đặng Văn Hưng"}
	if err := WritePlanDocument(abs, p, doc); err != nil {
		t.Fatal(err)
	}
	wb := readBack(t, p, abs, "Xã Thường Thới Tiền")
	if wb.Status != record.StatusAccepted || wb.Form != record.FormKH || wb.CommuneCode != "29971" || wb.Format != "docx" {
		t.Fatalf("read as %+v", wb)
	}
	zr, err := zip.OpenReader(abs)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var text string
	for _, f := range zr.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		text = string(b)
	}
	for _, want := range []string{"THỊ TRẤN THƯỜNG THỚI TIỀN", "Số: 28/KH-UBND", "Thường Thới Tiền, ngày 10 tháng 3 năm 2022", "KẾ HOẠCH",
		"Cụm 1", "Trung tâm Văn hóa - Học tập cộng đồng thị trấn Thường Thới Tiền", "đơn vị chủ trì Cụm 1", "Khóm Thượng 1", "Đặng Văn Hưng"} {
		if !strings.Contains(text, want) {
			t.Errorf("the plan does not say %q", want)
		}
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Errorf("%s is not well-formed XML: %v", f.Name, err)
				break
			}
		}
		rc.Close()
	}
	if err := WritePlanDocument(filepath.Join(dir, "KH.pdf"), p, doc); err == nil {
		t.Error("a .pdf name was accepted")
	}
}

// TestLikeSamples compares the forms with the real-looking sample files of
// /work/shared/samples/2022: the reader maps the same columns, from header
// texts read the same way.
func TestLikeSamples(t *testing.T) {
	shared := truth.SharedDir()
	if shared == "" {
		t.Skip("no shared folder")
	}
	inbox := filepath.Join(shared, "samples", "2022", "inbox")
	if _, err := os.Stat(inbox); err != nil {
		t.Skip("no 2022 sample set")
	}
	p := plan.Default()
	dir := t.TempDir()
	cases := []struct {
		sample string
		opt    Options
	}{
		{"29956/DS du kien thoat ngheo 2022 - TP1.xlsx", Options{Form: record.FormM1, Commune: "29956", Sheets: []Sheet{{Rows: m1Rows()}}}},
		{"29977/M2_ThuongLac_gui lai.xlsx", Options{Form: record.FormM2, Commune: "29977", FlatHeader: true, Sheets: []Sheet{{Rows: m2Rows()}}}},
		{"29956/M3 thanh phan TP1.xlsx", Options{Form: record.FormM3, Commune: "29956", Sheets: []Sheet{{Rows: m3Rows()}}}},
		{"29956/M4 y kien TP1.xlsx", Options{Form: record.FormM4, Commune: "29956", Sheets: []Sheet{{Rows: m4Rows()}}}},
		{"Phú Thuận A/M5 Cum 4.xlsx", Options{Form: record.FormM5, Commune: "29998", Sheets: []Sheet{{Rows: m5Rows()}}}},
	}
	for _, tc := range cases {
		t.Run(string(tc.opt.Form), func(t *testing.T) {
			folder := strings.Split(tc.sample, "/")[0]
			theirs := readBack(t, p, filepath.Join(inbox, filepath.FromSlash(tc.sample)), folder)
			abs := filepath.Join(dir, string(tc.opt.Form)+".xlsx")
			if err := Write(abs, p, tc.opt); err != nil {
				t.Fatal(err)
			}
			ours := readBack(t, p, abs, folder)
			if theirs.Form != ours.Form || theirs.CommuneCode != ours.CommuneCode || len(theirs.Tables) == 0 || len(ours.Tables) != 1 {
				t.Fatalf("sample read as %s of %s, ours as %s of %s", theirs.Form, theirs.CommuneCode, ours.Form, ours.CommuneCode)
			}
			a, b := theirs.Tables[0], ours.Tables[0]
			if len(a.HeaderRows) != len(b.HeaderRows) || (a.NumberRow == 0) != (b.NumberRow == 0) {
				t.Errorf("sample header rows %v (numbers %d), ours %v (numbers %d)", a.HeaderRows, a.NumberRow, b.HeaderRows, b.NumberRow)
			}
			header := map[string]string{}
			for _, c := range b.Columns {
				header[c.Field] = c.Header
			}
			for _, c := range a.Columns {
				if got, ok := header[c.Field]; !ok || got != c.Header {
					t.Errorf("field %s: sample header %q, ours %q", c.Field, c.Header, got)
				}
			}
		})
	}
}
