// Package demo makes the demo workspace of `doithoai demo`: an inbox with
// realistic, form-like files from every commune of a plan, written by the
// project's own template writer (doithoai/schemas/template). Each commune
// sends its dialogue plan (KH, Word), its roster of households expected to
// leave poverty (M1), its registered household representatives (M2), its
// delegates and hamlet heads (M3) and its households' opinions (M4); the
// host commune of each cluster whose dialogue is already over sends the
// results (M5). A few realistic mistakes are planted so that the feedback
// has something to show. All people, codes, IDs and phone numbers are
// synthetic; the same seed gives the same bytes.
package demo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/vntext"
)

// Options of Generate.
type Options struct {
	// Seed drives every random choice: the same seed gives the same files.
	Seed int64
	// Year dates the forms (titles, signature lines); 0 means the plan's
	// year.
	Year int
	// Now is the demo's moment: clusters whose dialogue day is before it
	// have held their dialogue (their host sends M5). Zero means Moment(p).
	Now time.Time
}

// Moment is the demo's default moment, the one `doithoai demo` runs the
// pipeline at: 09:00 on the 20th of the middle month of the plan's
// dialogue quarter (2022-05-20 for quarter II of 2022).
func Moment(p *plan.Plan) time.Time {
	month := time.Month((p.DialogueQuarter-1)*3 + 2)
	return time.Date(p.Year, month, 20, 9, 0, 0, 0, p.Location())
}

// ReadmeName is the name of the explanation written into the demo folder.
const ReadmeName = "README.txt"

// Generate writes dir/inbox/<commune folder>/... for every commune of the
// plan, and dir/README.txt explaining the demo, and returns the inbox
// files written (sorted). Existing files of the same names are replaced;
// other files are left alone.
func Generate(p *plan.Plan, dir string, opt Options) ([]string, error) {
	if p == nil {
		return nil, errors.New("demo: no plan")
	}
	ws, err := newWorkspace(p, opt)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	inbox := filepath.Join(dir, "inbox")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var files []string
	for _, f := range ws.files {
		abs := filepath.Join(inbox, filepath.FromSlash(f.path))
		if err := f.write(abs); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", f.path, err)
		}
		files = append(files, abs)
	}
	if err := writeReadme(filepath.Join(dir, ReadmeName), ws); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	sort.Strings(files)
	return files, nil
}

// workspace is the whole generated demo before it is written.
type workspace struct {
	p        *plan.Plan
	year     int
	now      time.Time
	seed     int64
	dates    map[int]time.Time // dialogue day of each cluster
	assumed  map[int]bool      // the day is the demo's assumption (the plan has none)
	ids      *ids
	names    *namePicker
	communes []*commune
	mistakes []mistake
	files    []file // in writing order
}

// file is one inbox file to write.
type file struct {
	path  string // relative to the inbox, '/'-separated
	write func(abs string) error
}

func newWorkspace(p *plan.Plan, opt Options) (*workspace, error) {
	ws := &workspace{p: p, year: opt.Year, now: opt.Now, seed: opt.Seed,
		dates: map[int]time.Time{}, assumed: map[int]bool{},
		ids: newIDs(p.District.ProvinceCode), names: newNamePicker()}
	if ws.year == 0 {
		ws.year = p.Year
	}
	if ws.now.IsZero() {
		ws.now = Moment(p)
		if ws.year != p.Year {
			ws.now = ws.now.AddDate(ws.year-p.Year, 0, 0)
		}
	}
	ws.dialogueDates()
	folders := map[string]bool{}
	for i, c := range p.Communes() {
		rng := rand.New(rand.NewPCG(uint64(opt.Seed), uint64(i+1)*0x9e3779b97f4a7c15))
		cm := &commune{ws: ws, c: c, index: i, rng: rng}
		cm.folder = ws.folderName(c, i, folders)
		cm.abbr = abbreviation(c.Name)
		cm.generate()
		ws.communes = append(ws.communes, cm)
	}
	if err := ws.plant(); err != nil {
		return nil, err
	}
	for _, cm := range ws.communes {
		cm.addFiles()
	}
	ws.addResults()
	return ws, nil
}

// quarterStart is the first day of the plan's dialogue quarter.
func (ws *workspace) quarterStart() time.Time {
	return time.Date(ws.year, time.Month((ws.p.DialogueQuarter-1)*3+1), 1, 0, 0, 0, 0, ws.p.Location())
}

// dialogueDates takes each cluster's day from the plan; where the plan has
// none yet ("announced later"), the demo assumes the clusters meet in plan
// order, spread over the dialogue quarter on working days.
func (ws *workspace) dialogueDates() {
	start := ws.quarterStart()
	days := int(start.AddDate(0, 3, 0).Sub(start).Hours() / 24)
	n := len(ws.p.Clusters)
	for i, cl := range ws.p.Clusters {
		if cl.DialogueDate.Set {
			ws.dates[cl.ID] = cl.DialogueDate.In(ws.p.Location())
			continue
		}
		off := 10
		if n > 1 {
			off += i * (days - 20) / (n - 1)
		}
		d := start.AddDate(0, 0, off)
		switch d.Weekday() {
		case time.Saturday:
			d = d.AddDate(0, 0, 2)
		case time.Sunday:
			d = d.AddDate(0, 0, 1)
		}
		ws.dates[cl.ID] = d
		ws.assumed[cl.ID] = true
	}
}

// held reports whether a cluster's dialogue took place before the moment.
func (ws *workspace) held(cluster int) bool {
	d, ok := ws.dates[cluster]
	if !ok {
		return false
	}
	now := ws.now.In(ws.p.Location())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, ws.p.Location())
	return d.Before(today)
}

// folderName names a commune's inbox folder the way clerks do: without
// diacritics ("Xa Thuong Phuoc 1", "TT Thuong Thoi Tien"), with them
// ("Xã Thường Phước 2"), or by the name alone. A spelling the plan's
// matcher would not recognise falls back to the commune's code.
func (ws *workspace) folderName(c *plan.Commune, i int, used map[string]bool) string {
	kind := upperFirst(c.Kind)
	var name string
	switch i % 4 {
	case 0:
		k := stripDiacritics(kind)
		if vntext.Fold(c.Kind) == "thi tran" {
			k = "TT"
		}
		name = strings.TrimSpace(k + " " + stripDiacritics(c.Name))
	case 1:
		name = strings.TrimSpace(kind + " " + c.Name)
	case 2:
		name = stripDiacritics(c.Name)
	default:
		name = c.Name
	}
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`<>:"/\|?*`, r) {
			return '-'
		}
		return r
	}, name)
	if ws.p.Matcher().Commune(name) != c || used[strings.ToLower(name)] {
		name = c.Code
	}
	used[strings.ToLower(name)] = true
	return name
}

// upperFirst capitalises the first letter.
func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// date is the calendar day of t in the plan's zone.
func (ws *workspace) date(t time.Time) time.Time {
	t = t.In(ws.p.Location())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, ws.p.Location())
}

// today is the moment's calendar day.
func (ws *workspace) today() time.Time { return ws.date(ws.now) }

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
