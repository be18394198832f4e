package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
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
	p, err = plan.Parse(b, path)
	if err != nil {
		return nil, false, err
	}
	return p, true, nil
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
