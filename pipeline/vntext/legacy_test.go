package vntext

import (
	"math/rand"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// encodeTCVN3 writes s as a .VnTime (VN3) user would type it, each byte
// shown as its Latin-1 code point. VN3 has no capitals with tones: those are
// typed with the lower-case codes (the .VnTimeH convention).
func encodeTCVN3(s string) string {
	rev := map[rune]rune{}
	for i, r := range tcvn3Table {
		if r != 0 && isVN3Byte(byte(i+0x80)) {
			rev[r] = rune(i + 0x80)
		}
	}
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		if r < 0x80 {
			b.WriteRune(r)
		} else if c, ok := rev[r]; ok {
			b.WriteRune(c)
		} else if c, ok := rev[unicode.ToLower(r)]; ok {
			b.WriteRune(c)
		} else {
			panic("encodeTCVN3: cannot encode " + string(r))
		}
	}
	return b.String()
}

// encodeVNI writes s in VNI-Windows, each byte shown as its Latin-1 code
// point.
func encodeVNI(s string) string {
	type key struct {
		shape, tone uint8
		upper       bool
	}
	mods := map[key]rune{}
	for b, m := range vniMods {
		mods[key{m.shape, m.tone, b < 0xe0}] = rune(b)
	}
	iTones := map[key]rune{}
	for b, r := range vniStandalone {
		if base, _, tone, ok := vowelParts(r); ok && (base == 'i' || base == 'I') {
			iTones[key{0, tone, base == 'I'}] = rune(b)
		}
	}
	var out strings.Builder
	for _, r := range norm.NFC.String(s) {
		switch {
		case r < 0x80:
			out.WriteRune(r)
			continue
		case r == 'đ':
			out.WriteRune(0xf1)
			continue
		case r == 'Đ':
			out.WriteRune(0xd1)
			continue
		}
		base, shape, tone, ok := vowelParts(r)
		if !ok {
			panic("encodeVNI: cannot encode " + string(r))
		}
		upper := unicode.IsUpper(base)
		switch {
		case (base == 'i' || base == 'I') && tone != toneNone:
			out.WriteRune(iTones[key{0, tone, upper}])
			continue
		case (base == 'y' || base == 'Y') && tone == toneDot:
			if upper {
				out.WriteRune(0xce)
			} else {
				out.WriteRune(0xee)
			}
			continue
		}
		switch shape {
		case shapeHorn:
			m := map[rune]rune{'o': 0xf4, 'O': 0xd4, 'u': 0xf6, 'U': 0xd6}
			out.WriteRune(m[base])
			if tone != toneNone {
				out.WriteRune(mods[key{shapeNone, tone, upper}])
			}
		case shapeCirc, shapeBreve:
			out.WriteRune(base)
			out.WriteRune(mods[key{shape, tone, upper}])
		default:
			out.WriteRune(base)
			if tone != toneNone {
				out.WriteRune(mods[key{shapeNone, tone, upper}])
			}
		}
	}
	return out.String()
}

// names are Vietnamese names, hamlets, communes and labels.
var names = []string{
	"Nguyễn Văn Hùng", "Trần Thị Lan", "Thường Phước 1", "Ấp Long Thạnh A",
	"Phú Thuận B", "Hộ cận nghèo", "ỦY BAN NHÂN DÂN XÃ", "Lê Thị Hồng Nhung",
	"Huỳnh Công Mến", "Đặng Văn Đức", "Võ Thị Mỹ Duyên", "Phạm Ngọc Ẩn",
	"Dương Quốc Khánh", "Ngô Thị Tuyết", "Bùi Xuân Trường", "Thới Thuận",
	"Long Khánh A", "Hộ nghèo", "Thoát nghèo", "Khóm Trung 2",
	"Ủy ban nhân dân thị trấn Thường Thới Tiền", "Nguyễn Thị Sương",
	"Trương Văn Ửng", "Lưu Thị Ước", "Quách Thị Yến", "Giang Văn Khỏe",
	"Tạ Thị Xuyến", "Hồ Minh Bình", "Kiều Thị Oanh", "Đường ngoằn ngoèo",
	"Nghiêm Văn Khuya", "Hoàng Thị Thủy", "Ông Văn Ẩu", "Xã Thường Lạc",
	"Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập - Tự do - Hạnh phúc",
	"Đỗ Thị Huệ", "Phan Văn Ỷ", "Lý Thị Ỵ", "Mạc Văn Ỹ", "Ấp Tân Hòa",
	"Hội Liên hiệp Phụ nữ", "Ngân hàng Chính sách xã hội", "Trồng lúa",
	"Nuôi cá", "Làm thuê", "Không có đất sản xuất", "Ẵm con", "Đinh Ầu",
}

// hasCapitalWithTone reports whether s has a capital VN3 cannot write.
func hasCapitalWithTone(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) && r >= 0x80 {
			switch r {
			case 'Ă', 'Â', 'Ê', 'Ô', 'Ơ', 'Ư', 'Đ':
				continue
			}
			return true
		}
	}
	return false
}

func TestDecodeRoundTripTCVN3(t *testing.T) {
	for _, name := range names {
		enc := encodeTCVN3(name)
		got := Decode(enc, TCVN3)
		want := name
		if hasCapitalWithTone(name) {
			// VN3 typed it in lower case: compare without regard to case.
			got, want = strings.ToLower(got), strings.ToLower(name)
		}
		if got != want {
			t.Errorf("Decode(%q, TCVN3) = %q, want %q", enc, got, want)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("Decode(%q) not NFC", enc)
		}
	}
}

func TestDecodeRoundTripVNI(t *testing.T) {
	for _, name := range names {
		enc := encodeVNI(name)
		if got := Decode(enc, VNI); got != name {
			t.Errorf("Decode(%q, VNI) = %q, want %q", enc, got, name)
		}
	}
}

// TestDecodePublished checks the tables against encoded text published by
// public converters and the brief, independent of the test encoders.
func TestDecodePublished(t *testing.T) {
	tests := []struct {
		in   string
		enc  Encoding
		want string
	}{
		{"B¶o Th¾ng", TCVN3, "Bảo Thắng"},
		{"M\u00adêng Kh\u00ad¬ng", TCVN3, "Mường Khương"},
		{"B¸t X¸t", TCVN3, "Bát Xát"},
		{"§inh", TCVN3, "Đinh"},
		{"Xin chaøo caùc baïn", VNI, "Xin chào các bạn"},
		{"Nguyeãn", VNI, "Nguyễn"},
		{"Vaên", VNI, "Văn"},
		{"Ñ ñ", VNI, "Đ đ"},
		{"AÁ", VNI, "Ấ"},
		{"Phöôùc", VNI, "Phước"},
	}
	for _, tc := range tests {
		if got := Decode(tc.in, tc.enc); got != tc.want {
			t.Errorf("Decode(%q, %v) = %q, want %q", tc.in, tc.enc, got, tc.want)
		}
	}
}

func TestDecodeTCVN3C1AndCP1252(t *testing.T) {
	tests := []struct{ in, want string }{
		{"H\u0096C", "HỌC"},          // raw C1 code point of byte 0x96 (VN1 capital)
		{"H\u2013C", "HỌC"},          // the same byte read through cp1252, inside a word
		{"a \u2013 b", "a \u2013 b"}, // an en dash between words stays a dash
		{"\u201cV¨n\u201d", "\u201cVăn\u201d"},
		{"¸o", "áo"},
	}
	for _, tc := range tests {
		if got := Decode(tc.in, TCVN3); got != tc.want {
			t.Errorf("Decode(%q, TCVN3) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDecodeUnicodeIsNFC(t *testing.T) {
	if got := Decode(norm.NFD.String("Hùng"), Unicode); got != "Hùng" {
		t.Errorf("Decode(NFD, Unicode) = %q", got)
	}
}

func TestEncodingString(t *testing.T) {
	for enc, want := range map[Encoding]string{Unicode: "unicode", TCVN3: "tcvn3", VNI: "vni", 7: "Encoding(7)"} {
		if got := enc.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(enc), got, want)
		}
	}
}

// multiWord returns the names with at least two words that have a letter
// with a diacritic: enough evidence for Detect on a single cell.
func multiWord() []string {
	var out []string
	for _, n := range names {
		k := 0
		for _, w := range strings.Fields(n) {
			if Fold(w) != strings.ToLower(w) {
				k++
			}
		}
		if k >= 2 {
			out = append(out, n)
		}
	}
	return out
}

// looksReal reports whether every word of s is ASCII or a Vietnamese
// syllable, so that no detector could tell it from real text.
func looksReal(s string) bool {
	for _, w := range strings.Fields(s) {
		if !isASCII(w) && !validSyllable(w) {
			return false
		}
	}
	return true
}

func TestDetectLegacyCells(t *testing.T) {
	for _, name := range multiWord() {
		for _, enc := range []Encoding{TCVN3, VNI} {
			var in string
			if enc == TCVN3 {
				in = encodeTCVN3(name)
			} else {
				in = encodeVNI(name)
			}
			if looksReal(in) {
				continue // the encoded text is itself plausible Vietnamese ("Hoà Minh Bình")
			}
			got, gotEnc := ToUnicode(in)
			if gotEnc != enc {
				t.Errorf("Detect(%q) = %v, want %v (from %q)", in, gotEnc, enc, name)
				continue
			}
			if FoldKeepTones(got) != FoldKeepTones(name) {
				t.Errorf("ToUnicode(%q) = %q, want %q", in, got, name)
			}
		}
	}
}

func TestDetectUnicode(t *testing.T) {
	var cells []string
	for _, n := range names {
		cells = append(cells, n, norm.NFD.String(n), strings.ToUpper(n), Fold(n))
	}
	cells = append(cells,
		// plain ASCII and numbers
		"", "Nguyen Van Hung", "12.500.000", "1/2", "50%", "087160558028", "29971-0866",
		// Western text
		"Café", "Müller", "naïve", "François", "José", "Zoë", "Søren", "Ångström",
		"Björk", "Gödel", "Jürgen", "São Paulo", "Mañana", "Crème brûlée", "Noël",
		"Renée", "Loïc", "Anaïs", "Señor Muñoz", "Ærø", "Hélène Dupré", "déjà vu",
		"5µm", "½", "© 2022", "Nº 5", "10°C", "• mục 1",
		// Vietnamese written only with Latin-1 letters (from real forms)
		"Ghi chú", "Khác", "Cao Giàu", "Lê Hoàng Giàu", "Lê Minh Nhân", "Ngày sinh",
		"UBND XÃ LONG KHÁNH A", "Bùi Công Thành", "KHÓM TRUNG 2", "Khóm Trung 1",
		"Làm thuê", "Nuôi cá", "Nghèo", "Cà Mau", "Lê Văn Tám", "Hoà", "Thuý",
		"Nguyên", "Thành", "Phó Chủ tịch", "Trà Vinh", "Bà Rịa",
		// mixed: real Unicode letters next to Latin-1 look-alikes
		"Nguyễn Vaên", "Trường ThÞ", "ư¸",
	)
	for _, c := range cells {
		if got := Detect(c); got != Unicode {
			t.Errorf("Detect(%q) = %v, want unicode", c, got)
		}
		if got, enc := ToUnicode(c); got != c || enc != Unicode {
			t.Errorf("ToUnicode(%q) = %q, %v: changed real text", c, got, enc)
		}
	}
	if got := DetectColumn(cells); got != Unicode {
		t.Errorf("DetectColumn(unicode cells) = %v", got)
	}
}

func TestDetectColumn(t *testing.T) {
	var tc, vni, uni []string
	for _, n := range names {
		tc = append(tc, encodeTCVN3(n))
		vni = append(vni, encodeVNI(n))
		uni = append(uni, n)
	}
	// A few ASCII cells and a blank do not change the verdict.
	extra := []string{"", "Nam", "1975"}
	if got := DetectColumn(append(tc, extra...)); got != TCVN3 {
		t.Errorf("DetectColumn(tcvn3) = %v", got)
	}
	if got := DetectColumn(append(vni, extra...)); got != VNI {
		t.Errorf("DetectColumn(vni) = %v", got)
	}
	if got := DetectColumn(uni); got != Unicode {
		t.Errorf("DetectColumn(unicode) = %v", got)
	}
	// Single-word cells alone carry little evidence each; together they do.
	hamlets := []string{"Êp 1", "Êp 2", "Êp 3", "Hïng", "Phó", "§«ng"}
	if got := DetectColumn(hamlets); got != TCVN3 {
		t.Errorf("DetectColumn(%q) = %v", hamlets, got)
	}
	// Mostly Unicode with one odd cell stays Unicode.
	mixed := append(append([]string{}, uni...), "Loïc")
	if got := DetectColumn(mixed); got != Unicode {
		t.Errorf("DetectColumn(mixed) = %v", got)
	}

	out, enc := ColumnToUnicode(append([]string{"Nguyễn Văn Hùng"}, tc...))
	if enc != TCVN3 {
		t.Fatalf("ColumnToUnicode enc = %v", enc)
	}
	if out[0] != "Nguyễn Văn Hùng" {
		t.Errorf("ColumnToUnicode changed a Unicode cell: %q", out[0])
	}
	for i, n := range names {
		if FoldKeepTones(out[i+1]) != FoldKeepTones(n) {
			t.Errorf("ColumnToUnicode: %q, want %q", out[i+1], n)
		}
	}
}

// TestNoPanic feeds random runes from the interesting ranges.
func TestNoPanic(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pool := []rune("aeouyAEOUY \n\t\r\u00ad\u200b\u0300\u0301\u2013ĐđăơưễỦ")
	for r := rune(0x80); r <= 0xff; r++ {
		pool = append(pool, r)
	}
	for i := 0; i < 3000; i++ {
		n := rng.Intn(20)
		rs := make([]rune, n)
		for j := range rs {
			rs[j] = pool[rng.Intn(len(pool))]
		}
		s := string(rs)
		if rng.Intn(10) == 0 {
			s += "\xff\xfe"
		}
		_ = Clean(s)
		_ = CleanLine(s)
		f := Fold(s)
		if Fold(f) != f {
			t.Fatalf("Fold not idempotent on %q", s)
		}
		_ = FoldKeepTones(s)
		_, _ = ToUnicode(s)
		_ = Decode(s, TCVN3)
		_ = Decode(s, VNI)
	}
}

func TestValidSyllable(t *testing.T) {
	valid := []string{"nguyễn", "Văn", "HÙNG", "thường", "phước", "ấp", "khuya", "nghiêng",
		"gì", "quốc", "giữa", "thuở", "xoong", "oanh", "huỳnh", "việt", "ạ", "ý", "ưu"}
	invalid := []string{"cafe", "muller", "nguyôn", "naive", "hoỔng", "bac", "ka", "ci",
		"ngê", "ăn" + "g" + "x", "văâ", "xyz", "", "ấ", "nguyễnn", "tiê"}
	for _, w := range valid {
		if !validSyllable(w) {
			t.Errorf("validSyllable(%q) = false", w)
		}
	}
	for _, w := range invalid {
		if validSyllable(w) {
			t.Errorf("validSyllable(%q) = true", w)
		}
	}
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
