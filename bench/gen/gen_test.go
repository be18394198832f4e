package gen

import (
	"strings"
	"testing"

	"doithoai/pipeline/plan"
)

// TestPlanNames: at every scale the plan loads and each commune is found
// by the plan's matcher under its own name, full name and header line, so
// no generated file is rejected as from an unknown commune.
func TestPlanNames(t *testing.T) {
	for _, n := range []int{1, 3, 100, 2500, 4000} {
		p, err := plan.Parse(PlanYAML(n, DefaultClusterSize), "synthetic")
		if err != nil {
			t.Fatalf("%d communes: %v", n, err)
		}
		cs := p.Communes()
		if want := (n + DefaultClusterSize - 1) / DefaultClusterSize; len(p.Clusters) != want {
			t.Fatalf("%d communes: %d clusters, want %d", n, len(p.Clusters), want)
		}
		if len(cs) != n {
			t.Fatalf("%d communes: plan has %d", n, len(cs))
		}
		for _, c := range cs {
			for _, text := range []string{c.Name, c.FullName(), "UBND " + strings.ToUpper(c.FullName()), c.Code} {
				if got := p.Matcher().Commune(text); got != c {
					t.Fatalf("%d communes: %q found as %v, want %s", n, text, got, c.Code)
				}
			}
		}
	}
}
