package plan

// RowCluster is the cluster a row of M4 or M5 counts for: the cluster it
// names when the plan has it, else its commune's cluster; ok is false (and
// id 0) when neither is known. It is the one place of that rule.
func (p *Plan) RowCluster(cluster int, commune string) (id int, ok bool) {
	if p.Cluster(cluster) != nil {
		return cluster, true
	}
	if c := p.ClusterOf(commune); c != nil {
		return c.ID, true
	}
	return 0, false
}
