package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"doithoai/pipeline/vntext"
)

// weighted is a name part with its relative frequency.
type weighted struct {
	name string
	w    float64
}

// Family names of the Mekong delta with approximate shares (per cent).
var familyNames = []weighted{
	{"Nguyễn", 38}, {"Trần", 11}, {"Lê", 9.5}, {"Phạm", 7}, {"Huỳnh", 5},
	{"Phan", 4.5}, {"Võ", 3.9}, {"Đặng", 2.1}, {"Bùi", 2}, {"Đỗ", 1.4},
	{"Hồ", 1.3}, {"Ngô", 1.3}, {"Trương", 1.2}, {"Dương", 1}, {"Hoàng", 1},
	{"Đoàn", 0.6}, {"Lâm", 0.6}, {"Đinh", 0.6}, {"Lý", 0.5}, {"Mai", 0.5},
	{"Châu", 0.4}, {"Lương", 0.4}, {"Cao", 0.4}, {"Tô", 0.3}, {"Thái", 0.3},
}

// Middle names by the bearer's gender ("" is a name without one).
var (
	middleMale = []weighted{
		{"Văn", 45}, {"Hữu", 6}, {"Minh", 6}, {"Thanh", 6}, {"Tấn", 4}, {"Quốc", 4},
		{"Công", 4}, {"Hoàng", 3}, {"Ngọc", 3}, {"Thành", 3}, {"", 3}, {"Phước", 2},
	}
	middleFemale = []weighted{
		{"Thị", 55}, {"Ngọc", 6}, {"Thanh", 5}, {"Kim", 5}, {"Thu", 3}, {"Mỹ", 3},
		{"Hồng", 3}, {"Bích", 2}, {"Thúy", 2}, {"", 2},
	}
)

// Given names, most frequent first (weights fall off with the rank).
var (
	givenMale = strings.Fields(`Hùng Dũng Tuấn Minh Hải Nam Sơn Thành Tâm Phúc Hòa Long Hiếu
Trung Bình Thắng Cường Tài Lộc Tùng Toàn Quang Hưng Phong Khánh Nghĩa Đức Huy Vinh
Lâm Tiến Thịnh Trí Thiện Nhân Út Bé Tư Năm Sáu Bảy Tám Chín Mười Hậu Điền Phước Lợi
Mến Sang Tín Nhựt Kiệt Đạt Hào Chiến Công Cảnh Đông Giàu Hiệp Khoa Lực Mạnh Phát Quý`)
	givenFemale = strings.Fields(`Lan Hoa Hồng Hương Mai Linh Thảo Trang Nga Hà Hạnh Liên Loan
Thủy Tuyết Yến Phượng Nhung Dung Vân Thu Ánh Bích Cúc Diễm Đào Hiền Huệ Lệ Lụa Mơ Ngân
Nguyệt Nhàn Oanh Phương Quyên Sương Thắm Thơ Thúy Tiên Trinh Út Bé Hai Ba Tư Năm Sáu
Bảy Lài Lành Nương Phấn Thêm Trúc Vàng Bông Gấm Hằng Kiều Lượm Sen Thoa Mận Tươi`)
)

// namePicker draws Vietnamese names with realistic frequencies.
type namePicker struct {
	family, midM, midF, givM, givF []weighted
}

func newNamePicker() *namePicker {
	rank := func(names []string) []weighted {
		out := make([]weighted, len(names))
		for i, n := range names {
			out[i] = weighted{n, 1 / float64(i+6)}
		}
		return out
	}
	return &namePicker{family: familyNames, midM: middleMale, midF: middleFemale, givM: rank(givenMale), givF: rank(givenFemale)}
}

func pick(rng *rand.Rand, list []weighted) string {
	total := 0.0
	for _, e := range list {
		total += e.w
	}
	x := rng.Float64() * total
	for _, e := range list {
		if x < e.w {
			return e.name
		}
		x -= e.w
	}
	return list[len(list)-1].name
}

// name draws a full name for a gender ("Nam" or "Nữ").
func (np *namePicker) name(rng *rand.Rand, gender string) string {
	mid, giv := np.midM, np.givM
	if gender == "Nữ" {
		mid, giv = np.midF, np.givF
	}
	parts := []string{pick(rng, np.family)}
	if m := pick(rng, mid); m != "" {
		parts = append(parts, m)
	}
	parts = append(parts, pick(rng, giv))
	return strings.Join(parts, " ")
}

// ids hands out citizen IDs and phone numbers that are unique in the demo.
type ids struct {
	province string // three digits: "087" for Đồng Tháp
	used     map[string]bool
}

func newIDs(provinceCode string) *ids {
	p := strings.TrimSpace(provinceCode)
	if len(p) == 2 {
		p = "0" + p
	}
	if len(p) != 3 || !allDigits(p) {
		p = "087"
	}
	return &ids{province: p, used: map[string]bool{}}
}

func digits(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	return b.String()
}

func (d *ids) fresh(gen func() string) string {
	for {
		s := gen()
		if !d.used[s] {
			d.used[s] = true
			return s
		}
	}
}

// cccd is a 12-digit citizen ID: province, century and gender, the year's
// last two digits, six random digits.
func (d *ids) cccd(rng *rand.Rand, gender string, year int) string {
	g := 0
	if year >= 2000 {
		g = 2
	}
	if gender == "Nữ" {
		g++
	}
	return d.fresh(func() string {
		return fmt.Sprintf("%s%d%02d%s", d.province, g, year%100, digits(rng, 6))
	})
}

// cmnd is an old 9-digit identity card number.
func (d *ids) cmnd(rng *rand.Rand) string {
	return d.fresh(func() string { return "34" + digits(rng, 7) })
}

// mobilePrefixes are the three-digit prefixes of Vietnamese mobile numbers.
var mobilePrefixes = strings.Fields("090 091 093 094 096 097 098 032 033 034 035 036 037 038 039 070 076 077 078 079 081 082 083 084 085 086 088 089")

// phone is a 10-digit mobile number.
func (d *ids) phone(rng *rand.Rand) string {
	return d.fresh(func() string { return mobilePrefixes[rng.IntN(len(mobilePrefixes))] + digits(rng, 7) })
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// stripDiacritics writes Vietnamese without its marks, keeping the case:
// "Nguyễn Văn Đức" → "Nguyen Van Duc".
func stripDiacritics(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		case r == 'Đ':
			b.WriteRune('D')
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// abbreviation is how a clerk shortens a commune name in file names:
// "Thường Phước 1" → "TP1", "Long Khánh A" → "LKA".
func abbreviation(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(stripDiacritics(name)) {
		if allDigits(w) {
			b.WriteString(w)
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]))
	}
	return b.String()
}

// hamletWord is the unit word of a hamlet's plan name: "khóm" for "Khóm 1",
// "tổ" for "Tổ 3" (a residential group listed as the unit), "ấp" otherwise.
func hamletWord(hamlet string) string {
	f := strings.Fields(vntext.Fold(hamlet))
	t := strings.Fields(vntext.FoldKeepTones(hamlet))
	switch {
	case len(f) > 0 && f[0] == "khom":
		return "khóm"
	case len(t) > 0 && t[0] == "tổ": // with its tone: "Tô Châu" is a name
		return "tổ"
	}
	return "ấp"
}
