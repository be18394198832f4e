package pipeline_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"doithoai/pipeline"
)

// TestRosterOutOfMemory: a run that keeps the M1 roster out of memory
// (HeldRows 1: every M1 file's rows stay in its checked extract, read
// again for each stage that needs them, commune by commune for dedupe)
// writes the very outbox of a run that holds every row, whether the
// extracts are made by the run (a new state) or loaded (a rebuild).
func TestRosterOutOfMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline on the demo inbox six times")
	}
	w := newWorld(t, pipeline.KindFull)
	for _, tc := range []struct {
		name     string
		newState bool
	}{{"new state", true}, {"stored extracts", false}} {
		t.Run(tc.name, func(t *testing.T) {
			now := w.now.Add(time.Hour)
			outs := map[int]string{}
			for _, held := range []int{-1, 1} {
				root := w.clone(t)
				remove := []string{"outbox"}
				if tc.newState {
					remove = append(remove, "state")
				}
				for _, d := range remove {
					if err := os.RemoveAll(filepath.Join(root, d)); err != nil {
						t.Fatal(err)
					}
				}
				sum := w.run(t, root, now, func(cfg *pipeline.Config) { cfg.Rebuild, cfg.HeldRows = true, held })
				spilled := sum.Dataset.Roster != nil
				if spilled != (held > 0) {
					t.Fatalf("HeldRows %d: roster out of memory %v", held, spilled)
				}
				if spilled && (sum.Dataset.Households != nil || sum.Dataset.HouseholdCount() == 0) {
					t.Fatalf("HeldRows %d: %d rows in memory, %d in all", held, len(sum.Dataset.Households), sum.Dataset.HouseholdCount())
				}
				outs[held] = filepath.Join(root, "outbox")
			}
			sameOutbox(t, outs[-1], outs[1])
		})
	}
}
