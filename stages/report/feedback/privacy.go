package feedback

import (
	"regexp"
	"slices"
	"strings"

	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/stages/report/mask"
)

// numberRun finds digit groups that may be a citizen ID or a phone number
// written in free text: digits, optionally a leading "+", with single
// spaces, dots or dashes between groups of two or more digits
// ("0912 345 678", "087.123.456.789", "+84 912 345 678").
var numberRun = regexp.MustCompile(`\+?\d+(?:[ .\-]\d{2,})*`)

// minPersonalDigits is the fewest digits a citizen ID (CMND: 9) or a phone
// number can have; shorter numbers (years, counts, household numbers) stay.
const minPersonalDigits = 9

// privacy masks personal data in the texts of one submission's feedback.
type privacy struct {
	// codes holds the digits of the submission's household codes (Mã hộ is
	// not personal data and must stay readable in messages).
	codes codeSet
}

// newPrivacy collects the household codes of a submission.
func newPrivacy(wb *record.Workbook, findings []record.Finding) *privacy {
	pv := &privacy{}
	if wb != nil {
		for ti := range wb.Tables {
			pv.addRows(wb.Tables[ti].Rows)
		}
	}
	pv.addFindings(findings)
	return pv
}

// addRows collects the household codes of rows.
func (pv *privacy) addRows(rows []record.SourceRow) {
	for _, r := range rows {
		if c, ok := r.Cells.Get(schemas.IDHouseholdCode); ok {
			pv.codes.add(c.Text)
		}
	}
}

// addFindings collects the household codes findings quote.
func (pv *privacy) addFindings(findings []record.Finding) {
	for _, f := range findings {
		if f.Column == schemas.FieldHouseholdCode {
			pv.codes.add(f.Value)
		}
	}
}

// codeSet is a set of digit strings (household codes without their
// separators), small for a million codes: a code of at most packDigits
// digits is one uint64 (its length and value), longer ones are kept as
// text. Lookups sort the packed codes once.
type codeSet struct {
	packed []uint64
	sorted bool
	long   map[string]bool
}

// packDigits is the most digits a packed code holds: 10^17 < 2^58, the
// length above.
const packDigits = 17

// pack is the packed form of the digits of s and whether they fit;
// ok false with n 0 when s has no digit.
func pack(s string) (key uint64, n int, ok bool) {
	var v uint64
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if n++; n <= packDigits {
				v = v*10 + uint64(s[i]-'0')
			}
		}
	}
	return uint64(n)<<58 | v, n, n > 0 && n <= packDigits
}

// add puts the digits of s into the set (none: nothing).
func (cs *codeSet) add(s string) {
	key, n, ok := pack(s)
	switch {
	case ok:
		cs.packed = append(cs.packed, key)
		cs.sorted = false
	case n > 0:
		if cs.long == nil {
			cs.long = map[string]bool{}
		}
		cs.long[digits(s)] = true
	}
}

// has reports whether the digits d (ASCII digits only) are in the set.
func (cs *codeSet) has(d string) bool {
	key, n, ok := pack(d)
	if !ok {
		return n > 0 && cs.long[d]
	}
	if !cs.sorted {
		slices.Sort(cs.packed)
		cs.packed = slices.Compact(cs.packed)
		cs.sorted = true
	}
	_, found := slices.BinarySearch(cs.packed, key)
	return found
}

// digits keeps the ASCII digits of s.
func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// text masks every number in s that could be a citizen ID or a phone
// number (9 or more digits; 10 or more when written with dashes, so that
// household codes such as "29956-0400" stay), except the submission's own
// household codes and a number introduced as an example ("ví dụ
// 0912345678" in the advice of a message).
func (pv *privacy) text(s string) string {
	if !hasLongDigits(s) {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range numberRun.FindAllStringIndex(s, -1) {
		m := s[loc[0]:loc[1]]
		d := digits(m)
		need := minPersonalDigits
		if strings.Contains(m, "-") {
			need++
		}
		if len(d) < need || pv.codes.has(d) || strings.HasSuffix(s[:loc[0]], exampleWord) {
			continue
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(mask.ID(m))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// exampleWord introduces an example value in the stages' advice.
const exampleWord = "ví dụ "

// hasLongDigits is a quick test for at least minPersonalDigits digits.
func hasLongDigits(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
			if n >= minPersonalDigits {
				return true
			}
		}
	}
	return false
}

// fieldKinds is personalKind looked up once per field of a table's cells.
type fieldKinds [256]struct {
	known bool
	kind  string
}

// of is personalKind(form, f's name), remembered.
func (k *fieldKinds) of(form record.Form, f schemas.FieldID) string {
	e := &k[f]
	if !e.known {
		e.known, e.kind = true, personalKind(form, f.String())
	}
	return e.kind
}

// personalKind is schemas.TypeCitizenID or schemas.TypePhone when a field
// of a form holds personal data, else "".
func personalKind(form record.Form, field string) string {
	switch field {
	case schemas.FieldCitizenID:
		return schemas.TypeCitizenID
	case schemas.FieldPhone:
		return schemas.TypePhone
	}
	if sc := schemas.Get(string(form)); sc != nil {
		if f := sc.Field(field); f != nil && (f.Type == schemas.TypeCitizenID || f.Type == schemas.TypePhone) {
			return f.Type
		}
	}
	return ""
}

// value masks a cell value or a finding value of a field: citizen IDs and
// phone numbers keep their last 4 characters; household codes and row
// numbers are shown as written; any other text is masked like free text.
func (pv *privacy) value(form record.Form, field, s string) string {
	return pv.valueOfKind(personalKind(form, field), field, s)
}

// valueOfKind is value with the field's personalKind already known.
func (pv *privacy) valueOfKind(kind, field, s string) string {
	switch kind {
	case schemas.TypeCitizenID:
		return mask.ID(s)
	case schemas.TypePhone:
		return mask.Phone(s)
	}
	if field == schemas.FieldHouseholdCode || field == schemas.FieldSTT {
		return s
	}
	return pv.text(s)
}

// message masks a finding's message: its value, when it is personal data,
// is replaced by the masked value where the message quotes it (“…” or
// "…"), then any other number that could be personal data is masked.
func (pv *privacy) message(form record.Form, f record.Finding) string {
	msg := f.Message
	if personalKind(form, f.Column) != "" && strings.TrimSpace(f.Value) != "" {
		masked := pv.value(form, f.Column, f.Value)
		msg = strings.NewReplacer(
			"“"+f.Value+"”", "“"+masked+"”",
			`"`+f.Value+`"`, `"`+masked+`"`,
		).Replace(msg)
	}
	return pv.text(msg)
}
