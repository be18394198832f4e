package xls

import (
	"math"
	"strconv"
	"strings"
)

// builtinDate reports whether a built-in number format id (one not defined
// by a FORMAT record) shows a date or time.
func builtinDate(id int) bool {
	return (id >= 14 && id <= 22) || (id >= 45 && id <= 47)
}

// isDateFormat reports whether a number format string shows a date or
// time: it has a date/time token (y, m, d, h, s, or an elapsed-time
// bracket like [h]) outside quoted text, escapes and brackets.
func isDateFormat(f string) bool {
	lower := strings.ToLower(f)
	// The General keyword (and LibreOffice's German "Standard") contain
	// letters that would otherwise look like tokens.
	lower = strings.ReplaceAll(lower, "general", "")
	lower = strings.ReplaceAll(lower, "standard", "")
	rs := []rune(lower)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '"':
			for i++; i < len(rs) && rs[i] != '"'; i++ {
			}
		case '\\', '_', '*':
			i++ // escaped literal, padding width or fill character
		case '[':
			j := i + 1
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if elapsed(string(rs[i+1 : min(j, len(rs))])) {
				return true
			}
			i = j
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

// numText is the raw decimal form of a number: plain digits, no exponent,
// shortest representation that round-trips.
func numText(v float64) string {
	if v == 0 {
		return "0" // also for negative zero
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// rkValue decodes an RK number: 30 bits of either a signed integer or the
// high bits of an IEEE double, optionally divided by 100.
func rkValue(rk uint32) float64 {
	var v float64
	if rk&0x02 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&0xFFFFFFFC) << 32)
	}
	if rk&0x01 != 0 {
		v /= 100
	}
	return v
}

// errorText names a BIFF error code.
func errorText(code byte) string {
	switch code {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	case 0x2A:
		return "#N/A"
	case 0x2B:
		return "#GETTING_DATA"
	}
	return "#ERR" + strconv.Itoa(int(code)) + "!"
}
