package aggregate_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/stages/aggregate"
)

const testPlan = `
version: 1
district: {name: Huyện Thử}
year: 2022
dialogue_quarter: 2
timezone: Asia/Ho_Chi_Minh
quotas: {district_team: 7, commune_delegates: 7, hamlet_heads: 1, household_reps: 5}
deadlines: {commune_plan: 2022-03-25, opinions_days_before_dialogue: 5}
clusters:
  - id: 1
    host: "00001"
    dialogue_date: 2022-05-24
    planned_attendance: 40
    communes:
      - {code: "00001", name: Một, kind: xã, hamlets: [Ấp 1, Ấp 2]}
      - {code: "00002", name: Hai, kind: thị trấn, hamlets: [Khóm A]}
  - id: 2
    host: "00003"
    dialogue_date: null
    planned_attendance: 20
    communes:
      - {code: "00003", name: Ba, kind: xã, hamlets: [Ấp X]}
topics:
  - {name: Giáo dục, agency: Phòng Giáo dục và Đào tạo}
  - {name: Nhà ở, agency: Phòng Kinh tế - Hạ tầng}
`

func testPlanT(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := plan.Parse([]byte(testPlan), "test plan")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var ict = time.FixedZone("ICT", 7*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, ict)
	if err != nil {
		panic(err)
	}
	return t
}

// reg is a shorthand for a registration row.
type reg struct {
	path     string
	seq      int64
	sheet    string
	sheetIx  int // the sheet's position in its workbook
	row      int
	commune  string
	hamlet   string
	group    string
	eligible bool
	invalid  bool
	replaced bool
}

func (r reg) record() record.Registration {
	return record.Registration{
		Source:         record.Source{SubmissionID: "id-" + r.path, Path: r.path, Sheet: r.sheet, SheetIndex: r.sheetIx, Row: r.row, CommuneCode: r.commune, Seq: r.seq},
		State:          record.State{Valid: !r.invalid, Superseded: r.replaced},
		Hamlet:         r.hamlet,
		HouseholdGroup: r.group,
		HouseholdCode:  r.group,
		HeadName:       "Chủ hộ " + r.group,
		Eligible:       r.eligible,
	}
}

// eligibleRows are eligible registrations of commune 00001, one per
// group, on consecutive rows from first.
func eligibleRows(path string, seq int64, sheet string, first int, hamlet string, groups ...string) []reg {
	out := make([]reg, len(groups))
	for i, g := range groups {
		out[i] = reg{path: path, seq: seq, sheet: sheet, row: first + i, commune: "00001", hamlet: hamlet, group: g, eligible: true}
	}
	return out
}

func TestQuota(t *testing.T) {
	type rk struct {
		path string
		row  int
	}
	tests := []struct {
		name     string
		regs     []reg
		wantOver []rk // rows over the quota
		// figures of (commune, hamlet): registered, eligible, counted
		commune, hamlet             string
		registered, eligible, count int
	}{
		{
			name: "receipt order across two files of one commune, listed newest first",
			regs: append(eligibleRows("b.xlsx", 2, "M2", 5, "Ấp 1", "H6", "H7"),
				eligibleRows("a.xlsx", 1, "M2", 5, "Ấp 1", "H1", "H2", "H3", "H4", "H5")...),
			wantOver: []rk{{"b.xlsx", 5}, {"b.xlsx", 6}},
			commune:  "00001", hamlet: "Ấp 1", registered: 7, eligible: 7, count: 5,
		},
		{
			name: "rows in row order, not slice order; sheets in workbook order",
			regs: []reg{
				{path: "a.xlsx", seq: 1, sheet: "Z first", row: 9, commune: "00001", hamlet: "Ấp 2", group: "H1", eligible: true},
				{path: "a.xlsx", seq: 1, sheet: "Z first", row: 3, commune: "00001", hamlet: "Ấp 2", group: "H2", eligible: true},
				{path: "a.xlsx", seq: 1, sheet: "A second", sheetIx: 1, row: 1, commune: "00001", hamlet: "Ấp 2", group: "H6", eligible: true},
				{path: "a.xlsx", seq: 1, sheet: "Z first", row: 4, commune: "00001", hamlet: "Ấp 2", group: "H3", eligible: true},
				{path: "a.xlsx", seq: 1, sheet: "Z first", row: 5, commune: "00001", hamlet: "Ấp 2", group: "H4", eligible: true},
				{path: "a.xlsx", seq: 1, sheet: "Z first", row: 6, commune: "00001", hamlet: "Ấp 2", group: "H5", eligible: true},
			},
			wantOver: []rk{{"a.xlsx", 1}},
			commune:  "00001", hamlet: "Ấp 2", registered: 6, eligible: 6, count: 5,
		},
		{
			name:    "a household registered twice counts once; its later row is not over quota",
			regs:    eligibleRows("a.xlsx", 1, "", 1, "Ấp 1", "H1", "H2", "H3", "H4", "H5", "H1"),
			commune: "00001", hamlet: "Ấp 1", registered: 6, eligible: 5, count: 5,
		},
		{
			name:     "every row of an over-quota household is marked",
			regs:     eligibleRows("a.xlsx", 1, "", 1, "Ấp 1", "H1", "H2", "H3", "H4", "H5", "H6", "H6"),
			wantOver: []rk{{"a.xlsx", 6}, {"a.xlsx", 7}},
			commune:  "00001", hamlet: "Ấp 1", registered: 7, eligible: 6, count: 5,
		},
		{
			name: "superseded, invalid and ineligible rows take no place",
			regs: append([]reg{
				{path: "old.xlsx", seq: 1, row: 1, commune: "00001", hamlet: "Ấp 1", group: "H9", eligible: true, replaced: true},
				{path: "old.xlsx", seq: 1, row: 2, commune: "00001", hamlet: "Ấp 1", group: "H8", eligible: true, replaced: true},
				{path: "new.xlsx", seq: 2, row: 1, commune: "00001", hamlet: "Ấp 1", group: "X1", eligible: false},
				{path: "new.xlsx", seq: 2, row: 2, commune: "00001", hamlet: "Ấp 1", group: "H7", eligible: true, invalid: true},
			}, eligibleRows("new.xlsx", 2, "", 3, "Ấp 1", "H1", "H2", "H3", "H4", "H5")...),
			commune: "00001", hamlet: "Ấp 1", registered: 6, eligible: 5, count: 5,
		},
		{
			name: "hamlets and communes have quotas of their own",
			regs: []reg{
				{path: "a.xlsx", seq: 1, row: 1, commune: "00001", hamlet: "Ấp 1", group: "H1", eligible: true},
				{path: "a.xlsx", seq: 1, row: 2, commune: "00001", hamlet: "Ấp 2", group: "H2", eligible: true},
				{path: "a.xlsx", seq: 1, row: 3, commune: "00001", hamlet: "Ấp 2", group: "H3", eligible: true},
				{path: "c.xlsx", seq: 2, row: 1, commune: "00002", hamlet: "Khóm A", group: "H4", eligible: true},
			},
			commune: "00001", hamlet: "Ấp 2", registered: 2, eligible: 2, count: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testPlanT(t)
			var in aggregate.Input
			for _, r := range tc.regs {
				in.Registrations = append(in.Registrations, r.record())
			}
			before := slices.Clone(in.Registrations)
			res, err := aggregate.Aggregate(context.Background(), p, in, at("2022-06-30 12:00"))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.OverQuota) != len(in.Registrations) {
				t.Fatalf("%d over-quota marks for %d registrations", len(res.OverQuota), len(in.Registrations))
			}
			want := map[rk]bool{}
			for _, k := range tc.wantOver {
				want[k] = true
			}
			for i, r := range in.Registrations {
				if res.OverQuota[i] != want[rk{r.Path, r.Row}] {
					t.Errorf("%s r%d: over quota %v, want %v", r.Path, r.Row, res.OverQuota[i], want[rk{r.Path, r.Row}])
				}
			}
			var found []rk
			for _, f := range res.Findings {
				if f.Code == aggregate.CodeOverQuota {
					found = append(found, rk{f.Path, f.Row})
					if f.Severity != record.Warning || f.Value != tc.hamlet ||
						!strings.Contains(f.Message, fmt.Sprintf("%s đã đủ 5 hộ tham dự; hộ này", tc.hamlet)) ||
						!regexp.MustCompile(`là hộ thứ [6-9] nên không được tính`).MatchString(f.Message) ||
						!strings.Contains(f.Message, fmt.Sprintf("Tệp “%s”", f.Path)) ||
						!strings.Contains(f.Message, fmt.Sprintf("dòng %d", f.Row)) {
						t.Errorf("finding %+v", f)
					}
				}
			}
			if len(found) != len(tc.wantOver) {
				t.Errorf("over-quota findings at %v, want %v", found, tc.wantOver)
			}
			ix := res.Index()
			cl := p.ClusterOf(tc.commune).ID
			for m, w := range map[string]int{aggregate.RepsRegistered: tc.registered, aggregate.RepsEligible: tc.eligible,
				aggregate.RepsCounted: tc.count, aggregate.RepsOverQuota: tc.eligible - tc.count, aggregate.RepsPlanned: 5} {
				if g := ix.Int(m, cl, tc.commune, tc.hamlet, ""); g != w {
					t.Errorf("%s = %d, want %d", m, g, w)
				}
			}
			// The input is left as it was, and a second run on it gives
			// the same marks, findings and figures.
			if !reflect.DeepEqual(before, in.Registrations) {
				t.Error("Aggregate changed its input")
			}
			again, err := aggregate.Aggregate(context.Background(), p, in, at("2022-06-30 12:00"))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, res) {
				t.Errorf("second run: %d findings, first %d; results differ", len(again.Findings), len(res.Findings))
			}
		})
	}
}

func TestQuotaMessageNamesSheet(t *testing.T) {
	p := testPlanT(t)
	var in aggregate.Input
	for i := 1; i <= 6; i++ {
		in.Registrations = append(in.Registrations, reg{path: "29956/M2.xlsx", seq: 1, sheet: "DS ấp 1", row: 10 + i,
			commune: "00001", hamlet: "Ấp 1", group: fmt.Sprintf("H%d", i), eligible: true}.record())
	}
	res, err := aggregate.Aggregate(context.Background(), p, in, at("2022-06-30 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, f := range res.Findings {
		msgs = append(msgs, f.Message)
	}
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "Tệp “29956/M2.xlsx”, sheet “DS ấp 1”, dòng 16: Ấp 1 đã đủ 5 hộ tham dự; hộ này (chủ hộ Chủ hộ H6, mã hộ H6) là hộ thứ 6 nên không được tính") {
		t.Errorf("messages %q", msgs)
	}
}

func sub(path, commune string, form record.Form, status record.Status, seq int64, when string, supersededBy string) record.SubmissionOutcome {
	return record.SubmissionOutcome{
		Submission:  record.Submission{ID: "id-" + path, Path: path, ReceivedAt: at(when), Seq: seq},
		Form:        form,
		CommuneCode: commune,
		Status:      status, SupersededBy: supersededBy,
	}
}

func TestTimeliness(t *testing.T) {
	type want struct {
		path     string
		deadline string // YYYY-MM-DD or ""
		onTime   string // "true", "false", "nil"
	}
	tests := []struct {
		name string
		subs []record.SubmissionOutcome
		want map[string]map[record.Form]want // commune -> form -> row
	}{
		{
			name: "deadline day is on time; the day after is late; nothing received is missing",
			subs: []record.SubmissionOutcome{
				sub("00001/KH.docx", "00001", record.FormKH, record.StatusAccepted, 1, "2022-03-25 23:59", ""),
				sub("00002/KH.pdf", "00002", record.FormKH, record.StatusAccepted, 2, "2022-03-26 00:00", ""),
				sub("00001/M4.xlsx", "00001", record.FormM4, record.StatusAccepted, 3, "2022-05-19 18:00", ""),
				sub("00002/M4.xlsx", "00002", record.FormM4, record.StatusAccepted, 4, "2022-05-20 08:00", ""),
				sub("00003/M4.xlsx", "00003", record.FormM4, record.StatusAccepted, 5, "2022-05-20 08:00", ""),
			},
			want: map[string]map[record.Form]want{
				"00001": {record.FormKH: {"00001/KH.docx", "2022-03-25", "true"}, record.FormM4: {"00001/M4.xlsx", "2022-05-19", "true"},
					record.FormM1: {"", "", "nil"}, record.FormM5: {"", "", "nil"}},
				"00002": {record.FormKH: {"00002/KH.pdf", "2022-03-25", "false"}, record.FormM4: {"00002/M4.xlsx", "2022-05-19", "false"}},
				// Cluster 2 has no dialogue date yet: no deadline, no verdict.
				"00003": {record.FormKH: {"", "2022-03-25", "nil"}, record.FormM4: {"00003/M4.xlsx", "", "nil"}},
			},
		},
		{
			name: "the first accepted file counts, even when replaced; rejected and duplicate files do not",
			subs: []record.SubmissionOutcome{
				sub("00001/M2 bad.xlsx", "00001", record.FormM2, record.StatusRejected, 1, "2022-04-01 09:00", ""),
				sub("00001/M2.xlsx", "00001", record.FormM2, record.StatusAccepted, 2, "2022-04-20 09:00", "id-00001/M2 v2.xlsx"),
				sub("00001/M2 copy.xlsx", "00001", record.FormM2, record.StatusDuplicate, 3, "2022-04-21 09:00", ""),
				sub("00001/M2 v2.xlsx", "00001", record.FormM2, record.StatusAccepted, 4, "2022-05-20 09:00", ""),
				// A late first M4 stays late although a later file came too.
				sub("00001/M4 v2.xlsx", "00001", record.FormM4, record.StatusAccepted, 6, "2022-05-22 09:00", ""),
				sub("00001/M4.xlsx", "00001", record.FormM4, record.StatusAccepted, 5, "2022-05-21 09:00", "id-00001/M4 v2.xlsx"),
			},
			want: map[string]map[record.Form]want{
				"00001": {record.FormM2: {"00001/M2.xlsx", "", "nil"}, record.FormM4: {"00001/M4.xlsx", "2022-05-19", "false"}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testPlanT(t)
			res, err := aggregate.Aggregate(context.Background(), p, aggregate.Input{Submissions: tc.subs}, at("2022-04-30 12:00"))
			if err != nil {
				t.Fatal(err)
			}
			// KH, M1..M4 for every commune; M5 for the hosts 00001 and 00003.
			if len(res.Timeliness) != 3*5+2 {
				t.Errorf("%d timeliness rows, want 17", len(res.Timeliness))
			}
			// The dataset's look-up (what the report uses) and the result's agree.
			ds := &record.Dataset{Timeliness: res.Timeliness}
			if _, ok := aggregate.TimelinessOf(ds, "00002", record.FormM5); ok {
				t.Error("M5 expected of a commune that is not its cluster's host")
			}
			for commune, forms := range tc.want {
				for form, w := range forms {
					g, ok := aggregate.TimelinessOf(ds, commune, form)
					if g2, ok2 := res.TimelinessOf(commune, form); ok2 != ok || !reflect.DeepEqual(g2, g) {
						t.Errorf("%s %s: Result.TimelinessOf %+v, TimelinessOf %+v", commune, form, g2, g)
					}
					if !ok {
						t.Errorf("%s %s: no row", commune, form)
						continue
					}
					on := "nil"
					if g.OnTime != nil {
						on = fmt.Sprint(*g.OnTime)
					}
					d := ""
					if !g.Deadline.IsZero() {
						d = g.Deadline.In(ict).Format("2006-01-02")
					}
					if g.Path != w.path || d != w.deadline || on != w.onTime || (w.path == "") != g.ReceivedAt.IsZero() {
						t.Errorf("%s %s: path %q deadline %q on time %s received %v; want %q %q %s", commune, form, g.Path, d, on, g.ReceivedAt, w.path, w.deadline, w.onTime)
					}
				}
			}
		})
	}
}

func TestFormCounts(t *testing.T) {
	p := testPlanT(t)
	in := aggregate.Input{Submissions: []record.SubmissionOutcome{
		sub("00002/KH.pdf", "00002", record.FormKH, record.StatusAccepted, 1, "2022-03-26 00:00", ""),
		sub("00002/x.png", "00002", record.FormNone, record.StatusRejected, 2, "2022-03-26 00:00", ""),
		sub("B/M2.xlsx", "", record.FormM2, record.StatusRejected, 3, "2022-03-26 00:00", ""),
	}}
	res, err := aggregate.Aggregate(context.Background(), p, in, at("2022-03-26 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	ix := res.Index()
	for _, c := range []struct {
		measure, commune string
		cluster          int
		want             int
	}{
		{aggregate.FormsLate, "00002", 1, 1},
		{aggregate.FormsMissing, "00002", 1, 4}, // M1..M4
		{aggregate.FormsOverdue, "00002", 1, 0}, // M4's deadline is in May
		{aggregate.FormsOverdue, "00001", 1, 1}, // KH, due 25/3
		{aggregate.FormsMissing, "00001", 1, 6}, // KH, M1..M5
		{aggregate.FormsOverdue, "00003", 2, 1}, // KH; M4 has no deadline yet
		{aggregate.SubmissionsAccepted, "00002", 1, 1},
		{aggregate.SubmissionsRejected, "00002", 1, 1},
		{aggregate.SubmissionsUnknownCommune, "", 0, 1},
	} {
		if g := ix.Int(c.measure, c.cluster, c.commune, "", ""); g != c.want {
			t.Errorf("%s of %q = %d, want %d", c.measure, c.commune, g, c.want)
		}
	}
}

func TestFigures(t *testing.T) {
	p := testPlanT(t)
	src := func(path, commune string, row int, seq int64) record.Source {
		return record.Source{SubmissionID: "id-" + path, Path: path, Sheet: "S", Row: row, CommuneCode: commune, Seq: seq}
	}
	ok := record.State{Valid: true}
	bad := record.State{Valid: false}
	old := record.State{Valid: true, Superseded: true}
	in := aggregate.Input{
		Submissions: []record.SubmissionOutcome{
			sub("00001/M3.xlsx", "00001", record.FormM3, record.StatusAccepted, 1, "2022-04-01 09:00", ""),
		},
		Delegates: []record.Delegate{
			{Source: src("00001/M3.xlsx", "00001", 1, 1), State: ok, Component: schemas.ComponentPovertyBoard},
			{Source: src("00001/M3.xlsx", "00001", 2, 1), State: ok, Component: schemas.ComponentUnions},
			{Source: src("00001/M3.xlsx", "00001", 3, 1), State: bad, Component: schemas.ComponentUnions},
			{Source: src("00001/M3.xlsx", "00001", 4, 1), State: ok, Component: schemas.ComponentHamletHead, Hamlet: "Ấp 1"},
			{Source: src("00001/M3.xlsx", "00001", 5, 1), State: ok, Component: schemas.ComponentHamletHead, Hamlet: "Ấp 1"}, // capped at 1
			{Source: src("00001/M3 old.xlsx", "00001", 6, 0), State: old, Component: schemas.ComponentHamletHead, Hamlet: "Ấp 2"},
			{Source: src("00002/M3.xlsx", "00002", 1, 2), State: ok, Component: schemas.ComponentHamletHead, Hamlet: "Khóm A"},
		},
		Registrations: []record.Registration{
			reg{path: "00001/M2.xlsx", seq: 3, row: 1, commune: "00001", hamlet: "Ấp 1", group: "H1", eligible: true}.record(),
			reg{path: "00001/M2.xlsx", seq: 3, row: 2, commune: "00001", hamlet: "Ấp 1", group: "X", eligible: false}.record(),
			reg{path: "00002/M2.xlsx", seq: 4, row: 1, commune: "00002", hamlet: "Khóm A", group: "H2", eligible: true}.record(),
			reg{path: "00003/M2.xlsx", seq: 5, row: 1, commune: "00003", hamlet: "Ấp X", group: "H3", eligible: true}.record(),
			// A hamlet the plan does not list keeps its figures.
			reg{path: "00003/M2.xlsx", seq: 5, row: 2, commune: "00003", hamlet: "Ấp Mới", group: "H4", eligible: true}.record(),
		},
		Opinions: []record.Opinion{
			{Source: src("00001/M4.xlsx", "00001", 1, 6), State: ok, Cluster: 1, Topic: "Giáo dục"},
			{Source: src("00001/M4.xlsx", "00001", 2, 6), State: ok, Cluster: 1, Topic: "Giáo dục"},
			{Source: src("00001/M4.xlsx", "00001", 3, 6), State: bad, Cluster: 1, Topic: "Giáo dục"},
			{Source: src("00002/M4.xlsx", "00002", 1, 7), State: ok, Cluster: 0, Topic: "Nhà ở", Late: true}, // cluster from the commune
			{Source: src("00002/M4 old.xlsx", "00002", 1, 1), State: old, Cluster: 1, Topic: "Nhà ở", Late: true},
		},
		Results: []record.Result{
			{Source: src("00001/M5.xlsx", "00001", 9, 8), State: ok, Cluster: 1, DistrictTeam: 7, CommuneDelegates: 14, HamletHeads: 3, HouseholdReps: 15, Opinions: 9, Answered: 5, Forwarded: 4},
			{Source: src("00003/M5.xlsx", "00003", 9, 9), State: bad, Cluster: 2, DistrictTeam: 7},
		},
		Groups: []record.HouseholdGroup{
			{ID: "H1", Members: []record.Source{src("00001/M1.xlsx", "00001", 1, 0), src("00001/M2.xlsx", "00001", 1, 3)}},
			{ID: "H9", Members: []record.Source{src("00001/M1.xlsx", "00001", 2, 0)}},
			{ID: "H8", Members: []record.Source{src("00001/M1.xlsx", "00001", 3, 0), src("00002/M2.xlsx", "00002", 1, 4)}},
		},
		Borderline: []record.CandidatePair{{A: src("00001/M1.xlsx", "00001", 1, 0), B: src("00003/M2.xlsx", "00003", 1, 5)}},
	}
	res, err := aggregate.Aggregate(context.Background(), p, in, at("2022-06-30 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	ds := &record.Dataset{Figures: res.Figures} // the report's look-ups read a dataset
	ix := aggregate.FigureIndex(ds)
	tests := []struct {
		measure string
		cluster int
		commune string
		hamlet  string
		topic   string
		want    int
	}{
		{aggregate.DelegatesPresent, 1, "00001", "", "", 2},
		{aggregate.DelegatesPlanned, 1, "00001", "", "", 7},
		{aggregate.DelegatesPresent, 1, "00002", "", "", 0},
		{aggregate.HeadsPresent, 1, "00001", "Ấp 1", "", 1},
		{aggregate.HeadsPresent, 1, "00001", "Ấp 2", "", 0},
		{aggregate.HeadsPresent, 1, "00002", "Khóm A", "", 1},
		{aggregate.HeadsPlanned, 1, "00002", "Khóm A", "", 1},
		{aggregate.RepsRegistered, 1, "00001", "Ấp 1", "", 2},
		{aggregate.RepsIneligible, 1, "00001", "Ấp 1", "", 1},
		{aggregate.RepsCounted, 1, "00001", "Ấp 1", "", 1},
		{aggregate.DistrictTeam, 1, "", "", "", 7},
		{aggregate.AttendancePlanned, 1, "", "", "", 40},
		{aggregate.AttendanceExpected, 1, "", "", "", 7 + 2 + 2 + 2},
		{aggregate.AttendanceExpected, 2, "", "", "", 7 + 0 + 0 + 2},
		{aggregate.RepsCounted, 2, "00003", "Ấp Mới", "", 1},
		{aggregate.RepsPlanned, 2, "00003", "Ấp Mới", "", 5},
		{aggregate.Opinions, 1, "", "", "Giáo dục", 2},
		{aggregate.OpinionsLate, 1, "", "", "Giáo dục", 0},
		{aggregate.Opinions, 1, "", "", "Nhà ở", 1},
		{aggregate.OpinionsLate, 1, "", "", "Nhà ở", 1},
		{aggregate.Opinions, 2, "", "", "Nhà ở", 0},
		{aggregate.CommuneOpinions, 1, "00001", "", "", 2},
		{aggregate.CommuneOpinionsLate, 1, "00002", "", "", 1},
		{aggregate.DuplicateGroups, 1, "00001", "", "", 2},
		{aggregate.DuplicateGroups, 1, "00002", "", "", 1},
		{aggregate.BorderlinePairs, 1, "00001", "", "", 1},
		{aggregate.BorderlinePairs, 2, "00003", "", "", 1},
		{aggregate.ResultsCommuneDelegates, 1, "", "", "", 14},
		{aggregate.ResultsForwarded, 1, "", "", "", 4},
	}
	for _, tc := range tests {
		if g, found := ix.Lookup(tc.measure, tc.cluster, tc.commune, tc.hamlet, tc.topic); !found || int(g) != tc.want {
			t.Errorf("%s [%d %s %s %s] = %v (found %v), want %d", tc.measure, tc.cluster, tc.commune, tc.hamlet, tc.topic, g, found, tc.want)
		}
	}
	if _, found := ix.Lookup(aggregate.ResultsDistrictTeam, 2, "", "", ""); found {
		t.Error("results figures from an invalid M5 row")
	}
	if g := ix.Sum(aggregate.HeadsPresent, 1, ""); g != 2 {
		t.Errorf("cluster 1 heads = %v, want 2", g)
	}
	if g := ix.Sum(aggregate.RepsCounted, 1, "00001"); g != 1 {
		t.Errorf("commune 00001 reps counted = %v, want 1", g)
	}
	if g := aggregate.Lookup(ds, aggregate.Opinions, 1, "", "", "Giáo dục"); g != 2 {
		t.Errorf("Lookup = %v, want 2", g)
	}
	for _, f := range ds.Figures {
		if f.Period != "2022Q2" {
			t.Fatalf("period %q", f.Period)
		}
	}
}

// TestZeroRows: an empty dataset still gives every figure of the plan, as
// zeros (quotas and plan figures aside), and a full timeliness table.
func TestZeroRows(t *testing.T) {
	p := testPlanT(t)
	res, err := aggregate.Aggregate(context.Background(), p, aggregate.Input{}, at("2022-03-01 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	perMeasure := map[string]int{}
	for _, f := range res.Figures {
		perMeasure[f.Measure]++
		switch f.Measure {
		case aggregate.RepsPlanned, aggregate.DelegatesPlanned, aggregate.DistrictTeam, aggregate.AttendancePlanned,
			aggregate.AttendanceExpected, aggregate.HeadsPlanned, aggregate.FormsMissing:
		default:
			if f.Value != 0 {
				t.Errorf("%+v: want 0", f)
			}
		}
	}
	// 4 hamlets, 3 communes, 2 clusters, 2 topics.
	for m, want := range map[string]int{aggregate.RepsPlanned: 4, aggregate.RepsRegistered: 4, aggregate.RepsEligible: 4,
		aggregate.RepsCounted: 4, aggregate.HeadsPresent: 4, aggregate.DelegatesPlanned: 3, aggregate.DelegatesPresent: 3,
		aggregate.DistrictTeam: 2, aggregate.AttendancePlanned: 2, aggregate.AttendanceExpected: 2,
		aggregate.Opinions: 4, aggregate.OpinionsLate: 4, aggregate.ResultsOpinions: 0} {
		if perMeasure[m] != want {
			t.Errorf("%s: %d figures, want %d", m, perMeasure[m], want)
		}
	}
	ix := res.Index()
	if g := ix.Int(aggregate.AttendanceExpected, 1, "", "", ""); g != 7 {
		t.Errorf("attendance expected with nobody registered = %d, want 7 (the district team)", g)
	}
	if len(res.Timeliness) != 17 || len(res.Findings) != 0 || len(res.OverQuota) != 0 {
		t.Errorf("%d timeliness rows, %d findings, %d over-quota marks", len(res.Timeliness), len(res.Findings), len(res.OverQuota))
	}
	for _, tl := range res.Timeliness {
		if !tl.ReceivedAt.IsZero() || tl.OnTime != nil || tl.Path != "" {
			t.Errorf("missing form %+v", tl)
		}
	}
}

func TestErrors(t *testing.T) {
	p := testPlanT(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// (A missing dataset can no longer be passed: the input is a value.)
	for name, call := range map[string]func() (aggregate.Result, error){
		"no plan": func() (aggregate.Result, error) {
			return aggregate.Aggregate(context.Background(), nil, aggregate.Input{}, time.Now())
		},
		"cancelled": func() (aggregate.Result, error) { return aggregate.Aggregate(ctx, p, aggregate.Input{}, time.Now()) },
	} {
		if _, err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestSamePathReused: a commune may drop a corrected file under the name of
// a rejected or replaced one; the new content's rows count.
func TestSamePathReused(t *testing.T) {
	p := testPlanT(t)
	a := sub("00001/M2.xlsx", "00001", record.FormM2, record.StatusRejected, 1, "2022-04-01 09:00", "")
	a.ID = "A"
	b := sub("00001/M2.xlsx", "00001", record.FormM2, record.StatusAccepted, 2, "2022-04-02 09:00", "C")
	b.ID = "B"
	c := sub("00001/M2.xlsx", "00001", record.FormM2, record.StatusAccepted, 3, "2022-04-03 09:00", "")
	c.ID = "C"
	rb := reg{path: "00001/M2.xlsx", seq: 2, row: 1, commune: "00001", hamlet: "Ấp 1", group: "H1", eligible: true}.record()
	rb.SubmissionID = "B" // the validator forgot to mark it superseded: the outcome still says so
	rc := reg{path: "00001/M2.xlsx", seq: 3, row: 1, commune: "00001", hamlet: "Ấp 2", group: "H2", eligible: true}.record()
	rc.SubmissionID = "C"
	in := aggregate.Input{Submissions: []record.SubmissionOutcome{a, b, c}, Registrations: []record.Registration{rb, rc}}
	res, err := aggregate.Aggregate(context.Background(), p, in, at("2022-06-30 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	ix := res.Index()
	if g1, g2 := ix.Int(aggregate.RepsRegistered, 1, "00001", "Ấp 1", ""), ix.Int(aggregate.RepsRegistered, 1, "00001", "Ấp 2", ""); g1 != 0 || g2 != 1 {
		t.Errorf("registered Ấp 1 = %d (replaced file), Ấp 2 = %d (current file); want 0 and 1", g1, g2)
	}
	if tl, _ := res.TimelinessOf("00001", record.FormM2); tl.SubmissionID != "B" {
		t.Errorf("first accepted M2 = %q, want B", tl.SubmissionID)
	}
}
