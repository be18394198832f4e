// Package plan loads the year's dialogue plan (SPEC §2): the district, the
// clusters with their communes and hamlets, quotas, deadlines and the topic
// to agency routing. Everything that varies by year or place is data here,
// never code. The 2022 plan of huyện Hồng Ngự is embedded as the default.
package plan

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"doithoai/pipeline/vntext"
)

//go:embed plan-2022.yaml
var defaultPlan []byte

// DefaultYAML returns the embedded default plan (2022, huyện Hồng Ngự).
func DefaultYAML() []byte { return append([]byte(nil), defaultPlan...) }

// Plan is one year's dialogue plan.
type Plan struct {
	Version         int       `yaml:"version"`
	District        District  `yaml:"district"`
	Year            int       `yaml:"year"`
	DialogueQuarter int       `yaml:"dialogue_quarter"`
	Timezone        string    `yaml:"timezone"`
	HamletsVerified bool      `yaml:"hamlets_verified"`
	Quotas          Quotas    `yaml:"quotas"`
	Deadlines       Deadlines `yaml:"deadlines"`
	Clusters        []Cluster `yaml:"clusters"`
	Topics          []Topic   `yaml:"topics"`

	loc     *time.Location
	matcher *lazyMatcher
	source  []byte // the YAML the plan was parsed from
}

// lazyMatcher is a plan's name matcher, built at its first use (a run
// with nothing new matches no name): once, whichever goroutine asks
// first, from the plan it was made for.
type lazyMatcher struct {
	once sync.Once
	plan *Plan
	m    *Matcher
}

// Source returns the YAML text the plan was parsed from.
func (p *Plan) Source() []byte { return append([]byte(nil), p.source...) }

// Identity names the season a plan is for: district code and year
// ("871/2023"). A state folder belongs to one season.
func (p *Plan) Identity() string { return p.District.Code + "/" + strconv.Itoa(p.Year) }

// District is the administrative unit that runs the dialogues.
type District struct {
	Name         string `yaml:"name"`
	Code         string `yaml:"code"`
	Province     string `yaml:"province"`
	ProvinceCode string `yaml:"province_code"`
	Office       string `yaml:"office"`
	ReportTo     string `yaml:"report_to"`
}

// Quotas are the attendance quotas of SPEC §1.
type Quotas struct {
	DistrictTeam     int `yaml:"district_team"`
	CommuneDelegates int `yaml:"commune_delegates"`
	HamletHeads      int `yaml:"hamlet_heads"`
	HouseholdReps    int `yaml:"household_reps"`
}

// Deadlines of the plan.
type Deadlines struct {
	CommunePlan                Date `yaml:"commune_plan"`
	OpinionsDaysBeforeDialogue int  `yaml:"opinions_days_before_dialogue"`
}

// Cluster is a cụm xã holding one dialogue.
type Cluster struct {
	ID    int    `yaml:"id"`
	Name  string `yaml:"name"`
	Venue string `yaml:"venue"`
	// Host is the code of the commune that hosts the dialogue and reports
	// its results (M5); left out, it is the first commune listed.
	Host              string    `yaml:"host"`
	DialogueDate      Date      `yaml:"dialogue_date"`
	PlannedAttendance int       `yaml:"planned_attendance"`
	Communes          []Commune `yaml:"communes"`
}

// Commune is a xã or thị trấn of a cluster.
type Commune struct {
	Code    string   `yaml:"code"`
	Name    string   `yaml:"name"`
	Kind    string   `yaml:"kind"` // "xã" or "thị trấn"
	Hamlets []string `yaml:"hamlets"`

	Cluster int `yaml:"-"`
}

// FullName is the commune's name with its kind: "xã Thường Phước 1".
func (c *Commune) FullName() string {
	if c.Kind == "" {
		return c.Name
	}
	return c.Kind + " " + c.Name
}

// Topic is a Lĩnh vực of opinions and the agency that answers it.
type Topic struct {
	Name   string `yaml:"name"`
	Agency string `yaml:"agency"`
}

// Date is a calendar date (no time) that may be null in the YAML.
type Date struct {
	Y   int
	M   time.Month
	D   int
	Set bool
}

// dateLayouts are the spellings of a plan date: ISO, day first (as
// Vietnamese documents write it) and, for a date written with its time of
// day, that day as written.
var dateLayouts = []string{"2006-01-02", "02/01/2006", "2/1/2006", "02-01-2006", "2-1-2006", "02.01.2006",
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// UnmarshalYAML accepts YYYY-MM-DD, DD/MM/YYYY (or D/M/YYYY, DD-MM-YYYY,
// DD.MM.YYYY), a date with its time of day (the day is kept) or null.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	v := strings.TrimSpace(n.Value)
	if n.Tag == "!!null" || v == "" || v == "null" || v == "~" {
		*d = Date{}
		return nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			*d = Date{Y: t.Year(), M: t.Month(), D: t.Day(), Set: true}
			return nil
		}
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a date (YYYY-MM-DD)", n.Line, n.Value)}}
}

// In returns the start of the date in loc.
func (d Date) In(loc *time.Location) time.Time {
	if !d.Set {
		return time.Time{}
	}
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, loc)
}

// String is YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if !d.Set {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Y, d.M, d.D)
}

// Default returns the embedded 2022 plan.
func Default() *Plan {
	p, err := Parse(defaultPlan, "plan-2022.yaml (embedded)")
	if err != nil {
		panic("embedded plan is invalid: " + err.Error())
	}
	return p
}

// Load reads a plan file; an empty path gives the embedded default.
func Load(path string) (*Plan, error) {
	if path == "" {
		return Default(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return Parse(b, path)
}

// Parse decodes and checks a plan. Errors name the file, the key and the line.
func Parse(b []byte, name string) (*Plan, error) {
	// The strict decoding and the node tree (for the keys and lines of
	// the checks and errors) are two parses of the same text, one per
	// core: a national plan (thousands of communes) takes a while.
	var p Plan
	decoded := make(chan error, 1)
	go func() {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		decoded <- dec.Decode(&p)
	}()
	var root yaml.Node
	err := yaml.Unmarshal(b, &root)
	derr := <-decoded
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", name, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("plan %s: the file is empty", name)
	}
	if derr != nil {
		return nil, fmt.Errorf("plan %s: %w", name, keyed(&root, derr))
	}
	if err := p.check(&root); err != nil {
		return nil, fmt.Errorf("plan %s: %w", name, err)
	}
	p.source = append([]byte(nil), b...)
	return &p, nil
}

// lineMsg is how yaml reports a problem: "line 12: cannot unmarshal …".
var lineMsg = regexp.MustCompile(`^line (\d+): (.*)$`)

// keyed rewrites yaml's decoding errors ("line 22: cannot unmarshal !!str
// `bảy` into int") so that each names its key as well as its line.
func keyed(root *yaml.Node, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	var errs []error
	for _, msg := range te.Errors {
		m := lineMsg.FindStringSubmatch(msg)
		if m == nil {
			errs = append(errs, errors.New(msg))
			continue
		}
		ln, _ := strconv.Atoi(m[1])
		if key := keyAt(root, ln); key != "" {
			errs = append(errs, fmt.Errorf("key %s (line %d): %s", key, ln, m[2]))
		} else {
			errs = append(errs, fmt.Errorf("line %d: %s", ln, m[2]))
		}
	}
	return errors.Join(errs...)
}

// keyAt returns the deepest key path ("clusters.0.communes.1.code") written
// on a line, or "".
func keyAt(root *yaml.Node, ln int) string {
	best := ""
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		join := func(part string) string {
			if path == "" {
				return part
			}
			return path + "." + part
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := join(n.Content[i].Value)
				if n.Content[i].Line == ln && strings.Count(k, ".") >= strings.Count(best, ".") {
					best = k
				}
				walk(n.Content[i+1], k)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				k := join(strconv.Itoa(i))
				if c.Line == ln && c.Kind == yaml.ScalarNode && (best == "" || strings.Count(k, ".") > strings.Count(best, ".")) {
					best = k
				}
				walk(c, k)
			}
		}
	}
	walk(root, "")
	return best
}

// has reports whether a key path is written (and not null) in the file.
func has(root *yaml.Node, path string) bool {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, part := range strings.Split(path, ".") {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					next = n.Content[i+1]
					break
				}
			}
			if next == nil {
				return false
			}
			n = next
		case yaml.SequenceNode:
			idx, err := strconv.Atoi(part)
			if err != nil || idx < 0 || idx >= len(n.Content) {
				return false
			}
			n = n.Content[idx]
		default:
			return false
		}
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n.Tag != "!!null"
}

// line finds the line of a key path such as "clusters.0.communes.1.code".
func line(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	ln := n.Line
	for _, part := range strings.Split(path, ".") {
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					ln = n.Content[i].Line
					n = n.Content[i+1]
					found = true
					break
				}
			}
			if !found {
				return ln
			}
		case yaml.SequenceNode:
			var idx int
			if _, err := fmt.Sscan(part, &idx); err != nil || idx < 0 || idx >= len(n.Content) {
				return ln
			}
			n = n.Content[idx]
			ln = n.Line
		default:
			return ln
		}
	}
	return ln
}

// communeCode is the shape of an official commune code.
var communeCode = regexp.MustCompile(`^[0-9]{5}$`)

func (p *Plan) check(root *yaml.Node) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("key %s (line %d): %s", key, line(root, key), fmt.Sprintf(format, args...)))
	}
	required := func(key string) bool {
		if has(root, key) {
			return true
		}
		bad(key, "is required")
		return false
	}
	if required("year") && (p.Year < 2000 || p.Year > 2100) {
		bad("year", "year %d is out of range 2000..2100", p.Year)
	}
	if required("dialogue_quarter") && (p.DialogueQuarter < 1 || p.DialogueQuarter > 4) {
		bad("dialogue_quarter", "must be 1..4, got %d", p.DialogueQuarter)
	}
	// A forgotten quota or deadline would silently count as 0.
	for _, k := range []string{"quotas.district_team", "quotas.commune_delegates", "quotas.hamlet_heads",
		"quotas.household_reps", "deadlines.opinions_days_before_dialogue"} {
		required(k)
	}
	if p.Timezone == "" {
		p.Timezone = "Asia/Ho_Chi_Minh"
	}
	loc, ok := location(p.Timezone)
	if !ok {
		bad("timezone", "unknown time zone %q", p.Timezone)
	}
	p.loc = loc
	if p.District.Name == "" {
		bad("district.name", "is required")
	}
	for _, q := range []struct {
		key string
		v   int
	}{{"quotas.district_team", p.Quotas.DistrictTeam}, {"quotas.commune_delegates", p.Quotas.CommuneDelegates},
		{"quotas.hamlet_heads", p.Quotas.HamletHeads}, {"quotas.household_reps", p.Quotas.HouseholdReps}} {
		if q.v < 0 {
			bad(q.key, "must not be negative")
		}
	}
	if p.Deadlines.OpinionsDaysBeforeDialogue < 0 {
		bad("deadlines.opinions_days_before_dialogue", "must not be negative")
	}
	if len(p.Clusters) == 0 {
		bad("clusters", "at least one cluster is required")
	}
	codes := map[string]string{}
	ids := map[int]bool{}
	for i := range p.Clusters {
		c := &p.Clusters[i]
		key := fmt.Sprintf("clusters.%d", i)
		required(key + ".id")
		if ids[c.ID] {
			bad(key+".id", "duplicate cluster id %d", c.ID)
		}
		ids[c.ID] = true
		if c.Name == "" {
			c.Name = fmt.Sprintf("Cụm %d", c.ID)
		}
		if len(c.Communes) == 0 {
			bad(key+".communes", "a cluster needs communes")
		}
		if c.Host == "" && len(c.Communes) > 0 {
			// No host named: the first commune listed hosts, as in the
			// district's plans; someone must send the results (M5).
			c.Host = c.Communes[0].Code
		}
		hostFound := c.Host == ""
		for j := range c.Communes {
			m := &c.Communes[j]
			m.Cluster = c.ID
			mk := fmt.Sprintf("%s.communes.%d", key, j)
			if m.Code == "" || m.Name == "" {
				bad(mk, "code and name are required")
			} else if !communeCode.MatchString(m.Code) {
				bad(mk+".code", "code %q is not an official 5-digit commune code", m.Code)
			}
			if prev, ok := codes[m.Code]; ok {
				bad(mk+".code", "code %s is also used by %s", m.Code, prev)
			}
			codes[m.Code] = m.Name
			if m.Code == c.Host {
				hostFound = true
			}
			if len(m.Hamlets) == 0 {
				bad(mk+".hamlets", "a commune needs its hamlets")
			}
			// Names that differ only in case, diacritics or spacing are the
			// same hamlet to the matcher.
			seen := map[string]string{}
			for k, h := range m.Hamlets {
				hk := fmt.Sprintf("%s.hamlets.%d", mk, k)
				f := vntext.Fold(h)
				switch prev, dup := seen[f]; {
				case f == "":
					bad(hk, "a hamlet needs a name")
				case dup && prev == h:
					bad(hk, "hamlet %q is listed twice", h)
				case dup:
					bad(hk, "hamlet %q is listed twice (as %q)", h, prev)
				}
				seen[f] = h
			}
		}
		if !hostFound {
			bad(key+".host", "host %s is not a commune of this cluster", c.Host)
		}
		if !has(root, key+".planned_attendance") {
			// SPEC §1: district team + delegates per commune + a head and
			// the household representatives per hamlet.
			c.PlannedAttendance = p.Quotas.DistrictTeam
			for _, m := range c.Communes {
				c.PlannedAttendance += p.Quotas.CommuneDelegates + len(m.Hamlets)*(p.Quotas.HamletHeads+p.Quotas.HouseholdReps)
			}
		} else if c.PlannedAttendance < 0 {
			bad(key+".planned_attendance", "must not be negative")
		}
	}
	if len(p.Topics) == 0 {
		bad("topics", "at least one topic is required")
	}
	topics := map[string]string{}
	for i, t := range p.Topics {
		if t.Name == "" || t.Agency == "" {
			bad(fmt.Sprintf("topics.%d", i), "name and agency are required")
			continue
		}
		f := vntext.Fold(t.Name)
		if prev, dup := topics[f]; dup {
			bad(fmt.Sprintf("topics.%d.name", i), "topic %q is listed twice (as %q)", t.Name, prev)
		}
		topics[f] = t.Name
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	p.matcher = &lazyMatcher{plan: p}
	return nil
}

// Location is the plan's time zone.
func (p *Plan) Location() *time.Location {
	if p.loc == nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return p.loc
}

// Period is the reporting period of t, e.g. "2022Q2".
func (p *Plan) Period(t time.Time) string {
	t = t.In(p.Location())
	return fmt.Sprintf("%dQ%d", t.Year(), (int(t.Month())-1)/3+1)
}

// DialoguePeriod is the plan's dialogue quarter, e.g. "2022Q2".
func (p *Plan) DialoguePeriod() string { return fmt.Sprintf("%dQ%d", p.Year, p.DialogueQuarter) }

// Communes returns every commune in plan order.
func (p *Plan) Communes() []*Commune {
	var out []*Commune
	for i := range p.Clusters {
		for j := range p.Clusters[i].Communes {
			out = append(out, &p.Clusters[i].Communes[j])
		}
	}
	return out
}

// Commune returns the commune with the code, or nil. It walks the
// clusters in place (no list is built: reports call it once per record).
func (p *Plan) Commune(code string) *Commune {
	for i := range p.Clusters {
		for j := range p.Clusters[i].Communes {
			if c := &p.Clusters[i].Communes[j]; c.Code == code {
				return c
			}
		}
	}
	return nil
}

// Cluster returns the cluster with the id, or nil.
func (p *Plan) Cluster(id int) *Cluster {
	for i := range p.Clusters {
		if p.Clusters[i].ID == id {
			return &p.Clusters[i]
		}
	}
	return nil
}

// ClusterOf returns the cluster of a commune code, or nil.
func (p *Plan) ClusterOf(code string) *Cluster {
	if c := p.Commune(code); c != nil {
		return p.Cluster(c.Cluster)
	}
	return nil
}

// Agency returns the agency that answers a topic (canonical name).
func (p *Plan) Agency(topic string) string {
	for _, t := range p.Topics {
		if t.Name == topic {
			return t.Agency
		}
	}
	return ""
}

// Agencies lists the distinct agencies in topic order.
func (p *Plan) Agencies() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range p.Topics {
		if !seen[t.Agency] {
			seen[t.Agency] = true
			out = append(out, t.Agency)
		}
	}
	return out
}

// Matcher returns the plan's name matcher.
func (p *Plan) Matcher() *Matcher {
	if p.matcher == nil {
		p.matcher = &lazyMatcher{plan: p} // a plan not made by Parse
	}
	lm := p.matcher
	lm.once.Do(func() { lm.m = newMatcher(lm.plan) })
	return lm.m
}
