package vntext

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// analyzeRef is analyze as it was before the word-score cache (addWord),
// kept verbatim as the reference.
func analyzeRef(s string) analysis {
	var a analysis
	i := 0
	for i < len(s) && s[i] < 0x80 {
		i++
	}
	if i == len(s) {
		return a
	}
	a.nonASCII = true
	hasCombining := false
	hasLegacy := false
	for _, r := range s[i:] {
		if r >= 0x300 && r <= 0x36f {
			hasCombining = true
			continue
		}
		if isUnicodeOnlyVN(r) {
			a.unicodeVN = true
			return a
		}
		if _, ok := legacyByte(r); ok {
			hasLegacy = true
		}
	}
	if hasCombining {
		s = norm.NFC.String(s)
		for _, r := range s {
			if isUnicodeOnlyVN(r) {
				a.unicodeVN = true
				return a
			}
		}
	}
	if !hasLegacy {
		return a
	}
	rs := []rune(s)
	for start := 0; start < len(rs); {
		if !isWordRune(rs[start]) {
			start++
			continue
		}
		end := start
		legacy := false
		for end < len(rs) && (isWordRune(rs[end]) || midWordCP1252(rs, end)) {
			if rs[end] >= 0x80 {
				legacy = true
			}
			end++
		}
		if legacy && end-start > 1 {
			a.scoreWord(rs[start:end])
		}
		start = end
	}
	return a
}

// detectInputs are legacy-encoded, Unicode and odd cells.
func detectInputs() []string {
	out := []string{
		"", "Nam", "Café", "Müller", "naïve", "Loïc", "où", "più", "hoá", "V¨n", "Vaên", "Nuôi", "Phó", "Hoàng",
		"TrÇn", "NguyÔn", "Hïng", "Th\u00adêng Ph\u00adíc 1", "Êp 3", "N÷", "AÙ", "öô", "ñaø", "a\x85b", "Lê Thị Hà",
		"Hồ Chí Minh", "Tô Hà Lê", "Lý Hà Vân", "a\xffé", "é\xff\xfeè", "ø ü ñ", "×÷", "\u0301é", norm.NFD.String("Lê Hà"),
		strings.Repeat("Hµ Néi ", 30), strings.Repeat("é", 200), "Ò" + strings.Repeat("µ", 70), "Москва é", "東京 à",
	}
	for _, n := range names {
		out = append(out, n, encodeTCVN3(n), encodeVNI(n), strings.ToUpper(n), encodeTCVN3(strings.ToLower(n)))
	}
	for r := rune(0x80); r < 0x100; r++ {
		out = append(out, "a"+string(r)+"n", "H"+string(r)+"ng", string(r)+string(r))
	}
	return out
}

func TestAnalyzeEqualsReference(t *testing.T) {
	for pass := 0; pass < 2; pass++ { // the second time from the cache
		for _, s := range detectInputs() {
			if got, want := analyze(s), analyzeRef(s); got != want {
				t.Fatalf("analyze(%q) = %+v, reference %+v", s, got, want)
			}
		}
	}
	if wordScoresLen.Load() == 0 {
		t.Fatal("no word was cached")
	}
}

// FuzzAnalyzeEqualsReference: the cache changes no evidence.
func FuzzAnalyzeEqualsReference(f *testing.F) {
	for _, s := range detectInputs() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for pass := 0; pass < 2; pass++ {
			if got, want := analyze(s), analyzeRef(s); got != want {
				t.Fatalf("analyze(%q) = %+v, reference %+v", s, got, want)
			}
		}
	})
}

// BenchmarkAnalyze is the per-cell work of DetectColumn over a column
// of names, Unicode and TCVN3 (old: analyzeRef).
func BenchmarkAnalyze(b *testing.B) {
	var cells []string
	for _, n := range names {
		cells = append(cells, n, "Lê Thị Hà", "Tô Hà", encodeTCVN3(n))
	}
	for _, bc := range []struct {
		name string
		f    func(string) analysis
	}{{"new", analyze}, {"old", analyzeRef}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, c := range cells {
					_ = bc.f(c)
				}
			}
		})
	}
}
