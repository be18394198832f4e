package vntext

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldKind says what Fold does with a rune.
type foldKind uint8

const (
	foldSep  foldKind = iota // separator: becomes (at most) one space
	foldDrop                 // removed without a trace (marks, invisibles)
	foldByte                 // replaced by one ASCII byte
	foldRune                 // kept, lower-cased
)

type foldEntry struct {
	kind foldKind
	b    byte
}

// foldLow covers U+0000..U+036F (Latin, Latin-1, Latin Extended-A/B, IPA,
// spacing modifiers, combining diacritics); foldVN covers Latin Extended
// Additional U+1E00..U+1EFF, where the Vietnamese letters with tones live.
var (
	foldLow [0x370]foldEntry
	foldVN  [0x100]foldEntry
)

func init() {
	for r := rune(0); r < 0x370; r++ {
		foldLow[r] = computeFold(r)
	}
	for r := rune(0x1e00); r < 0x1f00; r++ {
		foldVN[r-0x1e00] = computeFold(r)
	}
}

// computeFold derives the Fold treatment of r (used to fill the tables and
// for runes outside them).
func computeFold(r rune) foldEntry {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return foldEntry{foldByte, byte(r)}
	case r >= 'A' && r <= 'Z':
		return foldEntry{foldByte, byte(r) + 'a' - 'A'}
	case r == '\r':
		return foldEntry{kind: foldSep}
	}
	switch classify(r) {
	case classSpace, classBreak:
		return foldEntry{kind: foldSep}
	case classDrop:
		return foldEntry{kind: foldDrop}
	}
	switch r {
	case 'đ', 'Đ', 'ð', 'Ð': // Eth is often typed for Đ
		return foldEntry{foldByte, 'd'}
	case 'ø', 'Ø':
		return foldEntry{foldByte, 'o'}
	case 'ł', 'Ł':
		return foldEntry{foldByte, 'l'}
	case 'ı':
		return foldEntry{foldByte, 'i'}
	}
	if unicode.Is(unicode.Mn, r) {
		return foldEntry{kind: foldDrop}
	}
	if unicode.IsLetter(r) {
		d := norm.NFD.String(string(r))
		base, _ := utf8.DecodeRuneInString(d)
		if base < 0x80 && unicode.IsLetter(base) {
			return foldEntry{foldByte, byte(unicode.ToLower(base))}
		}
		return foldEntry{kind: foldRune}
	}
	if unicode.IsDigit(r) {
		return foldEntry{kind: foldRune}
	}
	return foldEntry{kind: foldSep}
}

// lookupFold returns the Fold treatment of r.
func lookupFold(r rune) foldEntry {
	if r < 0x370 {
		return foldLow[r]
	}
	if r >= 0x1e00 && r < 0x1f00 {
		return foldVN[r-0x1e00]
	}
	return computeFold(r)
}

// Fold returns the comparison key of s: cleaned to one line, lower-cased,
// diacritics removed (đ and Đ become d), combining marks of NFD text
// dropped, punctuation and symbols (. , ; : - _ / ( ) " ' etc.) turned into
// spaces, spaces collapsed and trimmed. "Ấp  3", "ap 3", "ẤP 3" and the NFD
// spelling all fold to "ap 3". Letters of other scripts are kept
// (lower-cased); digits are kept.
func Fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return foldSlow(s)
		}
	}
	if isFoldedASCII(s) {
		return s
	}
	return foldSlow(s)
}

// AppendFold appends Fold(s) to dst and returns the extended buffer: the
// same key, without a string of its own.
func AppendFold(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return appendFold(dst, s)
		}
	}
	if isFoldedASCII(s) {
		return append(dst, s...)
	}
	return appendFold(dst, s)
}

// isFoldedASCII reports whether the ASCII string s is already its own key.
func isFoldedASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			continue
		}
		if c == ' ' && s[i+1] != ' ' {
			continue
		}
		return false
	}
	return true
}

// foldSlow is the general Fold.
func foldSlow(s string) string {
	var stack [96]byte
	return string(appendFold(stack[:0], s))
}

// appendFold appends the general Fold of s to buf.
func appendFold(buf []byte, s string) []byte {
	start := len(buf)
	pendingSep := false
	for i := 0; i < len(s); {
		c := s[i]
		var e foldEntry
		var r rune
		if c < 0x80 {
			r = rune(c)
			e = foldLow[c]
			i++
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(s[i:])
			i += size
			if r == utf8.RuneError && size == 1 {
				e = foldEntry{kind: foldDrop} // as Clean does
			} else {
				e = lookupFold(r)
			}
		}
		switch e.kind {
		case foldDrop:
			continue
		case foldSep:
			pendingSep = true
			continue
		}
		if pendingSep && len(buf) > start {
			buf = append(buf, ' ')
		}
		pendingSep = false
		if e.kind == foldByte {
			buf = append(buf, e.b)
		} else {
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		}
	}
	return buf
}

// FoldKeepTones is Fold without removing diacritics: the text is cleaned to
// one line in NFC, lower-cased, punctuation turned into spaces and spaces
// collapsed, so "HÙNG" and "hùng" are equal but "Hùng" and "Hưng" are not.
func FoldKeepTones(s string) string {
	var stack [96]byte
	return string(AppendFoldKeepTones(stack[:0], s))
}

// AppendFoldKeepTones appends FoldKeepTones(s) to dst and returns the
// extended buffer.
func AppendFoldKeepTones(dst []byte, s string) []byte {
	t := CleanLine(s)
	start := len(dst)
	pendingSep := false
	nfcSure := true // every rune written is an NFC starter (nfcStarter)
	for _, r := range t {
		if r < 0x80 {
			// ASCII: letters and digits kept (lower-cased), the rest
			// separates, as the general test below decides.
			c := byte(r)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			} else if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
				pendingSep = true
				continue
			}
			if pendingSep && len(dst) > start {
				dst = append(dst, ' ')
			}
			pendingSep = false
			dst = append(dst, c)
			continue
		}
		keep := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if !keep {
			pendingSep = true
			continue
		}
		if pendingSep && len(dst) > start && !unicode.Is(unicode.Mn, r) {
			dst = append(dst, ' ')
		}
		pendingSep = false
		lr := unicode.ToLower(r)
		if lr >= 0x80 && !nfcStarter(lr) {
			nfcSure = false
		}
		dst = utf8.AppendRune(dst, lr)
	}
	if nfcSure {
		return dst
	}
	// Not norm's Append, which would compose with what dst held.
	return append(dst[:start], norm.NFC.String(string(dst[start:]))...)
}
