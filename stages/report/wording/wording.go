// Package wording holds the Vietnamese texts that more than one report
// shows, so that the status page, the quarterly report and the command
// line say the same thing the same way, and the small helpers that shape
// such texts.
package wording

import (
	"unicode"
	"unicode/utf8"

	"doithoai/pipeline/record"
)

// reasons are the short explanations of the stable rejection reasons.
var reasons = map[string]string{
	record.ReasonCorrupt:        "Tệp hỏng, không mở được",
	record.ReasonEncrypted:      "Tệp có đặt mật khẩu",
	record.ReasonTooLarge:       "Tệp quá lớn",
	record.ReasonTooSlow:        "Tệp đọc quá lâu",
	record.ReasonUnsupported:    "Định dạng tệp không hỗ trợ",
	record.ReasonEmpty:          "Tệp rỗng",
	record.ReasonNotSpreadsheet: "Không phải bảng tính",
	record.ReasonUnknownCommune: "Không xác định được xã (không có trong kế hoạch)",
	record.ReasonConflict:       "Tên xã ở thư mục và trong tệp không khớp nhau",
	record.ReasonUnknownForm:    "Không nhận ra biểu mẫu",
	record.ReasonNotAForm:       "Không phải biểu mẫu đối thoại (M1–M5)",
	record.ReasonNoData:         "Không có dòng số liệu",
}

// Reason explains a stable rejection reason (record.Reason…) in a few
// Vietnamese words; an unknown reason is returned as is.
func Reason(reason string) string {
	if s, ok := reasons[reason]; ok {
		return s
	}
	return reason
}

// Capitalize upper-cases the first letter of s ("xã Một" -> "Xã Một").
func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// LowerFirst lower-cases the first letter of s ("Huyện Hồng Ngự" ->
// "huyện Hồng Ngự").
func LowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
