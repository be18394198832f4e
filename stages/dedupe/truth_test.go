package dedupe_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/stages/dedupe"
)

// place of a row: path, sheet, row.
type place3 struct {
	path, sheet string
	row         int
}

func (p place3) String() string { return fmt.Sprintf("%s|%s|r%d", p.path, p.sheet, p.row) }

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprint(v)
}

func year(v any) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return 0
}

// inputFromTruth builds M1/M2 records straight from truth.json's expected
// values, so that matching is judged apart from reading and validation.
func inputFromTruth(ts *truth.Set) dedupe.Input {
	at, seq := ts.Receipt()
	sha := map[string]string{}
	for _, f := range ts.Files {
		sha[f.Path] = f.SHA256
	}
	var ds dedupe.Input
	for _, r := range ts.Rows {
		src := record.Source{SubmissionID: sha[r.Path], Path: r.Path, Sheet: r.Sheet, Row: r.Row,
			CommuneCode: r.CommuneCode, ReceivedAt: at[r.Path], Seq: seq[r.Path]}
		st := record.State{Valid: r.Valid, Superseded: r.Superseded}
		v := r.Values
		hamlet := ""
		if r.Hamlet != nil {
			hamlet = *r.Hamlet
		}
		switch r.Form {
		case "M1":
			ds.Households = append(ds.Households, record.Household{Source: src, State: st,
				HouseholdCode: str(v["Mã hộ"]), HeadName: str(v["Họ và tên chủ hộ"]), BirthYear: year(v["Năm sinh"]),
				CitizenID: str(v["Số CCCD/CMND"]), Hamlet: hamlet})
		case "M2":
			ds.Registrations = append(ds.Registrations, record.Registration{Source: src, State: st,
				RepName: str(v["Họ và tên người đại diện"]), BirthYear: year(v["Năm sinh"]), CitizenID: str(v["Số CCCD/CMND"]),
				Relation: str(v["Quan hệ với chủ hộ"]), HeadName: str(v["Họ và tên chủ hộ"]),
				HouseholdCode: str(v["Mã hộ"]), Hamlet: hamlet})
		}
	}
	return ds
}

// checkAgainstTruth compares what Resolve decided of an input with
// truth.json and returns a summary line; failures are reported through t.
func checkAgainstTruth(t *testing.T, in dedupe.Input, res dedupe.Result, ts *truth.Set) string {
	t.Helper()
	groupOf := map[place3]string{}
	eligible := map[place3]bool{}
	for i, h := range in.Households {
		groupOf[place3{h.Path, h.Sheet, h.Row}] = res.OfHousehold(i).Group
	}
	for i, g := range in.Registrations {
		groupOf[place3{g.Path, g.Sheet, g.Row}] = res.OfRegistration(i).Group
		eligible[place3{g.Path, g.Sheet, g.Row}] = res.Eligible[i]
	}
	dupFinding := map[place3]bool{}
	for _, f := range res.Findings {
		if f.Code == dedupe.CodeDuplicateRegistration {
			dupFinding[place3{f.Path, f.Sheet, f.Row}] = true
		}
	}

	// Duplicate groups: all rows in one group.
	dupOK := 0
	for _, dg := range ts.Groups {
		ids := map[string]bool{}
		var where []string
		for _, r := range dg.Rows {
			p := place3{str(r[0]), str(r[1]), year(r[2])}
			g, ok := groupOf[p]
			if !ok {
				t.Errorf("duplicate group %s: row %v not in dataset", dg.HouseholdID, p)
			}
			ids[g] = true
			where = append(where, fmt.Sprintf("%v=%s", p, g))
		}
		if len(ids) == 1 && !ids[""] {
			dupOK++
		} else {
			t.Errorf("duplicate group %s %v split: %s", dg.HouseholdID, dg.Why, strings.Join(where, "; "))
		}
	}

	// Homonyms: never in one group.
	rowsOf := map[string][]place3{}
	for _, r := range ts.Rows {
		if r.HouseholdID != nil && (r.Form == "M1" || r.Form == "M2") && r.Valid && !r.Superseded {
			rowsOf[*r.HouseholdID] = append(rowsOf[*r.HouseholdID], place3{r.Path, r.Sheet, r.Row})
		}
	}
	homOK := 0
	for _, h := range ts.Homonyms {
		merged := false
		for _, a := range rowsOf[h[0]] {
			for _, b := range rowsOf[h[1]] {
				if groupOf[a] != "" && groupOf[a] == groupOf[b] {
					merged = true
				}
			}
		}
		if merged {
			t.Errorf("homonyms %s and %s merged", h[0], h[1])
		} else {
			homOK++
		}
	}

	// Pairwise precision and recall over valid current rows.
	var places []place3
	truthID := map[place3]string{}
	for hid, ps := range rowsOf {
		for _, p := range ps {
			places = append(places, p)
			truthID[p] = hid
		}
	}
	sort.Slice(places, func(i, j int) bool { return places[i].String() < places[j].String() })
	tp, fp, fn := 0, 0, 0
	for i := range places {
		for j := i + 1; j < len(places); j++ {
			a, b := places[i], places[j]
			same := truthID[a] == truthID[b]
			got := groupOf[a] != "" && groupOf[a] == groupOf[b]
			switch {
			case same && got:
				tp++
			case got:
				fp++
				t.Errorf("false merge: %v and %v (%s)", a, b, groupOf[a])
			case same:
				fn++
				t.Errorf("missed match: %v (%s) and %v (%s)", a, groupOf[a], b, groupOf[b])
			}
		}
	}

	// Eligibility and duplicate-registration warnings of valid current rows.
	eligOK, eligN, dupWarnOK, dupWarnN := 0, 0, 0, 0
	otherElig, otherN := 0, 0
	for _, r := range ts.Rows {
		if r.Form != "M2" || r.Eligible == nil {
			continue
		}
		p := place3{r.Path, r.Sheet, r.Row}
		if !r.Valid || r.Superseded {
			otherN++
			if eligible[p] == *r.Eligible {
				otherElig++
			} else {
				t.Logf("eligibility of invalid/superseded row %v: got %v, truth %v", p, eligible[p], *r.Eligible)
			}
			continue
		}
		eligN++
		if eligible[p] == *r.Eligible {
			eligOK++
		} else {
			t.Errorf("eligibility of %v: got %v, truth %v", p, eligible[p], *r.Eligible)
		}
	}
	for _, r := range ts.Rows {
		if r.Form != "M2" || !r.Valid {
			continue
		}
		p := place3{r.Path, r.Sheet, r.Row}
		want := false
		for _, w := range r.Warnings {
			want = want || w == "duplicate_registration"
		}
		dupWarnN++
		if want == dupFinding[p] {
			dupWarnOK++
		} else {
			t.Errorf("duplicate-registration warning of %v: got %v, truth %v", p, dupFinding[p], want)
		}
	}
	prec, rec := ratio(tp, tp+fp), ratio(tp, tp+fn)
	return fmt.Sprintf("duplicate groups %d/%d together, homonyms %d/%d apart, pairs precision %.4f recall %.4f (tp %d fp %d fn %d), "+
		"eligibility %d/%d (invalid/superseded rows %d/%d), duplicate-registration warnings %d/%d rows agree, %d groups, %d borderline",
		dupOK, len(ts.Groups), homOK, len(ts.Homonyms), prec, rec, tp, fp, fn, eligOK, eligN, otherElig, otherN,
		dupWarnOK, dupWarnN, len(res.Groups), len(res.Borderline))
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// TestTruthValues resolves the sample set's expected M1/M2 values (as
// validation should produce them) and compares with the truth.
func TestTruthValues(t *testing.T) {
	ts, _ := sampleds.Open(t, "2022")
	in := inputFromTruth(ts)
	res, err := dedupe.Resolve(context.Background(), in, dedupe.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Log(checkAgainstTruth(t, in, res, ts))
	for _, b := range res.Borderline {
		t.Logf("borderline %.2f %s: %s r%d %q ~ %s r%d %q", b.Score, b.Reason, b.A.Path, b.A.Row, b.NameA, b.B.Path, b.B.Row, b.NameB)
	}
}
