package aggregate

import (
	"slices"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// Measures of SPEC §8 (figures.parquet). Each is given at one level only.
const (
	// Per hamlet (cluster, commune_code, hamlet).
	RepsPlanned    = "reps_planned"    // the household quota
	RepsRegistered = "reps_registered" // valid current M2 rows
	RepsEligible   = "reps_eligible"   // distinct eligible households among them
	RepsCounted    = "reps_counted"    // eligible households, capped at the quota
	HeadsPresent   = "heads_present"   // valid current M3 hamlet heads, capped at the quota
	// Per commune (cluster, commune_code).
	DelegatesPlanned = "delegates_planned" // the commune delegates quota
	DelegatesPresent = "delegates_present" // valid current M3 Ban giảm nghèo + Hội đoàn thể rows
	// Per cluster (cluster).
	DistrictTeam       = "district_team"       // the district working group quota
	AttendancePlanned  = "attendance_planned"  // the plan's figure
	AttendanceExpected = "attendance_expected" // district_team + delegates_present + heads_present + reps_counted
	// Per cluster and topic (cluster, topic); every plan topic, zeros included.
	Opinions     = "opinions"      // valid current M4 rows
	OpinionsLate = "opinions_late" // of which from a late file
)

// Extra measures, beyond SPEC §8. Each is given at one level only, so that
// summing a measure over the table never counts a row twice.
const (
	// Per hamlet.
	HeadsPlanned   = "heads_planned"   // the hamlet heads quota
	RepsIneligible = "reps_ineligible" // valid current M2 rows not eligible
	RepsOverQuota  = "reps_over_quota" // distinct eligible households beyond the quota
	// Per commune.
	CommuneOpinions      = "commune_opinions"      // valid current M4 rows of the commune
	CommuneOpinionsLate  = "commune_opinions_late" // of which from a late file
	DuplicateGroups      = "duplicate_groups"      // household groups with 2+ valid current rows, one at least of the commune
	BorderlinePairs      = "borderline_pairs"      // candidate pairs left for a person, one side at least of the commune
	SubmissionsAccepted  = "submissions_accepted"  // files accepted (replaced ones included)
	SubmissionsRejected  = "submissions_rejected"  // files rejected
	SubmissionsDuplicate = "submissions_duplicate" // the same bytes sent again
	FormsMissing         = "forms_missing"         // expected forms (KH, M1..M4, M5 for the host) not received
	FormsLate            = "forms_late"            // forms whose first file came after the deadline
	FormsOverdue         = "forms_overdue"         // forms missing although their deadline day has passed
	// District level (no cluster, no commune).
	SubmissionsUnknownCommune = "submissions_unknown_commune" // files of no plan commune (unknown or conflicting)
	// Per cluster, only when the host's valid current M5 row exists.
	ResultsDistrictTeam     = "results_district_team"
	ResultsCommuneDelegates = "results_commune_delegates"
	ResultsHamletHeads      = "results_hamlet_heads"
	ResultsHouseholdReps    = "results_household_reps"
	ResultsOpinions         = "results_opinions"
	ResultsAnswered         = "results_answered"
	ResultsForwarded        = "results_forwarded"
)

// SpecMeasures lists the measures of SPEC §8.
var SpecMeasures = []string{
	RepsPlanned, RepsRegistered, RepsEligible, RepsCounted, HeadsPresent,
	DelegatesPlanned, DelegatesPresent,
	DistrictTeam, AttendancePlanned, AttendanceExpected,
	Opinions, OpinionsLate,
}

type hamletKey struct{ commune, hamlet string }

type topicKey struct {
	cluster int
	topic   string
}

// tally holds the counts figures are made of.
type tally struct {
	registered, ineligible map[hamletKey]int
	heads                  map[hamletKey]int
	delegates              map[string]int
	opinions, late         map[topicKey]int
	communeOps, communeLt  map[string]int
	groups, borderline     map[string]int
	subs                   map[string]map[record.Status]int
	unknownCommune         int
	results                map[int]*record.Result
	// extraHamlets are hamlet names of counted rows that the plan does not
	// list for their commune (should the validator ever let one through),
	// in order of first appearance: their figures are kept, not dropped.
	extraHamlets map[string][]string
}

// noteHamlet remembers a counted row's hamlet when the plan lacks it.
func (t *tally) noteHamlet(p *plan.Plan, commune, hamlet string) {
	c := p.Commune(commune)
	if c == nil || hamlet == "" || slices.Contains(c.Hamlets, hamlet) || slices.Contains(t.extraHamlets[commune], hamlet) {
		return
	}
	t.extraHamlets[commune] = append(t.extraHamlets[commune], hamlet)
}

func count(p *plan.Plan, ds *Input, sc record.Scope, members map[rowKey]bool) *tally {
	t := &tally{
		registered: map[hamletKey]int{}, ineligible: map[hamletKey]int{},
		heads: map[hamletKey]int{}, delegates: map[string]int{},
		opinions: map[topicKey]int{}, late: map[topicKey]int{}, communeOps: map[string]int{}, communeLt: map[string]int{},
		groups: map[string]int{}, borderline: map[string]int{}, subs: map[string]map[record.Status]int{},
		results: map[int]*record.Result{}, extraHamlets: map[string][]string{},
	}
	for i := range ds.Registrations {
		r := &ds.Registrations[i]
		if !sc.Counts(r.Source, r.State) {
			continue
		}
		k := hamletKey{r.CommuneCode, r.Hamlet}
		t.noteHamlet(p, r.CommuneCode, r.Hamlet)
		t.registered[k]++
		if !r.Eligible {
			t.ineligible[k]++
		}
	}
	for i := range ds.Delegates {
		d := &ds.Delegates[i]
		if !sc.Counts(d.Source, d.State) {
			continue
		}
		switch d.Component {
		case schemas.ComponentHamletHead:
			t.noteHamlet(p, d.CommuneCode, d.Hamlet)
			t.heads[hamletKey{d.CommuneCode, d.Hamlet}]++
		case schemas.ComponentPovertyBoard, schemas.ComponentUnions:
			t.delegates[d.CommuneCode]++
		}
	}
	for i := range ds.Opinions {
		o := &ds.Opinions[i]
		if !sc.Counts(o.Source, o.State) {
			continue
		}
		cl, _ := p.RowCluster(o.Cluster, o.CommuneCode)
		k := topicKey{cl, o.Topic}
		t.opinions[k]++
		t.communeOps[o.CommuneCode]++
		if o.Late {
			t.late[k]++
			t.communeLt[o.CommuneCode]++
		}
	}
	for i := range ds.Results {
		r := &ds.Results[i]
		if !sc.Counts(r.Source, r.State) {
			continue
		}
		cl, ok := p.RowCluster(r.Cluster, r.CommuneCode)
		if !ok {
			continue
		}
		// The latest row received wins.
		if prev := t.results[cl]; prev == nil || r.Seq >= prev.Seq {
			t.results[cl] = r
		}
	}
	countGroups(ds, members, t)
	for _, o := range ds.Submissions {
		if o.CommuneCode == "" || p.Commune(o.CommuneCode) == nil {
			t.unknownCommune++
			continue
		}
		if t.subs[o.CommuneCode] == nil {
			t.subs[o.CommuneCode] = map[record.Status]int{}
		}
		t.subs[o.CommuneCode][o.Status]++
	}
	return t
}

// countGroups counts, per commune, the household groups with two or more
// valid current rows (current: memberStates) and the borderline pairs
// touching it.
func countGroups(ds *Input, current map[rowKey]bool, t *tally) {
	for _, g := range ds.Groups {
		n := 0
		communes := map[string]bool{}
		for _, m := range g.Members {
			if cur, known := current[keyOf(m)]; known && !cur {
				continue
			}
			n++
			communes[m.CommuneCode] = true
		}
		if n < 2 {
			continue
		}
		for c := range communes {
			t.groups[c]++
		}
	}
	for _, b := range ds.Borderline {
		t.borderline[b.A.CommuneCode]++
		if b.B.CommuneCode != b.A.CommuneCode {
			t.borderline[b.B.CommuneCode]++
		}
	}
}

// figures computes every figure, in plan order: for each cluster, each
// commune's hamlets then the commune, then the cluster, then its topics;
// the district-level figures come last. Every hamlet, commune, cluster and
// topic of the plan has its figures, zeros included. The reps_eligible,
// reps_counted and reps_over_quota figures come from the quota's ranks q,
// the forms_* figures from the timeliness table tl.
func figures(p *plan.Plan, ds *Input, sc record.Scope, q *ranks, tl []record.Timeliness, now time.Time, members map[rowKey]bool) []record.Figure {
	t := count(p, ds, sc, members)
	period := p.DialoguePeriod()
	quotas := p.Quotas
	var out []record.Figure
	add := func(cluster int, commune, hamlet, topic, measure string, v int) {
		out = append(out, record.Figure{Period: period, Cluster: cluster, CommuneCode: commune, Hamlet: hamlet, Topic: topic, Measure: measure, Value: float64(v)})
	}
	for ci := range p.Clusters {
		cl := &p.Clusters[ci]
		var delegates, heads, counted int
		for mi := range cl.Communes {
			c := &cl.Communes[mi]
			for _, h := range slices.Concat(c.Hamlets, t.extraHamlets[c.Code]) {
				k := hamletKey{c.Code, h}
				cnt := q.counted(k)
				hp := min(t.heads[k], quotas.HamletHeads)
				add(cl.ID, c.Code, h, "", RepsPlanned, quotas.HouseholdReps)
				add(cl.ID, c.Code, h, "", RepsRegistered, t.registered[k])
				add(cl.ID, c.Code, h, "", RepsEligible, q.households[k])
				add(cl.ID, c.Code, h, "", RepsCounted, cnt)
				add(cl.ID, c.Code, h, "", HeadsPresent, hp)
				add(cl.ID, c.Code, h, "", HeadsPlanned, quotas.HamletHeads)
				add(cl.ID, c.Code, h, "", RepsIneligible, t.ineligible[k])
				add(cl.ID, c.Code, h, "", RepsOverQuota, q.beyond(k))
				heads += hp
				counted += cnt
			}
			delegates += t.delegates[c.Code]
			add(cl.ID, c.Code, "", "", DelegatesPlanned, quotas.CommuneDelegates)
			add(cl.ID, c.Code, "", "", DelegatesPresent, t.delegates[c.Code])
			add(cl.ID, c.Code, "", "", CommuneOpinions, t.communeOps[c.Code])
			add(cl.ID, c.Code, "", "", CommuneOpinionsLate, t.communeLt[c.Code])
			add(cl.ID, c.Code, "", "", DuplicateGroups, t.groups[c.Code])
			add(cl.ID, c.Code, "", "", BorderlinePairs, t.borderline[c.Code])
			subs := t.subs[c.Code]
			add(cl.ID, c.Code, "", "", SubmissionsAccepted, subs[record.StatusAccepted])
			add(cl.ID, c.Code, "", "", SubmissionsRejected, subs[record.StatusRejected])
			add(cl.ID, c.Code, "", "", SubmissionsDuplicate, subs[record.StatusDuplicate])
			var missing, late, overdue int
			for _, row := range tl {
				if row.CommuneCode != c.Code {
					continue
				}
				if row.ReceivedAt.IsZero() {
					missing++
				}
				if row.OnTime != nil && !*row.OnTime {
					late++
				}
				if Overdue(p, row, now) {
					overdue++
				}
			}
			add(cl.ID, c.Code, "", "", FormsMissing, missing)
			add(cl.ID, c.Code, "", "", FormsLate, late)
			add(cl.ID, c.Code, "", "", FormsOverdue, overdue)
		}
		add(cl.ID, "", "", "", DistrictTeam, quotas.DistrictTeam)
		add(cl.ID, "", "", "", AttendancePlanned, cl.PlannedAttendance)
		add(cl.ID, "", "", "", AttendanceExpected, quotas.DistrictTeam+delegates+heads+counted)
		if r := t.results[cl.ID]; r != nil {
			add(cl.ID, "", "", "", ResultsDistrictTeam, r.DistrictTeam)
			add(cl.ID, "", "", "", ResultsCommuneDelegates, r.CommuneDelegates)
			add(cl.ID, "", "", "", ResultsHamletHeads, r.HamletHeads)
			add(cl.ID, "", "", "", ResultsHouseholdReps, r.HouseholdReps)
			add(cl.ID, "", "", "", ResultsOpinions, r.Opinions)
			add(cl.ID, "", "", "", ResultsAnswered, r.Answered)
			add(cl.ID, "", "", "", ResultsForwarded, r.Forwarded)
		}
		seenTopic := map[string]bool{}
		for _, tp := range p.Topics {
			if seenTopic[tp.Name] {
				continue
			}
			seenTopic[tp.Name] = true
			k := topicKey{cl.ID, tp.Name}
			add(cl.ID, "", "", tp.Name, Opinions, t.opinions[k])
			add(cl.ID, "", "", tp.Name, OpinionsLate, t.late[k])
		}
	}
	add(0, "", "", "", SubmissionsUnknownCommune, t.unknownCommune)
	return out
}
