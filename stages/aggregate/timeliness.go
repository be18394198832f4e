package aggregate

import (
	"sort"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
)

// FormsOf lists the forms a commune is expected to send, in report order:
// KH and M1..M4 for every commune, M5 only for its cluster's host.
func FormsOf(p *plan.Plan, c *plan.Commune) []record.Form {
	var out []record.Form
	for _, f := range record.Forms {
		if f == record.FormM5 {
			cl := p.Cluster(c.Cluster)
			if cl == nil || cl.Host != c.Code {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// timeliness makes one row per plan commune and expected form: the first
// accepted submission (a later replacement does not change it), its
// deadline and whether it came on or before the deadline day (the plan's
// rule, plan.Plan.LateForm).
func timeliness(p *plan.Plan, subs []record.SubmissionOutcome) []record.Timeliness {
	type key struct {
		commune string
		form    record.Form
	}
	var accepted []*record.SubmissionOutcome
	for i := range subs {
		if o := &subs[i]; o.Status == record.StatusAccepted && o.CommuneCode != "" && o.Form != record.FormNone {
			accepted = append(accepted, o)
		}
	}
	sort.SliceStable(accepted, func(a, b int) bool {
		if accepted[a].Seq != accepted[b].Seq {
			return accepted[a].Seq < accepted[b].Seq
		}
		return accepted[a].Path < accepted[b].Path
	})
	first := map[key]*record.SubmissionOutcome{}
	for _, o := range accepted {
		k := key{o.CommuneCode, o.Form}
		if _, ok := first[k]; !ok {
			first[k] = o
		}
	}
	var out []record.Timeliness
	for _, c := range p.Communes() {
		for _, f := range FormsOf(p, c) {
			t := record.Timeliness{CommuneCode: c.Code, Form: f}
			if d, ok := p.Deadline(c, f); ok {
				t.Deadline = d
			}
			if o := first[key{c.Code, f}]; o != nil {
				t.ReceivedAt, t.Path, t.SubmissionID = o.ReceivedAt, o.Path, o.ID
				if late, _, judged := p.LateForm(c, f, o.ReceivedAt); judged {
					onTime := !late
					t.OnTime = &onTime
				}
			}
			out = append(out, t)
		}
	}
	return out
}

// TimelinessOf returns the dataset's timeliness row of a commune's form.
func TimelinessOf(ds *record.Dataset, commune string, form record.Form) (record.Timeliness, bool) {
	return timelinessIn(ds.Timeliness, commune, form)
}

func timelinessIn(rows []record.Timeliness, commune string, form record.Form) (record.Timeliness, bool) {
	for _, t := range rows {
		if t.CommuneCode == commune && t.Form == form {
			return t, true
		}
	}
	return record.Timeliness{}, false
}

// Overdue reports whether a form is missing although its deadline day has
// passed at now (plan.Plan.Overdue of its timeliness row).
func Overdue(p *plan.Plan, t record.Timeliness, now time.Time) bool {
	return p.Overdue(t.ReceivedAt, t.Deadline, now)
}
