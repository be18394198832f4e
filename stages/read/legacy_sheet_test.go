package read

import (
	"strings"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
)

// legacySpell spells the texts of an M1 sheet in the legacy fonts:
// Unicode -> {VNI, TCVN3, TCVN3 read back} (font bytes as Latin-1 code
// points). TCVN3 has no toned capitals: an upper-case line is typed with
// the small toned letters, so it reads back as "Xã THƯờNG"; "" when it
// reads back as the Unicode text.
var legacySpell = map[string][3]string{
	"UBND XÃ THƯỜNG PHƯỚC 1": {"UBND XAÕ THÖÔØNG PHÖÔÙC 1", "UBND X\u00b7 TH\u00a6\u00eaNG PH\u00a6\u00edC 1", "UBND Xã THƯờNG PHƯớC 1"},
	"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO DỰ KIẾN THOÁT NGHÈO": {"DANH SAÙCH HOÄ NGHEØO, HOÄ CAÄN NGHEØO DÖÏ KIEÁN THOAÙT NGHEØO",
		"DANH S\u00b8CH H\u00e9 NGH\u00ccO, H\u00e9 C\u00cbN NGH\u00ccO D\u00f9 KI\u00d5N THO\u00b8T NGH\u00ccO",
		"DANH SáCH Hộ NGHèO, Hộ CậN NGHèO Dự KIếN THOáT NGHèO"},
	"Mã hộ":            {"Maõ hoä", "M\u00b7 h\u00e9"},
	"Họ và tên chủ hộ": {"Hoï vaø teân chuû hoä", "H\u00e4 v\u00b5 t\u00aan ch\u00f1 h\u00e9"},
	"Năm sinh":         {"Naêm sinh", "N\u00a8m sinh"},
	"Giới tính":        {"Giôùi tính", "Gi\u00edi t\u00ddnh"},
	"Khóm/Ấp":          {"Khoùm/AÁp", "Kh\u00e3m/\u00cap", "Khóm/ấp"},
	"Phân loại hộ":     {"Phaân loaïi hoä", "Ph\u00a9n lo\u00b9i h\u00e9"},
	"Ấp 3":             {"AÁp 3", "\u00cap 3", "ấp 3"},
	"Nữ":               {"Nöõ", "N\u00f7"},
	"Hộ nghèo":         {"Hoä ngheøo", "H\u00e9 ngh\u00cco"},
}

// readBack is what the reader must make of the spelling of u in enc.
func readBack(u string, enc vntext.Encoding) string {
	if enc == vntext.TCVN3 && legacySpell[u][2] != "" {
		return legacySpell[u][2]
	}
	return u
}

func spell(s string, enc vntext.Encoding) string {
	switch enc {
	case vntext.VNI:
		return legacySpell[s][0]
	case vntext.TCVN3:
		return legacySpell[s][1]
	}
	return s
}

func TestLegacySpellTable(t *testing.T) {
	for want, sp := range legacySpell {
		for i, enc := range []vntext.Encoding{vntext.VNI, vntext.TCVN3} {
			if got, w := vntext.Decode(sp[i], enc), readBack(want, enc); got != w {
				t.Errorf("%s: %q decodes to %q, want %q (fix the table)", enc, sp[i], got, w)
			}
		}
	}
}

// TestLegacyPerSheet: in a sheet typed in VNI or TCVN3 every text cell is
// converted, short ones ("AÁp 3", "Nöõ", "Êp 3", "N÷") included, whatever
// each cell would say on its own; a Unicode sheet is never touched.
func TestLegacyPerSheet(t *testing.T) {
	rd := &Reader{Plan: plan.Default()}
	for _, enc := range []vntext.Encoding{vntext.VNI, vntext.TCVN3} {
		t.Run(enc.String(), func(t *testing.T) {
			names := legacyNames(vniNames)
			if enc == vntext.TCVN3 {
				names = legacyNames(tcvn3Names)
			}
			s := func(u string) string { return spell(u, enc) }
			rows := [][]any{
				row(s("UBND XÃ THƯỜNG PHƯỚC 1")),
				row(s("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO DỰ KIẾN THOÁT NGHÈO")),
				row("STT", s("Mã hộ"), s("Họ và tên chủ hộ"), s("Năm sinh"), s("Giới tính"), s("Khóm/Ấp"), s("Phân loại hộ")),
				row(1, "29956-0001", names[0], 1960, "Nam", s("Ấp 3"), s("Hộ nghèo")),
				row(2, "29956-0002", names[1], 1971, s("Nữ"), "Ap 1", s("Hộ nghèo")),
				row(3, "29956-0003", names[2], 1965, "Nam", "Ap 1", "HN"),
			}
			tc := recogCase{name: "legacy " + enc.String(), path: "29956/M1 " + enc.String() + ".xlsx", sheets: []fxSheet{{name: "DS", rows: rows}}}
			wb := readFixture(t, rd, tc)
			if wb.Status != record.StatusAccepted || wb.Form != record.FormM1 || wb.CommuneCode != "29956" {
				t.Fatalf("status %s %q form %q commune %q: %v", wb.Status, wb.Reason, wb.Form, wb.CommuneCode, messages(wb))
			}
			if wb.HeaderName != readBack("UBND XÃ THƯỜNG PHƯỚC 1", enc) {
				t.Errorf("header name %q", wb.HeaderName)
			}
			want := map[[2]any]string{
				{4, "hamlet"}: readBack("Ấp 3", enc), {5, "gender"}: "Nữ", {4, "gender"}: "Nam", {4, "household_class"}: "Hộ nghèo",
				{5, "household_class"}: "Hộ nghèo", {4, "head_name"}: legacyOrder[0], {6, "head_name"}: legacyOrder[2], {5, "hamlet"}: "Ap 1",
			}
			for k, w := range want {
				if c := cellAt(t, wb, "DS", k[0].(int), k[1].(string)); c.Text != w {
					t.Errorf("row %d %s: %q, want %q", k[0], k[1], c.Text, w)
				}
			}
			if c := cellAt(t, wb, "DS", 4, "hamlet"); c.Encoding != enc.String() {
				t.Errorf("hamlet encoding %q, want %s", c.Encoding, enc)
			}
		})
	}

	t.Run("unicode", func(t *testing.T) {
		// Real Unicode text written with Latin-1 letters only, Western
		// names and codes that a per-cell guess could take for legacy bytes.
		odd := []string{"Tô Hà", "Bé Út", "Ô Môn", "Châu Ôn", "Lò Ký", "Ái", "Hoà", "Thuý", "Loïc Müller", "ÔÙ"}
		rows := [][]any{
			row("UBND XÃ THƯỜNG PHƯỚC 1"),
			row("ÔÙ"),
			row("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO DỰ KIẾN THOÁT NGHÈO"),
			row("STT", "Mã hộ", "Họ và tên chủ hộ", "Năm sinh", "Giới tính", "Khóm/Ấp", "Phân loại hộ", "Ghi chú"),
		}
		for i, n := range odd {
			rows = append(rows, row(i+1, "29956-000"+string(rune('0'+i)), n, 1960+i, "Nam", "Ấp 1", "Hộ nghèo", odd[len(odd)-1-i]))
		}
		tc := recogCase{name: "unicode", path: "29956/M1 unicode.xlsx", sheets: []fxSheet{{name: "DS", rows: rows}}}
		wb := readFixture(t, rd, tc)
		if wb.Status != record.StatusAccepted || wb.Form != record.FormM1 {
			t.Fatalf("status %s %q form %q: %v", wb.Status, wb.Reason, wb.Form, messages(wb))
		}
		for i, n := range odd {
			for field, w := range map[string]string{"head_name": n, "note": odd[len(odd)-1-i]} {
				if c := cellAt(t, wb, "DS", 5+i, field); c.Text != w || c.Encoding != "" {
					t.Errorf("row %d %s: %q (%q), want %q untouched", 5+i, field, c.Text, c.Encoding, w)
				}
			}
		}
		if f := hasFinding(wb, "legacy-encoding"); f != nil {
			t.Errorf("legacy-encoding finding on a Unicode sheet: %s", f.Message)
		}
		for _, f := range wb.Findings {
			if strings.Contains(f.Message, "TCVN3") || strings.Contains(f.Message, "VNI") {
				t.Errorf("finding %s", f.Message)
			}
		}
	})
}
