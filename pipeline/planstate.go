package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/uptodate"
)

// StatePlanFile is the copy of the plan a state folder was made with.
const StatePlanFile = "plan.yaml"

// ErrPlanMismatch means a run was given the plan of another season
// (district or year) than the one its state folder holds.
var ErrPlanMismatch = errors.New("the plan is for another season than the state folder")

// StatePlan loads the plan a state folder was made with; ok is false when
// the folder has none yet.
func StatePlan(state string) (p *plan.Plan, ok bool, err error) {
	path := filepath.Join(state, StatePlanFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read the state's plan: %w", err)
	}
	p, err = parsePlan(state, b, path)
	if err != nil {
		return nil, false, err
	}
	return p, true, nil
}

// LoadPlan is plan.Load(path) through the state folder's cache of the
// plan as parsed (see parsePlan).
func LoadPlan(state, path string) (*plan.Plan, error) {
	if path == "" {
		return plan.Load(path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return parsePlan(state, b, path)
}

// PlanCacheFile is, in the state folder, the last plan parsed there, as
// parsed (plan.Plan.Compiled), keyed by its text and the program.
const PlanCacheFile = "plan-cache.bin"

// planCacheVersion is raised when the cache's layout changes.
const planCacheVersion = 1

// parsePlan is plan.Parse(b, name), from the state folder's plan cache
// when it holds the plan of b as this program parsed it (a national plan
// of thousands of communes takes a good part of a second to parse: a run
// with nothing new and `status` need not). A plan parsed is cached when
// the state folder exists; a cache that cannot be read or written costs
// the parse, nothing else. A plan with errors is never cached: it is
// parsed each time, so its errors are told each time.
func parsePlan(state string, b []byte, name string) (*plan.Plan, error) {
	prog := uptodate.Program()
	if prog == "" || state == "" {
		return plan.Parse(b, name)
	}
	h := sha256.New()
	fmt.Fprintf(h, "doithoai plan cache %d\nprogram %s\n", planCacheVersion, prog)
	h.Write(b)
	head := "doithoai plan " + hex.EncodeToString(h.Sum(nil)) + "\n"
	cache := filepath.Join(state, PlanCacheFile)
	if c, err := os.ReadFile(cache); err == nil {
		if rest, ok := bytes.CutPrefix(c, []byte(head)); ok {
			if p, err := plan.FromCompiled(rest, b); err == nil {
				return p, nil
			}
		}
	}
	p, err := plan.Parse(b, name)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(state); err == nil && fi.IsDir() {
		if c, err := p.Compiled(); err == nil {
			_ = atomicfile.WriteBytesMode(cache, atomicfile.Private, append([]byte(head), c...))
		}
	}
	return p, nil
}

// keepPlan ties the state folder to the plan's season. The first run
// stores the plan; a later run with a refined plan of the same season
// replaces it; a plan of another district or year is refused, because its
// reports and ledger would be mixed with this season's (a forgotten
// --plan must never turn every file into "unknown commune").
func keepPlan(state string, p *plan.Plan, log *slog.Logger) error {
	src := p.Source()
	if b, err := os.ReadFile(filepath.Join(state, StatePlanFile)); err == nil && bytes.Equal(b, src) {
		return nil // the very plan the folder holds (no need to parse it again)
	}
	held, ok, err := StatePlan(state)
	if err != nil {
		return err
	}
	if ok && held.Identity() != p.Identity() {
		return fmt.Errorf("%w: %s holds the plan of %s %d, the run was given %s %d",
			ErrPlanMismatch, state, held.District.Name, held.Year, p.District.Name, p.Year)
	}
	if ok && bytes.Equal(held.Source(), src) {
		return nil
	}
	if ok {
		log.Info("the plan was refined; the state folder keeps the new version", "season", p.Identity())
	}
	return atomicfile.WriteBytesMode(filepath.Join(state, StatePlanFile), atomicfile.Private, src)
}
