package aggregate

import "doithoai/pipeline/record"

// Key identifies a figure within one period: empty strings and cluster 0
// stand for "not applicable", as in figures.parquet's nulls.
type Key struct {
	Cluster     int
	CommuneCode string
	Hamlet      string
	Topic       string
	Measure     string
}

// Index answers look-ups of figures for the report writers.
type Index struct {
	values map[Key]float64
	// Figures' values grouped for Sum, each list in the figures' order (so
	// a sum adds the same values in the same order as a scan would).
	byMeasure map[string][]float64
	byCluster map[measureCluster][]float64
	byCommune map[measureCommune][]*record.Figure
}

// measureCluster and measureCommune key Sum's groups.
type (
	measureCluster struct {
		measure string
		cluster int
	}
	measureCommune struct{ measure, commune string }
)

// NewIndex indexes figures (of one period, as Aggregate makes them).
func NewIndex(figs []record.Figure) *Index {
	ix := &Index{values: make(map[Key]float64, len(figs)), byMeasure: map[string][]float64{},
		byCluster: map[measureCluster][]float64{}, byCommune: map[measureCommune][]*record.Figure{}}
	for i := range figs {
		f := &figs[i]
		ix.values[Key{f.Cluster, f.CommuneCode, f.Hamlet, f.Topic, f.Measure}] = f.Value
		ix.byMeasure[f.Measure] = append(ix.byMeasure[f.Measure], f.Value)
		mc := measureCluster{f.Measure, f.Cluster}
		ix.byCluster[mc] = append(ix.byCluster[mc], f.Value)
		mk := measureCommune{f.Measure, f.CommuneCode}
		ix.byCommune[mk] = append(ix.byCommune[mk], f)
	}
	return ix
}

// FigureIndex indexes the dataset's figures.
func FigureIndex(ds *record.Dataset) *Index { return NewIndex(ds.Figures) }

// Lookup returns one figure's value and whether it exists.
func (ix *Index) Lookup(measure string, cluster int, commune, hamlet, topic string) (float64, bool) {
	v, ok := ix.values[Key{cluster, commune, hamlet, topic, measure}]
	return v, ok
}

// Value returns one figure's value, 0 when there is none.
func (ix *Index) Value(measure string, cluster int, commune, hamlet, topic string) float64 {
	return ix.values[Key{cluster, commune, hamlet, topic, measure}]
}

// Int is Value as an int, for tables of counts.
func (ix *Index) Int(measure string, cluster int, commune, hamlet, topic string) int {
	return int(ix.Value(measure, cluster, commune, hamlet, topic))
}

// Sum adds up a measure over every figure of the cluster (0: any cluster)
// and commune ("": any commune), e.g. Sum(RepsCounted, 1, "29956") is the
// commune's counted representatives over its hamlets and
// Sum(HeadsPresent, 1, "") the cluster's hamlet heads.
func (ix *Index) Sum(measure string, cluster int, commune string) float64 {
	var s float64
	switch {
	case commune != "":
		for _, f := range ix.byCommune[measureCommune{measure, commune}] {
			if cluster == 0 || f.Cluster == cluster {
				s += f.Value
			}
		}
	case cluster != 0:
		for _, v := range ix.byCluster[measureCluster{measure, cluster}] {
			s += v
		}
	default:
		for _, v := range ix.byMeasure[measure] {
			s += v
		}
	}
	return s
}

// Lookup returns one figure of the dataset, 0 when there is none. For many
// look-ups build an Index once.
func Lookup(ds *record.Dataset, measure string, cluster int, commune, hamlet, topic string) float64 {
	for _, f := range ds.Figures {
		if f.Measure == measure && f.Cluster == cluster && f.CommuneCode == commune && f.Hamlet == hamlet && f.Topic == topic {
			return f.Value
		}
	}
	return 0
}
