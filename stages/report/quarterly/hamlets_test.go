package quarterly

import (
	"fmt"
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

// BenchmarkHamletRows lists the hamlets of every commune of a national
// plan (2,500 communes, 5 hamlets each, 8 figures per hamlet), twice as the
// cover and the hamlets' sheet do: by a scan of every figure for each
// commune (as before) and from one reading.
func BenchmarkHamletRows(b *testing.B) {
	var cl plan.Cluster
	var figs []record.Figure
	for c := range 2500 {
		code := fmt.Sprintf("%05d", c)
		cm := plan.Commune{Code: code}
		for h := range 5 {
			name := fmt.Sprintf("Ấp %d", h+1)
			cm.Hamlets = append(cm.Hamlets, name)
			for _, m := range []string{aggregate.RepsPlanned, aggregate.RepsCounted, aggregate.RepsRegistered, aggregate.RepsEligible, aggregate.RepsOverQuota, aggregate.RepsIneligible, aggregate.Opinions, aggregate.OpinionsLate} {
				figs = append(figs, record.Figure{Period: "2024Q2", Cluster: 1, CommuneCode: code, Hamlet: name, Measure: m, Value: 1})
			}
		}
		cl.Communes = append(cl.Communes, cm)
	}
	p := &plan.Plan{Clusters: []plan.Cluster{cl}}
	ds := &record.Dataset{Figures: figs}
	for _, bc := range []struct {
		name string
		rows func(r *report, cluster int, commune string) []hamletRow
	}{
		{"scan", scanHamletRows},
		{"one-reading", (*report).hamletRows},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := &report{p: p, ds: ds, period: "2024Q2"}
				n := 0
				for range 2 {
					for _, c := range cl.Communes {
						n += len(bc.rows(r, 1, c.Code))
					}
				}
				if n != 2*2500*5 {
					b.Fatalf("%d rows", n)
				}
			}
		})
	}
}
