package vntext

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Ấp 3", "ap 3"},
		{"ap 3", "ap 3"},
		{"ẤP  3", "ap 3"},
		{norm.NFD.String("Ấp 3"), "ap 3"},
		{"  Ấp\t3 ", "ap 3"},
		{"Nguyễn  Văn\u200bHùng", "nguyen van hung"},
		{"Đặng Văn Đức", "dang van duc"},
		{"đ", "d"},
		{"Ð", "d"}, // Latin Eth typed for Đ
		{"Thị trấn Thường Thới Tiền", "thi tran thuong thoi tien"},
		{"Khóm/Ấp", "khom ap"},
		{"Hộ cận nghèo (CN)", "ho can ngheo cn"},
		{"A.B,C;D:E-F_G/H(I)\"J'K", "a b c d e f g h i j k"},
		{"“Ấp 3”", "ap 3"},
		{"Ấp 3 – Long Thạnh", "ap 3 long thanh"},
		{"ỦY BAN NHÂN DÂN XÃ", "uy ban nhan dan xa"},
		{"dòng 1\r\ndòng 2", "dong 1 dong 2"},
		{"Ng\u00a0Văn", "ng van"},
		{"Thu\u00adận", "thuan"},
		{"\ufeffAp", "ap"},
		{"", ""},
		{"   ", ""},
		{"...", ""},
		{"29956", "29956"},
		{"Müller Café naïve", "muller cafe naive"},
		{"Søren Łódź", "soren lodz"},
		{"Москва", "москва"},
		{"a\xffb", "ab"},
	}
	for _, tc := range tests {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := Fold(CleanLine(tc.in)); got != tc.want {
			t.Errorf("Fold(CleanLine(%q)) = %q, want %q", tc.in, got, tc.want)
		}
		if got := Fold(tc.want); got != tc.want {
			t.Errorf("Fold not idempotent on %q: %q", tc.want, got)
		}
	}
}

func TestFoldEquivalences(t *testing.T) {
	groups := [][]string{
		{"Ấp 3", "ap 3", "ẤP  3", norm.NFD.String("Ấp 3"), "ẤP 3", "Ap-3"},
		{"Thường Thới Tiền", "THƯỜNG THỚI TIỀN", "thuong thoi tien", norm.NFD.String("Thường Thới Tiền")},
		{"Đông", "đông", "Dong", "ĐÔNG"},
	}
	for _, g := range groups {
		for _, s := range g[1:] {
			if Fold(s) != Fold(g[0]) {
				t.Errorf("Fold(%q) = %q != Fold(%q) = %q", s, Fold(s), g[0], Fold(g[0]))
			}
		}
	}
}

func TestFoldKeepTones(t *testing.T) {
	tests := []struct {
		a, b  string
		equal bool
	}{
		{"HÙNG", "hùng", true},
		{"Hùng", "Hưng", false},
		{"Nguyễn  Văn Hùng", norm.NFD.String("nguyễn văn hùng"), true},
		{"Đức", "đức", true},
		{"Đức", "Dức", false},
		{"Ấp 3", "ấp-3", true},
		{"Lan", "Lân", false},
	}
	for _, tc := range tests {
		ka, kb := FoldKeepTones(tc.a), FoldKeepTones(tc.b)
		if (ka == kb) != tc.equal {
			t.Errorf("FoldKeepTones(%q)=%q, FoldKeepTones(%q)=%q, want equal=%v", tc.a, ka, tc.b, kb, tc.equal)
		}
	}
	if got := FoldKeepTones(norm.NFD.String("  ỦY BAN, Xã ")); got != "ủy ban xã" {
		t.Errorf("FoldKeepTones = %q", got)
	}
}

func TestFoldAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = Fold("ap 3") }); n != 0 {
		t.Errorf("Fold of a folded ASCII key allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = Fold("Nguyễn Văn Hùng") }); n > 1 {
		t.Errorf("Fold of a Vietnamese name allocates %v times", n)
	}
}

func BenchmarkFold(b *testing.B) {
	inputs := []string{
		"Nguyễn Văn Hùng",
		"ap 3",
		"Ấp Long Thạnh A",
		norm.NFD.String("Thị trấn Thường Thới Tiền"),
		"HỘ CẬN NGHÈO",
		"29956-0123",
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = Fold(inputs[i%len(inputs)])
	}
}
