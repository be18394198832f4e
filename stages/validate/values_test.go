package validate

import (
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
)

func TestNormalizeCitizenID(t *testing.T) {
	tests := []struct {
		in       string
		isNum    bool
		want     string
		warn, ok bool
	}{
		{"087079105129", false, "087079105129", false, true},
		{"087 079.105-129", false, "087079105129", false, true},
		{" 087.079.105.129 ", false, "087079105129", false, true},
		{"343241714", false, "343241714", false, true},
		{"87079105129", true, "087079105129", true, true},
		{"87079105129", false, "087079105129", true, true}, // CSV kept the 11 digits
		{"87079105129.0", true, "087079105129", true, true},
		{"0871661406", false, "", false, false},   // 10 digits
		{"O87072390108", false, "", false, false}, // letter O
		{"8.70707E+10", false, "", false, false},
		{"12345", false, "", false, false},
		{"", false, "", false, false},
	}
	for _, tt := range tests {
		got, warn, ok := NormalizeCitizenID(tt.in, tt.isNum)
		if got != tt.want || warn != tt.warn || ok != tt.ok {
			t.Errorf("NormalizeCitizenID(%q, %v) = %q, %v, %v; want %q, %v, %v", tt.in, tt.isNum, got, warn, ok, tt.want, tt.warn, tt.ok)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"0912345678", "0912345678", true},
		{"0912 345 678", "0912345678", true},
		{"0912.345.678", "0912345678", true},
		{"0912-345-678", "0912345678", true},
		{"+84 912 345 678", "0912345678", true},
		{"+84912345678", "0912345678", true},
		{"(+84) 0912345678", "0912345678", true},
		{"84912345678", "0912345678", true},
		{"912345678", "0912345678", true}, // a number that lost its 0
		{"912345678.0", "0912345678", true},
		{"0331275728", "0331275728", true},
		{"(0277) 3851 234", "02773851234", true},
		{"0277 385 123", "0277385123", true},
		{"12345", "", false},
		{"0912 345", "", false},
		{"0123456789", "", false}, // old 11-digit mobile prefixes are gone
		{"09123456789", "", false},
		{"abc", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizePhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func txt(s string) record.Cell       { return record.Cell{Text: s} }
func num(f float64) record.Cell      { return record.Cell{Num: f, IsNum: true, Text: formatNum(f)} }
func dateCell(f float64) record.Cell { return record.Cell{Num: f, IsDate: true, Text: formatNum(f)} }

func TestParseYear(t *testing.T) {
	tests := []struct {
		name string
		c    record.Cell
		want int
		p    problem
	}{
		{"number", num(1979), 1979, okValue},
		{"serial", num(28927), 1979, okValue}, // 1979-03-12
		{"date cell", dateCell(28927), 1979, okValue},
		{"text", txt("1979"), 1979, okValue},
		{"text with spaces", txt(" 1979 "), 1979, okValue},
		{"text .0", txt("1979.0"), 1979, okValue},
		{"dmy", txt("12/03/1979"), 1979, okValue},
		{"d/m", txt("5/3/1979"), 1979, okValue},
		{"dashes", txt("05-03-1979"), 1979, okValue},
		{"ymd", txt("1979-03-12"), 1979, okValue},
		{"future", num(2035), 2035, badConstraint},
		{"too old", txt("1850"), 1850, badConstraint},
		{"letters", txt("abc"), 0, badType},
		{"fraction", num(1979.5), 0, badType},
		{"bad day", txt("31/02/1979"), 0, badType},
		{"serial as text", txt("28927"), 0, badType},
	}
	for _, tt := range tests {
		y, p := parseYear(tt.c, 1900, 2022)
		if y != tt.want || p != tt.p {
			t.Errorf("%s: parseYear(%+v) = %d, %v; want %d, %v", tt.name, tt.c, y, p, tt.want, tt.p)
		}
		if gy, ok := ParseYear(tt.c, 2022); ok != (tt.p == okValue) || gy != tt.want {
			t.Errorf("%s: ParseYear = %d, %v", tt.name, gy, ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	tests := []struct {
		c    record.Cell
		want string
		ok   bool
	}{
		{dateCell(44662), "2022-04-11", true},
		{num(44662), "2022-04-11", true},
		{txt("16/04/2022"), "2022-04-16", true},
		{txt("6/4/2022"), "2022-04-06", true},
		{txt("2022-04-16"), "2022-04-16", true},
		{txt("2022-04-16 00:00:00"), "2022-04-16", true},
		{txt("31/02/2022"), "", false},
		{txt("x"), "", false},
		{txt("16/04"), "", false},
	}
	for _, tt := range tests {
		got, ok := ParseDate(tt.c, loc)
		if ok != tt.ok || (ok && got.Format("2006-01-02") != tt.want) {
			t.Errorf("ParseDate(%+v) = %v, %v; want %s, %v", tt.c, got, ok, tt.want, tt.ok)
		}
		if ok && got.Location() != loc {
			t.Errorf("ParseDate(%+v) location %v", tt.c, got.Location())
		}
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		c    record.Cell
		want int
		ok   bool
	}{
		{num(4), 4, true},
		{num(4.0), 4, true},
		{txt("4"), 4, true},
		{txt("4.0"), 4, true},
		{txt(" 12 "), 12, true},
		{num(4.5), 0, false},
		{txt("4.5"), 0, false},
		{txt("nhiều"), 0, false},
		{dateCell(44662), 0, false},
	}
	for _, tt := range tests {
		got, ok := parseInt(tt.c)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseInt(%+v) = %d, %v; want %d, %v", tt.c, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMatchEnum(t *testing.T) {
	tests := []struct {
		form, field, in, want string
		ok                    bool
	}{
		{"M1", "gender", "Nam", "Nam", true},
		{"M1", "gender", "nu", "Nữ", true},
		{"M1", "gender", "NỮ", "Nữ", true},
		{"M1", "gender", "F", "Nữ", true},
		{"M1", "gender", "X", "", false},
		{"M1", "household_class", "Nghèo", "Hộ nghèo", true},
		{"M1", "household_class", "Cận nghèo", "Hộ cận nghèo", true},
		{"M1", "household_class", "HN", "Hộ nghèo", true},
		{"M1", "household_class", "hcn", "Hộ cận nghèo", true},
		{"M1", "household_class", "HỘ CẬN NGHÈO", "Hộ cận nghèo", true},
		{"M1", "household_class", "Hộ khá", "", false},
		{"M2", "relation", "Bản thân", "Chủ hộ", true},
		{"M2", "relation", "con gái", "Con", true},
		{"M2", "relation", "Con nuôi", "Con", true},
		{"M2", "relation", "Cháu nội", "Khác", true},
		{"M2", "relation", "Vo", "Vợ", true},
		{"M3", "component", "trưởng ấp", "Trưởng khóm/ấp", true},
		{"M3", "component", "Trưởng ấp Long Tả", "Trưởng khóm/ấp", true},
		{"M3", "component", "BGN", "Ban giảm nghèo", true},
		{"M3", "component", "Hội đoàn thể", "Hội đoàn thể", true},
		{"M3", "component", "Khách mời", "", false},
	}
	for _, tt := range tests {
		f := schemas.Get(tt.form).Field(tt.field)
		got, ok := MatchEnum(f, tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MatchEnum(%s.%s, %q) = %q, %v; want %q, %v", tt.form, tt.field, tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMatchTopic(t *testing.T) {
	p := plan.Default()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Y tế, bảo hiểm y tế", "Y tế, bảo hiểm y tế", true},
		{"y te", "Y tế, bảo hiểm y tế", true},
		{"Tín dụng", "Tín dụng chính sách", true},
		{"sinh ke, viec lam, dao tao nghe", "Sinh kế, việc làm, đào tạo nghề", true},
		{"Sinh kế, việc làm", "Sinh kế, việc làm, đào tạo nghề", true},
		{"NHÀ Ở", "Nhà ở", true},
		{"giao duc", "Giáo dục", true},
		{"khac", "Khác", true},
		{"Quan ly, dieu hanh Chuong trinh MTQG giam ngheo ben vung", "Quản lý, điều hành Chương trình MTQG giảm nghèo bền vững", true},
		{"Lĩnh vực giáo dục", "Giáo dục", true},
		{"Xây cầu", "", false},
		{"y", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := MatchTopic(p, tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MatchTopic(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMatchCluster(t *testing.T) {
	p := plan.Default()
	tests := []struct {
		c    record.Cell
		want int
		ok   bool
	}{
		{num(3), 3, true},
		{txt("3"), 3, true},
		{txt("Cụm 3"), 3, true},
		{txt("CỤM 2"), 2, true},
		{txt("cụm số 4"), 4, true},
		{txt("Cụm III"), 3, true},
		{txt("Cụm 9"), 0, false},
		{num(2.5), 0, false},
		{txt("Cụm"), 0, false},
	}
	for _, tt := range tests {
		got, ok := MatchCluster(p, tt.c)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MatchCluster(%+v) = %d, %v; want %d, %v", tt.c, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSerialDate(t *testing.T) {
	tests := []struct {
		serial float64
		want   string
	}{
		{1, "1900-01-01"},
		{59, "1900-02-28"},
		{61, "1900-03-01"},
		{44662, "2022-04-11"},
		{44662.75, "2022-04-11"},
	}
	for _, tt := range tests {
		got, ok := serialDate(tt.serial)
		if !ok || got.Format("2006-01-02") != tt.want {
			t.Errorf("serialDate(%v) = %v, %v; want %s", tt.serial, got, ok, tt.want)
		}
	}
	if _, ok := serialDate(-1); ok {
		t.Error("serialDate(-1) accepted")
	}
}
