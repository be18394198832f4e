package vntext

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The fast paths of Clean, CleanLine and FoldKeepTones (cleanAsIs, the NFC
// starter tables) must give exactly what the general code gave before
// them: cleanRef, cleanRefAPI and foldKeepTonesRef below are that code,
// kept verbatim as the reference.

// cleanRefAPI is Clean (oneLine false) or CleanLine (true) as they were.
func cleanRefAPI(s string, oneLine bool) string {
	if oneLine {
		if isCleanASCII(s) && strings.IndexByte(s, '\n') < 0 {
			return s
		}
	} else if isCleanASCII(s) {
		return s
	}
	keepLegacy := false
	if hasLegacyControl(s) && Detect(s) == TCVN3 {
		keepLegacy = true
	}
	return cleanRef(s, keepLegacy, oneLine)
}

// foldKeepTonesRef is FoldKeepTones as it was.
func foldKeepTonesRef(s string) string {
	t := cleanRefAPI(s, true)
	var b strings.Builder
	b.Grow(len(t))
	pendingSep := false
	for _, r := range t {
		keep := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if !keep {
			pendingSep = true
			continue
		}
		if pendingSep && b.Len() > 0 && !unicode.Is(unicode.Mn, r) {
			b.WriteByte(' ')
		}
		pendingSep = false
		b.WriteRune(unicode.ToLower(r))
	}
	return norm.NFC.String(b.String())
}

// trickyTexts are the inputs every fast path is checked on.
func trickyTexts() []string {
	nfd := norm.NFD.String
	out := []string{
		"", "a", " ", "\n", "Ap 3", "ap  3", " ap", "ap ", "a\nb", "a\n\nb", "a \nb", "a\n b", "\na", "a\n",
		"Nguyễn Văn Hùng", "Ấp Long Thạnh A", "HỘ CẬN NGHÈO", "Trưởng khóm/ấp", "Đồng bào dân tộc Khơ-me",
		nfd("Nguyễn Văn Hùng"), nfd("Thị trấn Thường Thới Tiền"), nfd("ỦY BAN, Xã"),
		"Nguye\u0302\u0303n", "e\u0301", "e\u0301\u0323", "ê\u0301", "a\u0323\u0302", "Ư\u031b", "o\u0302\u0301",
		"\u0301abc", "ă\u0306", "Hùng\u0300", "ǅ", "Å", "Å", "Ω", "ﬁ", "ｆｕｌｌ", "ǖ", "ȧ", "Ṩ", "ṩ\u0323",
		"Ấp\u00a03", "Ấp\u00a0\u00a03", "\u00a0Hùng", "Hùng\u00a0", "Văn\u200bHùng", "\u200bHùng\u200b", "Ng\u200dguy\u200cễn",
		"\ufeffXã Long Thuận", "Thuận\u00adA", "Th\u00adêng Ph\u00adíc 1", "Thư\u00adờng", "a\u0085b", "Ch\u00ad\u0085a",
		"dòng 1\r\ndòng 2", "dòng 1\rdòng 2", "dòng\u2028hai", "dòng\u2029hai", "a\vb", "a\fb", "á\tb", "á\t",
		"\u200eabc\u202e", "ừ\u2066x\u2069", "á\x00b", "á\x7fb", "á\xffb", "á\xc3", "\xe1\xbb", "á\ufffdb", "\ufffd",
		"Москва Hà Nội", "東京 Hà Nội", "한국어", "\u1100\u1161\u11a8", "가\u11a8", "ﾊﾞ", "ḱ", "ख़", "क\u093c",
		"سلام", "עברית\u05b0", "ę\u0328", "Ǫ\u0304", "ø", "Đặng Thị Ngọc Ánh", "𝐀 𝒜", "😀 cười", "a\u034fb",
		"x\u180ey", "a\u2000b\u200ac", "a\u202fb\u3000c", "Lò Văn   Páo", "  Ấp   3\t\t ", "Hà  Nội", "Hà \n Nội",
		"Hà\n\n\nNội", "Hà\n", "\nHà", "Hà ", " Hà", "A\u0308\u0301", "\u0344", "\u0958", "Å", "\u212b",
	}
	// Every rune of the tables alone and after a letter, and a few pairs.
	for r := rune(0); r < 0x250; r++ {
		out = append(out, string(r), "a"+string(r)+"b", "ệ"+string(r))
	}
	for r := rune(0x1e00); r < 0x1f00; r++ {
		out = append(out, string(r), "a"+string(r)+"b", string(r)+"\u0301")
	}
	return out
}

func TestCleanFastPathsEqualReference(t *testing.T) {
	for _, s := range trickyTexts() {
		if got, want := Clean(s), cleanRefAPI(s, false); got != want {
			t.Errorf("Clean(%q) = %q, reference %q", s, got, want)
		}
		if got, want := CleanLine(s), cleanRefAPI(s, true); got != want {
			t.Errorf("CleanLine(%q) = %q, reference %q", s, got, want)
		}
		if got, want := FoldKeepTones(s), foldKeepTonesRef(s); got != want {
			t.Errorf("FoldKeepTones(%q) = %q, reference %q", s, got, want)
		}
		for _, keep := range []bool{false, true} {
			for _, one := range []bool{false, true} {
				if got, want := clean(s, keep, one), cleanRef(s, keep, one); got != want {
					t.Errorf("clean(%q, %v, %v) = %q, reference %q", s, keep, one, got, want)
				}
				if cleanAsIs(s, keep, one) && cleanRef(s, keep, one) != s {
					t.Errorf("cleanAsIs(%q, %v, %v) but the reference changes it to %q", s, keep, one, cleanRef(s, keep, one))
				}
			}
		}
	}
}

// TestCleanAsIsAllocs: text that is already clean is returned without a copy.
func TestCleanAsIsAllocs(t *testing.T) {
	for _, s := range []string{"Nguyễn Văn Hùng", "Ấp Long Thạnh A\nẤp 2", "Đặng Thị Ngọc Ánh"} {
		if n := testing.AllocsPerRun(100, func() { _ = Clean(s) }); n != 0 {
			t.Errorf("Clean(%q) allocates %v times", s, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = CleanLine("Trưởng khóm/ấp") }); n != 0 {
		t.Errorf("CleanLine allocates %v times", n)
	}
}

// TestNFCStarterTables: every rune the tables call an NFC starter is NFC
// alone, ASCII is all starters (clean does not look it up), and any two
// starters side by side stay as they are under NFC.
func TestNFCStarterTables(t *testing.T) {
	var safe []rune
	for r := rune(0); r < 0x1f00; r++ {
		if r == 0x250 {
			r = 0x1e00
		}
		if nfcStarter(r) != nfcStarterSlow(r) {
			t.Fatalf("nfcStarter(%U) disagrees with norm", r)
		}
		if nfcStarter(r) {
			safe = append(safe, r)
			if p := norm.NFC.PropertiesString(string(r)); p.CCC() != 0 {
				t.Errorf("%U: a starter with combining class %d", r, p.CCC())
			}
		}
	}
	for r := rune(0); r < 0x80; r++ {
		if !nfcStarter(r) {
			t.Errorf("ASCII %U is not an NFC starter", r)
		}
	}
	if len(safe) < 700 {
		t.Fatalf("only %d starters", len(safe))
	}
	buf := make([]byte, 0, 8)
	for _, a := range safe {
		for _, b := range safe {
			buf = utf8.AppendRune(utf8.AppendRune(buf[:0], a), b)
			if !norm.NFC.IsNormal(buf) {
				t.Fatalf("%U %U is not NFC", a, b)
			}
		}
	}
	for _, r := range []rune{0x300, 0x301, 0x323, 0x1161, 0x11a8, 0x93c, 0x212b, 0x2126, 0x340, 0x344, 0x958} {
		if nfcStarter(r) {
			t.Errorf("%U is an NFC starter", r)
		}
	}
}

// FuzzCleanEqualsReference: the fast paths change no result.
func FuzzCleanEqualsReference(f *testing.F) {
	for _, s := range trickyTexts() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Clean(s), cleanRefAPI(s, false); got != want {
			t.Fatalf("Clean(%q) = %q, reference %q", s, got, want)
		}
		if got, want := CleanLine(s), cleanRefAPI(s, true); got != want {
			t.Fatalf("CleanLine(%q) = %q, reference %q", s, got, want)
		}
		if got, want := FoldKeepTones(s), foldKeepTonesRef(s); got != want {
			t.Fatalf("FoldKeepTones(%q) = %q, reference %q", s, got, want)
		}
	})
}

// cleanBenchInputs are cells as the read and validate stages see them.
var cleanBenchInputs = []string{
	"Nguyễn Văn Hùng", "Ấp Long Thạnh A", "Trưởng khóm/ấp", "Hộ nghèo", "Kinh",
	"Chủ hộ", "0912345678", "HGD-0012", norm.NFD.String("Thị trấn Thường Thới"),
	"Đường   liên   ấp\u00a0xuống cấp", "Ý kiến về việc sửa chữa cầu\nnông thôn",
}

func BenchmarkClean(b *testing.B) {
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = Clean(cleanBenchInputs[i%len(cleanBenchInputs)])
		}
	})
	b.Run("old", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = cleanRefAPI(cleanBenchInputs[i%len(cleanBenchInputs)], false)
		}
	})
}

func BenchmarkCleanLine(b *testing.B) {
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = CleanLine(cleanBenchInputs[i%len(cleanBenchInputs)])
		}
	})
	b.Run("old", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = cleanRefAPI(cleanBenchInputs[i%len(cleanBenchInputs)], true)
		}
	})
}

func BenchmarkFoldKeepTones(b *testing.B) {
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = FoldKeepTones(cleanBenchInputs[i%len(cleanBenchInputs)])
		}
	})
	b.Run("old", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = foldKeepTonesRef(cleanBenchInputs[i%len(cleanBenchInputs)])
		}
	})
}

// cleanRef is clean as it was before its fast paths; it does the work of Clean and CleanLine.
func cleanRef(s string, keepLegacy, oneLine bool) string {
	var b strings.Builder
	b.Grow(len(s))
	ascii := true
	pendingSpace := false
	pendingBreaks := 0
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		var c runeClass
		if r == '\r' {
			if i+1 < len(s) && s[i+1] == '\n' {
				continue // the '\n' follows
			}
			c = classBreak
		} else if keepLegacy && (r == 0xad || (r >= 0x80 && r <= 0x9f)) {
			c = classKeep
		} else if r == utf8.RuneError && size == 1 {
			c = classDrop
		} else {
			c = classify(r)
		}
		switch c {
		case classDrop:
			continue
		case classSpace:
			pendingSpace = true
			continue
		case classBreak:
			if oneLine {
				pendingSpace = true
			} else {
				pendingBreaks++
				pendingSpace = false
			}
			continue
		}
		if b.Len() > 0 {
			if pendingBreaks > 0 {
				for ; pendingBreaks > 0; pendingBreaks-- {
					b.WriteByte('\n')
				}
			} else if pendingSpace {
				b.WriteByte(' ')
			}
		}
		pendingBreaks = 0
		pendingSpace = false
		if r >= 0x80 {
			ascii = false
			b.WriteRune(r)
		} else {
			b.WriteByte(byte(r))
		}
	}
	out := b.String()
	if !ascii {
		out = norm.NFC.String(out)
	}
	return out
}

// BenchmarkCleanEach is Clean on each input alone, old and new.
func BenchmarkCleanEach(b *testing.B) {
	for i, s := range cleanBenchInputs {
		b.Run(strconv.Itoa(i)+"/new", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Clean(s)
			}
		})
		b.Run(strconv.Itoa(i)+"/old", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = cleanRefAPI(s, false)
			}
		})
	}
}

// TestAppendFoldsEqualFolds: AppendFold and AppendFoldKeepTones append
// exactly Fold and FoldKeepTones (the reference), after any prefix, and
// leave the prefix as it was.
func TestAppendFoldsEqualFolds(t *testing.T) {
	for _, s := range trickyTexts() {
		for _, prefix := range []string{"", "x", "ấp 3 "} {
			buf := append(make([]byte, 0, len(prefix)+1), prefix...)
			if got, want := string(AppendFold(buf, s)), prefix+Fold(s); got != want {
				t.Errorf("AppendFold(%q, %q) = %q, want %q", prefix, s, got, want)
			}
			if got, want := string(AppendFoldKeepTones(buf, s)), prefix+foldKeepTonesRef(s); got != want {
				t.Errorf("AppendFoldKeepTones(%q, %q) = %q, want %q", prefix, s, got, want)
			}
			if string(buf) != prefix {
				t.Errorf("prefix %q changed to %q", prefix, buf)
			}
		}
	}
}
