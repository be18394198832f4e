// The truth test reads every accepted file of the sample sets with the
// read stage, validates them and compares each row with truth.json.

package validate_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/schemas"
	"doithoai/stages/validate"
)

// ownWarnings are the truth warnings this stage gives, as finding codes.
var ownWarnings = map[string]string{
	"id_leading_zero_restored": validate.CodeIDZeroRestored,
	"duplicate_household_code": validate.CodeDuplicateCode,
}

func TestTruth2022(t *testing.T) {
	truth, p := sampleds.Open(t, "2022")
	ctx := context.Background()
	subs, err := sampleds.Submissions(truth, 0)
	if err != nil {
		t.Fatal(err)
	}
	wbs, err := sampleds.Read(ctx, p, sampleds.Accepted(truth, subs))
	if err != nil {
		t.Fatal(err)
	}
	for _, wb := range wbs {
		if wb.Status != record.StatusAccepted {
			t.Errorf("%s: reader says %s (%s)", wb.Submission.Path, wb.Status, wb.Reason)
		}
	}
	ds, err := validate.Validate(ctx, p, wbs)
	if err != nil {
		t.Fatal(err)
	}

	// Outcomes: supersession.
	byPath := map[string]record.SubmissionOutcome{}
	for _, o := range ds.Submissions {
		byPath[o.Path] = o
	}
	for _, f := range truth.Files {
		if f.Expect != "accepted" {
			continue
		}
		if f.Supersedes != nil {
			if got := byPath[*f.Supersedes].SupersededBy; got != f.SHA256 {
				t.Errorf("%s should be superseded by %s, got %q", *f.Supersedes, f.Path, got)
			}
		}
	}

	// Records by place.
	type key struct {
		path, sheet string
		row         int
	}
	type rec struct {
		form   string
		state  record.State
		values map[string]any // by schema title
		late   bool
		hamlet string
		extra  map[string]any // topic, component, cluster
	}
	recs := map[key]*rec{}
	add := func(src record.Source, form string, st record.State, vals map[string]any) *rec {
		r := &rec{form: form, state: st, values: vals, extra: map[string]any{}}
		k := key{src.Path, src.Sheet, src.Row}
		if recs[k] != nil {
			t.Errorf("two records for %v", k)
		}
		recs[k] = r
		return r
	}
	date := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.Format("2006-01-02")
	}
	for _, h := range ds.Households {
		r := add(h.Source, "M1", h.State, map[string]any{"Mã hộ": h.HouseholdCode, "Họ và tên chủ hộ": h.HeadName, "Năm sinh": h.BirthYear,
			"Giới tính": h.Gender, "Số CCCD/CMND": h.CitizenID, "Dân tộc": h.Ethnicity, "Khóm/Ấp": h.Hamlet, "Phân loại hộ": h.Class,
			"Số nhân khẩu": h.Members, "Ghi chú": h.Note})
		r.hamlet = h.Hamlet
	}
	for _, g := range ds.Registrations {
		r := add(g.Source, "M2", g.State, map[string]any{"Họ và tên người đại diện": g.RepName, "Năm sinh": g.BirthYear, "Giới tính": g.Gender,
			"Số CCCD/CMND": g.CitizenID, "Quan hệ với chủ hộ": g.Relation, "Họ và tên chủ hộ": g.HeadName, "Mã hộ": g.HouseholdCode,
			"Khóm/Ấp": g.Hamlet, "Phân loại hộ": g.Class, "Số điện thoại": g.Phone, "Ghi chú": g.Note})
		r.hamlet = g.Hamlet
	}
	for _, d := range ds.Delegates {
		r := add(d.Source, "M3", d.State, map[string]any{"Họ và tên": d.Name, "Chức vụ": d.Position, "Thành phần": d.Component,
			"Khóm/Ấp": d.Hamlet, "Số điện thoại": d.Phone})
		r.hamlet = d.Hamlet
		r.extra["component"] = d.Component
	}
	for _, o := range ds.Opinions {
		r := add(o.Source, "M4", o.State, map[string]any{"Khóm/Ấp": o.Hamlet, "Họ và tên người kiến nghị": o.ReporterName, "Mã hộ": o.HouseholdCode,
			"Lĩnh vực": o.Topic, "Nội dung ý kiến, kiến nghị": o.Content, "Ngày tiếp nhận": date(o.ReceivedOn)})
		r.hamlet, r.late = o.Hamlet, o.Late
		r.extra["topic"] = o.Topic
	}
	for _, m := range ds.Results {
		r := add(m.Source, "M5", m.State, map[string]any{"Cụm": m.Cluster, "Ngày tổ chức": date(m.Date), "Tổ công tác huyện": m.DistrictTeam,
			"Cấp xã": m.CommuneDelegates, "Trưởng khóm/ấp": m.HamletHeads, "Đại diện hộ": m.HouseholdReps, "Số ý kiến": m.Opinions,
			"Số ý kiến trả lời tại buổi": m.Answered, "Số ý kiến chuyển cơ quan giải quyết": m.Forwarded})
		r.extra["cluster"] = m.Cluster
	}

	// Invalid columns and own warnings from the findings.
	titleOf := func(form, field string) string {
		if sc := schemas.Get(form); sc != nil {
			if f := sc.Field(field); f != nil {
				return f.Title
			}
		}
		return field
	}
	invalid := map[key]map[string]bool{}
	warns := map[key]map[string]bool{}
	sheetMissing := map[[2]string][]string{} // path, sheet -> missing columns
	formOf := map[string]string{}
	for _, wb := range wbs {
		formOf[wb.Submission.Path] = string(wb.Form)
	}
	for _, f := range ds.Findings {
		k := key{f.Path, f.Sheet, f.Row}
		switch {
		case f.Row == 0 && f.Code == validate.CodeMissingLabel && f.Column != "":
			ps := [2]string{f.Path, f.Sheet}
			sheetMissing[ps] = append(sheetMissing[ps], titleOf(formOf[f.Path], f.Column))
		case f.Row > 0 && f.Severity == record.Error && f.Column != "":
			if invalid[k] == nil {
				invalid[k] = map[string]bool{}
			}
			invalid[k][titleOf(formOf[f.Path], f.Column)] = true
		case f.Row > 0 && f.Severity == record.Warning:
			if warns[k] == nil {
				warns[k] = map[string]bool{}
			}
			warns[k][f.Code] = true
		}
	}

	count := map[string][2]int{} // check -> agree, total
	tally := func(check string, ok bool) bool {
		c := count[check]
		c[1]++
		if ok {
			c[0]++
		}
		count[check] = c
		return ok
	}
	var problems []string
	seen := map[key]bool{}
	for _, tr := range truth.Rows {
		k := key{tr.Path, tr.Sheet, tr.Row}
		seen[k] = true
		r := recs[k]
		if !tally("row found", r != nil) {
			problems = append(problems, fmt.Sprintf("%s/%s r%d: no record", tr.Path, tr.Sheet, tr.Row))
			continue
		}
		where := fmt.Sprintf("%s/%s r%d", tr.Path, tr.Sheet, tr.Row)
		tally("form", r.form == tr.Form)
		if !tally("valid", r.state.Valid == tr.Valid) {
			problems = append(problems, fmt.Sprintf("%s: valid=%v, truth %v", where, r.state.Valid, tr.Valid))
		}
		got := map[string]bool{}
		for c := range invalid[k] {
			got[c] = true
		}
		for _, c := range sheetMissing[[2]string{tr.Path, tr.Sheet}] {
			got[c] = true
		}
		want := map[string]bool{}
		for _, c := range tr.InvalidColumns {
			want[c] = true
		}
		if !tally("invalid_columns", setEqual(got, want)) {
			problems = append(problems, fmt.Sprintf("%s: invalid columns %v, truth %v", where, keys(got), keys(want)))
		}
		gotW, wantW := map[string]bool{}, map[string]bool{}
		for c := range warns[k] {
			for _, own := range ownWarnings {
				if c == own {
					gotW[c] = true
				}
			}
		}
		for _, w := range tr.Warnings {
			if own, ok := ownWarnings[w]; ok {
				wantW[own] = true
			}
		}
		if !tally("warnings", setEqual(gotW, wantW)) {
			problems = append(problems, fmt.Sprintf("%s: warnings %v, truth %v", where, keys(gotW), keys(wantW)))
		}
		if !tally("superseded", r.state.Superseded == tr.Superseded) {
			problems = append(problems, fmt.Sprintf("%s: superseded=%v, truth %v", where, r.state.Superseded, tr.Superseded))
		}
		if tr.Late != nil && !tally("late", r.late == *tr.Late) {
			problems = append(problems, fmt.Sprintf("%s: late=%v, truth %v", where, r.late, *tr.Late))
		}
		if tr.Form != "M5" {
			wantH := ""
			if tr.Hamlet != nil {
				wantH = *tr.Hamlet
			}
			if !tally("hamlet", r.hamlet == wantH) {
				problems = append(problems, fmt.Sprintf("%s: hamlet %q, truth %q", where, r.hamlet, wantH))
			}
		}
		if tr.Topic != nil && tr.Valid && !tally("topic", r.extra["topic"] == *tr.Topic) {
			problems = append(problems, fmt.Sprintf("%s: topic %v, truth %q", where, r.extra["topic"], *tr.Topic))
		}
		if tr.Component != nil && tr.Valid && !tally("component", r.extra["component"] == *tr.Component) {
			problems = append(problems, fmt.Sprintf("%s: component %v, truth %q", where, r.extra["component"], *tr.Component))
		}
		if tr.Cluster != nil && !tally("cluster", r.extra["cluster"] == *tr.Cluster) {
			problems = append(problems, fmt.Sprintf("%s: cluster %v, truth %d", where, r.extra["cluster"], *tr.Cluster))
		}
		for title, gotV := range r.values {
			if want[title] {
				continue // an invalid cell's value is not compared
			}
			wantV, present := tr.Values[title]
			if !tally("values", sameValue(gotV, wantV, present)) {
				problems = append(problems, fmt.Sprintf("%s: %s = %#v, truth %#v", where, title, gotV, wantV))
			}
		}
	}
	for k := range recs {
		if !tally("no extra record", seen[k]) {
			problems = append(problems, fmt.Sprintf("%s/%s r%d: record not in truth", k.path, k.sheet, k.row))
		}
	}

	var names []string
	for c := range count {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		t.Logf("%-16s %d/%d agree", c, count[c][0], count[c][1])
	}
	sort.Strings(problems)
	for i, pr := range problems {
		if i == 60 {
			t.Errorf("… and %d more", len(problems)-i)
			break
		}
		t.Error(pr)
	}
}

// sameValue compares a record value with the truth's (absent in the truth
// means empty).
func sameValue(got, want any, present bool) bool {
	if !present || want == nil {
		switch g := got.(type) {
		case nil:
			return true
		case string:
			return g == ""
		case int:
			return g == 0
		}
		return false
	}
	switch w := want.(type) {
	case float64:
		g, ok := got.(int)
		return ok && math.Abs(float64(g)-w) < 1e-9
	case string:
		g, ok := got.(string)
		return ok && g == w
	}
	return false
}

func setEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
