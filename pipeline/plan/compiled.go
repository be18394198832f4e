package plan

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"time"
)

// compiled is what Compiled keeps of a plan: its fields as Parse left
// them (defaults filled in, every check passed).
type compiled struct {
	Version         int
	District        District
	Year            int
	DialogueQuarter int
	Timezone        string
	HamletsVerified bool
	Quotas          Quotas
	Deadlines       Deadlines
	Clusters        []Cluster
	Topics          []Topic
}

// Compiled is the plan as Parse made it, in a form that FromCompiled
// turns back into the same plan many times faster than Parse reads the
// YAML (a national plan of thousands of communes takes a good part of a
// second to parse): for a cache of the plan kept beside its source.
func (p *Plan) Compiled() ([]byte, error) {
	var buf bytes.Buffer
	c := compiled{Version: p.Version, District: p.District, Year: p.Year, DialogueQuarter: p.DialogueQuarter, Timezone: p.Timezone,
		HamletsVerified: p.HamletsVerified, Quotas: p.Quotas, Deadlines: p.Deadlines, Clusters: p.Clusters, Topics: p.Topics}
	if err := gob.NewEncoder(&buf).Encode(c); err != nil {
		return nil, fmt.Errorf("compile the plan: %w", err)
	}
	return buf.Bytes(), nil
}

// FromCompiled is the plan of source whose Compiled form is b. The caller
// vouches that b was compiled from source by this program (the cache is
// keyed by both); it is not checked again.
func FromCompiled(b, source []byte) (*Plan, error) {
	var c compiled
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&c); err != nil {
		return nil, fmt.Errorf("read the compiled plan: %w", err)
	}
	if len(c.Clusters) == 0 || c.Timezone == "" {
		return nil, errors.New("read the compiled plan: incomplete")
	}
	p := &Plan{Version: c.Version, District: c.District, Year: c.Year, DialogueQuarter: c.DialogueQuarter, Timezone: c.Timezone,
		HamletsVerified: c.HamletsVerified, Quotas: c.Quotas, Deadlines: c.Deadlines, Clusters: c.Clusters, Topics: c.Topics}
	loc, ok := location(p.Timezone)
	if !ok {
		return nil, fmt.Errorf("read the compiled plan: unknown time zone %q", p.Timezone)
	}
	p.loc = loc
	p.matcher = &lazyMatcher{plan: p}
	p.source = append([]byte(nil), source...)
	return p, nil
}

// location is the time zone named tz; false when it is unknown. Windows
// machines may lack a tz database; Viet Nam has no DST.
func location(tz string) (*time.Location, bool) {
	loc, err := time.LoadLocation(tz)
	if err == nil {
		return loc, true
	}
	if tz == "Asia/Ho_Chi_Minh" || tz == "Asia/Saigon" {
		return time.FixedZone("ICT", 7*3600), true
	}
	return time.UTC, false
}
