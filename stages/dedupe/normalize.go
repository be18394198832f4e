package dedupe

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"doithoai/schemas"
)

// toneSig returns a syllable's tone-placement-independent signature: the
// letters with their vowel shapes (ă â ê ô ơ ư đ) but without the tone mark,
// followed by the tone as a digit ("0" level, "1" grave, "2" hook, "3"
// tilde, "4" acute, "5" dot). "thủy" and "thuỷ", "hòa" and "hoà" get the
// same signature; "hùng" and "hưng" do not. The input is one lower-cased
// token (FoldKeepTones output).
func toneSig(tok string) string {
	ascii := true
	for i := 0; i < len(tok); i++ {
		if tok[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return tok + "0"
	}
	d := norm.NFD.String(tok)
	var b strings.Builder
	b.Grow(len(d) + 1)
	tone := byte('0')
	for _, r := range d {
		switch r {
		case '\u0300':
			tone = '1'
		case '\u0309':
			tone = '2'
		case '\u0303':
			tone = '3'
		case '\u0301':
			tone = '4'
		case '\u0323':
			tone = '5'
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String()) + string(tone)
}

// normCode normalizes a Mã hộ for comparison: trimmed, upper-cased, spaces
// removed and dash-like characters unified to '-'.
func normCode(s string) string {
	if isNormCodeASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			continue
		case r == '–' || r == '—' || r == '‐' || r == '‑' || r == '−':
			b.WriteByte('-')
		default:
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return norm.NFC.String(b.String())
}

// isNormCodeASCII reports whether s is ASCII that normCode keeps as it
// is: no space or control that unicode.IsSpace takes, no lower-case letter.
func isNormCodeASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || (c >= 'a' && c <= 'z') || c == ' ' || (c >= '\t' && c <= '\r') {
			return false
		}
	}
	return true
}

// parseID turns a citizen ID into a number: 12 digits (CCCD), 9 digits
// (CMND) or 11 digits (a CCCD that lost its leading zero); spaces and dots
// are ignored. Nine-digit numbers are tagged so that they never equal a
// twelve-digit one. It returns 0 for anything else.
func parseID(s string) uint64 {
	var v uint64
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n >= 12 {
				return 0
			}
			v = v*10 + uint64(c-'0')
			n++
		case c == ' ' || c == '.' || c == '-' || c == '\'':
		default:
			return 0
		}
	}
	switch n {
	case 12, 11:
		return v
	case 9:
		return v | 1<<60
	}
	return 0
}

// Relations of an M2 representative to the head of household, as
// schemas.ParseRelation reads them.
const (
	relUnknown = schemas.RelUnknown
	relHead    = schemas.RelHead
	relSpouse  = schemas.RelSpouse
	relChild   = schemas.RelChild
	relOther   = schemas.RelOther
)

// isASCII reports whether s has no byte above 0x7f.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// damerau1 reports whether a and b (folded tokens) are within one edit:
// one substitution, insertion, deletion or transposition of adjacent
// letters. Equal strings are not.
func damerau1(a, b string) bool {
	if a == b {
		return false
	}
	la, lb := len(a), len(b)
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if lb-la > 1 {
		return false
	}
	i := 0
	for i < la && a[i] == b[i] {
		i++
	}
	if la == lb {
		// substitution at i, or transposition of i and i+1
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	// b has one extra byte at i
	return a[i:] == b[i+1:]
}

// deletes calls fn with every string made by deleting one byte of s (folded
// tokens are ASCII apart from letters of other scripts, which are rare in
// names; deleting inside a multi-byte rune only yields keys that match
// nothing).
func deletes(s string, fn func([]byte)) {
	if len(s) > 16 {
		return
	}
	var buf [16]byte
	for i := 0; i < len(s); i++ {
		if i > 0 && s[i] == s[i-1] {
			continue // same result as deleting s[i-1]
		}
		n := copy(buf[:], s[:i])
		n += copy(buf[n:], s[i+1:])
		fn(buf[:n])
	}
}
