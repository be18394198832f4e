package read

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"doithoai/pipeline/vntext"
)

// TestFoldLabelIsFold: the remembered fold is vntext.Fold, the first time
// and from the cache, for header texts, odd Unicode and long texts.
func TestFoldLabelIsFold(t *testing.T) {
	inputs := []string{
		"", " ", "STT", "Họ và tên chủ hộ", "Năm sinh (yyyy)", "Số CCCD/CMND", norm.NFD.String("Giới tính"),
		"Mã\u00a0hộ", "Dân\u200btộc", "\ufeffGhi chú", "Thông tin chủ hộ Họ và tên", "ĐỊA CHỈ", "Khơ-me", "Москва",
		"a\xffb", "(1)", "Ấp/Khóm", strings.Repeat("Ý kiến dài ", 30),
	}
	for pass := 0; pass < 2; pass++ {
		for _, s := range inputs {
			if got, want := foldLabel(s), vntext.Fold(s); got != want {
				t.Errorf("foldLabel(%q) = %q, Fold %q", s, got, want)
			}
		}
	}
}

// FuzzFoldLabelIsFold: on any text.
func FuzzFoldLabelIsFold(f *testing.F) {
	f.Add("Họ và tên")
	f.Add(norm.NFD.String("Năm sinh"))
	f.Fuzz(func(t *testing.T, s string) {
		for pass := 0; pass < 2; pass++ {
			if got, want := foldLabel(s), vntext.Fold(s); got != want {
				t.Fatalf("foldLabel(%q) = %q, Fold %q", s, got, want)
			}
		}
	})
}
