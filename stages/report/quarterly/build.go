package quarterly

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/aggregate"
	"doithoai/stages/report/quarterly/xl"
)

// Sheet names of the report (at most 31 characters).
const (
	SheetCover       = "Trang bìa"
	SheetClusters    = "Tổng hợp theo cụm"
	SheetCommunes    = "Theo xã"
	SheetHamlets     = "Theo ấp"
	SheetTopics      = "Ý kiến theo lĩnh vực"
	SheetOpinions    = "Danh sách ý kiến"
	SheetDuplicates  = "Hộ trùng"
	SheetSubmissions = "Tình hình nộp"
	SheetProblems    = "Lỗi dữ liệu theo xã"
)

// Sheets lists the report's sheets in order.
var Sheets = []string{SheetCover, SheetClusters, SheetCommunes, SheetHamlets, SheetTopics, SheetOpinions, SheetDuplicates, SheetSubmissions, SheetProblems}

// headerRow is the first table header row of the table sheets (rows 1-2
// hold the title, row 3 is blank).
const headerRow = 4

// report is one report being built.
type report struct {
	ctx    context.Context
	p      *plan.Plan
	ds     *record.Dataset
	period string
	now    time.Time
	draft  bool
	loc    *time.Location
	ix     *aggregate.Index
	sc     xl.Scope
	book   *xl.Book
	err    error
	dups   *duplicates // computed once: the cover and "Theo xã" use it
	// figHamlets are the figures' hamlets by commune (figureHamlets),
	// computed at the first hamletRows.
	figHamlets map[string][]string
}

// build makes the whole workbook in memory; errors are kept for save.
func build(ctx context.Context, p *plan.Plan, ds *record.Dataset, period string, now time.Time, draft bool) (r *report) {
	r = &report{ctx: ctx, p: p, ds: ds, period: period, now: now, draft: draft, loc: p.Location(), sc: xl.NewScope(ds)}
	defer func() {
		if v := recover(); v != nil {
			r.err = fmt.Errorf("quarterly report: unexpected failure: %v", v)
		}
	}()
	ofPeriod := func(f *record.Figure) bool { return f.Period == period || f.Period == "" }
	figs := ds.Figures // usually every figure is of the period: no copy
	if slices.ContainsFunc(figs, func(f record.Figure) bool { return !ofPeriod(&f) }) {
		figs = nil
		for i := range ds.Figures {
			if ofPeriod(&ds.Figures[i]) {
				figs = append(figs, ds.Figures[i])
			}
		}
	}
	r.ix = aggregate.NewIndex(figs)
	dups, err := findDuplicates(ctx, p, ds, r.sc)
	if err != nil {
		r.err = fmt.Errorf("quarterly report: %w", err)
		return r
	}
	r.dups = dups
	r.book = xl.NewBook()
	title := "Báo cáo kết quả tổ chức đối thoại chính sách giảm nghèo " + xl.QuarterLabel(period)
	r.book.SetTitle(title, p.District.Office)
	for _, step := range []func(){r.cover, r.clusters, r.communes, r.hamlets, r.topics, r.opinions, r.duplicateSheet, r.submissions, r.problems} {
		if err := ctx.Err(); err != nil {
			r.err = err
			return r
		}
		step()
	}
	return r
}

// save writes the workbook.
func (r *report) save(path string) error {
	if r.err != nil {
		return r.err
	}
	return r.book.Save(path)
}

// asOf is the line under each sheet's title.
func (r *report) asOf() string {
	s := xl.QuarterLabel(r.period) + " – số liệu đến ngày " + xl.DMY(r.now, r.loc)
	if r.draft {
		s = "DỰ THẢO – " + s
	}
	return s
}

// streamTables makes the table sheets keep their cells in xl's light grid
// and write them in one pass when saving (xl.Book.StreamSheet), instead of
// excelize's worksheet model: at national scale (2,500 communes, 21,000
// opinions) that model held ~130 MB. Tests turn it off to compare.
var streamTables = true

// col is a table column: its group (the merged parent header, "" for
// none), its title and its width.
type col struct {
	group, title string
	width        float64
}

// tableSheet adds a sheet with a title, the as-of line and a one- or
// two-row table header; it returns the sheet and the first data row.
func (r *report) tableSheet(name, title string, cols []col, landscape bool, freezeCols int) (*xl.Sheet, int) {
	s := r.book.Sheet(name)
	if streamTables {
		s = r.book.StreamSheet(name)
	}
	n := len(cols)
	widths := make([]float64, n)
	for i, c := range cols {
		widths[i] = c.width
	}
	s.Widths(widths...)
	s.Merge(1, 1, n, title, xl.Title)
	s.Height(1, 24)
	st := xl.Italic
	if r.draft {
		st = xl.Draft
	}
	s.Merge(2, 1, n, r.asOf(), st)
	last := writeHeader(s, headerRow, cols)
	s.Setup(xl.Print{Landscape: landscape, TitleRows: [2]int{headerRow, last}, FreezeRows: last, FreezeCols: freezeCols, Draft: r.draft})
	return s, last + 1
}

// writeHeader writes a table header at row: two rows when any column has a
// group (the group merged across its columns, ungrouped titles merged down
// both rows). It returns the header's last row.
func writeHeader(s *xl.Sheet, row int, cols []col) int {
	two := false
	for _, c := range cols {
		if c.group != "" {
			two = true
		}
	}
	if !two {
		for i, c := range cols {
			s.Put(i+1, row, c.title, xl.Header)
		}
		s.FitHeight(row, 15, titles(cols), boldWidths(cols))
		return row
	}
	for i := 0; i < len(cols); {
		c := cols[i]
		if c.group == "" {
			s.MergeRange(row, i+1, row+1, i+1, c.title, xl.Header)
			i++
			continue
		}
		j := i
		for j+1 < len(cols) && cols[j+1].group == c.group {
			j++
		}
		s.MergeRange(row, i+1, row, j+1, c.group, xl.Header)
		for k := i; k <= j; k++ {
			s.Put(k+1, row+1, cols[k].title, xl.Header)
		}
		i = j + 1
	}
	s.FitHeight(row+1, 15, titles(cols), boldWidths(cols))
	return row + 1
}

func titles(cols []col) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.title
	}
	return out
}

// boldWidths are column widths as seen by bold header text (wider glyphs).
func boldWidths(cols []col) []float64 {
	out := widthsOf(cols)
	for i := range out {
		out[i] *= 0.85
	}
	return out
}

func widthsOf(cols []col) []float64 {
	out := make([]float64, len(cols))
	for i, c := range cols {
		out[i] = c.width
	}
	return out
}

// note writes an explanatory line under a table, merged across n columns.
func note(s *xl.Sheet, row, n int, text string, width float64) {
	s.Merge(row, 1, n, text, xl.Note)
	s.FitHeight(row, 14, []string{text}, []float64{width})
}

// sumWidth adds up column widths.
func sumWidth(cols []col) float64 {
	w := 0.0
	for _, c := range cols {
		w += c.width
	}
	return w
}

// ratio is a/b, or nil (an empty cell) when b is 0.
func ratio(a, b int) any {
	if b == 0 {
		return nil
	}
	return float64(a) / float64(b)
}

// clusterCommunes yields every commune of the plan with its cluster, in
// plan order.
func clusterCommunes(p *plan.Plan) iter.Seq2[*plan.Cluster, *plan.Commune] {
	return func(yield func(*plan.Cluster, *plan.Commune) bool) {
		for ci := range p.Clusters {
			cl := &p.Clusters[ci]
			for mi := range cl.Communes {
				if !yield(cl, &cl.Communes[mi]) {
					return
				}
			}
		}
	}
}

// communeNames joins a cluster's commune names.
func communeNames(cl *plan.Cluster) string {
	names := make([]string, len(cl.Communes))
	for i := range cl.Communes {
		names[i] = cl.Communes[i].FullName()
	}
	return strings.Join(names, ", ")
}

// hamletRow is one hamlet of the figures, in plan order.
type hamletRow struct {
	cluster       int
	commune, name string
}

// hamletRows lists the hamlets that have figures (the plan's, plus any
// the aggregate stage kept), in plan order; the plan's when there are no
// figures at all.
func (r *report) hamletRows(cluster int, commune string) []hamletRow {
	if r.figHamlets == nil {
		r.figHamlets = figureHamlets(r.ds.Figures, r.period)
	}
	var out []hamletRow
	for _, h := range r.figHamlets[commune] {
		out = append(out, hamletRow{cluster, commune, h})
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

// figureHamlets are, by commune code, the hamlets of the figures of
// planned representatives of the period (or of no period), each once, in
// the order of the figures: what hamletRows used to find by a scan of
// every figure for each commune, found in one.
func figureHamlets(figs []record.Figure, period string) map[string][]string {
	out := map[string][]string{}
	type key struct{ commune, hamlet string }
	seen := map[key]bool{}
	for i := range figs {
		f := &figs[i]
		if f.Measure != aggregate.RepsPlanned || f.Hamlet == "" || (f.Period != period && f.Period != "") {
			continue
		}
		k := key{f.CommuneCode, f.Hamlet}
		if !seen[k] {
			seen[k] = true
			out[f.CommuneCode] = append(out[f.CommuneCode], f.Hamlet)
		}
	}
	return out
}

// clusterTotals are one cluster's attendance figures.
type clusterTotals struct {
	planned, team, delegates, heads, reps, expected, opinions, late int
}

// add adds another cluster's figures to t.
func (t *clusterTotals) add(o clusterTotals) {
	*t = clusterTotals{t.planned + o.planned, t.team + o.team, t.delegates + o.delegates, t.heads + o.heads,
		t.reps + o.reps, t.expected + o.expected, t.opinions + o.opinions, t.late + o.late}
}

func (r *report) clusterTotals(id int) clusterTotals {
	ix := r.ix
	return clusterTotals{
		planned:   ix.Int(aggregate.AttendancePlanned, id, "", "", ""),
		team:      ix.Int(aggregate.DistrictTeam, id, "", "", ""),
		delegates: int(ix.Sum(aggregate.DelegatesPresent, id, "")),
		heads:     int(ix.Sum(aggregate.HeadsPresent, id, "")),
		reps:      int(ix.Sum(aggregate.RepsCounted, id, "")),
		expected:  ix.Int(aggregate.AttendanceExpected, id, "", "", ""),
		opinions:  int(ix.Sum(aggregate.Opinions, id, "")),
		late:      int(ix.Sum(aggregate.OpinionsLate, id, "")),
	}
}

// result is one cluster's M5 figures, when received.
type result struct {
	team, delegates, heads, reps, opinions, answered, forwarded int
}

// add adds another cluster's M5 figures to r.
func (r *result) add(o result) {
	*r = result{r.team + o.team, r.delegates + o.delegates, r.heads + o.heads, r.reps + o.reps,
		r.opinions + o.opinions, r.answered + o.answered, r.forwarded + o.forwarded}
}

func (r *report) result(id int) (result, bool) {
	ix := r.ix
	if _, ok := ix.Lookup(aggregate.ResultsOpinions, id, "", "", ""); !ok {
		return result{}, false
	}
	return result{
		team:      ix.Int(aggregate.ResultsDistrictTeam, id, "", "", ""),
		delegates: ix.Int(aggregate.ResultsCommuneDelegates, id, "", "", ""),
		heads:     ix.Int(aggregate.ResultsHamletHeads, id, "", "", ""),
		reps:      ix.Int(aggregate.ResultsHouseholdReps, id, "", "", ""),
		opinions:  ix.Int(aggregate.ResultsOpinions, id, "", "", ""),
		answered:  ix.Int(aggregate.ResultsAnswered, id, "", "", ""),
		forwarded: ix.Int(aggregate.ResultsForwarded, id, "", "", ""),
	}, true
}
