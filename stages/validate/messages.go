package validate

import (
	"strings"
	"time"
	"unicode/utf8"

	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
)

// Finding codes of this stage (stable; in the spirit of Frictionless).
const (
	CodeRequired        = "required-value"
	CodeType            = "type-error"
	CodeConstraint      = "constraint-error"
	CodeUnknownHamlet   = "unknown-hamlet"
	CodeCitizenID       = "invalid-citizen-id"
	CodePhone           = "invalid-phone"
	CodeIDZeroRestored  = "id-leading-zero-restored"
	CodeDuplicateCode   = "duplicate-household-code"
	CodeM5Sum           = "m5-sum"
	CodeMissingLabel    = "missing-label"
	CodeLate            = "late"
	CodeSuperseded      = "superseded"
	CodeRejectedUnknown = "rejected"
)

// CodeInfo describes a finding code for people (report legends, feedback).
type CodeInfo struct {
	Code     string
	Severity record.Severity
	Title    string // short Vietnamese name of the problem
	Advice   string // what the clerk should do, in general
}

// Codes lists the finding codes this stage produces.
var Codes = []CodeInfo{
	{CodeRequired, record.Error, "Thiếu giá trị bắt buộc", "Điền đầy đủ các cột bắt buộc của mẫu."},
	{CodeType, record.Error, "Sai kiểu dữ liệu", "Ghi đúng kiểu: số, năm (4 chữ số) hoặc ngày dạng ngày/tháng/năm."},
	{CodeConstraint, record.Error, "Giá trị không hợp lệ", "Ghi giá trị trong khoảng cho phép hoặc thuộc danh mục của mẫu."},
	{CodeUnknownHamlet, record.Error, "Khóm/ấp không thuộc xã", "Ghi đúng tên khóm/ấp của xã theo kế hoạch."},
	{CodeCitizenID, record.Error, "Số CCCD/CMND không hợp lệ", "Ghi số CCCD 12 chữ số hoặc CMND 9 chữ số; định dạng cột là Văn bản (Text)."},
	{CodePhone, record.Error, "Số điện thoại không hợp lệ", "Ghi số điện thoại 10 chữ số, bắt đầu bằng 0."},
	{CodeIDZeroRestored, record.Warning, "Số CCCD mất số 0 ở đầu (đã bổ sung)", "Định dạng cột CCCD là Văn bản (Text) trước khi nhập."},
	{CodeDuplicateCode, record.Warning, "Mã hộ ghi hai lần", "Xóa dòng thừa, hoặc sửa mã hộ nếu là hai hộ khác nhau."},
	{CodeM5Sum, record.Error, "Số ý kiến không khớp", "Số trả lời tại buổi cộng số chuyển giải quyết không được lớn hơn tổng số ý kiến."},
	{CodeMissingLabel, record.Error, "Thiếu cột bắt buộc", "Thêm cột còn thiếu theo đúng mẫu."},
	{CodeLate, record.Warning, "Nộp trễ hạn", "Gửi đúng hạn theo kế hoạch."},
	{CodeSuperseded, record.Warning, "Đã được thay thế bằng tệp mới hơn", "Không cần làm gì; tệp mới hơn được dùng."},
	{CodeRejectedUnknown, record.Error, "Tệp bị từ chối", "Gửi lại tệp đúng mẫu."},
}

// CodeTitle returns the short Vietnamese name of a finding code, or the
// code itself when it is not one of this stage's codes.
func CodeTitle(code string) string {
	for _, c := range Codes {
		if c.Code == code {
			return c.Title
		}
	}
	return code
}

// Where names a place in a submission for a message: file, sheet (omitted
// for CSV), row, column letter and title; parts that are unknown are left out.
// It is record.Place.
func Where(path, sheet string, row int, letter, title string) string {
	return record.Place(path, sheet, row, letter, title)
}

// quote puts a value in Vietnamese quotes, shortened when very long.
func quote(s string) string {
	return "“" + shorten(s, 80) + "”"
}

// shorten cuts s to at most n runes, with an ellipsis, on one line.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// thousands writes a count with dots between thousands: 200.000.
func thousands(n int) string { return vntext.Thousands(int64(n)) }

// dayVN formats a day as dd/mm/yyyy.
func dayVN(t time.Time) string { return t.Format("02/01/2006") }

// timeVN formats a moment as "10:00 ngày 20/05/2022".
func timeVN(t time.Time) string { return t.Format("15:04 ngày 02/01/2006") }

// listVN joins names for a message, shortened when there are many.
func listVN(names []string, max int) string {
	if len(names) > max {
		return strings.Join(names[:max], ", ") + ", …"
	}
	return strings.Join(names, ", ")
}

// rejectionText explains a rejection reason when the reader gave no finding.
func rejectionText(reason string) string {
	switch reason {
	case record.ReasonCorrupt:
		return "tệp bị hỏng hoặc không đầy đủ nên không đọc được. Hãy mở lại tệp trên máy, lưu lại và gửi lại."
	case record.ReasonEncrypted:
		return "tệp có đặt mật khẩu nên không đọc được. Hãy bỏ mật khẩu rồi gửi lại."
	case record.ReasonTooLarge:
		return "tệp quá lớn. Hãy chỉ giữ lại các sheet của mẫu rồi gửi lại."
	case record.ReasonTooSlow:
		return "tệp cần quá nhiều thời gian để đọc nên đã dừng đọc. Hãy chỉ giữ lại các sheet của mẫu, xóa dòng, cột thừa rồi gửi lại."
	case record.ReasonUnsupported:
		return "định dạng tệp không được hỗ trợ. Hãy lưu tệp dạng Excel (.xlsx) rồi gửi lại."
	case record.ReasonEmpty:
		return "tệp rỗng, không có nội dung. Hãy gửi lại tệp đúng."
	case record.ReasonNotSpreadsheet:
		return "tệp không phải bảng tính (Excel) cũng không phải kế hoạch (Word, PDF). Nếu gửi nhầm thì không cần làm gì; nếu không, hãy gửi tệp Excel theo mẫu."
	case record.ReasonUnknownCommune:
		return "không xác định được xã gửi tệp (thư mục và dòng “UBND XÃ …” không ghi tên xã nào trong kế hoạch). Hãy ghi đúng tên xã ở đầu biểu mẫu và đặt tệp vào thư mục của xã."
	case record.ReasonConflict:
		return "thư mục và dòng “UBND XÃ …” ở đầu biểu mẫu ghi hai xã khác nhau. Hãy sửa cho khớp rồi gửi lại."
	case record.ReasonUnknownForm:
		return "không nhận ra biểu mẫu (M1–M5). Hãy dùng đúng mẫu, giữ nguyên tiêu đề và dòng tên cột."
	case record.ReasonNotAForm:
		return "tệp không phải biểu mẫu đối thoại (M1–M5): tiêu đề là của văn bản khác hoặc thiếu các cột chính của mẫu. Nếu gửi nhầm thì không cần làm gì; nếu không, hãy dùng đúng mẫu của huyện."
	case record.ReasonNoData:
		return "biểu mẫu không có dòng dữ liệu nào. Hãy điền dữ liệu rồi gửi lại."
	}
	if reason == "" {
		return "tệp không được tiếp nhận. Hãy kiểm tra và gửi lại tệp đúng mẫu."
	}
	return "tệp không được tiếp nhận (" + reason + "). Hãy kiểm tra và gửi lại tệp đúng mẫu."
}
