package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/plan"
)

// TestStateKeepsItsPlan: the first run stores its plan in the state
// folder; a refined plan of the same season replaces it; a plan of
// another district or year is refused before anything is written.
func TestStateKeepsItsPlan(t *testing.T) {
	p2022 := plan.Default()
	p2023, err := plan.Load(filepath.Join("testdata", "plan-2023-q3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	refined, err := plan.Parse(append(p2022.Source(), []byte("\n# refined: a comment changes the text, not the season\n")...), "refined.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	cfg := pipeline.Config{Inbox: filepath.Join(root, "inbox"), Outbox: filepath.Join(root, "outbox"), State: filepath.Join(root, "state"),
		Clock: clock.Fixed(time.Date(2022, 5, 1, 9, 0, 0, 0, p2022.Location())), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := os.MkdirAll(cfg.Inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := pipeline.StatePlan(cfg.State); ok || err != nil {
		t.Fatalf("a new state folder holds a plan: %v %v", ok, err)
	}
	for i, tc := range []struct {
		plan    *plan.Plan
		wantErr error
		held    []byte
	}{
		{p2022, nil, p2022.Source()},
		{refined, nil, refined.Source()},
		{p2023, pipeline.ErrPlanMismatch, refined.Source()},
	} {
		cfg.Plan = tc.plan
		_, err := pipeline.Run(context.Background(), cfg)
		if !errors.Is(err, tc.wantErr) {
			t.Fatalf("run %d: error %v, want %v", i, err, tc.wantErr)
		}
		held, ok, err := pipeline.StatePlan(cfg.State)
		if !ok || err != nil || !bytes.Equal(held.Source(), tc.held) {
			t.Fatalf("run %d: the state holds the wrong plan (%v, %v)", i, ok, err)
		}
	}
}
