package feedback

import (
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
)

func TestSafeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"DS đại diện hộ Ấp 1", "DS dai dien ho Ap 1"},
		{"ĐỀ NGHỊ", "DE NGHI"},
		{"a<b>c:d\"e|f?g*h", "a-b-c-d-e-f-g-h"},
		{"  nhiều   khoảng   trắng  ", "nhieu khoang trang"},
		{"kết thúc bằng dấu chấm...", "ket thuc bang dau cham"},
		{"tab\tvà\nxuống dòng", "tab va-xuong dong"},
		{"中文", "--"},
		{strings.Repeat("x", 100), strings.Repeat("x", maxBaseRunes)},
		{"", ""},
	}
	for _, tc := range tests {
		if got := safeName(tc.in); got != tc.want {
			t.Errorf("safeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRelPath(t *testing.T) {
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2022, 4, 20, 9, 0, 0, 0, time.UTC)
	id := "3fa2c1d9e8b7a6f5"
	tests := []struct {
		name string
		o    record.SubmissionOutcome
		want string
	}{
		{"commune", record.SubmissionOutcome{Submission: record.Submission{ID: id, Path: "29956/ds-ho-ap-1.xlsx", ReceivedAt: at}, CommuneCode: "29956"},
			"xa-thuong-phuoc-1/ds-ho-ap-1 (3fa2c1d9) - phan-hoi"},
		{"town", record.SubmissionOutcome{Submission: record.Submission{ID: id, Path: "Thường Thới Tiền/Tổng hợp ý kiến.xlsx"}, CommuneCode: "29971"},
			"thi-tran-thuong-thoi-tien/Tong hop y kien (3fa2c1d9) - phan-hoi"},
		{"folder only", record.SubmissionOutcome{Submission: record.Submission{ID: id, Path: "29974/M3.xlsx", FolderHint: "29974"}, Status: record.StatusRejected},
			"xa-thuong-phuoc-2/M3 (3fa2c1d9) - phan-hoi"},
		{"unknown", record.SubmissionOutcome{Submission: record.Submission{ID: id, Path: "Thuong Thoi Hau B/M2.xlsx", FolderHint: "Thuong Thoi Hau B"}, Status: record.StatusRejected},
			UnknownFolder + "/M2 (3fa2c1d9) - phan-hoi"},
		{"flat unknown", record.SubmissionOutcome{Submission: record.Submission{ID: id, Path: "anh.png"}, Status: record.StatusRejected},
			UnknownFolder + "/anh (3fa2c1d9) - phan-hoi"},
		{"duplicate", record.SubmissionOutcome{Submission: record.Submission{ID: id, Path: "M3 LKB - Copy.xlsx", DuplicateOf: "29983/M3 LKB.xlsx"}, CommuneCode: "29983", Status: record.StatusDuplicate},
			"xa-long-khanh-b/M3 LKB - Copy (3fa2c1d9-trung) - phan-hoi"},
		{"no extension", record.SubmissionOutcome{Submission: record.Submission{ID: "ABC", Path: "29956/.hidden"}, CommuneCode: "29956"},
			"xa-thuong-phuoc-1/hidden (abc) - phan-hoi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := RelPath(p, tc.o); got != tc.want+".xlsx" {
				t.Errorf("RelPath = %q, want %q", got, tc.want+".xlsx")
			}
			if got := TextRelPath(p, tc.o); got != tc.want+".txt" {
				t.Errorf("TextRelPath = %q", got)
			}
		})
	}
	if got := RelPath(nil, tests[0].o); !strings.HasPrefix(got, UnknownFolder+"/") {
		t.Errorf("RelPath without a plan = %q", got)
	}
}

func TestPrivacyText(t *testing.T) {
	pv := &privacy{}
	pv.codes.add("2995600123")
	tests := []struct{ in, want string }{
		{"CCCD 087123456789 của chủ hộ", "CCCD ********6789 của chủ hộ"},
		{"ĐT 0912 345 678", "ĐT ******5678"},
		{"ĐT +84 912 345 678", "ĐT ********5678"},
		{"số 087.123.456.789", "số ********6789"},
		{"CMND 123456789", "CMND *****6789"},
		{"mã hộ 29956-0400", "mã hộ 29956-0400"},
		{"mã hộ 2995600123", "mã hộ 2995600123"},
		{"năm 2035, 1900–2022, 2.421 người", "năm 2035, 1900–2022, 2.421 người"},
		{"O87072390108", "O*******0108"},
		{"(ví dụ 0912345678)", "(ví dụ 0912345678)"},
		{"0912-345-678", "******5678"},
	}
	for _, tc := range tests {
		if got := pv.text(tc.in); got != tc.want {
			t.Errorf("text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestProblemText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Tệp “a.xlsx”, sheet “M2”, dòng 25, cột K (Số điện thoại): số điện thoại “1” không hợp lệ.", "Số điện thoại “1” không hợp lệ."},
		{`Tệp "M1.xlsx", trang "Sheet1", dòng 7, cột I (Nghề nghiệp): cột này không có trong mẫu.`, "Cột này không có trong mẫu."},
		{"Tệp “a.csv”, dòng 50, cột J (Số nhân khẩu): giá trị “nhiều” không phải số nguyên.", "Giá trị “nhiều” không phải số nguyên."},
		{"Tệp “a.xlsx”: kế hoạch nhận lúc 14:00 ngày 28/03/2022.", "Kế hoạch nhận lúc 14:00 ngày 28/03/2022."},
		{`Tệp "x.png" không phải bảng tính (.xlsx, .xls): gửi nhầm.`, `Tệp "x.png" không phải bảng tính (.xlsx, .xls): gửi nhầm.`},
		{"Không có vị trí.", "Không có vị trí."},
	}
	for _, tc := range tests {
		if got := problemText(tc.in); got != tc.want {
			t.Errorf("problemText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTableSheetName(t *testing.T) {
	used := map[string]bool{"tóm tắt": true}
	for _, tc := range []struct{ in, want string }{
		{"M2", "M2"},
		{"", "Dữ liệu"},
		{"Tóm tắt", "Tóm tắt (2)"},
		{"m2", "m2 (2)"},
		{strings.Repeat("a", 31), strings.Repeat("a", 31)},
		{strings.Repeat("a", 31), strings.Repeat("a", 27) + " (2)"},
	} {
		if got := tableSheetName(tc.in, used); got != tc.want {
			t.Errorf("tableSheetName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFixTextHidden(t *testing.T) {
	list := []*problem{{Severity: record.Error, Letter: "K", Title: "Số điện thoại", Text: "Sai số."}}
	got := fixText(list, true)
	if !strings.Contains(got, "• Lỗi – Cột K (Số điện thoại): Sai số.") || !strings.Contains(got, "bị ẩn") {
		t.Errorf("fixText = %q", got)
	}
	if fixText(nil, true) != "" {
		t.Error("a hidden row without problems gets a note")
	}
}

// TestCodeSet checks the household codes' set: digits as written
// (leading zeros count), separators ignored, codes too long to pack.
func TestCodeSet(t *testing.T) {
	var cs codeSet
	for _, c := range []string{"29956-0400", "0123456789", "", "không số", "123456789012345678901234", "99999999999999999"} {
		cs.add(c)
	}
	tests := []struct {
		d    string
		want bool
	}{
		{"299560400", true},
		{"0123456789", true},
		{"123456789", false},
		{"00123456789", false},
		{"123456789012345678901234", true},
		{"123456789012345678901235", false},
		{"99999999999999999", true},
		{"9999999999999999", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := cs.has(tc.d); got != tc.want {
			t.Errorf("has(%q) = %v, want %v", tc.d, got, tc.want)
		}
	}
	cs.add("555555555")
	if !cs.has("555555555") || !cs.has("299560400") {
		t.Error("a code added after a lookup is not found")
	}
}
