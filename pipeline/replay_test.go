package pipeline_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/schemas"
)

// replaySet replays a sample set batch by batch, as the communes sent it,
// and returns the dataset after the last batch.
func replaySet(t *testing.T, set *truth.Set) (*record.Dataset, string) {
	t.Helper()
	p, err := plan.Load(set.PlanPath())
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	work := t.TempDir()
	inbox, outbox, state := filepath.Join(work, "inbox"), filepath.Join(work, "outbox"), filepath.Join(work, "state")
	var sum *pipeline.Summary
	for _, b := range set.Batches {
		if err := set.CopyBatch(b.Batch, inbox); err != nil {
			t.Fatalf("batch %d: %v", b.Batch, err)
		}
		sum, err = pipeline.Run(context.Background(), pipeline.Config{
			Plan: p, Inbox: inbox, Outbox: outbox, State: state, Clock: clock.Fixed(b.At), Settle: 0, Kind: pipeline.KindFull,
		})
		if err != nil {
			t.Fatalf("run of batch %d: %v", b.Batch, err)
		}
	}
	return sum.Dataset, outbox
}

type rowKey struct {
	path, sheet string
	row         int
}

// TestSampleSetsReplay replays every sample set under ../shared/samples and
// compares the verdicts on files and rows with its truth.json.
func TestSampleSetsReplay(t *testing.T) {
	shared := truth.SharedDir()
	if shared == "" {
		t.Skip("../shared is absent: no sample sets to replay")
	}
	sets := truth.Sets(shared)
	if len(sets) == 0 {
		t.Skip("no sample sets under ../shared/samples")
	}
	for _, dir := range sets {
		set, err := truth.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ds, _ := replaySet(t, set)
			checkFiles(t, set, ds)
			checkRows(t, set, ds)
		})
	}
}

func checkFiles(t *testing.T, set *truth.Set, ds *record.Dataset) {
	byPath := map[string]record.SubmissionOutcome{}
	for _, o := range ds.Submissions {
		byPath[o.Path] = o
	}
	ok, bad := 0, 0
	for _, f := range set.Files {
		o, seen := byPath[f.Path]
		var problems []string
		switch {
		case f.Expect == "ignored":
			if seen {
				problems = append(problems, "should be ignored, was a submission")
			}
		case !seen:
			problems = append(problems, "not received")
		case strings.HasPrefix(f.Expect, "same_as:"):
			if o.Status != record.StatusDuplicate {
				problems = append(problems, fmt.Sprintf("status %s, want duplicate", o.Status))
			}
		default:
			if string(o.Status) != f.Expect {
				problems = append(problems, fmt.Sprintf("status %s (%s), want %s", o.Status, o.Reason, f.Expect))
			}
			if f.Reason != nil && o.Reason != *f.Reason {
				problems = append(problems, fmt.Sprintf("reason %q, want %q", o.Reason, *f.Reason))
			}
			if f.Form != nil && f.Expect == "accepted" && string(o.Form) != *f.Form {
				problems = append(problems, fmt.Sprintf("form %q, want %q", o.Form, *f.Form))
			}
			if f.CommuneCode != nil && f.Expect == "accepted" && o.CommuneCode != *f.CommuneCode {
				problems = append(problems, fmt.Sprintf("commune %q, want %q", o.CommuneCode, *f.CommuneCode))
			}
			if f.SHA256 != "" && o.ID != f.SHA256 {
				problems = append(problems, "sha256 differs")
			}
		}
		if len(problems) > 0 {
			bad++
			t.Errorf("file %s: %s", f.Path, strings.Join(problems, "; "))
		} else {
			ok++
		}
	}
	t.Logf("files: %d of %d agree with truth", ok, ok+bad)
}

// rowView is what the pipeline says of one row, in the truth's terms.
type rowView struct {
	form                                    string
	valid, superseded, eligible, over, late bool
	invalid                                 []string
	hamlet, topic                           string
	group                                   string
}

func pipelineRows(ds *record.Dataset) map[rowKey]*rowView {
	m := map[rowKey]*rowView{}
	put := func(s record.Source, st record.State, form string) *rowView {
		v := &rowView{form: form, valid: st.Valid, superseded: st.Superseded}
		m[rowKey{s.Path, s.Sheet, s.Row}] = v
		return v
	}
	for _, h := range ds.Households {
		v := put(h.Source, h.State, "M1")
		v.hamlet, v.group = h.Hamlet, h.HouseholdGroup
	}
	for _, r := range ds.Registrations {
		v := put(r.Source, r.State, "M2")
		v.hamlet, v.group, v.eligible, v.over = r.Hamlet, r.HouseholdGroup, r.Eligible, r.OverQuota
	}
	for _, d := range ds.Delegates {
		v := put(d.Source, d.State, "M3")
		v.hamlet = d.Hamlet
	}
	for _, o := range ds.Opinions {
		v := put(o.Source, o.State, "M4")
		v.hamlet, v.topic, v.late = o.Hamlet, o.Topic, o.Late
	}
	for _, r := range ds.Results {
		put(r.Source, r.State, "M5")
	}
	for _, f := range ds.Findings {
		if f.Severity != record.Error || f.Row == 0 {
			continue
		}
		v := m[rowKey{f.Path, f.Sheet, f.Row}]
		if v == nil {
			continue
		}
		title := f.ColumnTitle
		if s := schemas.Get(v.form); s != nil && s.Field(f.Column) != nil {
			title = s.Field(f.Column).Title
		}
		if title != "" && !contains(v.invalid, title) {
			v.invalid = append(v.invalid, title)
		}
	}
	for _, v := range m {
		sort.Strings(v.invalid)
	}
	return m
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func checkRows(t *testing.T, set *truth.Set, ds *record.Dataset) {
	got := pipelineRows(ds)
	agree, total := 0, 0
	seen := map[rowKey]bool{}
	for _, r := range set.Rows {
		total++
		k := rowKey{r.Path, r.Sheet, r.Row}
		seen[k] = true
		v := got[k]
		if v == nil {
			t.Errorf("row %s [%s] r%d: not produced", r.Path, r.Sheet, r.Row)
			continue
		}
		var problems []string
		want := append([]string(nil), r.InvalidColumns...)
		sort.Strings(want)
		if v.valid != r.Valid {
			problems = append(problems, fmt.Sprintf("valid=%v want %v (invalid %v, want %v)", v.valid, r.Valid, v.invalid, want))
		} else if !r.Valid && strings.Join(v.invalid, "|") != strings.Join(want, "|") {
			problems = append(problems, fmt.Sprintf("invalid columns %v, want %v", v.invalid, want))
		}
		if v.superseded != r.Superseded {
			problems = append(problems, fmt.Sprintf("superseded=%v want %v", v.superseded, r.Superseded))
		}
		if r.Eligible != nil && v.eligible != *r.Eligible {
			problems = append(problems, fmt.Sprintf("eligible=%v want %v", v.eligible, *r.Eligible))
		}
		if r.OverQuota != nil && v.over != *r.OverQuota {
			problems = append(problems, fmt.Sprintf("over_quota=%v want %v", v.over, *r.OverQuota))
		}
		if r.Late != nil && v.late != *r.Late {
			problems = append(problems, fmt.Sprintf("late=%v want %v", v.late, *r.Late))
		}
		if r.Hamlet != nil && v.hamlet != *r.Hamlet {
			problems = append(problems, fmt.Sprintf("hamlet %q want %q", v.hamlet, *r.Hamlet))
		}
		if r.Topic != nil && r.Valid && v.topic != *r.Topic {
			problems = append(problems, fmt.Sprintf("topic %q want %q", v.topic, *r.Topic))
		}
		if len(problems) > 0 {
			t.Errorf("row %s [%s] r%d (%s): %s", r.Path, r.Sheet, r.Row, r.Form, strings.Join(problems, "; "))
		} else {
			agree++
		}
	}
	extra := 0
	for k := range got {
		if !seen[k] {
			extra++
			t.Errorf("row %s [%s] r%d: produced but not a data row in truth", k.path, k.sheet, k.row)
		}
	}
	t.Logf("rows: %d of %d agree with truth; %d extra rows", agree, total, extra)
}
