package plan

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/truth"
)

var ict = time.FixedZone("ICT", 7*3600)

// sharedFile returns a file of /work/shared, skipping when it is absent.
func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	d := truth.SharedDir()
	if d == "" {
		t.Skip("shared folder absent")
	}
	p := filepath.Join(d, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s absent", p)
	}
	return p
}

// attendance is SPEC §1's attendance plan of a cluster.
func attendance(p *Plan, c *Cluster) int {
	n := p.Quotas.DistrictTeam
	for _, m := range c.Communes {
		n += p.Quotas.CommuneDelegates + len(m.Hamlets)*(p.Quotas.HamletHeads+p.Quotas.HouseholdReps)
	}
	return n
}

func TestDefaultPlan2022(t *testing.T) {
	p, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if p.Year != 2022 || p.DialogueQuarter != 2 || p.DialoguePeriod() != "2022Q2" {
		t.Errorf("year %d quarter %d period %s", p.Year, p.DialogueQuarter, p.DialoguePeriod())
	}
	if p.Version != 1 || p.HamletsVerified {
		t.Errorf("version %d hamlets_verified %v", p.Version, p.HamletsVerified)
	}
	d := p.District
	if d.Name != "Huyện Hồng Ngự" || d.Code != "870" || d.Province != "Tỉnh Đồng Tháp" || d.ProvinceCode != "87" ||
		d.Office != "Phòng Lao động - Thương binh và Xã hội" || !strings.Contains(d.ReportTo, "Sở Lao động") {
		t.Errorf("district %+v", d)
	}
	if q := p.Quotas; q != (Quotas{DistrictTeam: 7, CommuneDelegates: 7, HamletHeads: 1, HouseholdReps: 5}) {
		t.Errorf("quotas %+v", q)
	}
	if dl := p.Deadlines; dl.CommunePlan.String() != "2022-03-25" || dl.OpinionsDaysBeforeDialogue != 5 {
		t.Errorf("deadlines %+v", dl)
	}
	if _, off := time.Date(2022, 4, 1, 0, 0, 0, 0, p.Location()).Zone(); off != 7*3600 {
		t.Errorf("time zone offset %d", off)
	}

	type cl struct {
		id       int
		host     string
		communes []string
		hamlets  int
		planned  int
	}
	want := []cl{
		{1, "29971", []string{"29971", "29956", "29974"}, 12, 100},
		{2, "29962", []string{"29962", "29977"}, 8, 69},
		{3, "29980", []string{"29980", "29983"}, 9, 75},
		{4, "29998", []string{"29998", "29995", "29992"}, 12, 100},
	}
	if len(p.Clusters) != len(want) {
		t.Fatalf("%d clusters, want %d", len(p.Clusters), len(want))
	}
	total := 0
	for i, w := range want {
		c := &p.Clusters[i]
		var codes []string
		hamlets := 0
		for _, m := range c.Communes {
			codes = append(codes, m.Code)
			hamlets += len(m.Hamlets)
			if m.Cluster != c.ID {
				t.Errorf("commune %s: cluster %d, want %d", m.Code, m.Cluster, c.ID)
			}
		}
		total += len(codes)
		if c.ID != w.id || c.Host != w.host || fmt.Sprint(codes) != fmt.Sprint(w.communes) || hamlets != w.hamlets {
			t.Errorf("cluster %d: id %d host %s communes %v hamlets %d; want %+v", i, c.ID, c.Host, codes, hamlets, w)
		}
		if c.Name != fmt.Sprintf("Cụm %d", w.id) || c.Venue == "" || c.DialogueDate.Set {
			t.Errorf("cluster %d: name %q venue %q date %v", w.id, c.Name, c.Venue, c.DialogueDate)
		}
		if c.PlannedAttendance != w.planned {
			t.Errorf("cluster %d planned attendance %d, want %d", w.id, c.PlannedAttendance, w.planned)
		}
		if got := attendance(p, c); got != c.PlannedAttendance {
			t.Errorf("cluster %d: SPEC §1 formula gives %d, plan says %d", w.id, got, c.PlannedAttendance)
		}
		if p.ClusterOf(w.host) != c || p.Cluster(w.id) != c {
			t.Errorf("cluster %d lookups", w.id)
		}
	}
	if total != 10 || len(p.Communes()) != 10 {
		t.Errorf("%d communes, want 10", len(p.Communes()))
	}

	communes := []struct{ code, full string }{
		{"29971", "thị trấn Thường Thới Tiền"},
		{"29956", "xã Thường Phước 1"},
		{"29974", "xã Thường Phước 2"},
		{"29962", "xã Thường Thới Hậu A"},
		{"29977", "xã Thường Lạc"},
		{"29980", "xã Long Khánh A"},
		{"29983", "xã Long Khánh B"},
		{"29998", "xã Phú Thuận A"},
		{"29995", "xã Phú Thuận B"},
		{"29992", "xã Long Thuận"},
	}
	for _, w := range communes {
		c := p.Commune(w.code)
		if c == nil || c.FullName() != w.full {
			t.Errorf("Commune(%s) = %+v, want %s", w.code, c, w.full)
		}
	}
	if p.Commune("29999") != nil || p.Cluster(5) != nil || p.ClusterOf("29999") != nil {
		t.Error("lookups of unknown codes must give nil")
	}

	if len(p.Topics) != 9 {
		t.Errorf("%d topics, want 9", len(p.Topics))
	}
	topics := map[string]string{
		"Y tế, bảo hiểm y tế": "Trung tâm Y tế huyện",
		"Giáo dục":            "Phòng Giáo dục và Đào tạo",
		"Tín dụng chính sách": "Phòng giao dịch Ngân hàng Chính sách xã hội huyện",
		"Khác":                "Phòng Lao động - Thương binh và Xã hội",
		"Sinh kế, việc làm, đào tạo nghề": "Phòng Lao động - Thương binh và Xã hội",
		"Không có lĩnh vực này":           "",
	}
	for topic, agency := range topics {
		if got := p.Agency(topic); got != agency {
			t.Errorf("Agency(%q) = %q, want %q", topic, got, agency)
		}
	}
	ag := p.Agencies()
	if len(ag) != 7 || ag[0] != "Phòng Lao động - Thương binh và Xã hội" || ag[1] != "Trung tâm Y tế huyện" {
		t.Errorf("Agencies() = %q", ag)
	}
}

func TestEmbeddedPlanIsTheSharedPlan(t *testing.T) {
	shared, err := os.ReadFile(sharedFile(t, "plan-2022.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, DefaultYAML()) {
		t.Error("the embedded plan differs from shared/plan-2022.yaml")
	}
}

func TestDefaultYAMLIsACopy(t *testing.T) {
	b := DefaultYAML()
	for i := range b {
		b[i] = 'x'
	}
	if p := Default(); p.Year != 2022 {
		t.Error("changing DefaultYAML's bytes changed the embedded plan")
	}
}

func TestLoadFileOverridesDefault(t *testing.T) {
	// A plan for another year and place, written without touching code.
	other := strings.NewReplacer(
		"year: 2022", "year: 2026",
		"dialogue_quarter: 2", "dialogue_quarter: 3",
		"name: Huyện Hồng Ngự", "name: Huyện Thử Nghiệm",
		"dialogue_date: null       #", "dialogue_date: 15/08/2026 #",
	).Replace(string(DefaultYAML()))
	path := filepath.Join(t.TempDir(), "kế hoạch 2026.yaml")
	if err := os.WriteFile(path, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Year != 2026 || p.DialoguePeriod() != "2026Q3" || p.District.Name != "Huyện Thử Nghiệm" {
		t.Errorf("loaded year %d period %s district %q", p.Year, p.DialoguePeriod(), p.District.Name)
	}
	if d := p.Clusters[0].DialogueDate; d.String() != "2026-08-15" {
		t.Errorf("dd/mm/yyyy dialogue date read as %q", d)
	}
	if Default().Year != 2022 {
		t.Error("loading a file changed the default plan")
	}

	_, err = Load(filepath.Join(t.TempDir(), "missing.yaml"))
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load of a missing file: %v", err)
	}
}

func TestSamplePlanDeadlines(t *testing.T) {
	p, err := Load(sharedFile(t, "samples/2022/plan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dates := map[int]string{1: "2022-05-24", 2: "2022-05-26", 3: "2022-06-07", 4: "2022-06-09"}
	deadlines := map[int]string{1: "2022-05-19", 2: "2022-05-21", 3: "2022-06-02", 4: "2022-06-04"}
	for id, d := range dates {
		if got := p.Cluster(id).DialogueDate.String(); got != d {
			t.Errorf("cluster %d dialogue %s, want %s", id, got, d)
		}
		dl, ok := p.OpinionDeadline(id)
		if !ok || dl.Format("2006-01-02") != deadlines[id] || dl.Location() != p.Location() {
			t.Errorf("cluster %d opinion deadline %v %v, want %s", id, dl, ok, deadlines[id])
		}
	}
	// EXPECTED.md: TP2's opinions received 20/5 are late for cluster 1
	// (deadline 19/5); LKB's received 20/5 are on time for cluster 3.
	dl1, _ := p.OpinionDeadline(1)
	dl3, _ := p.OpinionDeadline(3)
	tests := []struct {
		name string
		at   time.Time
		day  time.Time
		want bool
	}{
		{"deadline day morning", time.Date(2022, 5, 19, 8, 0, 0, 0, ict), dl1, true},
		{"deadline day last second", time.Date(2022, 5, 19, 23, 59, 59, 0, ict), dl1, true},
		{"next day midnight", time.Date(2022, 5, 20, 0, 0, 0, 0, ict), dl1, false},
		{"batch 4 for cluster 1", time.Date(2022, 5, 20, 10, 0, 0, 0, ict), dl1, false},
		{"batch 4 for cluster 3", time.Date(2022, 5, 20, 10, 0, 0, 0, ict), dl3, true},
		// 19/5 23:30 in Viet Nam is 19/5 16:30 UTC: the zone of t must not matter.
		{"UTC instant on the day", time.Date(2022, 5, 19, 16, 30, 0, 0, time.UTC), dl1, true},
		{"UTC instant after the day", time.Date(2022, 5, 19, 17, 30, 0, 0, time.UTC), dl1, false},
	}
	for _, tt := range tests {
		if got := p.OnOrBefore(tt.at, tt.day); got != tt.want {
			t.Errorf("%s: OnOrBefore(%v, %v) = %v, want %v", tt.name, tt.at, tt.day, got, tt.want)
		}
	}
	if _, ok := Default().OpinionDeadline(1); ok {
		t.Error("the embedded plan has no dialogue dates, yet a deadline was given")
	}
	if _, ok := p.OpinionDeadline(9); ok {
		t.Error("a deadline for an unknown cluster")
	}
}

func TestPeriod(t *testing.T) {
	p := Default()
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2022, 4, 20, 9, 0, 0, 0, ict), "2022Q2"},
		{time.Date(2022, 1, 1, 0, 0, 0, 0, ict), "2022Q1"},
		{time.Date(2022, 12, 31, 23, 59, 0, 0, ict), "2022Q4"},
		// 31/3 18:00 UTC is already 1/4 in Viet Nam.
		{time.Date(2022, 3, 31, 18, 0, 0, 0, time.UTC), "2022Q2"},
		{time.Date(2021, 12, 31, 17, 0, 0, 0, time.UTC), "2022Q1"},
	}
	for _, tt := range tests {
		if got := p.Period(tt.at); got != tt.want {
			t.Errorf("Period(%v) = %s, want %s", tt.at, got, tt.want)
		}
	}
}

func TestPlannedAttendanceDefaultsToSpecFormula(t *testing.T) {
	var b strings.Builder
	for _, l := range strings.SplitAfter(string(DefaultYAML()), "\n") {
		if !strings.Contains(l, "planned_attendance:") {
			b.WriteString(l)
		}
	}
	p, err := Parse([]byte(b.String()), "no-attendance.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{100, 69, 75, 100} {
		if got := p.Clusters[i].PlannedAttendance; got != want {
			t.Errorf("cluster %d: computed attendance %d, want %d", i+1, got, want)
		}
	}
	// A written figure is kept even when it differs from the formula.
	q, err := Parse([]byte(strings.Replace(string(DefaultYAML()), "planned_attendance: 69", "planned_attendance: 80", 1)), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Cluster(2).PlannedAttendance; got != 80 {
		t.Errorf("written attendance %d, want 80", got)
	}
}

// lineOf returns the 1-based line of the n-th (1-based) line holding sub.
func lineOf(t *testing.T, text, sub string, n int) int {
	t.Helper()
	seen := 0
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			seen++
			if seen == n {
				return i + 1
			}
		}
	}
	t.Fatalf("no line %d holding %q", n, sub)
	return 0
}

func TestMalformedPlan(t *testing.T) {
	base := string(DefaultYAML())
	tests := []struct {
		name string
		edit func(string) string
		// want are fragments the error must hold; "@L" is replaced by the
		// line of the n-th line holding at (after the edit).
		want []string
		at   string
		n    int
	}{
		{
			name: "yaml syntax error",
			edit: func(s string) string {
				return strings.Replace(s, "hamlets: [Ấp 1, Ấp 2, Ấp 3]", "hamlets: [Ấp 1, Ấp 2, Ấp 3", 1)
			},
			want: []string{"yaml", "line "},
		},
		{
			name: "tab indentation",
			edit: func(s string) string { return strings.Replace(s, "  district_team: 7", "\tdistrict_team: 7", 1) },
			want: []string{"line @L"}, at: "district_team: 7", n: 1,
		},
		{
			name: "unknown top-level key",
			edit: func(s string) string { return strings.Replace(s, "year: 2022", "yaer: 2022", 1) },
			want: []string{"key yaer (line @L)", "not found"}, at: "yaer: 2022", n: 1,
		},
		{
			name: "unknown nested key",
			edit: func(s string) string { return strings.Replace(s, "kind: xã", "loai: xã", 3) },
			want: []string{"key clusters.1.communes.0.loai (line @L)"}, at: "loai: xã", n: 3,
		},
		{
			name: "missing quota",
			edit: func(s string) string {
				return regexp.MustCompile(`(?m)^  household_reps:.*\n`).ReplaceAllString(s, "")
			},
			want: []string{"key quotas.household_reps (line @L): is required"}, at: "quotas:", n: 1,
		},
		{
			name: "missing year",
			edit: func(s string) string { return strings.Replace(s, "year: 2022\n", "", 1) },
			want: []string{"key year", "is required"},
		},
		{
			name: "missing deadline days",
			edit: func(s string) string {
				return regexp.MustCompile(`(?m)^  opinions_days_before_dialogue:.*\n`).ReplaceAllString(s, "")
			},
			want: []string{"key deadlines.opinions_days_before_dialogue (line @L): is required"}, at: "deadlines:", n: 1,
		},
		{
			name: "missing cluster id",
			edit: func(s string) string { return strings.Replace(s, "  - id: 3\n    name", "  - name", 1) },
			want: []string{"key clusters.2.id (line @L): is required"}, at: "name: Cụm 3", n: 1,
		},
		{
			name: "missing commune code",
			edit: func(s string) string {
				return strings.Replace(s, `      - code: "29983"`+"\n        name", "      - name", 1)
			},
			want: []string{"key clusters.2.communes.1 (line @L)", "code and name are required"}, at: "name: Long Khánh B", n: 1,
		},
		{
			name: "quota is not a number",
			edit: func(s string) string { return strings.Replace(s, "district_team: 7", "district_team: bảy", 1) },
			want: []string{"key quotas.district_team (line @L)", "cannot unmarshal", "bảy"}, at: "district_team: bảy", n: 1,
		},
		{
			name: "hamlets not a list",
			edit: func(s string) string {
				return strings.Replace(s, "hamlets: [Ấp Long Bình, Ấp Long Thái, Ấp Long Châu]", "hamlets: Ấp Long Bình, Ấp Long Thái", 1)
			},
			want: []string{"key clusters.2.communes.1.hamlets (line @L)", "cannot unmarshal"}, at: "hamlets: Ấp Long Bình, Ấp Long Thái", n: 1,
		},
		{
			name: "bad date",
			edit: func(s string) string {
				return strings.Replace(s, "commune_plan: 2022-03-25", "commune_plan: 2022-03-32", 1)
			},
			want: []string{"key deadlines.commune_plan (line @L)", "not a date"}, at: "commune_plan:", n: 1,
		},
		{
			name: "bad dialogue date",
			edit: func(s string) string {
				return strings.Replace(s, "dialogue_date: null", "dialogue_date: sắp tới", 2)
			},
			want: []string{"key clusters.1.dialogue_date (line @L)", "not a date"}, at: "dialogue_date: sắp tới", n: 2,
		},
		{
			name: "key written twice",
			edit: func(s string) string { return strings.Replace(s, "year: 2022\n", "year: 2022\nyear: 2023\n", 1) },
			want: []string{"line @L", "already"}, at: "year: 2023", n: 1,
		},
		{
			name: "hamlet listed twice",
			edit: func(s string) string {
				return strings.Replace(s, "[Ấp 1, Ấp 2, Ấp 3]", "[Ấp 1, Ấp 2, Ấp 3, Ấp 2]", 1)
			},
			want: []string{"key clusters.0.communes.2.hamlets.3 (line @L)", `hamlet "Ấp 2" is listed twice`}, at: "Ấp 3, Ấp 2]", n: 1,
		},
		{
			name: "hamlet listed twice in another spelling",
			edit: func(s string) string {
				return strings.Replace(s, "[Ấp 1, Ấp 2, Ấp 3]", "[Ấp 1, Ấp 2, Ấp 3, ẤP  2]", 1)
			},
			want: []string{"key clusters.0.communes.2.hamlets.3", `"ẤP  2" is listed twice (as "Ấp 2")`},
		},
		{
			name: "hamlet without a name",
			edit: func(s string) string {
				return strings.Replace(s, "[Ấp 1, Ấp 2, Ấp 3]", `[Ấp 1, "", Ấp 3]`, 1)
			},
			want: []string{"key clusters.0.communes.2.hamlets.1", "needs a name"},
		},
		{
			name: "commune without hamlets",
			edit: func(s string) string { return strings.Replace(s, "[Ấp 1, Ấp 2, Ấp 3]", "[]", 1) },
			want: []string{"key clusters.0.communes.2.hamlets (line @L)", "needs its hamlets"}, at: "hamlets: []", n: 1,
		},
		{
			name: "host is not a commune of the plan",
			edit: func(s string) string { return strings.Replace(s, `host: "29980"`, `host: "29989"`, 1) },
			want: []string{"key clusters.2.host (line @L)", "29989", "not a commune of this cluster"}, at: `host: "29989"`, n: 1,
		},
		{
			name: "host is a commune of another cluster",
			edit: func(s string) string { return strings.Replace(s, `host: "29962"`, `host: "29956"`, 1) },
			want: []string{"key clusters.1.host (line @L)", "29956"}, at: `host: "29956"`, n: 1,
		},
		{
			name: "commune in two clusters",
			edit: func(s string) string { return strings.Replace(s, `code: "29983"`, `code: "29956"`, 1) },
			want: []string{"key clusters.2.communes.1.code (line @L)", "also used by Thường Phước 1"}, at: `code: "29956"`, n: 2,
		},
		{
			name: "commune code not 5 digits",
			edit: func(s string) string { return strings.Replace(s, `code: "29974"`, `code: "2997"`, 1) },
			want: []string{"key clusters.0.communes.2.code (line @L)", "5-digit"}, at: `code: "2997"`, n: 1,
		},
		{
			name: "duplicate cluster id",
			edit: func(s string) string { return strings.Replace(s, "  - id: 4", "  - id: 3", 1) },
			want: []string{"key clusters.3.id (line @L)", "duplicate cluster id 3"}, at: "- id: 3", n: 2,
		},
		{
			name: "cluster without communes",
			edit: func(s string) string {
				i := strings.Index(s, "  - id: 4")
				j := strings.Index(s, "# Lĩnh vực")
				return s[:i] + "  - id: 4\n    communes: []\n\n" + s[j:]
			},
			want: []string{"key clusters.3.communes (line @L)", "needs communes"}, at: "communes: []", n: 1,
		},
		{
			name: "no clusters",
			edit: func(s string) string {
				i := strings.Index(s, "clusters:")
				j := strings.Index(s, "# Lĩnh vực")
				return s[:i] + s[j:]
			},
			want: []string{"key clusters", "at least one cluster"},
		},
		{
			name: "quarter out of range",
			edit: func(s string) string { return strings.Replace(s, "dialogue_quarter: 2", "dialogue_quarter: 5", 1) },
			want: []string{"key dialogue_quarter (line @L)", "1..4"}, at: "dialogue_quarter: 5", n: 1,
		},
		{
			name: "year out of range",
			edit: func(s string) string { return strings.Replace(s, "year: 2022", "year: 22", 1) },
			want: []string{"key year (line @L)", "out of range"}, at: "year: 22", n: 1,
		},
		{
			name: "negative quota",
			edit: func(s string) string { return strings.Replace(s, "hamlet_heads: 1", "hamlet_heads: -1", 1) },
			want: []string{"key quotas.hamlet_heads (line @L)", "negative"}, at: "hamlet_heads: -1", n: 1,
		},
		{
			name: "negative attendance",
			edit: func(s string) string {
				return strings.Replace(s, "planned_attendance: 75", "planned_attendance: -75", 1)
			},
			want: []string{"key clusters.2.planned_attendance (line @L)", "negative"}, at: "planned_attendance: -75", n: 1,
		},
		{
			name: "unknown time zone",
			edit: func(s string) string {
				return strings.Replace(s, "timezone: Asia/Ho_Chi_Minh", "timezone: Asia/Hong_Ngu", 1)
			},
			want: []string{"key timezone (line @L)", "Asia/Hong_Ngu"}, at: "timezone:", n: 1,
		},
		{
			name: "district without a name",
			edit: func(s string) string { return strings.Replace(s, "  name: Huyện Hồng Ngự\n", "", 1) },
			want: []string{"key district.name", "is required"},
		},
		{
			name: "topic without agency",
			edit: func(s string) string {
				return strings.Replace(s, "  - name: Giáo dục\n    agency: Phòng Giáo dục và Đào tạo\n", "  - name: Giáo dục\n", 1)
			},
			want: []string{"key topics.3 (line @L)", "name and agency are required"}, at: "- name: Giáo dục", n: 1,
		},
		{
			name: "topic listed twice",
			edit: func(s string) string {
				return strings.Replace(s, "  - name: Khác\n", "  - name: giao duc\n    agency: Phòng Giáo dục và Đào tạo\n  - name: Khác\n", 1)
			},
			want: []string{"key topics.8.name (line @L)", `"giao duc" is listed twice (as "Giáo dục")`}, at: "- name: giao duc", n: 1,
		},
		{
			name: "empty file",
			edit: func(string) string { return "" },
			want: []string{"empty"},
		},
		{
			name: "only comments",
			edit: func(string) string { return "# kế hoạch\n# chưa có nội dung\n" },
			want: []string{"empty"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.edit(base)
			if text == base {
				t.Fatal("the edit changed nothing")
			}
			_, err := Parse([]byte(text), "ke-hoach.yaml")
			if err == nil {
				t.Fatal("Parse accepted the malformed plan")
			}
			msg := err.Error()
			if !strings.Contains(msg, "ke-hoach.yaml") {
				t.Errorf("error does not name the file: %s", msg)
			}
			for _, w := range tt.want {
				if strings.Contains(w, "@L") {
					w = strings.ReplaceAll(w, "@L", fmt.Sprint(lineOf(t, text, tt.at, tt.n)))
				}
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			// The same through Load with a real file.
			path := filepath.Join(t.TempDir(), "ke-hoach.yaml")
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Load(%s): %v", path, err)
			}
		})
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	text := strings.NewReplacer(
		"dialogue_quarter: 2", "dialogue_quarter: 0",
		`host: "29980"`, `host: "11111"`,
		"[Ấp 1, Ấp 2, Ấp 3]", "[Ấp 1, Ấp 1]",
	).Replace(string(DefaultYAML()))
	_, err := Parse([]byte(text), "x.yaml")
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{"key dialogue_quarter", "key clusters.2.host", "key clusters.0.communes.2.hamlets.1"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%s", w, err)
		}
	}
}

func TestMinimalPlan(t *testing.T) {
	// Only what is required: defaults fill the rest.
	const minimal = `
year: 2026
dialogue_quarter: 1
district: {name: Xã Mới}
quotas: {district_team: 0, commune_delegates: 7, hamlet_heads: 1, household_reps: 5}
deadlines: {opinions_days_before_dialogue: 5}
clusters:
  - id: 1
    communes:
      - {code: "30001", name: Tân Hồng, hamlets: [Ấp 1, Ấp 2]}
topics:
  - {name: Khác, agency: UBND xã}
`
	p, err := Parse([]byte(minimal), "minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Timezone != "Asia/Ho_Chi_Minh" || p.Clusters[0].Name != "Cụm 1" || p.Clusters[0].PlannedAttendance != 7+2*6 {
		t.Errorf("defaults: tz %q name %q attendance %d", p.Timezone, p.Clusters[0].Name, p.Clusters[0].PlannedAttendance)
	}
	if c := p.Commune("30001"); c == nil || c.FullName() != "Tân Hồng" {
		t.Errorf("commune without kind: %+v", c)
	}
	if p.Deadlines.CommunePlan.Set || !p.Deadlines.CommunePlan.In(ict).IsZero() || p.Deadlines.CommunePlan.String() != "" {
		t.Errorf("unset date %+v", p.Deadlines.CommunePlan)
	}
	// No host named: the first commune hosts (and sends the results).
	if p.Clusters[0].Host != "30001" {
		t.Errorf("default host %q, want the first commune 30001", p.Clusters[0].Host)
	}
}

// The fictional 2023 plan of another district (the end-to-end test's) loads
// with its own year, quarter, dates and computed attendance.
func TestOtherPlan2023(t *testing.T) {
	p, err := Load(filepath.Join("..", "testdata", "plan-2023-q3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Year != 2023 || p.DialoguePeriod() != "2023Q3" || p.District.Name != "Huyện Tam Nông" || len(p.Clusters) != 3 || len(p.Communes()) != 7 {
		t.Errorf("plan: %d %s %s, %d clusters, %d communes", p.Year, p.DialoguePeriod(), p.District.Name, len(p.Clusters), len(p.Communes()))
	}
	if got := p.Deadlines.CommunePlan.String(); got != "2023-06-23" {
		t.Errorf("commune plan deadline %q", got)
	}
	for id, want := range map[int]int{1: 97, 2: 56, 3: 71} {
		if got := p.Cluster(id).PlannedAttendance; got != want {
			t.Errorf("cluster %d planned attendance %d, want %d", id, got, want)
		}
	}
	if d, ok := p.OpinionDeadline(2); !ok || !d.Equal(time.Date(2023, 8, 3, 0, 0, 0, 0, p.Location())) {
		t.Errorf("opinion deadline of cluster 2: %s %v", d, ok)
	}
	if c := p.Commune("30001"); c == nil || c.FullName() != "thị trấn Tràm Chim" || p.ClusterOf("30001").Host != "30001" {
		t.Errorf("thị trấn: %+v", c)
	}
	if len(p.Agencies()) != 9 || p.Agency("Trợ giúp pháp lý") != "Phòng Tư pháp" {
		t.Errorf("agencies %v", p.Agencies())
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"2022-03-25", "2022-03-25"},
		{"25/03/2022", "2022-03-25"},
		{"5/3/2022", "2022-03-05"},
		{"25-03-2022", "2022-03-25"},
		{"25.03.2022", "2022-03-25"},
		{`" 2022-03-25 "`, "2022-03-25"},
		{"2022-03-25T08:00:00+07:00", "2022-03-25"},
		{`"2022-03-25 08:00"`, "2022-03-25"},
		{"null", ""},
		{"~", ""},
		{`""`, ""},
	}
	for _, tt := range tests {
		text := strings.Replace(string(DefaultYAML()), "commune_plan: 2022-03-25", "commune_plan: "+tt.in, 1)
		p, err := Parse([]byte(text), "d.yaml")
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if got := p.Deadlines.CommunePlan.String(); got != tt.want {
			t.Errorf("%s read as %q, want %q", tt.in, got, tt.want)
		}
	}
	d := Date{Y: 2022, M: 3, D: 25, Set: true}
	if got := d.In(ict); !got.Equal(time.Date(2022, 3, 25, 0, 0, 0, 0, ict)) {
		t.Errorf("In = %v", got)
	}
}

// YAML anchors and aliases are allowed: an aliased value counts as written.
func TestAliasesCountAsWritten(t *testing.T) {
	base := string(DefaultYAML())
	text := strings.NewReplacer(
		"district_team: 7", "district_team: &seven 7",
		"commune_delegates: 7", "commune_delegates: *seven",
		"hamlets: [Ấp 1, Ấp 2, Ấp 3]\n", "hamlets: &h3 [Ấp 1, Ấp 2, Ấp 3]\n",
		"hamlets: [Ấp Long Bình, Ấp Long Thái, Ấp Long Châu]", "hamlets: *h3",
	).Replace(base)
	if strings.Count(text, "*seven") != 1 || strings.Count(text, "*h3") != 1 {
		t.Fatal("the edits did not apply")
	}
	p, err := Parse([]byte(text), "aliases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Quotas.CommuneDelegates != 7 {
		t.Errorf("aliased quota %d", p.Quotas.CommuneDelegates)
	}
	if got := p.Commune("29983").Hamlets; len(got) != 3 || got[2] != "Ấp 3" {
		t.Errorf("aliased hamlets %q", got)
	}
	// An anchor under an unknown key is still an unknown key.
	text = strings.Replace(base, "quotas:\n", "standard: &q {district_team: 7}\nquotas:\n", 1)
	if _, err := Parse([]byte(text), "x.yaml"); err == nil || !strings.Contains(err.Error(), "key standard") {
		t.Errorf("unknown key with an anchor: %v", err)
	}
}
