package plan

import "testing"

func TestRowCluster(t *testing.T) {
	p := Default()
	c := p.Communes()[0]
	other := p.Clusters[len(p.Clusters)-1].ID
	tests := []struct {
		name    string
		cluster int
		commune string
		want    int
		ok      bool
	}{
		{"the row's own cluster, even of another commune", other, c.Code, other, true},
		{"no cluster: the commune's", 0, c.Code, c.Cluster, true},
		{"a cluster the plan lacks: the commune's", 999, c.Code, c.Cluster, true},
		{"neither known", 999, "no such commune", 0, false},
	}
	for _, tt := range tests {
		if got, ok := p.RowCluster(tt.cluster, tt.commune); got != tt.want || ok != tt.ok {
			t.Errorf("%s: RowCluster(%d, %q) = %d, %v; want %d, %v", tt.name, tt.cluster, tt.commune, got, ok, tt.want, tt.ok)
		}
	}
}
