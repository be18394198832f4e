package dedupe

import (
	"fmt"
	"strings"

	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// place names a row for people, inside a sentence (record.Place):
// “tệp “…”, sheet “…”, dòng N”.
func place(s *record.Source) string { return record.PlaceInSentence(s.Path, s.Sheet, s.Row, "", "") }

// placeFrom names row s as seen from row from: the same file is not
// repeated.
func placeFrom(s, from *record.Source) string {
	if s.SubmissionID == from.SubmissionID && s.Path == from.Path {
		if s.Sheet == from.Sheet || s.Sheet == "" {
			return fmt.Sprintf("dòng %d (cùng tệp)", s.Row)
		}
		return fmt.Sprintf("sheet “%s”, dòng %d (cùng tệp)", s.Sheet, s.Row)
	}
	return place(s)
}

// communeName names a commune for people.
func (m *matcher) communeName(code string) string {
	if m.opt.CommuneName != nil {
		if n := m.opt.CommuneName(code); n != "" {
			return n
		}
	}
	if code == "" {
		return "xã/thị trấn"
	}
	return "xã/thị trấn mã " + code
}

// householdText describes a registration's household: “hộ có Mã hộ X (chủ
// hộ Y)”.
func householdText(g *record.Registration) string {
	var parts []string
	if c := strings.TrimSpace(g.HouseholdCode); c != "" {
		parts = append(parts, "Mã hộ "+c)
	}
	if h := strings.TrimSpace(g.HeadName); h != "" {
		parts = append(parts, "chủ hộ "+h)
	}
	if len(parts) == 0 {
		return "hộ"
	}
	return "hộ (" + strings.Join(parts, ", ") + ")"
}

// notOnRosterFinding warns that registration i's household is not on the
// current roster of its commune; g is its household group, if any.
func (m *matcher) notOnRosterFinding(i int32, g *group, m1Communes []int32) record.Finding {
	rc := &m.recs[i]
	reg := m.regs[rc.idx]
	src := &reg.Source
	msg := fmt.Sprintf("%s: %s không có trong danh sách hộ dự kiến thoát nghèo, thoát cận nghèo (mẫu M1) hiện hành của %s, "+
		"nên người đại diện không đủ điều kiện tham dự đối thoại và không được tính vào số đại diện của khóm/ấp.",
		capitalize(place(src)), householdText(reg), m.communeName(src.CommuneCode))
	if g != nil && g.m1N > 0 {
		var others []string
		for _, c := range m1Communes[g.m1Off : g.m1Off+g.m1N] {
			if c != rc.commune {
				others = append(others, m.communeName(m.communes[c]))
			}
		}
		if len(others) > 0 {
			msg += " Hộ này có trong danh sách M1 của " + strings.Join(others, ", ") + "."
		}
	}
	return record.Finding{
		SubmissionID: src.SubmissionID, Path: src.Path, CommuneCode: src.CommuneCode, Sheet: src.Sheet, Row: src.Row,
		Column: schemas.FieldHouseholdCode, ColumnTitle: schemas.Title(string(record.FormM2), schemas.FieldHouseholdCode), Code: CodeNotOnRoster, Severity: record.Warning,
		Value: reg.HouseholdCode, Message: msg,
	}
}

// duplicateFinding warns that registration i repeats the household of the
// earlier registration first.
func (m *matcher) duplicateFinding(i, first int32) record.Finding {
	reg := m.regs[m.recs[i].idx]
	src := &reg.Source
	other := m.source(first)
	where := placeFrom(&other, src)
	if other.CommuneCode != src.CommuneCode {
		where += " của " + m.communeName(other.CommuneCode)
	}
	msg := fmt.Sprintf("%s: %s đã được đăng ký ở %s. Mỗi hộ chỉ cử một người đại diện; hộ này chỉ được tính một lần.",
		capitalize(place(src)), householdText(reg), where)
	return record.Finding{
		SubmissionID: src.SubmissionID, Path: src.Path, CommuneCode: src.CommuneCode, Sheet: src.Sheet, Row: src.Row,
		Column: schemas.FieldHouseholdCode, ColumnTitle: schemas.Title(string(record.FormM2), schemas.FieldHouseholdCode), Code: CodeDuplicateRegistration, Severity: record.Warning,
		Value: reg.HouseholdCode, Message: msg,
	}
}

// capitalize upper-cases the first letter (messages start with “Tệp”).
func capitalize(s string) string {
	if strings.HasPrefix(s, "tệp") {
		return "T" + s[1:]
	}
	return s
}
