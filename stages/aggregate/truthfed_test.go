package aggregate_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/stages/aggregate"
)

// loadSets returns the sample sets under ../shared, or skips.
func loadSets(t *testing.T) []*truth.Set {
	t.Helper()
	shared := truth.SharedDir()
	if shared == "" {
		t.Skip("../shared is absent: no sample sets to compare with")
	}
	dirs := truth.Sets(shared)
	if len(dirs) == 0 {
		t.Skip("no sample sets under ../shared/samples")
	}
	var out []*truth.Set
	for _, d := range dirs {
		s, err := truth.Load(d)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		out = append(out, s)
	}
	return out
}

func deref[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}

func num(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return 0
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// inputFromTruth builds the input the earlier stages should hand to
// aggregate, straight from the truth: submissions with their receipt order
// and every row with its verdict (valid, superseded, eligible, household).
func inputFromTruth(t *testing.T, set *truth.Set, p *plan.Plan) (aggregate.Input, time.Time) {
	t.Helper()
	at, seq := set.Receipt()
	ds := aggregate.Input{}
	var households record.HouseholdRows
	byPath := map[string]truth.File{}
	supersededBy := map[string]string{}
	for _, f := range set.Files {
		byPath[f.Path] = f
		if f.Supersedes != nil {
			supersededBy[*f.Supersedes] = f.SHA256
		}
	}
	for _, f := range set.Files {
		if f.Expect == "ignored" {
			continue
		}
		status := record.Status(f.Expect)
		if strings.HasPrefix(f.Expect, "same_as:") {
			status = record.StatusDuplicate
		}
		ds.Submissions = append(ds.Submissions, record.SubmissionOutcome{
			Submission:   record.Submission{ID: f.SHA256, Path: f.Path, ReceivedAt: at[f.Path], Seq: seq[f.Path]},
			Form:         record.Form(deref(f.Form)),
			CommuneCode:  deref(f.CommuneCode),
			Status:       status,
			Reason:       deref(f.Reason),
			SupersededBy: supersededBy[f.Path],
		})
	}
	source := func(path, sheet string, row int) record.Source {
		f := byPath[path]
		return record.Source{SubmissionID: f.SHA256, Path: path, Sheet: sheet, Row: row, CommuneCode: deref(f.CommuneCode), ReceivedAt: at[path], Seq: seq[path]}
	}
	for _, r := range set.Rows {
		src := source(r.Path, r.Sheet, r.Row)
		st := record.State{Valid: r.Valid, Superseded: r.Superseded}
		switch r.Form {
		case "M1":
			households = append(households, record.Household{Source: src, State: st, Hamlet: deref(r.Hamlet),
				HouseholdCode: str(r.Values["Mã hộ"]), HeadName: str(r.Values["Họ và tên chủ hộ"]), HouseholdGroup: deref(r.HouseholdID)})
		case "M2":
			ds.Registrations = append(ds.Registrations, record.Registration{Source: src, State: st, Hamlet: deref(r.Hamlet),
				HouseholdCode: str(r.Values["Mã hộ"]), HeadName: str(r.Values["Họ và tên chủ hộ"]), RepName: str(r.Values["Họ và tên người đại diện"]),
				Eligible: deref(r.Eligible), HouseholdGroup: deref(r.HouseholdID)})
		case "M3":
			ds.Delegates = append(ds.Delegates, record.Delegate{Source: src, State: st, Hamlet: deref(r.Hamlet), Component: deref(r.Component)})
		case "M4":
			cl := 0
			if c := p.ClusterOf(src.CommuneCode); c != nil {
				cl = c.ID
			}
			ds.Opinions = append(ds.Opinions, record.Opinion{Source: src, State: st, Hamlet: deref(r.Hamlet), Cluster: cl, Topic: deref(r.Topic), Late: deref(r.Late)})
		case "M5":
			v := r.Values
			ds.Results = append(ds.Results, record.Result{Source: src, State: st, Cluster: deref(r.Cluster),
				DistrictTeam: num(v["Tổ công tác huyện"]), CommuneDelegates: num(v["Cấp xã"]), HamletHeads: num(v["Trưởng khóm/ấp"]),
				HouseholdReps: num(v["Đại diện hộ"]), Opinions: num(v["Số ý kiến"]), Answered: num(v["Số ý kiến trả lời tại buổi"]),
				Forwarded: num(v["Số ý kiến chuyển cơ quan giải quyết"])})
		}
	}
	ds.Households = households
	for _, g := range set.Groups {
		hg := record.HouseholdGroup{ID: g.HouseholdID, Reasons: g.Why, Score: 1}
		for _, m := range g.Rows {
			if len(m) == 3 {
				hg.Members = append(hg.Members, source(str(m[0]), str(m[1]), num(m[2])))
			}
		}
		ds.Groups = append(ds.Groups, hg)
	}
	return ds, sampleds.LastAt(set, 0)
}

// TestTruthFed gives aggregate the truth's own rows and compares its
// over-quota marks, figures and timeliness with the truth. It checks this
// stage alone, whatever the state of the stages before it.
func TestTruthFed(t *testing.T) {
	for _, set := range loadSets(t) {
		t.Run(set.Set, func(t *testing.T) {
			p, err := plan.Load(set.PlanPath())
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			in, now := inputFromTruth(t, set, p)
			res, err := aggregate.Aggregate(context.Background(), p, in, now)
			if err != nil {
				t.Fatal(err)
			}
			out := outcomeOfResult(in, res)
			compareOverQuota(t, set, out, true)
			compareFigures(t, set, out)
			compareTimeliness(t, set, out, p)
			compareResults(t, set, out)
			// Over-quota findings name the hamlet and the household's rank.
			n := 0
			for _, f := range res.Findings {
				if f.Code == aggregate.CodeOverQuota {
					n++
					if f.Severity != record.Warning || f.Row == 0 || !strings.Contains(f.Message, "hộ thứ") || !strings.Contains(f.Message, f.Value) {
						t.Errorf("over-quota finding %+v", f)
					}
				}
			}
			t.Logf("over-quota findings: %d", n)
		})
	}
}

// outcome is what the comparisons with the truth read: the registrations
// with their over-quota marks (parallel), the figures and the timeliness
// table, from aggregate's Result or from the pipeline's dataset.
type outcome struct {
	regs       []record.Registration
	overQuota  []bool
	figures    []record.Figure
	timeliness []record.Timeliness
}

func outcomeOfResult(in aggregate.Input, res aggregate.Result) outcome {
	return outcome{in.Registrations, res.OverQuota, res.Figures, res.Timeliness}
}

func outcomeOfDataset(ds *record.Dataset) outcome {
	over := make([]bool, len(ds.Registrations))
	for i := range ds.Registrations {
		over[i] = ds.Registrations[i].OverQuota
	}
	return outcome{ds.Registrations, over, ds.Figures, ds.Timeliness}
}

// compareOverQuota compares the over_quota marks of M2 rows; strict fails on
// a difference, otherwise differences are only logged (a replay's
// eligibility comes from earlier stages).
func compareOverQuota(t *testing.T, set *truth.Set, ds outcome, strict bool) {
	t.Helper()
	type rk struct {
		path, sheet string
		row         int
	}
	type regOver struct {
		*record.Registration
		OverQuota bool
	}
	got := map[rk]*regOver{}
	for i := range ds.regs {
		r := &ds.regs[i]
		got[rk{r.Path, r.Sheet, r.Row}] = &regOver{r, ds.overQuota[i]}
	}
	agree, total := 0, 0
	for _, r := range set.Rows {
		if r.Form != "M2" || r.OverQuota == nil {
			continue
		}
		total++
		g := got[rk{r.Path, r.Sheet, r.Row}]
		switch {
		case g == nil:
			t.Logf("over_quota: %s [%s] r%d not produced", r.Path, r.Sheet, r.Row)
		case g.OverQuota != *r.OverQuota:
			msg := fmt.Sprintf("over_quota: %s [%s] r%d = %v, truth %v (eligible %v, truth %v)", r.Path, r.Sheet, r.Row, g.OverQuota, *r.OverQuota, g.Eligible, deref(r.Eligible))
			if strict {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		default:
			agree++
		}
	}
	t.Logf("over_quota: %d of %d M2 rows agree with truth", agree, total)
}

// figKey identifies a figure as truth.json does.
type figKey struct {
	cluster                         int
	commune, hamlet, topic, measure string
}

func (k figKey) String() string {
	var parts []string
	if k.cluster != 0 {
		parts = append(parts, fmt.Sprintf("cụm %d", k.cluster))
	}
	for _, s := range []string{k.commune, k.hamlet, k.topic} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return k.measure + " [" + strings.Join(parts, " / ") + "]"
}

// compareFigures compares every SPEC-measure figure with the truth, both
// ways (missing and extra), and the period.
func compareFigures(t *testing.T, set *truth.Set, ds outcome) {
	t.Helper()
	spec := map[string]bool{}
	for _, m := range aggregate.SpecMeasures {
		spec[m] = true
	}
	want := map[figKey]float64{}
	for _, f := range set.Aggregates.Figures {
		if f.Period != set.Aggregates.Period {
			t.Errorf("truth figure of another period: %+v", f)
		}
		want[figKey{deref(f.Cluster), deref(f.CommuneCode), deref(f.Hamlet), deref(f.Topic), f.Measure}] = f.Value
	}
	got := map[figKey]float64{}
	for _, f := range ds.figures {
		if f.Period != set.Aggregates.Period {
			t.Errorf("figure period %q, truth %q", f.Period, set.Aggregates.Period)
			break
		}
		if !spec[f.Measure] {
			continue
		}
		k := figKey{f.Cluster, f.CommuneCode, f.Hamlet, f.Topic, f.Measure}
		if _, dup := got[k]; dup {
			t.Errorf("figure %s given twice", k)
		}
		got[k] = f.Value
	}
	var problems []string
	agree := 0
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("missing %s (truth %g)", k, w))
		case math.Abs(g-w) > 1e-9:
			problems = append(problems, fmt.Sprintf("%s = %g, truth %g", k, g, w))
		default:
			agree++
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			problems = append(problems, fmt.Sprintf("extra %s = %g", k, g))
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error("figure " + p)
	}
	t.Logf("figures: %d of %d SPEC figures agree with truth; %d problems", agree, len(want), len(problems))
}

// compareTimeliness compares the timeliness table with the truth's.
func compareTimeliness(t *testing.T, set *truth.Set, ds outcome, p *plan.Plan) {
	t.Helper()
	type tk struct{ commune, form string }
	got := map[tk]record.Timeliness{}
	for _, tl := range ds.timeliness {
		got[tk{tl.CommuneCode, string(tl.Form)}] = tl
	}
	agree := 0
	for _, w := range set.Aggregates.Timeliness {
		k := tk{str(w["commune_code"]), str(w["form"])}
		g, ok := got[k]
		delete(got, k)
		if !ok {
			t.Errorf("timeliness %s %s: missing", k.commune, k.form)
			continue
		}
		var problems []string
		if ws := str(w["received_at"]); ws == "" {
			if !g.ReceivedAt.IsZero() {
				problems = append(problems, fmt.Sprintf("received %s, truth missing", g.ReceivedAt))
			}
		} else if wt, err := time.Parse(time.RFC3339, ws); err != nil || !wt.Equal(g.ReceivedAt) {
			problems = append(problems, fmt.Sprintf("received %s, truth %s", g.ReceivedAt, ws))
		}
		if g.Path != str(w["path"]) {
			problems = append(problems, fmt.Sprintf("path %q, truth %q", g.Path, str(w["path"])))
		}
		gd := ""
		if !g.Deadline.IsZero() {
			gd = g.Deadline.In(p.Location()).Format("2006-01-02")
		}
		if gd != str(w["deadline"]) {
			problems = append(problems, fmt.Sprintf("deadline %q, truth %q", gd, str(w["deadline"])))
		}
		gOn, wOn := "nil", "nil"
		if g.OnTime != nil {
			gOn = fmt.Sprint(*g.OnTime)
		}
		if b, ok := w["on_time"].(bool); ok {
			wOn = fmt.Sprint(b)
		}
		if gOn != wOn {
			problems = append(problems, fmt.Sprintf("on_time %s, truth %s", gOn, wOn))
		}
		if len(problems) > 0 {
			t.Errorf("timeliness %s %s: %s", k.commune, k.form, strings.Join(problems, "; "))
		} else {
			agree++
		}
	}
	for k := range got {
		t.Errorf("timeliness %s %s: not in truth", k.commune, k.form)
	}
	t.Logf("timeliness: %d of %d rows agree with truth", agree, len(set.Aggregates.Timeliness))
}

// compareResults checks the results_* figures against the truth's valid,
// current M5 rows (an invalid row gives no figures).
func compareResults(t *testing.T, set *truth.Set, ds outcome) {
	t.Helper()
	ix := aggregate.NewIndex(ds.figures)
	cols := map[string]string{
		aggregate.ResultsDistrictTeam: "Tổ công tác huyện", aggregate.ResultsCommuneDelegates: "Cấp xã",
		aggregate.ResultsHamletHeads: "Trưởng khóm/ấp", aggregate.ResultsHouseholdReps: "Đại diện hộ",
		aggregate.ResultsOpinions: "Số ý kiến", aggregate.ResultsAnswered: "Số ý kiến trả lời tại buổi",
		aggregate.ResultsForwarded: "Số ý kiến chuyển cơ quan giải quyết",
	}
	agree, total := 0, 0
	for _, r := range set.Aggregates.Results {
		cl := num(r["cluster"])
		valid, _ := r["valid"].(bool)
		superseded, _ := r["superseded"].(bool)
		for m, col := range cols {
			total++
			v, ok := ix.Lookup(m, cl, "", "", "")
			switch {
			case !valid || superseded:
				if ok {
					t.Errorf("cluster %d: %s given from an invalid or replaced M5 row", cl, m)
					continue
				}
			case !ok || int(v) != num(r[col]):
				t.Errorf("cluster %d: %s = %v (%v), truth %d", cl, m, v, ok, num(r[col]))
				continue
			}
			agree++
		}
	}
	t.Logf("results: %d of %d agree with truth", agree, total)
}
