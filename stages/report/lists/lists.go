// Package lists writes what the district prepares before each cluster's
// dialogue (SPEC §7): the cluster's attendance list, printable with a
// signature column ("danh-sach-tham-du-cum-<id>.xlsx"), and for each
// agency the list of opinions it must answer, grouped by cluster
// ("cau-hoi-<agency>.xlsx"). Both are rewritten by every full run, for
// every cluster and agency of the plan.
package lists

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas/template/xlsxzip"
	"doithoai/stages/report/quarterly/xl"
)

// Config of the lists.
type Config struct {
	Outbox        string     // the outbox folder
	AttendanceDir string     // attendance lists' folder, relative to Outbox
	QuestionsDir  string     // agencies' lists' folder, relative to Outbox
	Plan          *plan.Plan // the year's plan
	Now           time.Time  // the run's clock
}

// AttendanceFile is the attendance list's file name of a cluster.
func AttendanceFile(cluster int) string { return fmt.Sprintf("danh-sach-tham-du-cum-%d.xlsx", cluster) }

// QuestionsFile is the file name of an agency's list:
// "Phòng Lao động - Thương binh và Xã hội" ->
// "cau-hoi-phong-lao-dong-thuong-binh-va-xa-hoi.xlsx".
func QuestionsFile(agency string) string { return "cau-hoi-" + Slug(agency) + ".xlsx" }

// Slug is an ASCII file-name form of a Vietnamese name: lower case, no
// diacritics (đ -> d), words joined by "-", at most 80 characters.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range vntext.Fold(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 80 {
		out = strings.Trim(out[:80], "-")
	}
	if out == "" {
		out = "co-quan"
	}
	return out
}

// Write writes every cluster's attendance list and every agency's list of
// opinions; it returns the paths written.
func Write(ctx context.Context, cfg Config, ds *record.Dataset) ([]string, error) {
	if cfg.Plan == nil {
		return nil, fmt.Errorf("attendance and question lists: %w", xl.ErrNoPlan)
	}
	if ds == nil {
		ds = &record.Dataset{}
	}
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	in := &input{p: cfg.Plan, ds: ds, now: now, loc: cfg.Plan.Location(), sc: xl.NewScope(ds)}
	in.index()
	var out []string
	cache := xlsxzip.NewCache(0, 0) // parts the lists share (styles, theme…)
	save := func(b *xl.Book, path string) error {
		b.SetCache(cache)
		return b.Save(path)
	}
	for i := range cfg.Plan.Clusters {
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("attendance lists: %w", err)
		}
		cl := &cfg.Plan.Clusters[i]
		path := filepath.Join(cfg.Outbox, cfg.AttendanceDir, AttendanceFile(cl.ID))
		if err := save(safe(func() *xl.Book { return in.attendance(cl) }), path); err != nil {
			return out, fmt.Errorf("attendance list of %s: %w", cl.Name, err)
		}
		out = append(out, path)
	}
	seen := map[string]bool{}
	for _, agency := range cfg.Plan.Agencies() {
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("question lists: %w", err)
		}
		name := QuestionsFile(agency)
		if seen[name] {
			continue // two agencies that fold to one name share the first's file
		}
		seen[name] = true
		path := filepath.Join(cfg.Outbox, cfg.QuestionsDir, name)
		if err := save(safe(func() *xl.Book { return in.questions(agency) }), path); err != nil {
			return out, fmt.Errorf("question list of %s: %w", agency, err)
		}
		out = append(out, path)
	}
	return out, nil
}

// input is what both kinds of list read.
type input struct {
	p   *plan.Plan
	ds  *record.Dataset
	now time.Time
	loc *time.Location
	sc  xl.Scope

	// Built once by index, so that each cluster's list reads only its own
	// rows instead of scanning the dataset (and the plan for each row).
	delegatesOf map[int][]*record.Delegate     // counted M3 rows by cluster ID, dataset order
	regsOf      map[int][]*record.Registration // counted M2 rows by cluster ID, dataset order
	titles      map[string]string              // xl.CommuneTitle by commune code
	hamletPos   map[string]hamletPos           // plan hamlet positions by commune code
}

// index groups the counted delegates and registrations by the cluster of
// their commune (plan.ClusterOf), in one pass each, and fills the plan
// look-ups the lists repeat.
func (in *input) index() {
	clusterOf := map[string]int{} // commune code -> cluster ID, -1 when none
	cluster := func(code string) int {
		id, ok := clusterOf[code]
		if !ok {
			id = -1
			if c := in.p.ClusterOf(code); c != nil {
				id = c.ID
			}
			clusterOf[code] = id
		}
		return id
	}
	in.delegatesOf = map[int][]*record.Delegate{}
	for i := range in.ds.Delegates {
		d := &in.ds.Delegates[i]
		if !in.sc.Counts(d.Source, d.State) {
			continue
		}
		if id := cluster(d.CommuneCode); id >= 0 {
			in.delegatesOf[id] = append(in.delegatesOf[id], d)
		}
	}
	in.regsOf = map[int][]*record.Registration{}
	for i := range in.ds.Registrations {
		g := &in.ds.Registrations[i]
		if !in.sc.Counts(g.Source, g.State) {
			continue
		}
		if id := cluster(g.CommuneCode); id >= 0 {
			in.regsOf[id] = append(in.regsOf[id], g)
		}
	}
	in.titles = map[string]string{}
	in.hamletPos = map[string]hamletPos{}
	for _, c := range in.p.Communes() {
		if _, dup := in.hamletPos[c.Code]; dup {
			continue // plan.Commune finds the first
		}
		pos := make(map[string]int, len(c.Hamlets))
		for i, h := range c.Hamlets {
			if _, ok := pos[h]; !ok {
				pos[h] = i
			}
		}
		in.hamletPos[c.Code] = hamletPos{pos, len(c.Hamlets)}
	}
}

// communeTitle is xl.CommuneTitle, worked out once per commune.
func (in *input) communeTitle(code string) string {
	t, ok := in.titles[code]
	if !ok {
		t = xl.CommuneTitle(in.p, code)
		in.titles[code] = t
	}
	return t
}

// hamletIndex is xl.HamletIndex with the plan's positions looked up once.
func (in *input) hamletIndex(commune, hamlet string) int {
	pos, ok := in.hamletPos[commune]
	if !ok {
		return xl.HamletIndex(in.p, commune, hamlet)
	}
	if i, ok := pos.of[hamlet]; ok {
		return i
	}
	return pos.n
}

// hamletPos is a plan commune's hamlets: each one's first position, and
// how many the plan lists.
type hamletPos struct {
	of map[string]int
	n  int
}

// column is a list column: its header title and its width.
type column struct {
	title string
	width float64
}

// streamed makes the lists' sheets streamed (xl.Book.StreamSheet: the
// same workbook as users see it, written in one pass at Save); tests and
// benchmarks turn it off to compare with sheets written cell by cell.
var streamed = true

// newList starts a list workbook: the document's title, one sheet with
// the columns' widths, the administrative header and the list's title. It
// returns the book, the sheet, the widths and the next row.
func (in *input) newList(docTitle, sheet, title string, cols []column) (*xl.Book, *xl.Sheet, []float64, int) {
	b := xl.NewBook()
	b.SetTitle(docTitle, in.p.District.Office)
	var s *xl.Sheet
	if streamed {
		s = b.StreamSheet(sheet)
		s.DirectTexts() // the texts as the lists have always shown them
	} else {
		s = b.Sheet(sheet)
	}
	n := len(cols)
	widths := make([]float64, n)
	for i, c := range cols {
		widths[i] = c.width
	}
	s.Widths(widths...)
	row := s.AdminHeader(in.p, 1, 4, n)
	row++
	s.Merge(row, 1, n, title, xl.Title)
	s.Height(row, 24)
	return b, s, widths, row + 1
}

// tableHeader writes the columns' titles at row, repeated on every printed
// page and frozen on screen; it returns the next row.
func tableHeader(s *xl.Sheet, row int, cols []column, widths []float64, landscape bool) int {
	titles := make([]string, len(cols))
	for i, c := range cols {
		s.Put(i+1, row, c.title, xl.Header)
		titles[i] = c.title
	}
	s.FitHeight(row, 15, titles, scale(widths, 0.85))
	s.Setup(xl.Print{Landscape: landscape, TitleRows: [2]int{row, row}, FreezeRows: row})
	return row + 1
}

// safe runs a builder, turning a panic (excelize on odd input) into a
// book that fails to save.
func safe(build func() *xl.Book) (b *xl.Book) {
	defer func() {
		if v := recover(); v != nil {
			b = xl.Failed(fmt.Errorf("unexpected failure: %v", v))
		}
	}()
	return build()
}
