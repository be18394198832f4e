package wording

import (
	"testing"

	"doithoai/pipeline/record"
)

func TestReason(t *testing.T) {
	tests := []struct{ reason, want string }{
		{record.ReasonCorrupt, "Tệp hỏng, không mở được"},
		{record.ReasonUnknownCommune, "Không xác định được xã (không có trong kế hoạch)"},
		{record.ReasonNoData, "Không có dòng số liệu"},
		{"something_new", "something_new"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Reason(tt.reason); got != tt.want {
			t.Errorf("Reason(%q) = %q, want %q", tt.reason, got, tt.want)
		}
	}
	for _, r := range []string{record.ReasonCorrupt, record.ReasonEncrypted, record.ReasonTooLarge, record.ReasonTooSlow, record.ReasonUnsupported,
		record.ReasonEmpty, record.ReasonNotSpreadsheet, record.ReasonUnknownCommune, record.ReasonConflict,
		record.ReasonUnknownForm, record.ReasonNotAForm, record.ReasonNoData} {
		if Reason(r) == r {
			t.Errorf("reason %q has no text", r)
		}
	}
}

func TestFirstLetter(t *testing.T) {
	tests := []struct{ in, capital, lower string }{
		{"xã Một", "Xã Một", "xã Một"},
		{"Huyện Hồng Ngự", "Huyện Hồng Ngự", "huyện Hồng Ngự"},
		{"đồng Tháp", "Đồng Tháp", "đồng Tháp"},
		{"29956", "29956", "29956"},
		{"", "", ""},
		{"\xffabc", "\xffabc", "\xffabc"},
	}
	for _, tt := range tests {
		if got := Capitalize(tt.in); got != tt.capital {
			t.Errorf("Capitalize(%q) = %q, want %q", tt.in, got, tt.capital)
		}
		if got := LowerFirst(tt.in); got != tt.lower {
			t.Errorf("LowerFirst(%q) = %q, want %q", tt.in, got, tt.lower)
		}
	}
}
