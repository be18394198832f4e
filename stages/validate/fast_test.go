package validate

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"doithoai/schemas"
)

// The helpers' fast paths against their forms before them (the *Old
// functions, kept verbatim).

func trimValueOld(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff' })
}

func idStripOld(s string, extra string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff' || strings.ContainsRune(extra, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// helperInputs are the texts the helpers are checked on.
func helperInputs() []string {
	out := []string{
		"", " ", "a", " a", "a ", "\ta\n", "\u00a0Nam", "Nam\u00a0", "\u200bNam\u200b", "\ufeffNam", "Nam\u0085", "\u0085",
		"\x7fNam\x7f", "\x00", "Nữ", " Nữ ", norm.NFD.String("Nữ"), "012345678901", "0123 4567 8901", "0123.456.789",
		"0123-456–789", "(028) 3829_1234", "+84 912/345/678", "0912\u00a0345\u200b678", "HGD-0001", "hgd-0001",
		"HGD 0001", "HGD\t0001", "hgđ-1", "ĐB-01", "HGD\u00a00001", " HGD-0001 ", "Ａ１", "ǆ", "ß", "ﬁ", "i̇",
		"\xff", "a\xffb", "１２３", "٣٤٥", "12a", "1e5", "9", "Chủ hộ", "Con nuôi", "Hộ   nghèo", "cận nghèo", "vo",
		"Vợ/chồng", "Khác", "khac", "Chủ", "Chủ hộ ", "CHỦ HỘ", "chu-ho", "Con dâu", "Con rể", "Cháu nội", "Ông",
	}
	for r := rune(0); r < 0x300; r++ {
		out = append(out, string(r), string(r)+"1"+string(r), "Nam"+string(r))
	}
	for _, sc := range schemas.All() {
		for _, f := range sc.Fields {
			for _, v := range f.Constraints.Enum {
				out = append(out, v, strings.ToUpper(v), norm.NFD.String(v), v+" nuôi", v+" x y", " "+v+"  ")
			}
			for _, vs := range f.EnumVariants {
				for _, v := range vs {
					out = append(out, v, v+" khác")
				}
			}
		}
	}
	return out
}

func TestHelpersEqualTheirOldForms(t *testing.T) {
	for _, s := range helperInputs() {
		if got, want := trimValue(s), trimValueOld(s); got != want {
			t.Errorf("trimValue(%q) = %q, old %q", s, got, want)
		}
		for _, extra := range []string{".-–_", ".-–_()/"} {
			if got, want := idStrip(s, extra), idStripOld(s, extra); got != want {
				t.Errorf("idStrip(%q, %q) = %q, old %q", s, extra, got, want)
			}
		}
		if got, want := codeKey(s), oldCodeKey(s); got != want {
			t.Errorf("codeKey(%q) = %q, old %q", s, got, want)
		}
	}
}

// TestEnumMatcherIsMatchEnum: every enumerated field of every schema,
// matched through enumMatcher (twice: the second time from its memo),
// gives MatchEnum's answer.
func TestEnumMatcherIsMatchEnum(t *testing.T) {
	fields := 0
	for _, sc := range schemas.All() {
		for i := range sc.Fields {
			f := &sc.Fields[i]
			if len(f.Constraints.Enum) == 0 {
				continue
			}
			fields++
			var m memos
			for pass := 0; pass < 2; pass++ {
				for _, s := range helperInputs() {
					gc, gok := m.enum(f).match(s)
					wc, wok := MatchEnum(f, s)
					if gc != wc || gok != wok {
						t.Fatalf("%s.%s: match(%q) = %q, %v; MatchEnum %q, %v", sc.Name, f.Name, s, gc, gok, wc, wok)
					}
				}
			}
		}
	}
	if fields == 0 {
		t.Fatal("no enumerated field")
	}
}

// FuzzHelpersEqualOld: the fast paths change no result on any text.
func FuzzHelpersEqualOld(f *testing.F) {
	for _, s := range helperInputs() {
		f.Add(s)
	}
	var enums []*schemas.Field
	for _, sc := range schemas.All() {
		for i := range sc.Fields {
			if len(sc.Fields[i].Constraints.Enum) > 0 {
				enums = append(enums, &sc.Fields[i])
			}
		}
	}
	var m memos
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := trimValue(s), trimValueOld(s); got != want {
			t.Fatalf("trimValue(%q) = %q, old %q", s, got, want)
		}
		if got, want := idStrip(s, ".-–_()/"), idStripOld(s, ".-–_()/"); got != want {
			t.Fatalf("idStrip(%q) = %q, old %q", s, got, want)
		}
		if got, want := codeKey(s), oldCodeKey(s); got != want {
			t.Fatalf("codeKey(%q) = %q, old %q", s, got, want)
		}
		for _, fd := range enums {
			gc, gok := m.enum(fd).match(s)
			wc, wok := MatchEnum(fd, s)
			if gc != wc || gok != wok {
				t.Fatalf("%s: match(%q) = %q, %v; MatchEnum %q, %v", fd.Name, s, gc, gok, wc, wok)
			}
		}
	})
}
