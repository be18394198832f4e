package plan

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestMatchCommune(t *testing.T) {
	m := Default().Matcher()
	tests := []struct {
		text string
		want string // code, "" for no match
	}{
		// Codes.
		{"29956", "29956"},
		{" 29956 ", "29956"},
		{"29971", "29971"},
		// Names in every spelling.
		{"Thường Phước 1", "29956"},
		{"thuong phuoc 1", "29956"},
		{"THƯỜNG PHƯỚC 1", "29956"},
		{"Thường  Phước   1", "29956"},
		{norm.NFD.String("Thường Phước 1"), "29956"},
		{"Thuong_Phuoc_1", "29956"},
		{"ThuongPhuoc1", "29956"},
		{"Thường Phước 2", "29974"},
		{"Long Khanh A", "29980"},
		{"long khánh b", "29983"},
		{"Phú Thuận A", "29998"},
		{"Thường Lạc", "29977"},
		// With the words people put before a name.
		{"Xã Thường Phước 1", "29956"},
		{"xa thuong phuoc 1", "29956"},
		{"X. Thường Phước 1", "29956"},
		{"x.Thường Phước 1", "29956"},
		{"UBND XÃ THƯỜNG PHƯỚC 1", "29956"},
		{"Ủy ban nhân dân xã Long Khánh A", "29980"},
		{"ỦY BAN NHÂN DÂN XÃ PHÚ THUẬN A", "29998"},
		{"Thị trấn Thường Thới Tiền", "29971"},
		{"TT Thường Thới Tiền", "29971"},
		{"TT. Thuong Thoi Tien", "29971"},
		{"UBND THỊ TRẤN THƯỜNG THỚI TIỀN", "29971"},
		{"Thường Thới Tiền", "29971"},
		// Typed with the legacy fonts (TCVN3 .VnTime / .VnTimeH, VNI).
		{"Th\u00ad\u00eang Ph\u00ad\u00edc 1", "29956"},                           // TCVN3
		{"UBND X\u00b7 TH\u00a6\u00eaNG PH\u00a6\u00edC 1", "29956"},              // TCVN3 capitals
		{"x\u00b7 Long Kh\u00b8nh A", "29980"},                                    // TCVN3
		{"Th\u00f6\u00f4\u00f8ng Th\u00f4\u00f9i Ha\u00e4u A", "29962"},           // VNI
		{"UBND XA\u00d5 TH\u00d6\u00d4\u00d8NG PH\u00d6\u00d4\u00d9C 1", "29956"}, // VNI
		// Near misses and non-communes never match.
		{"Thường Thới Hậu B", ""},
		{"Thuong Thoi Hau B", ""},
		{"Thường Phước 3", ""},
		{"Thường Phước", ""},
		{"Long Khánh", ""},
		{"Phú Thuận", ""},
		{"29999", ""},
		{"2995", ""},
		{"Xã", ""},
		{"UBND", ""},
		{"", ""},
		{"   ", ""},
		{"Huyện Hồng Ngự", ""},
	}
	for _, tt := range tests {
		got := m.Commune(tt.text)
		code := ""
		if got != nil {
			code = got.Code
		}
		if code != tt.want {
			t.Errorf("Commune(%q) = %q, want %q", tt.text, code, tt.want)
		}
	}
}

func TestMatchHamlet(t *testing.T) {
	m := Default().Matcher()
	tests := []struct {
		commune, text string
		want          string // plan name, "" for no match
	}{
		{"29956", "Ấp 1", "Ấp 1"},
		{"29956", "ấp 1", "Ấp 1"},
		{"29956", "Ap 1", "Ấp 1"},
		{"29956", "ẤP  1", "Ấp 1"},
		{"29956", " ap 1 ", "Ấp 1"},
		{"29956", norm.NFD.String("Ấp 3"), "Ấp 3"},
		{"29956", "1", "Ấp 1"},
		{"29956", "Ấp số 2", "Ấp 2"},
		{"29956", "ấp Một", "Ấp 1"},
		{"29956", "ẤP MỘT", "Ấp 1"},
		{"29956", "ap mot", "Ấp 1"},
		{"29956", "Ấp Hai", "Ấp 2"},
		{"29956", "ấp ba", "Ấp 3"},
		{"29956", "Ấp 01", "Ấp 1"},
		{"29956", "Ấp 4", ""},
		{"29956", "Ấp Bốn", ""},
		{"29956", "Ấp Chòm Xoài", "Ấp Chòm Xoài"},
		{"29956", "ap chom xoai", "Ấp Chòm Xoài"},
		{"29956", "Chòm Xoài", "Ấp Chòm Xoài"},
		{"29956", "Giồng Bàng", "Ấp Giồng Bàng"},
		{"29956", "Ấp Giồng", ""},
		{"29956", "Ấp Long Tả", ""}, // a hamlet of another commune
		{"29956", "", ""},
		{"29971", "Khóm Thượng 1", "Khóm Thượng 1"},
		{"29971", "khom thuong 1", "Khóm Thượng 1"},
		{"29971", "Thượng 1", "Khóm Thượng 1"},
		{"29971", "Khóm Thượng Một", "Khóm Thượng 1"},
		{"29971", "Trung 2", "Khóm Trung 2"},
		{"29971", "Khóm Trung", ""},
		{"29980", "Long Tả", "Ấp Long Tả"},
		{"29980", "Long Thạnh A", "Ấp Long Thạnh A"},
		{"29980", "long thanh b", "Ấp Long Thạnh B"},
		{"29980", "Long Thạnh", ""},
		{"29992", "Long Thạnh", "Ấp Long Thạnh"},
		{"29977", "ấp thị", "Ấp Thị"},
		{"29977", "Trà Đư", "Ấp Trà Đư"},
		{"29977", "Ấp Sáu", "Ấp 6"},
		{"29977", "6", "Ấp 6"},
		// Legacy fonts.
		{"29980", "\u00cap Long T\u00b6", "Ấp Long Tả"},                                        // TCVN3
		{"29956", "\u00cap Ch\u00dfm Xo\u00b5i", "Ấp Chòm Xoài"},                               // TCVN3
		{"29971", "Kh\u00e3m Th\u00ad\u00eeng 1", "Khóm Thượng 1"},                             // TCVN3
		{"29962", "a\u00e1p B\u00ecnh Ho\u00f8a Th\u00f6\u00f4\u00efng", "Ấp Bình Hòa Thượng"}, // VNI
		// Unknown commune.
		{"29999", "Ấp 1", ""},
		{"Thường Phước 1", "Ấp 1", ""}, // Hamlet takes a code, not a name
	}
	for _, tt := range tests {
		got, ok := m.Hamlet(tt.commune, tt.text)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("Hamlet(%s, %q) = %q %v, want %q", tt.commune, tt.text, got, ok, tt.want)
		}
	}
}

// SPEC §2: "Khóm 1" and "Ấp 1" of one commune are not merged silently.
func TestMatchHamletAmbiguous(t *testing.T) {
	const y = `
year: 2026
dialogue_quarter: 2
district: {name: Huyện Thử}
quotas: {district_team: 7, commune_delegates: 7, hamlet_heads: 1, household_reps: 5}
deadlines: {opinions_days_before_dialogue: 5}
clusters:
  - id: 1
    communes:
      - {code: "30001", name: Tân Hội, kind: xã, hamlets: [Khóm 1, Ấp 1, Ấp Nam, Ấp Hai, Ấp 5, Ấp Tân Long, Tân Long B]}
      - {code: "30002", name: Tân Hội B, kind: xã, hamlets: [Ấp Một]}
topics: [{name: Khác, agency: UBND}]
`
	p, err := Parse([]byte(y), "ambiguous.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := p.Matcher()
	tests := []struct {
		commune, text string
		want          string
	}{
		{"30001", "1", ""},
		{"30001", "Một", ""},
		{"30001", "số 1", ""},
		{"30001", "Khóm 1", "Khóm 1"},
		{"30001", "khom 1", "Khóm 1"},
		{"30001", "Khóm Một", "Khóm 1"},
		{"30001", "Ấp 1", "Ấp 1"},
		{"30001", "ap mot", "Ấp 1"},
		{"30001", "Ấp 01", "Ấp 1"},
		// A hamlet named after a direction is not a number; "Năm" differs
		// from "Nam" only by diacritics, which matching ignores (SPEC §2).
		{"30001", "Nam", "Ấp Nam"},
		{"30001", "Ấp Năm", "Ấp Nam"},
		{"30001", "5", "Ấp 5"},
		// A number word that is a hamlet's name is that hamlet, and its
		// digit finds it too.
		{"30001", "Ấp Hai", "Ấp Hai"},
		{"30001", "hai", "Ấp Hai"},
		{"30001", "Ấp 2", "Ấp Hai"},
		// "Tân Long" is both "Ấp Tân Long" and, without the word ấp, a
		// prefix-free name; the full spelling decides.
		{"30001", "Ấp Tân Long", "Ấp Tân Long"},
		{"30001", "Tân Long B", "Tân Long B"},
		{"30001", "ap tan long b", "Tân Long B"},
		// The plan may spell the number; digits find it.
		{"30002", "Ấp 1", "Ấp Một"},
		{"30002", "1", "Ấp Một"},
		{"30002", "ấp một", "Ấp Một"},
	}
	for _, tt := range tests {
		got, ok := m.Hamlet(tt.commune, tt.text)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("Hamlet(%s, %q) = %q %v, want %q", tt.commune, tt.text, got, ok, tt.want)
		}
	}
	// "Tân Hội" is a commune; "Tân Hội B" another: neither swallows the other.
	if c := m.Commune("xã Tân Hội"); c == nil || c.Code != "30001" {
		t.Errorf("Commune(xã Tân Hội) = %+v", c)
	}
	if c := m.Commune("TAN HOI B"); c == nil || c.Code != "30002" {
		t.Errorf("Commune(TAN HOI B) = %+v", c)
	}
}

// Every plan name matches itself, and the matcher of a plan is built once.
func TestMatchPlanNamesThemselves(t *testing.T) {
	p := Default()
	m := p.Matcher()
	if p.Matcher() != m {
		t.Error("Matcher() builds a new matcher each time")
	}
	for _, c := range p.Communes() {
		for _, text := range []string{c.Code, c.Name, c.FullName(), "UBND " + c.FullName()} {
			if got := m.Commune(text); got != c {
				t.Errorf("Commune(%q) = %+v, want %s", text, got, c.Code)
			}
		}
		for _, h := range c.Hamlets {
			if got, ok := m.Hamlet(c.Code, h); !ok || got != h {
				t.Errorf("Hamlet(%s, %q) = %q %v", c.Code, h, got, ok)
			}
		}
	}
}

// Hamlets with a letter ("Ấp 4A", "Ấp K9", "Ấp Tân Hòa A") are found however
// the clerk spaces, hyphenates or zero-pads them, unless two fit.
func TestMatchHamletCompact(t *testing.T) {
	const y = `
year: 2023
dialogue_quarter: 3
district: {name: Huyện Thử}
quotas: {district_team: 7, commune_delegates: 7, hamlet_heads: 1, household_reps: 5}
deadlines: {opinions_days_before_dialogue: 5}
clusters:
  - id: 1
    communes:
      - {code: "30007", name: Tân Công Sính, kind: xã, hamlets: [Ấp 1, Ấp 2, Ấp 4A, Ấp 4B, Ấp K9, Ấp Tân Hòa A, Ấp Tân Hòa B]}
      - {code: "30008", name: Phú Hiệp, kind: xã, hamlets: [Khóm 1A, Ấp 1A, Ấp 10]}
topics: [{name: Khác, agency: UBND}]
`
	p, err := Parse([]byte(y), "compact.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := p.Matcher()
	tests := []struct {
		commune, text string
		want          string
	}{
		{"30007", "Ấp 4A", "Ấp 4A"},
		{"30007", "ap 4a", "Ấp 4A"},
		{"30007", "4B", "Ấp 4B"},
		{"30007", "Ấp 4 A", "Ấp 4A"},
		{"30007", "Ấp 4-B", "Ấp 4B"},
		{"30007", "Ấp 04A", "Ấp 4A"},
		{"30007", "ap4a", "Ấp 4A"},
		{"30007", "Ấp 4", ""},
		{"30007", "Ấp 4C", ""},
		{"30007", "Ấp K 9", "Ấp K9"},
		{"30007", "k9", "Ấp K9"},
		{"30007", "Ấp Tân HòaA", "Ấp Tân Hòa A"},
		{"30007", "TanHoaB", "Ấp Tân Hòa B"},
		{"30007", "Tân Hòa", ""},
		{"30007", "Ấp 01", "Ấp 1"},
		// "Khóm 1A" and "Ấp 1A" of one commune stay apart.
		{"30008", "1 A", ""},
		{"30008", "01A", ""},
		{"30008", "Khóm 1 A", "Khóm 1A"},
		{"30008", "ấp 1-a", "Ấp 1A"},
		{"30008", "Ấp 010", "Ấp 10"},
		{"30008", "Ấp 1 0", "Ấp 10"},
	}
	for _, tt := range tests {
		got, ok := m.Hamlet(tt.commune, tt.text)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("Hamlet(%s, %q) = %q %v, want %q", tt.commune, tt.text, got, ok, tt.want)
		}
	}
}
