package grid

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// NumText is the raw decimal form of a number as Cell.Text holds it: plain
// digits, no exponent, the shortest representation that round-trips, and
// "0" for negative zero.
func NumText(v float64) string {
	if v == 0 {
		return "0" // also for negative zero
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// CutText cuts s to its first max characters (runes; an invalid byte counts
// as one); cut is false, and s returned whole, when s is not longer.
func CutText(s string, max int) (text string, cut bool) {
	if len(s) <= max || utf8.RuneCountInString(s) <= max {
		return s, false
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i], true
		}
		n++
	}
	return s, false
}

// CutNote is the Workbook note a decoder adds when it cut cell text on a
// sheet to MaxCellChars characters; ParseCutNote reads it back.
func CutNote(max int, sheet string) string {
	return fmt.Sprintf("cell text cut to %d characters on sheet %q", max, sheet)
}

var cutNote = regexp.MustCompile(`^cell text cut to (\d+) characters on sheet "(.*)"$`)

// ParseCutNote returns the limit and the sheet name of a note made by
// CutNote; ok is false for any other note. The limit is given as written.
func ParseCutNote(note string) (max, sheet string, ok bool) {
	m := cutNote.FindStringSubmatch(note)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// BuiltinDateFormat reports whether a built-in number format id (one the
// file does not define itself) shows a date or time.
func BuiltinDateFormat(id int) bool {
	return (id >= 14 && id <= 22) || (id >= 45 && id <= 47)
}

// IsDateFormat reports whether a number format code shows a date or time:
// it has a date/time token (y, m, d, h, s, or an elapsed-time bracket like
// [h]) outside quoted text, escapes and brackets. An unclosed bracket ends
// the code.
func IsDateFormat(code string) bool {
	lower := strings.ToLower(code)
	// The General keyword (and LibreOffice's German "Standard") contain
	// letters that would otherwise look like tokens.
	lower = strings.ReplaceAll(lower, "general", "")
	lower = strings.ReplaceAll(lower, "standard", "")
	for i := 0; i < len(lower); i++ {
		switch c := lower[i]; c {
		case '"':
			for i++; i < len(lower) && lower[i] != '"'; i++ {
			}
		case '\\', '_', '*':
			i++ // escaped literal, padding width or fill character
		case '[':
			j := strings.IndexByte(lower[i:], ']')
			if j < 0 {
				return false
			}
			if elapsed(lower[i+1 : i+j]) {
				return true
			}
			i += j
		case 'y', 'm', 'd', 'h', 's':
			return true
		}
	}
	return false
}

// elapsed reports whether bracket content is an elapsed-time token ([h],
// [mm], [ss]).
func elapsed(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c != 'h' && c != 'm' && c != 's' {
			return false
		}
	}
	return true
}
