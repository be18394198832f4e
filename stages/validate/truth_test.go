// The truth test reads every accepted file of the sample sets with the
// read stage, validates them and compares each row with truth.json.

package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/stages/read"
)

type truthSet struct {
	Batches []struct {
		Batch int      `json:"batch"`
		At    string   `json:"at"`
		Files []string `json:"files"`
	} `json:"batches"`
	Files []struct {
		Path        string  `json:"path"`
		Batch       int     `json:"batch"`
		CommuneCode *string `json:"commune_code"`
		Form        *string `json:"form"`
		Expect      string  `json:"expect"`
		Supersedes  *string `json:"supersedes"`
		SHA256      string  `json:"sha256"`
		Size        int64   `json:"size"`
	} `json:"files"`
	Rows []truthRow `json:"rows"`
}

type truthRow struct {
	Path           string         `json:"path"`
	Sheet          string         `json:"sheet"`
	Row            int            `json:"row"`
	Form           string         `json:"form"`
	Valid          bool           `json:"valid"`
	InvalidColumns []string       `json:"invalid_columns"`
	Warnings       []string       `json:"warnings"`
	Superseded     bool           `json:"superseded"`
	Late           *bool          `json:"late"`
	Topic          *string        `json:"topic"`
	Component      *string        `json:"component"`
	Cluster        *int           `json:"cluster"`
	Hamlet         *string        `json:"hamlet"`
	Values         map[string]any `json:"values"`
}

// repoRoot walks up from the working directory to go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// ownWarnings are the truth warnings this stage gives, as finding codes.
var ownWarnings = map[string]string{
	"id_leading_zero_restored": CodeIDZeroRestored,
	"duplicate_household_code": CodeDuplicateCode,
}

func TestTruth2022(t *testing.T) {
	set := filepath.Join(repoRoot(t), "..", "shared", "samples", "2022")
	raw, err := os.ReadFile(filepath.Join(set, "truth.json"))
	if err != nil {
		t.Skipf("sample set not available (%v): ../shared beside the repository is needed", err)
	}
	var truth truthSet
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	p, err := plan.Load(filepath.Join(set, "plan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	batchAt := map[int]time.Time{}
	seq := map[string]int64{}
	n := int64(0)
	for _, b := range truth.Batches {
		at, err := time.Parse(time.RFC3339, b.At)
		if err != nil {
			t.Fatal(err)
		}
		batchAt[b.Batch] = at
		for _, f := range b.Files {
			n++
			seq[f] = n
		}
	}

	ctx := context.Background()
	var wbs []record.Workbook
	for _, f := range truth.Files {
		if f.Expect != "accepted" {
			continue
		}
		hint := ""
		if i := strings.IndexByte(f.Path, '/'); i >= 0 {
			hint = f.Path[:i]
		}
		sub := record.Submission{
			ID: f.SHA256, Path: f.Path, Size: f.Size, ReceivedAt: batchAt[f.Batch],
			ArchivePath: filepath.Join(set, "inbox", filepath.FromSlash(f.Path)),
			FolderHint:  hint, Seq: seq[f.Path],
		}
		wb := readWorkbook(ctx, t, p, sub)
		if wb.Status != record.StatusAccepted {
			t.Errorf("%s: reader says %s (%s)", f.Path, wb.Status, wb.Reason)
		}
		wbs = append(wbs, wb)
	}
	sort.SliceStable(wbs, func(i, j int) bool { return wbs[i].Submission.Seq < wbs[j].Submission.Seq })
	ds, err := Validate(ctx, p, wbs)
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
		case f.Row == 0 && f.Code == CodeMissingLabel && f.Column != "":
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

// readWorkbook reads one submission with the read stage.
func readWorkbook(ctx context.Context, t *testing.T, p *plan.Plan, sub record.Submission) record.Workbook {
	t.Helper()
	wb, err := (&read.Reader{Plan: p}).Read(ctx, sub)
	if err != nil {
		t.Fatalf("%s: %v", sub.Path, err)
	}
	return wb
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
