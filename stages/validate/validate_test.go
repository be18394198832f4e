package validate

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
)

var ict = time.FixedZone("ICT", 7*3600)

func formatNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// testPlan is the embedded 2022 plan with the sample set's dialogue dates.
func testPlan(t *testing.T) *plan.Plan {
	t.Helper()
	p := plan.Default()
	for i, d := range []int{24, 26, 7, 9} {
		m := time.May
		if i >= 2 {
			m = time.June
		}
		p.Clusters[i].DialogueDate = plan.Date{Y: 2022, M: m, D: d, Set: true}
	}
	return p
}

func colLetter(n int) string {
	s := ""
	for n > 0 {
		n--
		s = string(rune('A'+n%26)) + s
		n /= 26
	}
	return s
}

// book builds an accepted workbook of one sheet whose columns are all the
// schema's fields (in schema order); rows start at sheet row 10.
// fields are the cells of a test row by field (Col and Ref are set by book).
type fields map[schemas.FieldID]record.Cell

// changes are edits of a test row: a nil cell removes the field.
type changes map[schemas.FieldID]*record.Cell

func book(form record.Form, commune, path string, seq int64, at time.Time, rows ...fields) record.Workbook {
	sc := schemas.Get(string(form))
	tbl := record.Table{Sheet: "DS"}
	cols := map[schemas.FieldID]int{}
	if sc != nil {
		for _, f := range sc.Fields {
			cols[f.ID] = len(tbl.Columns) + 1
			tbl.Columns = append(tbl.Columns, record.Column{Field: f.Name, Col: len(tbl.Columns) + 1, Letter: colLetter(len(tbl.Columns) + 1), Header: f.Title})
		}
	}
	for i, r := range rows {
		var cells []record.Cell
		for k, c := range r {
			c.Field, c.Col = k, cols[k]
			c.Ref = colLetter(c.Col) + strconv.Itoa(10+i)
			cells = append(cells, c)
		}
		sr := record.RowOf(10+i, cells...)
		tbl.Rows = append(tbl.Rows, sr)
	}
	wb := record.Workbook{
		Submission: record.Submission{ID: "id-" + path, Path: path, ReceivedAt: at, Seq: seq},
		Format:     "xlsx", Form: form, CommuneCode: commune, Status: record.StatusAccepted,
	}
	if len(rows) > 0 {
		wb.Tables = []record.Table{tbl}
	}
	return wb
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// clone copies a row map and applies changes (a nil cell removes the field).
func with(base fields, changes changes) fields {
	out := fields{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	return out
}

func cp(c record.Cell) *record.Cell { return &c }

var baseM1 = fields{
	schemas.IDSTT: num(1), schemas.IDHouseholdCode: txt("29956-0602"), schemas.IDHeadName: txt("Nguyễn Văn Trí"),
	schemas.IDBirthYear: num(1979), schemas.IDGender: txt("Nam"), schemas.IDCitizenID: txt("087079105129"),
	schemas.IDEthnicity: txt("Kinh"), schemas.IDHamlet: txt("Ấp 1"), schemas.IDHouseholdClass: txt("Hộ cận nghèo"),
	schemas.IDMembers: num(4), schemas.IDNote: txt(""),
}

var baseM2 = fields{
	schemas.IDRepName: txt("Nguyễn Văn Hùng"), schemas.IDBirthYear: txt("1956"), schemas.IDGender: txt("Nam"),
	schemas.IDCitizenID: txt("087056713271"), schemas.IDRelation: txt("Chủ hộ"), schemas.IDHeadName: txt("Nguyễn Văn Hùng"),
	schemas.IDHouseholdCode: txt("29956-0400"), schemas.IDHamlet: txt("Ấp 1"), schemas.IDHouseholdClass: txt("HCN"),
	schemas.IDPhone: txt("0949 422 344"),
}

var baseM3 = fields{
	schemas.IDName: txt("Nguyễn Văn Đức"), schemas.IDPosition: txt("Phó Chủ tịch UBND xã"),
	schemas.IDComponent: txt("Ban giảm nghèo"), schemas.IDPhone: txt("0903640608"),
}

var baseM4 = fields{
	schemas.IDHamlet: txt("Ấp 1"), schemas.IDReporterName: txt("Nguyễn Thị Nga"), schemas.IDHouseholdCode: txt("29956-0362"),
	schemas.IDTopic: txt("Sinh kế, việc làm, đào tạo nghề"), schemas.IDContent: txt("Đề nghị hỗ trợ vốn vay."),
	schemas.IDReceivedOn: dateCell(44662),
}

var baseM5 = fields{
	schemas.IDCluster: txt("Cụm 1"), schemas.IDDate: dateCell(44705), schemas.IDDistrictTeam: num(7), schemas.IDCommuneDelegates: num(20),
	schemas.IDHamletHeads: num(12), schemas.IDHouseholdReps: num(60), schemas.IDOpinions: num(17), schemas.IDAnswered: num(8), schemas.IDForwarded: num(8),
}

// rowFindings lists "column:code" of a row's findings, sorted.
func rowFindings(ds *record.Dataset, row int) []string {
	var out []string
	for _, f := range ds.Findings {
		if f.Row == row {
			out = append(out, f.Column+":"+f.Code)
		}
	}
	sort.Strings(out)
	return out
}

func TestRowRules(t *testing.T) {
	long := strings.Repeat("ấ", 2001)
	tests := []struct {
		name     string
		form     record.Form
		row      fields
		valid    bool
		findings []string // column:code
		check    func(t *testing.T, ds *record.Dataset)
	}{
		{name: "M1 clean", form: record.FormM1, row: baseM1, valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				h := ds.Households[0]
				want := record.Household{HouseholdCode: "29956-0602", HeadName: "Nguyễn Văn Trí", BirthYear: 1979, Gender: "Nam",
					CitizenID: "087079105129", Ethnicity: "Kinh", Hamlet: "Ấp 1", Class: "Hộ cận nghèo", Members: 4}
				h.Source, h.State = record.Source{}, record.State{}
				if h != want {
					t.Errorf("household = %+v, want %+v", h, want)
				}
			}},
		{name: "M1 missing code", form: record.FormM1, row: with(baseM1, changes{schemas.IDHouseholdCode: cp(txt("  "))}),
			findings: []string{"household_code:required-value"}},
		{name: "M1 year text dmy", form: record.FormM1, row: with(baseM1, changes{schemas.IDBirthYear: cp(txt("12/03/1979"))}), valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				if ds.Households[0].BirthYear != 1979 {
					t.Errorf("year %d", ds.Households[0].BirthYear)
				}
			}},
		{name: "M1 year excel date", form: record.FormM1, row: with(baseM1, changes{schemas.IDBirthYear: cp(dateCell(28927))}), valid: true},
		{name: "M1 year future", form: record.FormM1, row: with(baseM1, changes{schemas.IDBirthYear: cp(num(2035))}),
			findings: []string{"birth_year:constraint-error"},
			check: func(t *testing.T, ds *record.Dataset) {
				if ds.Households[0].BirthYear != 0 {
					t.Errorf("invalid year kept: %d", ds.Households[0].BirthYear)
				}
			}},
		{name: "M1 year text", form: record.FormM1, row: with(baseM1, changes{schemas.IDBirthYear: cp(txt("abc"))}),
			findings: []string{"birth_year:type-error"}},
		{name: "M1 gender invalid", form: record.FormM1, row: with(baseM1, changes{schemas.IDGender: cp(txt("X"))}),
			findings: []string{"gender:constraint-error"}},
		{name: "M1 gender variant", form: record.FormM1, row: with(baseM1, changes{schemas.IDGender: cp(txt("nu"))}), valid: true},
		{name: "M1 id 10 digits", form: record.FormM1, row: with(baseM1, changes{schemas.IDCitizenID: cp(txt("0871661406"))}),
			findings: []string{"citizen_id:invalid-citizen-id"}},
		{name: "M1 id lost zero", form: record.FormM1, row: with(baseM1, changes{schemas.IDCitizenID: cp(num(87067068035))}), valid: true,
			findings: []string{"citizen_id:id-leading-zero-restored"},
			check: func(t *testing.T, ds *record.Dataset) {
				if ds.Households[0].CitizenID != "087067068035" {
					t.Errorf("id %q", ds.Households[0].CitizenID)
				}
			}},
		{name: "M1 id cmnd", form: record.FormM1, row: with(baseM1, changes{schemas.IDCitizenID: cp(txt("343 241 714"))}), valid: true},
		{name: "M1 id absent", form: record.FormM1, row: with(baseM1, changes{schemas.IDCitizenID: nil}), valid: true},
		{name: "M1 unknown hamlet", form: record.FormM1, row: with(baseM1, changes{schemas.IDHamlet: cp(txt("Ấp 9"))}),
			findings: []string{"hamlet:unknown-hamlet"},
			check: func(t *testing.T, ds *record.Dataset) {
				if ds.Households[0].Hamlet != "" {
					t.Errorf("hamlet %q", ds.Households[0].Hamlet)
				}
			}},
		{name: "M1 hamlet variant", form: record.FormM1, row: with(baseM1, changes{schemas.IDHamlet: cp(txt("ap  3"))}), valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				if ds.Households[0].Hamlet != "Ấp 3" {
					t.Errorf("hamlet %q", ds.Households[0].Hamlet)
				}
			}},
		{name: "M1 hamlet number", form: record.FormM1, row: with(baseM1, changes{schemas.IDHamlet: cp(num(2))}), valid: true},
		{name: "M1 class variant", form: record.FormM1, row: with(baseM1, changes{schemas.IDHouseholdClass: cp(txt("Nghèo"))}), valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				if ds.Households[0].Class != "Hộ nghèo" {
					t.Errorf("class %q", ds.Households[0].Class)
				}
			}},
		{name: "M1 class invalid", form: record.FormM1, row: with(baseM1, changes{schemas.IDHouseholdClass: cp(txt("Hộ khá"))}),
			findings: []string{"household_class:constraint-error"}},
		{name: "M1 members text", form: record.FormM1, row: with(baseM1, changes{schemas.IDMembers: cp(txt("4"))}), valid: true},
		{name: "M1 members 4.0", form: record.FormM1, row: with(baseM1, changes{schemas.IDMembers: cp(num(4.0))}), valid: true},
		{name: "M1 members 4.5", form: record.FormM1, row: with(baseM1, changes{schemas.IDMembers: cp(num(4.5))}),
			findings: []string{"members:type-error"}},
		{name: "M1 members word", form: record.FormM1, row: with(baseM1, changes{schemas.IDMembers: cp(txt("nhiều"))}),
			findings: []string{"members:type-error"}},
		{name: "M1 members 31", form: record.FormM1, row: with(baseM1, changes{schemas.IDMembers: cp(num(31))}),
			findings: []string{"members:constraint-error"}},
		{name: "M1 members 0", form: record.FormM1, row: with(baseM1, changes{schemas.IDMembers: cp(num(0))}),
			findings: []string{"members:constraint-error"}},
		{name: "M1 name too long", form: record.FormM1, row: with(baseM1, changes{schemas.IDHeadName: cp(txt(strings.Repeat("a", 101)))}),
			findings: []string{"head_name:constraint-error"}},
		{name: "M1 two errors", form: record.FormM1, row: with(baseM1, changes{schemas.IDGender: cp(txt("?")), schemas.IDMembers: cp(txt("x"))}),
			findings: []string{"gender:constraint-error", "members:type-error"}},

		{name: "M2 clean", form: record.FormM2, row: baseM2, valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				r := ds.Registrations[0]
				if r.Phone != "0949422344" || r.Class != "Hộ cận nghèo" || r.BirthYear != 1956 || r.Relation != "Chủ hộ" {
					t.Errorf("registration %+v", r)
				}
				if r.Eligible || r.OverQuota {
					t.Error("eligibility is not this stage's")
				}
			}},
		{name: "M2 phone +84", form: record.FormM2, row: with(baseM2, changes{schemas.IDPhone: cp(txt("+84 949 422 344"))}), valid: true},
		{name: "M2 phone number", form: record.FormM2, row: with(baseM2, changes{schemas.IDPhone: cp(num(949422344))}), valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				if ds.Registrations[0].Phone != "0949422344" {
					t.Errorf("phone %q", ds.Registrations[0].Phone)
				}
			}},
		{name: "M2 phone invalid", form: record.FormM2, row: with(baseM2, changes{schemas.IDPhone: cp(txt("12345"))}),
			findings: []string{"phone:invalid-phone"}},
		{name: "M2 relation variant", form: record.FormM2, row: with(baseM2, changes{schemas.IDRelation: cp(txt("bản thân"))}), valid: true},
		{name: "M2 relation invalid", form: record.FormM2, row: with(baseM2, changes{schemas.IDRelation: cp(txt("Hàng xóm"))}),
			findings: []string{"relation:constraint-error"}},
		{name: "M2 missing name", form: record.FormM2, row: with(baseM2, changes{schemas.IDRepName: nil}),
			findings: []string{"rep_name:required-value"}},

		{name: "M3 clean", form: record.FormM3, row: baseM3, valid: true},
		{name: "M3 head without hamlet", form: record.FormM3, row: with(baseM3, changes{schemas.IDComponent: cp(txt("Trưởng ấp"))}),
			findings: []string{"hamlet:required-value"}},
		{name: "M3 head with hamlet", form: record.FormM3, row: with(baseM3, changes{schemas.IDComponent: cp(txt("trưởng ấp")), schemas.IDHamlet: cp(txt("Giồng Bàng"))}), valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				d := ds.Delegates[0]
				if d.Component != "Trưởng khóm/ấp" || d.Hamlet != "Ấp Giồng Bàng" {
					t.Errorf("delegate %+v", d)
				}
			}},
		{name: "M3 missing position", form: record.FormM3, row: with(baseM3, changes{schemas.IDPosition: nil}),
			findings: []string{"position:required-value"}},
		{name: "M3 bad phone", form: record.FormM3, row: with(baseM3, changes{schemas.IDPhone: cp(txt("0912 345"))}),
			findings: []string{"phone:invalid-phone"}},

		{name: "M4 clean", form: record.FormM4, row: baseM4, valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				o := ds.Opinions[0]
				if o.Cluster != 1 || o.Agency != "Phòng Lao động - Thương binh và Xã hội" || o.ReceivedOn.Format("2006-01-02") != "2022-04-11" || o.Late {
					t.Errorf("opinion %+v", o)
				}
			}},
		{name: "M4 topic variant", form: record.FormM4, row: with(baseM4, changes{schemas.IDTopic: cp(txt("y te"))}), valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				if o := ds.Opinions[0]; o.Topic != "Y tế, bảo hiểm y tế" || o.Agency != "Trung tâm Y tế huyện" {
					t.Errorf("opinion %+v", o)
				}
			}},
		{name: "M4 topic unknown", form: record.FormM4, row: with(baseM4, changes{schemas.IDTopic: cp(txt("Xây cầu"))}),
			findings: []string{"topic:constraint-error"}},
		{name: "M4 formula text kept", form: record.FormM4, row: with(baseM4, changes{schemas.IDContent: cp(txt("=1+1 là đề nghị tăng gấp đôi"))}), valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				if c := ds.Opinions[0].Content; c != "=1+1 là đề nghị tăng gấp đôi" {
					t.Errorf("content %q", c)
				}
			}},
		{name: "M4 multiline kept", form: record.FormM4, row: with(baseM4, changes{schemas.IDContent: cp(txt("Kiến nghị:\n- Một\n- Hai"))}), valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				if c := ds.Opinions[0].Content; c != "Kiến nghị:\n- Một\n- Hai" {
					t.Errorf("content %q", c)
				}
			}},
		{name: "M4 content too long", form: record.FormM4, row: with(baseM4, changes{schemas.IDContent: cp(txt(long))}),
			findings: []string{"content:constraint-error"}},
		{name: "M4 content exactly 2000", form: record.FormM4, row: with(baseM4, changes{schemas.IDContent: cp(txt(long[len("ấ"):]))}), valid: true},
		{name: "M4 missing content", form: record.FormM4, row: with(baseM4, changes{schemas.IDContent: nil}),
			findings: []string{"content:required-value"}},
		{name: "M4 date text", form: record.FormM4, row: with(baseM4, changes{schemas.IDReceivedOn: cp(txt("16/04/2022"))}), valid: true},
		{name: "M4 bad date", form: record.FormM4, row: with(baseM4, changes{schemas.IDReceivedOn: cp(txt("hôm qua"))}),
			findings: []string{"received_on:type-error"}},

		{name: "M5 clean", form: record.FormM5, row: baseM5, valid: true,
			check: func(t *testing.T, ds *record.Dataset) {
				r := ds.Results[0]
				if r.Cluster != 1 || r.Date.Format("2006-01-02") != "2022-05-24" || r.HouseholdReps != 60 || r.Answered != 8 {
					t.Errorf("result %+v", r)
				}
			}},
		{name: "M5 cluster number", form: record.FormM5, row: with(baseM5, changes{schemas.IDCluster: cp(num(3))}), valid: true},
		{name: "M5 cluster unknown", form: record.FormM5, row: with(baseM5, changes{schemas.IDCluster: cp(txt("Cụm 7"))}),
			findings: []string{"cluster:constraint-error"}},
		{name: "M5 sum", form: record.FormM5, row: with(baseM5, changes{schemas.IDOpinions: cp(num(29)), schemas.IDAnswered: cp(num(24)), schemas.IDForwarded: cp(num(8))}),
			findings: []string{"answered:m5-sum", "forwarded:m5-sum", "opinions:m5-sum"}},
		{name: "M5 sum equal", form: record.FormM5, row: with(baseM5, changes{schemas.IDOpinions: cp(num(16))}), valid: true},
		{name: "M5 negative", form: record.FormM5, row: with(baseM5, changes{schemas.IDDistrictTeam: cp(num(-1))}),
			findings: []string{"district_team:constraint-error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPlan(t)
			wb := book(tt.form, "29956", "29956/f.xlsx", 1, at("2022-04-20T09:00:00+07:00"), tt.row)
			ds, err := Validate(context.Background(), p, []record.Workbook{wb})
			if err != nil {
				t.Fatal(err)
			}
			var valid []bool
			for _, h := range ds.Households {
				valid = append(valid, h.Valid)
			}
			for _, r := range ds.Registrations {
				valid = append(valid, r.Valid)
			}
			for _, r := range ds.Delegates {
				valid = append(valid, r.Valid)
			}
			for _, r := range ds.Opinions {
				valid = append(valid, r.Valid)
			}
			for _, r := range ds.Results {
				valid = append(valid, r.Valid)
			}
			if len(valid) != 1 {
				t.Fatalf("%d records, want 1", len(valid))
			}
			if valid[0] != tt.valid {
				t.Errorf("valid = %v, want %v (findings %v)", valid[0], tt.valid, rowFindings(ds, 10))
			}
			want := append([]string{}, tt.findings...)
			sort.Strings(want)
			if got := rowFindings(ds, 10); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("findings = %v, want %v", got, want)
			}
			for _, f := range ds.Findings {
				checkFinding(t, f)
			}
			if tt.check != nil {
				tt.check(t, ds)
			}
		})
	}
}

// checkFinding asserts a row finding names file, sheet, row, column letter
// and title, and carries a Vietnamese message.
func checkFinding(t *testing.T, f record.Finding) {
	t.Helper()
	if f.Message == "" || f.Code == "" || f.Severity == "" || f.SubmissionID == "" || f.Path == "" {
		t.Errorf("incomplete finding %+v", f)
		return
	}
	if !strings.Contains(f.Message, f.Path) {
		t.Errorf("message does not name the file: %s", f.Message)
	}
	if f.Row > 0 {
		if f.Ref == "" || f.ColumnTitle == "" || f.Column == "" {
			t.Errorf("row finding without place: %+v", f)
		}
		letter := strings.TrimRight(f.Ref, "0123456789")
		for _, part := range []string{"sheet “" + f.Sheet + "”", "dòng " + strconv.Itoa(f.Row), "cột " + letter + " (" + f.ColumnTitle + ")"} {
			if !strings.Contains(f.Message, part) {
				t.Errorf("message lacks %q: %s", part, f.Message)
			}
		}
	}
}

func TestDuplicateHouseholdCode(t *testing.T) {
	p := testPlan(t)
	r1 := baseM1
	r2 := with(baseM1, changes{schemas.IDHeadName: cp(txt("Nguyễn Thanh Tâm")), schemas.IDHouseholdCode: cp(txt("29956-0602 "))})
	r3 := with(baseM1, changes{schemas.IDHouseholdCode: cp(txt("29956-0603"))})
	wb := book(record.FormM1, "29956", "29956/m1.xlsx", 1, at("2022-03-20T09:00:00+07:00"), r1, r2, r3)
	ds, err := Validate(context.Background(), p, []record.Workbook{wb})
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range ds.Households {
		if !h.Valid {
			t.Errorf("row %d invalid", i)
		}
	}
	var dup []record.Finding
	for _, f := range ds.Findings {
		if f.Code == CodeDuplicateCode {
			dup = append(dup, f)
		}
	}
	if len(dup) != 1 || dup[0].Row != 11 || dup[0].Severity != record.Warning || !strings.Contains(dup[0].Message, "dòng 10") {
		t.Errorf("duplicate findings %+v", dup)
	}
}

func TestSupersessionAndOutcomes(t *testing.T) {
	p := testPlan(t)
	old := book(record.FormM2, "29956", "29956/M2.xlsx", 1, at("2022-04-20T09:00:00+07:00"), baseM2)
	rejected := book(record.FormM2, "29956", "29956/M2 hong.xlsx", 2, at("2022-04-21T09:00:00+07:00"))
	rejected.Status, rejected.Reason = record.StatusRejected, record.ReasonCorrupt
	mid := book(record.FormM2, "29956", "29956/M2 sua.xlsx", 3, at("2022-05-20T10:00:00+07:00"), baseM2, baseM2)
	dup := book(record.FormM2, "29956", "M2 copy.xlsx", 4, at("2022-05-20T10:00:00+07:00"))
	dup.Submission.DuplicateOf = "29956/M2 sua.xlsx"
	dup.Submission.ID = mid.Submission.ID
	other := book(record.FormM2, "29974", "29974/M2.xlsx", 5, at("2022-05-20T10:00:00+07:00"), with(baseM2, changes{schemas.IDHouseholdCode: cp(txt("29974-0001"))}))
	newest := book(record.FormM2, "29956", "29956/M2 lan 3.xlsx", 6, at("2022-05-21T10:00:00+07:00"), baseM2)
	m1 := book(record.FormM1, "29956", "29956/M1.xlsx", 7, at("2022-05-21T10:00:00+07:00"), baseM1)
	unknown := record.Workbook{Submission: record.Submission{ID: "x", Path: "Thuong Thoi Hau B/M2.xlsx", Seq: 8},
		Status: record.StatusRejected, Reason: record.ReasonUnknownCommune, Form: record.FormM2,
		Findings: []record.Finding{{Code: "unknown-commune", Severity: record.Error, Message: "reader says"}}}

	wbs := []record.Workbook{old, rejected, mid, dup, other, newest, m1, unknown}
	ds, err := Validate(context.Background(), p, wbs)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Submissions) != len(wbs) {
		t.Fatalf("%d outcomes", len(ds.Submissions))
	}
	wantStatus := []record.Status{"accepted", "rejected", "accepted", "duplicate", "accepted", "accepted", "accepted", "rejected"}
	wantBy := []string{mid.Submission.ID, "", newest.Submission.ID, "", "", "", "", ""}
	wantReason := []string{"", "corrupt", "", "", "", "", "", "unknown_commune"}
	for i, o := range ds.Submissions {
		if o.Status != wantStatus[i] || o.SupersededBy != wantBy[i] || o.Reason != wantReason[i] || o.Path != wbs[i].Submission.Path {
			t.Errorf("outcome %d = %s %q by %q; want %s %q by %q", i, o.Status, o.Reason, o.SupersededBy, wantStatus[i], wantReason[i], wantBy[i])
		}
	}
	// Rows: old 1 + mid 2 + other 1 + newest 1; duplicates and rejected give none.
	if len(ds.Registrations) != 5 {
		t.Fatalf("%d registrations", len(ds.Registrations))
	}
	for _, r := range ds.Registrations {
		wantSup := r.Path == old.Submission.Path || r.Path == mid.Submission.Path
		if r.Superseded != wantSup {
			t.Errorf("%s r%d superseded=%v", r.Path, r.Row, r.Superseded)
		}
		if r.Seq == 0 || r.SubmissionID == "" || r.Sheet != "DS" || r.CommuneCode == "" || r.ReceivedAt.IsZero() {
			t.Errorf("incomplete source %+v", r.Source)
		}
	}
	codes := map[string][]string{}
	for _, f := range ds.Findings {
		codes[f.Path] = append(codes[f.Path], f.Code)
	}
	if got := codes[old.Submission.Path]; len(got) != 1 || got[0] != CodeSuperseded {
		t.Errorf("old findings %v", got)
	}
	if got := codes[rejected.Submission.Path]; len(got) != 1 || got[0] != "corrupt" {
		t.Errorf("rejected findings %v", got)
	}
	if got := codes[unknown.Submission.Path]; len(got) != 1 || got[0] != "unknown-commune" {
		t.Errorf("reader findings must pass through alone: %v", got)
	}
	if got := codes[dup.Submission.Path]; len(got) != 0 {
		t.Errorf("duplicate findings %v", got)
	}
	for _, f := range ds.Findings {
		if f.Code == CodeSuperseded && !strings.Contains(f.Message, mid.Submission.Path) {
			t.Errorf("superseded message does not name the newer file: %s", f.Message)
		}
	}
}

func TestTimeliness(t *testing.T) {
	p := testPlan(t)
	kh := func(commune, path string, seq int64, when string) record.Workbook {
		wb := book(record.FormKH, commune, path, seq, at(when))
		wb.Format = "docx"
		return wb
	}
	wbs := []record.Workbook{
		kh("29956", "29956/KH.docx", 1, "2022-03-25T23:59:00+07:00"),                                                                                        // deadline day: on time
		kh("29992", "Long Thuận/KH.docx", 2, "2022-03-28T14:00:00+07:00"),                                                                                   // late
		kh("29956", "29956/KH sua.docx", 3, "2022-04-28T14:00:00+07:00"),                                                                                    // later correction: judged on the first
		book(record.FormM4, "29956", "29956/M4.xlsx", 4, at("2022-05-19T23:00:00+07:00"), baseM4, baseM4),                                                   // cluster 1 deadline day
		book(record.FormM4, "29974", "29974/M4.xlsx", 5, at("2022-05-20T10:00:00+07:00"), with(baseM4, changes{schemas.IDHamlet: cp(txt("Ấp 2"))}), baseM4), // late
		book(record.FormM4, "29983", "29983/M4.xlsx", 6, at("2022-05-20T10:00:00+07:00"), with(baseM4, changes{schemas.IDHamlet: cp(txt("Ấp Long Bình"))})),
	}
	ds, err := Validate(context.Background(), p, wbs)
	if err != nil {
		t.Fatal(err)
	}
	late := map[string]int{}
	for _, f := range ds.Findings {
		if f.Code == CodeLate {
			late[f.Path]++
			if f.Severity != record.Warning || f.Row != 0 {
				t.Errorf("late finding %+v", f)
			}
		}
	}
	want := map[string]int{"Long Thuận/KH.docx": 1, "29974/M4.xlsx": 1}
	if len(late) != len(want) {
		t.Errorf("late findings %v, want %v", late, want)
	}
	for k, n := range want {
		if late[k] != n {
			t.Errorf("late findings %v, want %v", late, want)
		}
	}
	for _, o := range ds.Opinions {
		wantLate := o.Path == "29974/M4.xlsx"
		if o.Late != wantLate {
			t.Errorf("%s r%d late=%v", o.Path, o.Row, o.Late)
		}
		wantCluster := map[string]int{"29956/M4.xlsx": 1, "29974/M4.xlsx": 1, "29983/M4.xlsx": 3}[o.Path]
		if o.Cluster != wantCluster {
			t.Errorf("%s cluster %d", o.Path, o.Cluster)
		}
	}
	// No dialogue date: never late.
	p2 := plan.Default()
	ds, err = Validate(context.Background(), p2, wbs[4:5])
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ds.Opinions {
		if o.Late {
			t.Error("late without a dialogue date")
		}
	}
}

func TestMissingRequiredColumn(t *testing.T) {
	p := testPlan(t)
	r := with(baseM1, changes{schemas.IDHamlet: nil})
	wb := book(record.FormM1, "29956", "29956/m1.xlsx", 1, at("2022-03-20T09:00:00+07:00"), r, r)
	cols := wb.Tables[0].Columns[:0]
	for _, c := range wb.Tables[0].Columns {
		if c.Field != "hamlet" {
			cols = append(cols, c)
		}
	}
	wb.Tables[0].Columns = cols
	ds, err := Validate(context.Background(), p, []record.Workbook{wb})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range ds.Findings {
		if f.Code == CodeMissingLabel && f.Column == "hamlet" {
			n++
		}
		if f.Row > 0 && f.Column == "hamlet" {
			t.Errorf("per-row finding for a missing column: %+v", f)
		}
	}
	if n != 1 {
		t.Errorf("%d missing-label findings", n)
	}
	for _, h := range ds.Households {
		if h.Valid {
			t.Error("row valid without its required column")
		}
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wb := book(record.FormM1, "29956", "29956/m1.xlsx", 1, at("2022-03-20T09:00:00+07:00"), baseM1)
	if _, err := Validate(ctx, testPlan(t), []record.Workbook{wb}); err == nil {
		t.Error("no error when cancelled")
	}
	if _, err := Validate(context.Background(), nil, nil); err == nil {
		t.Error("no error without a plan")
	}
}

func TestOddCellsDoNotPanic(t *testing.T) {
	p := testPlan(t)
	odd := []record.Cell{
		{}, {Text: "\u00a0"}, {IsNum: true}, {IsDate: true, Num: -5}, {IsNum: true, Num: 1e300, Text: "1e300"},
		{Text: strings.Repeat("9", 5000)}, {Text: "\x00\xff"}, {Text: "E+"}, {IsNum: true, Num: -87079105129},
	}
	for _, form := range []record.Form{record.FormM1, record.FormM2, record.FormM3, record.FormM4, record.FormM5} {
		sc := schemas.Get(string(form))
		var rows []fields
		for _, c := range odd {
			r := fields{}
			for _, f := range sc.Fields {
				r[f.ID] = c
			}
			rows = append(rows, r)
		}
		wb := book(form, "29956", "29956/odd.xlsx", 1, at("2022-03-20T09:00:00+07:00"), rows...)
		if _, err := Validate(context.Background(), p, []record.Workbook{wb}); err != nil {
			t.Fatal(err)
		}
	}
}
