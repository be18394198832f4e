package aggregate_test

import (
	"context"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/pipeline/truth/sampleds"
)

// TestTruthReplay replays every sample set through the real stages, batch
// by batch as the communes sent it (sampleds: the pipeline's dataset), and compares the figures of SPEC §8, the
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
			out := outcomeOfDataset(replay(t, set, p))
			compareOverQuota(t, set, out, false)
			compareFigures(t, set, out)
			compareTimeliness(t, set, out, p)
			compareResults(t, set, out)
		})
	}
}

// replay runs the stages on every batch of the set as the pipeline's runs
// would and returns the dataset of the last run.
func replay(t *testing.T, set *truth.Set, p *plan.Plan) *record.Dataset {
	t.Helper()
	ds, err := sampleds.Dataset(context.Background(), set, p, 0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}
