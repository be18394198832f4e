package quarterly

import (
	"reflect"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/aggregate"
)

// scanHamletRows is hamletRows as it was before figureHamlets: a scan of
// every figure for each commune. It is the reference of TestHamletRows.
func scanHamletRows(r *report, cluster int, commune string) []hamletRow {
	var out []hamletRow
	seen := map[string]bool{}
	for _, f := range r.ds.Figures {
		if f.Measure != aggregate.RepsPlanned || f.Hamlet == "" || f.CommuneCode != commune || (f.Period != r.period && f.Period != "") {
			continue
		}
		if !seen[f.Hamlet] {
			seen[f.Hamlet] = true
			out = append(out, hamletRow{cluster, commune, f.Hamlet})
		}
	}
	if len(out) == 0 {
		if c := r.p.Commune(commune); c != nil {
			for _, h := range c.Hamlets {
				out = append(out, hamletRow{cluster, commune, h})
			}
		}
	}
	return out
}

// TestHamletRows: the hamlets of one reading of the figures are those of
// a scan for each commune, whatever the periods, measures, repeats and
// order of the figures.
func TestHamletRows(t *testing.T) {
	p := &plan.Plan{Clusters: []plan.Cluster{
		{ID: 1, Communes: []plan.Commune{{Code: "001", Hamlets: []string{"Ấp 1", "Ấp 2"}}, {Code: "002", Hamlets: []string{"Ấp A"}}}},
		{ID: 2, Communes: []plan.Commune{{Code: "003"}, {Code: "004", Hamlets: []string{"Khóm 3"}}}},
	}}
	fig := func(period, commune, hamlet, measure string) record.Figure {
		return record.Figure{Period: period, CommuneCode: commune, Hamlet: hamlet, Measure: measure, Value: 1}
	}
	rp := aggregate.RepsPlanned
	for _, tt := range []struct {
		name string
		figs []record.Figure
	}{
		{"no figures", nil},
		{"figures of every commune", []record.Figure{
			fig("2022Q2", "001", "Ấp 2", rp), fig("2022Q2", "001", "Ấp 1", rp), fig("2022Q2", "002", "Ấp A", rp),
			fig("2022Q2", "003", "Ấp mới", rp), fig("2022Q2", "004", "Khóm 3", rp),
		}},
		{"repeats, other periods, measures and empty hamlets", []record.Figure{
			fig("2022Q2", "001", "Ấp 2", rp), fig("2022Q1", "001", "Ấp 9", rp), fig("", "001", "Ấp 3", rp),
			fig("2022Q2", "001", "Ấp 2", rp), fig("2022Q2", "001", "Ấp 5", aggregate.RepsCounted),
			fig("2022Q2", "001", "", rp), fig("2022Q2", "", "Ấp 7", rp), fig("2022Q2", "002", "Ấp 1", rp),
			fig("2022Q2", "001", "Ấp 1", rp), fig("2022Q3", "004", "Khóm 3", rp), fig("2022Q2", "999", "Ấp X", rp),
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &report{p: p, ds: &record.Dataset{Figures: tt.figs}, period: "2022Q2"}
			old := &report{p: p, ds: r.ds, period: r.period}
			for _, cl := range []int{1, 2} {
				for _, c := range []string{"001", "002", "003", "004", "", "999", "nope"} {
					if got, want := r.hamletRows(cl, c), scanHamletRows(old, cl, c); !reflect.DeepEqual(got, want) {
						t.Errorf("cluster %d, commune %q: %v, want %v", cl, c, got, want)
					}
				}
			}
		})
	}
}
