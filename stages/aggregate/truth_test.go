package aggregate_test

import (
	"context"
	"path/filepath"
	"testing"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
)

// TestTruthReplay replays every sample set with the real pipeline, batch by
// batch as the communes sent it, and compares the figures of SPEC §8, the
// timeliness table and the dialogue results with truth.json. Over-quota
// marks are compared too but only logged: they follow eligibility, which
// earlier stages decide and the pipeline's own replay test checks.
func TestTruthReplay(t *testing.T) {
	for _, set := range loadSets(t) {
		t.Run(set.Set, func(t *testing.T) {
			p, err := plan.Load(set.PlanPath())
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			ds := replay(t, set, p)
			compareOverQuota(t, set, ds, false)
			compareFigures(t, set, ds)
			compareTimeliness(t, set, ds, p)
			compareResults(t, set, ds)
		})
	}
}

// replay runs the pipeline once per batch and returns the last dataset.
func replay(t *testing.T, set *truth.Set, p *plan.Plan) *record.Dataset {
	t.Helper()
	work := t.TempDir()
	inbox, outbox, state := filepath.Join(work, "inbox"), filepath.Join(work, "outbox"), filepath.Join(work, "state")
	var sum *pipeline.Summary
	for _, b := range set.Batches {
		if err := set.CopyBatch(b.Batch, inbox); err != nil {
			t.Fatalf("batch %d: %v", b.Batch, err)
		}
		var err error
		sum, err = pipeline.Run(context.Background(), pipeline.Config{
			Plan: p, Inbox: inbox, Outbox: outbox, State: state, Clock: clock.Fixed(b.At), Settle: 0, Kind: pipeline.KindFull,
		})
		if err != nil {
			t.Fatalf("run of batch %d: %v", b.Batch, err)
		}
	}
	if sum == nil || sum.Dataset == nil {
		t.Fatal("the replay produced no dataset")
	}
	return sum.Dataset
}
