package read

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/stages/read/internal/readtest"
)

// Fixtures imitating other offices' spreadsheets (each with the usual
// header block, merged headers and an STT column, or without them) and
// variants of the real forms. Written with excelize by the test itself.

// officeBlock is the usual header block of a commune document.
func officeBlock(title string) [][]any {
	return [][]any{
		row("UBND XÃ THƯỜNG PHƯỚC 1", nil, nil, nil, nil, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
		row(nil, nil, nil, nil, nil, "Độc lập - Tự do - Hạnh phúc"),
		row(nil, nil, nil, nil, nil, "Thường Phước 1, ngày 15 tháng 3 năm 2022"),
		nil,
		row(title),
		nil,
	}
}

// recogCase is one fixture file and what recognition must make of it.
type recogCase struct {
	name    string
	path    string // inbox-relative; the folder is its first segment
	sheets  []fxSheet
	form    record.Form // "" for another office's document
	closest string      // the form the rejection names ("" for none)
	missing []string    // column titles the rejection names
	commune string      // expected commune code of the verdict
	title   string      // the document title the rejection quotes
}

var cadreHeader = [][]any{
	row("STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Trình độ", nil, "Dân tộc", "Ghi chú"),
	row(nil, nil, nil, nil, nil, "Chuyên môn", "Lý luận chính trị"),
}

var cadreData = [][]any{
	row(1, "Nguyễn Văn Đức", "12/05/1975", "Nam", "Chủ tịch UBND", "Đại học", "Cao cấp", "Kinh"),
	row(2, "Trần Thị Ngọc", "03/09/1982", "Nữ", "Công chức Văn phòng - Thống kê", "Đại học", "Trung cấp", "Kinh"),
	row(3, "Lê Văn Tám", "21/01/1979", "Nam", "Công chức Địa chính", "Cao đẳng", "Trung cấp", "Khmer", "Nghỉ phép"),
}

var cadreMerges = []string{"A7:A8", "B7:B8", "C7:C8", "D7:D8", "E7:E8", "F7:G7", "H7:H8", "I7:I8"}

var gsoRows = [][]any{
	row("Tỉnh/Thành phố", "Mã", "Quận Huyện", "Mã", "Phường Xã", "Mã", "Cấp"),
	row("Tỉnh Đồng Tháp", 87, "Huyện Hồng Ngự", 869, "Xã Thường Phước 2", 29974, "Xã"),
	row("Tỉnh Đồng Tháp", 87, "Huyện Hồng Ngự", 869, "Xã Thường Lạc", 29977, "Xã"),
	row("Tỉnh Đồng Tháp", 87, "Huyện Hồng Ngự", 869, "Thị trấn Thường Thới Tiền", 29971, "Thị trấn"),
}

func recogCases() []recogCase {
	m1Missing := []string{"Mã hộ", "Khóm/Ấp"}
	return []recogCase{
		{name: "cadre list with header block, merged header", path: "29956/DS can bo.xlsx",
			sheets:  []fxSheet{{name: "CBCC", rows: concat(officeBlock("DANH SÁCH CÁN BỘ, CÔNG CHỨC XÃ NĂM 2022"), cadreHeader, cadreData), merges: cadreMerges}},
			closest: "M1", missing: m1Missing, commune: "29956", title: "DANH SÁCH CÁN BỘ, CÔNG CHỨC XÃ NĂM 2022"},
		{name: "cadre list without header block, flat", path: "DS can bo cong chuc.xlsx",
			sheets:  []fxSheet{{name: "Sheet1", rows: concat(cadreHeader, cadreData), merges: []string{"A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:G1", "H1:H2", "I1:I2"}}},
			closest: "M1", missing: m1Missing},
		{name: "payroll", path: "29956/Bang luong T3.xlsx",
			sheets: []fxSheet{{name: "Luong", rows: concat(officeBlock("BẢNG LƯƠNG THÁNG 3 NĂM 2022"), [][]any{
				row("STT", "Họ và tên", "Chức vụ", "Hệ số lương", "Các khoản phụ cấp", nil, "Tổng cộng", "Ký nhận"),
				row(nil, nil, nil, nil, "Chức vụ", "Công vụ"),
				row("A", "B", 1, 2, 3, 4, 5, "C"),
				row(1, "Nguyễn Văn Đức", "Chủ tịch", 4.32, 0.3, 0.25, 9500000),
				row(2, "Trần Thị Ngọc", "Công chức", 2.67, nil, 0.25, 5200000),
			}), merges: []string{"A7:A8", "B7:B8", "C7:C8", "D7:D8", "E7:F7", "G7:G8", "H7:H8"}}},
			closest: "M3", missing: []string{"Thành phần"}, commune: "29956", title: "BẢNG LƯƠNG THÁNG 3 NĂM 2022"},
		{name: "asset register", path: "29956/So tai san.xlsx",
			sheets: []fxSheet{{name: "TS", rows: concat(officeBlock("SỔ THEO DÕI TÀI SẢN CỐ ĐỊNH"), [][]any{
				row("STT", "Tên tài sản", "Mã tài sản", "Năm đưa vào sử dụng", "Số lượng", "Nguyên giá", "Ghi chú"),
				row(1, "Máy vi tính để bàn", "TS-001", 2019, 2, 15000000),
				row(2, "Máy in", "TS-002", 2020, 1, 4500000, "Hỏng"),
			})}},
			commune: "29956", title: "SỔ THEO DÕI TÀI SẢN CỐ ĐỊNH"},
		{name: "election-candidate list", path: "29956/DS ung cu.xlsx",
			sheets: []fxSheet{{name: "UCV", rows: concat(officeBlock("DANH SÁCH NGƯỜI ỨNG CỬ ĐẠI BIỂU HỘI ĐỒNG NHÂN DÂN XÃ NHIỆM KỲ 2021-2026"), [][]any{
				row("STT", "Họ và tên", "Ngày, tháng, năm sinh", "Giới tính", "Quê quán", "Nơi ở hiện nay", "Dân tộc", "Tôn giáo", "Nghề nghiệp, chức vụ", "Nơi công tác"),
				row(1, "Nguyễn Văn Đức", "12/05/1975", "Nam", "Thường Phước 1", "Ấp 1", "Kinh", "Không", "Chủ tịch UBND xã", "UBND xã Thường Phước 1"),
				row(2, "Trần Thị Ngọc", "03/09/1982", "Nữ", "Thường Phước 2", "Ấp 2", "Kinh", "Phật giáo", "Chủ tịch Hội LHPN", "Hội LHPN xã"),
			})}},
			closest: "M1", missing: m1Missing, commune: "29956", title: "DANH SÁCH NGƯỜI ỨNG CỬ"},
		{name: "election-candidate list without header block", path: "29956/ung cu vien.xlsx",
			sheets: []fxSheet{{name: "Sheet1", rows: [][]any{
				row("TT", "Họ tên", "Ngày sinh", "Giới tính", "Dân tộc", "Nơi công tác"),
				row(1, "Nguyễn Văn Đức", "12/05/1975", "Nam", "Kinh", "UBND xã"),
			}}},
			closest: "M1", missing: m1Missing, commune: "29956"},
		{name: "GSO list of administrative units, flat", path: "Danh sach don vi hanh chinh.xlsx",
			sheets: []fxSheet{{name: "Sheet1", rows: gsoRows}}},
		{name: "GSO list in a commune folder: data cells name other communes", path: "29956/DVHC.xlsx",
			sheets: []fxSheet{{name: "Sheet1", rows: gsoRows}}, commune: "29956"},
		{name: "GSO list with a header block", path: "29956/DVHC co tieu de.xlsx",
			sheets: []fxSheet{{name: "DVHC", rows: concat([][]any{
				row("TỔNG CỤC THỐNG KÊ"), nil,
				row("DANH MỤC ĐƠN VỊ HÀNH CHÍNH VIỆT NAM"), nil,
			}, gsoRows)}}, commune: "29956", title: "DANH MỤC ĐƠN VỊ HÀNH CHÍNH VIỆT NAM"},
		{name: "the full poor-household list: M1's columns under another title", path: "29956/DS ho ngheo.xlsx",
			sheets:  []fxSheet{{name: "DS", rows: concat(officeBlock("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2022"), [][]any{m1Header1}, m1Data(3))}},
			closest: "M1", commune: "29956", title: "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2022"},

		// Real forms, varied.
		{name: "M1 with Mã hộ renamed (title kept)", path: "29956/M1 doi ten cot.xlsx",
			sheets: []fxSheet{{name: "M1", rows: concat(m1Block("UBND XÃ THƯỜNG PHƯỚC 1"),
				[][]any{row("STT", "Số hiệu", "Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Dân tộc", "Khóm/Ấp", "Phân loại hộ", "Số nhân khẩu", "Ghi chú")}, m1Data(2))}},
			form: record.FormM1, commune: "29956"},
		{name: "M1 with Khóm/Ấp renamed, no title, no Mẫu line", path: "29956/M1 khong tieu de.xlsx",
			sheets: []fxSheet{{name: "M1", rows: concat([][]any{row("UBND XÃ THƯỜNG PHƯỚC 1"), nil},
				[][]any{row("STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Dân tộc", "Địa bàn", "Phân loại hộ", "Số nhân khẩu", "Ghi chú")}, m1Data(2))}},
			form: record.FormM1, commune: "29956"},
		{name: "M1 without any header block", path: "29956/M1 tran.xlsx",
			sheets: []fxSheet{{name: "M1", rows: concat([][]any{m1Header1}, m1Data(3))}},
			form:   record.FormM1, commune: "29956"},
		{name: "M2 without title, merged two-row header", path: "29956/M2 khong tieu de.xlsx",
			sheets: []fxSheet{{name: "M2", rows: [][]any{
				row("UBND XÃ THƯỜNG PHƯỚC 1"),
				nil,
				row("STT", "Người đại diện", nil, nil, "Chủ hộ", nil, "Khóm/Ấp", "Phân loại hộ"),
				row(nil, "Họ và tên", "Năm sinh", "Quan hệ", "Họ và tên", "Mã hộ"),
				row(1, "Nguyễn Thị Lệ", 1972, "Vợ", "Phan Minh Mến", "29956-0515", "Ấp 1", "Hộ cận nghèo"),
			}, merges: []string{"A3:A4", "B3:D3", "E3:F3", "G3:G4", "H3:H4"}}},
			form: record.FormM2, commune: "29956"},
		{name: "M3 without title, Mẫu line only", path: "29956/M3.xlsx",
			sheets: []fxSheet{{name: "M3", rows: [][]any{
				row("UBND XÃ THƯỜNG PHƯỚC 1", nil, nil, nil, "Mẫu M3"),
				row("STT", "Họ và tên", "Chức vụ", "Thuộc thành phần", "Khóm/Ấp", "Điện thoại"),
				row(1, "Nguyễn Văn Đức", "Phó Chủ tịch UBND xã", "Ban giảm nghèo"),
			}}},
			form: record.FormM3, commune: "29956"},
		{name: "M4 with Lĩnh vực renamed, no Mẫu line", path: "29956/M4.xlsx",
			sheets: []fxSheet{{name: "M4", rows: [][]any{
				row("UBND XÃ THƯỜNG PHƯỚC 1"),
				row("TỔNG HỢP Ý KIẾN, KIẾN NGHỊ CỦA HỘ NGHÈO, HỘ CẬN NGHÈO"),
				row("STT", "Khóm/Ấp", "Họ và tên người kiến nghị", "Mã hộ", "Vấn đề", "Nội dung ý kiến, kiến nghị", "Ngày tiếp nhận"),
				row(1, "Ấp 1", "Lê Văn Tư", nil, "Y tế", "Đề nghị cấp thẻ BHYT."),
			}}},
			form: record.FormM4, commune: "29956"},
		{name: "M5 without title", path: "29971/M5.xlsx",
			sheets: []fxSheet{{name: "M5", rows: [][]any{
				row("UBND THỊ TRẤN THƯỜNG THỚI TIỀN"),
				row("STT", "Cụm", "Ngày tổ chức", "Số người tham dự", nil, nil, nil, "Ý kiến, kiến nghị"),
				row(nil, nil, nil, "Tổ công tác huyện", "Cấp xã", "Trưởng khóm/ấp", "Đại diện hộ", "Tổng số", "Trả lời tại buổi", "Chuyển cơ quan giải quyết"),
				row(1, 1, "24/05/2022", 7, 7, 4, 20, 5, 3, 2),
			}, merges: []string{"A2:A3", "B2:B3", "C2:C3", "D2:G2", "H2:J2"}}},
			form: record.FormM5, commune: "29971"},
		{name: "M1 with a Phường/Xã column and the date line of another commune at the right", path: "29956/M1 cot xa.xlsx",
			sheets: []fxSheet{{name: "M1", rows: concat([][]any{
				row("UBND XÃ THƯỜNG PHƯỚC 1", nil, nil, nil, nil, nil, nil, nil, "Xã Thường Phước 2, ngày 18 tháng 3 năm 2022"),
				row("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO DỰ KIẾN THOÁT NGHÈO, THOÁT CẬN NGHÈO NĂM 2022"),
				row("STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Dân tộc", "Khóm/Ấp", "Phân loại hộ", "Số nhân khẩu", "Phường Xã"),
			}, m1Data(2))}},
			form: record.FormM1, commune: "29956"},
	}
}

// readFixture writes the case's workbook and reads it as a submission.
func readFixture(t *testing.T, rd *Reader, tc recogCase) record.Workbook {
	t.Helper()
	file := filepath.Join(t.TempDir(), "archived.xlsx")
	writeXLSX(t, file, tc.sheets...)
	folder := ""
	if i := strings.Index(tc.path, "/"); i >= 0 {
		folder = tc.path[:i]
	}
	wb, err := rd.Read(context.Background(), record.Submission{ID: "sha-" + tc.name, Path: tc.path, ArchivePath: file, FolderHint: folder})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return wb
}

// recognised is the form the reader took the file for ("" when it said
// the file is not one, or could not tell).
func recognised(wb record.Workbook) record.Form {
	if wb.Reason == record.ReasonNotAForm || wb.Reason == record.ReasonUnknownForm {
		return ""
	}
	return wb.Form
}

func TestRecognition(t *testing.T) {
	rd := &Reader{Plan: plan.Default()}
	for _, tc := range recogCases() {
		t.Run(tc.name, func(t *testing.T) {
			wb := readFixture(t, rd, tc)
			if wb.CommuneCode != tc.commune {
				t.Errorf("commune %q, want %q (reason %q)", wb.CommuneCode, tc.commune, wb.Reason)
			}
			if tc.form != "" {
				if wb.Status != record.StatusAccepted || wb.Form != tc.form {
					t.Fatalf("status %s %q form %q, want accepted %s; %v", wb.Status, wb.Reason, wb.Form, tc.form, messages(wb))
				}
				return
			}
			if wb.Status != record.StatusRejected || wb.Reason != record.ReasonNotAForm || wb.Form != "" {
				t.Fatalf("status %s reason %q form %q, want rejected not_a_form; %v", wb.Status, wb.Reason, wb.Form, messages(wb))
			}
			if len(wb.Findings) != 1 || wb.Findings[0].Code != record.ReasonNotAForm || !strings.Contains(wb.Findings[0].Message, tc.path) {
				t.Fatalf("findings %+v", wb.Findings)
			}
			msg := wb.Findings[0].Message
			t.Logf("%s", msg)
			if !strings.Contains(msg, "không phải một trong các mẫu đối thoại (M1–M5)") {
				t.Errorf("message %q", msg)
			}
			if tc.closest == "" {
				if strings.Contains(msg, "Gần nhất là") || strings.Contains(msg, "gần giống") {
					t.Errorf("names a closest form: %q", msg)
				}
			} else if !strings.Contains(msg, "Mẫu "+tc.closest) {
				t.Errorf("closest form %s not named: %q", tc.closest, msg)
			}
			for _, col := range tc.missing {
				if !strings.Contains(msg, col) {
					t.Errorf("missing column %q not named: %q", col, msg)
				}
			}
			if len(tc.missing) > 0 && !strings.Contains(msg, "thiếu các cột") {
				t.Errorf("message does not say what is missing: %q", msg)
			}
			if tc.title != "" && !strings.Contains(msg, "Tiêu đề của tệp: «"+tc.title) {
				t.Errorf("title %q not quoted: %q", tc.title, msg)
			}
		})
	}
}

// prCount accumulates a precision and recall of form recognition.
type prCount struct{ files, tp, fp, fn int }

func (c *prCount) add(want, got record.Form) {
	c.files++
	switch {
	case got != "" && got == want:
		c.tp++
	case got != "":
		c.fp++
		if want != "" {
			c.fn++
		}
	case want != "":
		c.fn++
	}
}

func (c prCount) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c prCount) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// TestRecognitionPrecision reports the precision and recall of form
// recognition over the fixtures (other offices' documents and real-form
// variants) and over the samples (truth.json gives each file's form):
// precision must be 1 on the fixtures, and nothing may regress on the
// samples (both 1 today).
func TestRecognitionPrecision(t *testing.T) {
	rd := &Reader{Plan: plan.Default()}
	var fx prCount
	for _, tc := range recogCases() {
		wb := readFixture(t, rd, tc)
		fx.add(tc.form, recognised(wb))
	}
	t.Logf("fixtures: %d files, precision %.3f, recall %.3f (tp %d, fp %d, fn %d)", fx.files, fx.precision(), fx.recall(), fx.tp, fx.fp, fx.fn)
	if fx.precision() != 1 || fx.recall() != 1 {
		t.Errorf("fixtures: precision %.3f recall %.3f, want 1 and 1", fx.precision(), fx.recall())
	}

	if truth.SharedDir() == "" {
		t.Log("../shared absent: samples not measured")
		return
	}
	set, tr := readtest.SampleSet(t, "2022")
	p, err := plan.Load(filepath.Join(set, "plan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rds := &Reader{Plan: p}
	var sm prCount
	for _, f := range tr.Files {
		if f.Expect == "ignored" || strings.HasPrefix(f.Expect, "same_as:") {
			continue
		}
		switch readtest.Str(f.Reason) {
		case record.ReasonCorrupt, record.ReasonEncrypted, record.ReasonTooLarge, record.ReasonUnsupported, record.ReasonNotSpreadsheet, record.ReasonEmpty:
			continue // unreadable bytes: no form to recognise
		}
		folder := ""
		if i := strings.Index(f.Path, "/"); i >= 0 {
			folder = f.Path[:i]
		}
		wb, err := rds.Read(context.Background(), record.Submission{ID: f.SHA256, Path: f.Path, ArchivePath: filepath.Join(set, "inbox", filepath.FromSlash(f.Path)), FolderHint: folder})
		if err != nil {
			t.Fatal(err)
		}
		want, got := record.Form(readtest.Str(f.Form)), recognised(wb)
		if want != got {
			t.Errorf("%s: recognised %q, truth %q (%s %s)", f.Path, got, want, wb.Status, wb.Reason)
		}
		sm.add(want, got)
	}
	t.Logf("samples 2022: %d files, precision %.3f, recall %.3f (tp %d, fp %d, fn %d)", sm.files, sm.precision(), sm.recall(), sm.tp, sm.fp, sm.fn)
	if sm.precision() != 1 || sm.recall() != 1 {
		t.Errorf("samples: precision %.3f recall %.3f, want 1 and 1 (no regression)", sm.precision(), sm.recall())
	}
}
