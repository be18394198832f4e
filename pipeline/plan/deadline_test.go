package plan

import (
	"path/filepath"
	"testing"
	"time"

	"doithoai/pipeline/record"
)

// TestDeadlineRule is the table of the deadline rule (SPEC §3, §9) on the
// 2023 plan: cluster 1's dialogue is 18/07/2023 and opinions are due 7
// days before, so M4 is due 11/07/2023; the commune plan (KH) is due
// 23/06/2023. The deadline day is on time to its last second in the
// plan's zone (ICT, UTC+7), whatever the zone the receipt is written in.
func TestDeadlineRule(t *testing.T) {
	p, err := Load(filepath.Join("..", "testdata", "plan-2023-q3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// A copy whose cluster 3 has no dialogue date announced and which
	// sets no commune plan date.
	undated, err := Load(filepath.Join("..", "testdata", "plan-2023-q3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	undated.Cluster(3).DialogueDate = Date{}
	undated.Deadlines.CommunePlan = Date{}

	ict := p.Location()
	at := func(y int, m time.Month, d, hh, mm, ss int, loc *time.Location) time.Time {
		return time.Date(y, m, d, hh, mm, ss, 0, loc)
	}
	c1 := p.Commune("30001") // cluster 1
	tests := []struct {
		name     string
		p        *Plan
		commune  string
		form     record.Form
		received time.Time
		deadline string // YYYY-MM-DD, "" when none applies
		late     bool
	}{
		{"M4 the day before", p, "30001", record.FormM4, at(2023, 7, 10, 12, 0, 0, ict), "2023-07-11", false},
		{"M4 deadline day 00:00", p, "30001", record.FormM4, at(2023, 7, 11, 0, 0, 0, ict), "2023-07-11", false},
		{"M4 deadline day 23:59:59", p, "30001", record.FormM4, at(2023, 7, 11, 23, 59, 59, ict), "2023-07-11", false},
		{"M4 next day 00:00", p, "30001", record.FormM4, at(2023, 7, 12, 0, 0, 0, ict), "2023-07-11", true},
		// 11/07 16:59:59 UTC is 23:59:59 ICT on the deadline day; a second
		// later it is the 12th in Viet Nam, still the 11th in UTC.
		{"M4 23:59:59 ICT written in UTC", p, "30001", record.FormM4, at(2023, 7, 11, 16, 59, 59, time.UTC), "2023-07-11", false},
		{"M4 just after midnight ICT, the 11th in UTC", p, "30001", record.FormM4, at(2023, 7, 11, 17, 0, 1, time.UTC), "2023-07-11", true},
		// Just after midnight UTC on the 11th is 07:00 ICT on the 11th.
		{"M4 just after midnight UTC on the deadline day", p, "30001", record.FormM4, at(2023, 7, 11, 0, 0, 30, time.UTC), "2023-07-11", false},
		{"M4 just after midnight UTC the next day", p, "30001", record.FormM4, at(2023, 7, 12, 0, 0, 30, time.UTC), "2023-07-11", true},
		{"M4 of another cluster", p, "30034", record.FormM4, at(2023, 7, 20, 9, 0, 0, ict), "2023-08-03", false},
		{"M4, no dialogue date announced", undated, "30022", record.FormM4, at(2023, 12, 31, 9, 0, 0, ict), "", false},
		{"M4, dated cluster of the same plan", undated, "30001", record.FormM4, at(2023, 7, 12, 9, 0, 0, ict), "2023-07-11", true},
		{"KH deadline day 00:00", p, "30001", record.FormKH, at(2023, 6, 23, 0, 0, 0, ict), "2023-06-23", false},
		{"KH deadline day 23:59:59", p, "30001", record.FormKH, at(2023, 6, 23, 23, 59, 59, ict), "2023-06-23", false},
		{"KH next day 00:00", p, "30025", record.FormKH, at(2023, 6, 24, 0, 0, 0, ict), "2023-06-23", true},
		{"KH next day 00:00 ICT written in UTC", p, "30025", record.FormKH, at(2023, 6, 23, 17, 0, 0, time.UTC), "2023-06-23", true},
		{"KH, no commune plan date", undated, "30001", record.FormKH, at(2023, 12, 31, 9, 0, 0, ict), "", false},
		{"M1 has no deadline", p, "30001", record.FormM1, at(2023, 12, 31, 9, 0, 0, ict), "", false},
		{"M5 has no deadline", p, "30001", record.FormM5, at(2023, 12, 31, 9, 0, 0, ict), "", false},
		{"commune not in the plan", p, "99999", record.FormM4, at(2023, 12, 31, 9, 0, 0, ict), "", false},
		{"not received", p, "30001", record.FormM4, time.Time{}, "2023-07-11", false},
	}
	for _, tt := range tests {
		c := tt.p.Commune(tt.commune)
		d, ok := tt.p.Deadline(c, tt.form)
		if ok != (tt.deadline != "") || ok && (d.Format("2006-01-02") != tt.deadline || d.Location() != tt.p.Location() || d.Hour() != 0) {
			t.Errorf("%s: Deadline = %v %v, want %q at midnight in the plan's zone", tt.name, d, ok, tt.deadline)
		}
		late, d2, judged := tt.p.LateForm(c, tt.form, tt.received)
		if late != tt.late || judged != (ok && !tt.received.IsZero()) || !d2.Equal(d) {
			t.Errorf("%s: LateForm(%v) = %v %v %v, want late %v", tt.name, tt.received, late, d2, judged, tt.late)
		}
		if ok && tt.p.Late(tt.received, d) != tt.late {
			t.Errorf("%s: Late(%v, %v) disagrees with LateForm", tt.name, tt.received, d)
		}
	}
	if _, ok := Default().Deadline(Default().Commune("29956"), record.FormM4); ok {
		t.Error("the embedded plan announces no dialogue date, yet M4 has a deadline")
	}
	if d, ok := Default().Deadline(Default().Commune("29956"), record.FormKH); !ok || d.Format("2006-01-02") != "2022-03-25" {
		t.Errorf("embedded plan KH deadline %v %v, want 2022-03-25", d, ok)
	}
	if _, ok := p.Deadline(nil, record.FormKH); ok {
		t.Error("a deadline for no commune")
	}
	// The deadline passed at any time of its day, or in another zone,
	// means the same calendar day of the plan's zone.
	dl, _ := p.Deadline(c1, record.FormM4)
	for _, day := range []time.Time{dl, at(2023, 7, 11, 15, 0, 0, ict), at(2023, 7, 10, 17, 0, 0, time.UTC), at(2023, 7, 11, 16, 59, 0, time.UTC)} {
		if !p.OnOrBefore(at(2023, 7, 11, 23, 0, 0, ict), day) || p.OnOrBefore(at(2023, 7, 12, 10, 0, 0, ict), day) {
			t.Errorf("OnOrBefore with the day given as %v is not the calendar day 11/07 in ICT", day)
		}
	}
}

// TestOverdue: a form is overdue when nothing was received and its
// deadline day is over at now (2023 plan: M4 of cluster 1 due 11/07/2023).
func TestOverdue(t *testing.T) {
	p, err := Load(filepath.Join("..", "testdata", "plan-2023-q3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ict := p.Location()
	deadline, _ := p.Deadline(p.Commune("30001"), record.FormM4)
	at := func(d, hh, mm int) time.Time { return time.Date(2023, 7, d, hh, mm, 0, 0, ict) }
	tests := []struct {
		name               string
		received, deadline time.Time
		now                time.Time
		want               bool
	}{
		{"missing, before the deadline day", time.Time{}, deadline, at(10, 9, 0), false},
		{"missing, on the deadline day's last minute", time.Time{}, deadline, at(11, 23, 59), false},
		{"missing, the day after", time.Time{}, deadline, at(12, 0, 0), true},
		{"received late is late, not overdue", at(12, 9, 0), deadline, at(13, 9, 0), false},
		{"received on time", at(10, 9, 0), deadline, at(13, 9, 0), false},
		{"missing, no deadline applies", time.Time{}, time.Time{}, at(31, 9, 0), false},
		{"missing, the next day in ICT written in UTC", time.Time{}, deadline, time.Date(2023, 7, 11, 17, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		if got := p.Overdue(tt.received, tt.deadline, tt.now); got != tt.want {
			t.Errorf("%s: Overdue = %v, want %v", tt.name, got, tt.want)
		}
	}
}
