package validate

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
)

// problem says why a value was refused: it is not of the column's type, or
// it is of the type but breaks a constraint (range, enumeration, shape).
type problem int

const (
	okValue problem = iota
	badType
	badConstraint
)

// excelEpoch is day 0 of the 1900 date system as Excel counts it (the
// fictitious 29 February 1900 makes serials from 61 on line up with
// 1899-12-30).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// maxSerial is 9999-12-31 in the 1900 date system.
const maxSerial = 2958465

// serialDate converts a 1900-system serial to a calendar day (UTC midnight).
func serialDate(serial float64) (time.Time, bool) {
	if math.IsNaN(serial) || serial < 1 || serial > maxSerial {
		return time.Time{}, false
	}
	days := int(math.Floor(serial))
	if days < 60 { // before the fictitious 1900-02-29
		days++
	}
	return excelEpoch.AddDate(0, 0, days), true
}

// trimValue removes surrounding white space, including no-break spaces.
func trimValue(s string) string {
	if s == "" || s[0] > ' ' && s[0] < 0x80 && s[len(s)-1] > ' ' && s[len(s)-1] < 0x80 {
		return s // ASCII ends that are not space: nothing to trim
	}
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff' })
}

// cellText is the cell's text, trimmed; numbers without a text get their
// digits.
func cellText(c record.Cell) string {
	t := trimValue(c.Text)
	if t == "" && (c.IsNum || c.IsDate) && c.Num != 0 {
		t = strconv.FormatFloat(c.Num, 'f', -1, 64)
	}
	return t
}

var (
	reDMY = regexp.MustCompile(`^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$`)
	reYMD = regexp.MustCompile(`^(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$`)
	reInt = regexp.MustCompile(`^[+-]?\d+(?:[.,]0+)?$`)
	reNum = regexp.MustCompile(`^[+-]?\d+(?:[.,]\d+)?$`)
)

// calendarDate builds a date from parts, refusing impossible days (31/02).
func calendarDate(y, m, d int) (time.Time, bool) {
	if y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// textDate reads "dd/mm/yyyy", "d/m/yyyy" (day first; '/', '-' or '.'
// between parts) and "yyyy-mm-dd" (optionally with a time).
func textDate(s string) (time.Time, bool) {
	s = trimValue(s)
	if m := reDMY.FindStringSubmatch(s); m != nil {
		d, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		return calendarDate(y, mo, d)
	}
	if m := reYMD.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return calendarDate(y, mo, d)
	}
	return time.Time{}, false
}

// parseYear reads a year: a number (1979), an Excel date serial (a number
// above 3000, or a date cell: the year of the date), text "1979",
// "dd/mm/yyyy", "d/m/yyyy" or "yyyy-mm-dd". The year is then checked
// against minYear..maxYear (a zero bound is not checked).
func parseYear(c record.Cell, minYear, maxYear int) (int, problem) {
	y, ok := yearOf(c)
	if !ok {
		return 0, badType
	}
	if (minYear != 0 && y < minYear) || (maxYear != 0 && y > maxYear) {
		return y, badConstraint
	}
	return y, okValue
}

func yearOf(c record.Cell) (int, bool) {
	if c.IsDate {
		t, ok := serialDate(c.Num)
		return t.Year(), ok
	}
	if c.IsNum {
		return numberYear(c.Num)
	}
	s := trimValue(c.Text)
	if s == "" {
		return 0, false
	}
	if reInt.MatchString(s) {
		n, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil {
			return 0, false
		}
		digits := strings.TrimLeft(strings.SplitN(strings.SplitN(s, ".", 2)[0], ",", 2)[0], "+-")
		if len(digits) > 4 { // a serial typed as text is not a year
			return 0, false
		}
		return numberYear(n)
	}
	if t, ok := textDate(s); ok {
		return t.Year(), true
	}
	return 0, false
}

// numberYear: integers up to 3000 are years, larger numbers date serials.
func numberYear(n float64) (int, bool) {
	if math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	if n > 3000 {
		t, ok := serialDate(n)
		return t.Year(), ok
	}
	if n != math.Trunc(n) {
		return 0, false
	}
	return int(n), true
}

// ParseYear reads a birth year (see parseYear for the accepted forms) and
// reports whether it is a year in 1900..maxYear. The year is returned even
// when it is out of range.
func ParseYear(c record.Cell, maxYear int) (int, bool) {
	y, p := parseYear(c, 1900, maxYear)
	return y, p == okValue
}

// ParseDate reads a calendar date: a date cell or a number (1900-system
// serial), text "dd/mm/yyyy", "d/m/yyyy" (day first) or "yyyy-mm-dd". The
// result is midnight of that day in loc.
func ParseDate(c record.Cell, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	var t time.Time
	ok := false
	switch {
	case c.IsDate || c.IsNum:
		t, ok = serialDate(c.Num)
	default:
		t, ok = textDate(c.Text)
	}
	if !ok || t.Year() < 1900 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc), true
}

// parseInt reads a whole number typed as a number (4, 4.0) or as text
// ("4", "4.0", " 4 ").
func parseInt(c record.Cell) (int, bool) {
	var n float64
	if c.IsNum && !c.IsDate {
		n = c.Num
	} else if c.IsDate {
		return 0, false
	} else {
		s := strings.ReplaceAll(trimValue(c.Text), " ", "")
		if !reNum.MatchString(s) {
			return 0, false
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil {
			return 0, false
		}
		n = f
	}
	if math.IsNaN(n) || math.IsInf(n, 0) || n != math.Trunc(n) || math.Abs(n) > 1e9 {
		return 0, false
	}
	return int(n), true
}

// idStrip removes the separators people type inside IDs and phone numbers.
func idStrip(s string, extra string) string {
	if allDigits(s) {
		return s // the usual case: nothing to strip
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff' || strings.ContainsRune(extra, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// numberDigits gives the digits of a number cell's text ("87079105129",
// "87079105129.0"), or "" when the text is not a whole number.
func numberDigits(s string) string {
	s = trimValue(s)
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	if allDigits(s) {
		return s
	}
	return ""
}

// NormalizeCitizenID checks a citizen ID after removing spaces, dots and
// dashes: 12 digits (CCCD) or 9 (CMND) are valid; 11 digits (a number that
// lost its leading zero, or those 11 digits kept as text) are valid with a
// warning and restored to 12 by a leading 0; anything else is invalid.
// isNum says the file stored a number (s is then its digits).
func NormalizeCitizenID(s string, isNum bool) (norm string, warn bool, ok bool) {
	d := idStrip(s, ".-–_")
	if isNum {
		if nd := numberDigits(s); nd != "" {
			d = nd
		}
	}
	if !allDigits(d) {
		return "", false, false
	}
	switch len(d) {
	case 12, 9:
		return d, false, true
	case 11:
		return "0" + d, true, true
	}
	return "", false, false
}

// NormalizePhone checks a Vietnamese phone number after removing spaces,
// dots, dashes and parentheses: "+84"/"84" becomes "0", a 9-digit mobile
// without its 0 gets it back. Valid are 10 digits of a mobile (03, 05, 07,
// 08, 09) and landlines 02x of 10 or 11 digits. It returns 0xxxxxxxxx.
func NormalizePhone(s string) (string, bool) {
	if nd := numberDigits(s); nd != "" {
		s = nd // a number's text such as "912345678.0"
	}
	d := idStrip(s, ".-–_()/")
	switch {
	case strings.HasPrefix(d, "+84"):
		d = strings.TrimPrefix(d, "+84")
		if !strings.HasPrefix(d, "0") {
			d = "0" + d
		}
	case strings.HasPrefix(d, "0084"):
		d = "0" + strings.TrimPrefix(strings.TrimPrefix(d, "0084"), "0")
	case strings.HasPrefix(d, "84") && (len(d) == 11 || (len(d) == 12 && d[2] == '2')):
		d = "0" + d[2:]
	}
	if !allDigits(d) {
		return "", false
	}
	if d[0] != '0' {
		switch {
		case len(d) == 9 && strings.ContainsRune("35789", rune(d[0])):
			d = "0" + d
		case (len(d) == 9 || len(d) == 10) && d[0] == '2':
			d = "0" + d
		}
	}
	switch {
	case len(d) == 10 && d[0] == '0' && strings.ContainsRune("35789", rune(d[1])):
		return d, true
	case (len(d) == 10 || len(d) == 11) && strings.HasPrefix(d, "02"):
		return d, true
	}
	return "", false
}

// MatchEnum finds the canonical value of an enumerated field from how it
// was written: equal to a canonical value or one of its x-enum-variants
// after vntext.Fold (case, diacritics, punctuation and spacing ignored), or
// starting with exactly one of them as whole words ("Con nuôi" → "Con").
func MatchEnum(f *schemas.Field, s string) (string, bool) {
	if f == nil || len(f.Constraints.Enum) == 0 {
		return s, true
	}
	k := vntext.Fold(s)
	if k == "" {
		return "", false
	}
	best, bestLen, ambiguous := "", 0, false
	for _, canon := range f.Constraints.Enum {
		keys := append([]string{canon}, f.EnumVariants[canon]...)
		for _, v := range keys {
			fv := vntext.Fold(v)
			if fv == "" {
				continue
			}
			if fv == k {
				return canon, true
			}
			if strings.HasPrefix(k, fv+" ") {
				switch {
				case len(fv) > bestLen:
					best, bestLen, ambiguous = canon, len(fv), false
				case len(fv) == bestLen && best != canon:
					ambiguous = true
				}
			}
		}
	}
	if best != "" && !ambiguous {
		return best, true
	}
	return "", false
}

// MatchTopic finds the plan topic (Lĩnh vực) a text names: equal after
// vntext.Fold, or else, when exactly one topic fits, an abbreviation that
// starts the topic ("y te" → "Y tế, bảo hiểm y tế", "Tín dụng" → "Tín dụng
// chính sách") or a text that contains the topic's name as whole words.
func MatchTopic(p *plan.Plan, s string) (string, bool) {
	if p == nil {
		return "", false
	}
	k := vntext.Fold(s)
	if k == "" {
		return "", false
	}
	for _, t := range p.Topics {
		if vntext.Fold(t.Name) == k {
			return t.Name, true
		}
	}
	compact := strings.ReplaceAll(k, " ", "")
	for _, t := range p.Topics {
		if strings.ReplaceAll(vntext.Fold(t.Name), " ", "") == compact {
			return t.Name, true
		}
	}
	if len(compact) < 3 {
		return "", false
	}
	match := func(pred func(topic string) bool) (string, bool) {
		found := ""
		for _, t := range p.Topics {
			if pred(vntext.Fold(t.Name)) {
				if found != "" && found != t.Name {
					return "", false
				}
				found = t.Name
			}
		}
		return found, found != ""
	}
	if name, ok := match(func(ft string) bool { return strings.HasPrefix(ft+" ", k+" ") }); ok {
		return name, true
	}
	if name, ok := match(func(ft string) bool { return strings.Contains(" "+k+" ", " "+ft+" ") }); ok {
		return name, true
	}
	if name, ok := match(func(ft string) bool { return strings.Contains(" "+ft+" ", " "+k+" ") }); ok {
		return name, true
	}
	return "", false
}

var romanClusters = map[string]int{"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}

// MatchCluster finds the plan cluster a cell names: its number (3, "3"),
// "Cụm 3", "cụm số 3", "Cụm III" or the cluster's name in the plan.
func MatchCluster(p *plan.Plan, c record.Cell) (int, bool) {
	if p == nil {
		return 0, false
	}
	known := func(id int) (int, bool) {
		if p.Cluster(id) != nil {
			return id, true
		}
		return 0, false
	}
	if c.IsNum && !c.IsDate {
		if n, ok := parseInt(c); ok {
			return known(n)
		}
		return 0, false
	}
	k := vntext.Fold(c.Text)
	if k == "" {
		return 0, false
	}
	for _, cl := range p.Clusters {
		if vntext.Fold(cl.Name) == k {
			return cl.ID, true
		}
	}
	words := strings.Fields(k)
	for len(words) > 0 && (words[0] == "cum" || words[0] == "xa" || words[0] == "so" || words[0] == "doi" || words[0] == "thoai") {
		words = words[1:]
	}
	if len(words) != 1 {
		return 0, false
	}
	if n, err := strconv.Atoi(words[0]); err == nil {
		return known(n)
	}
	if n, ok := romanClusters[words[0]]; ok {
		return known(n)
	}
	return 0, false
}
