package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"doithoai/bench/gen"
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

// TestPlanCache: a plan loaded where a state folder exists is cached
// there as parsed; the next load gives the same plan from the cache; a
// plan of other text is parsed anew (and cached in place of the old one);
// a damaged cache is parsed around; a plan with errors gives its errors
// every time and is never cached.
func TestPlanCache(t *testing.T) {
	state := t.TempDir()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	src := plan.DefaultYAML()
	a := write("a.yaml", src)
	refined := write("b.yaml", append(append([]byte(nil), src...), "\n# refined\n"...))
	cache := filepath.Join(state, pipeline.PlanCacheFile)
	load := func(f string) *plan.Plan {
		t.Helper()
		p, err := pipeline.LoadPlan(state, f)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	same := func(what string, got *plan.Plan, src []byte) {
		t.Helper()
		want, err := plan.Parse(src, "x")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Source(), src) || got.Identity() != want.Identity() || len(got.Communes()) != len(want.Communes()) ||
			got.Location().String() != want.Location().String() || got.Matcher().Commune(want.Communes()[0].Name) == nil {
			t.Errorf("%s: not the plan of its text", what)
		}
	}
	same("first load", load(a), src)
	first, err := os.ReadFile(cache)
	if err != nil {
		t.Fatalf("no cache written: %v", err)
	}
	same("cached load", load(a), src)
	rb, _ := os.ReadFile(refined)
	same("another text", load(refined), rb)
	if now, _ := os.ReadFile(cache); bytes.Equal(now, first) {
		t.Error("the cache still holds the first plan")
	}
	os.WriteFile(cache, first[:len(first)/2], 0o600)
	same("damaged cache", load(a), src)

	bad := write("bad.yaml", bytes.Replace(src, []byte("year: 2022"), []byte("year: 1900"), 1))
	os.Remove(cache)
	for range 2 {
		if _, err := pipeline.LoadPlan(state, bad); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("a plan with errors: %v", err)
		}
	}
	if _, err := os.Stat(cache); err == nil {
		t.Error("a plan with errors was cached")
	}
	// No state folder: nothing is written, the plan is parsed.
	none := filepath.Join(t.TempDir(), "none")
	if _, err := pipeline.LoadPlan(none, a); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(none); err == nil {
		t.Error("loading a plan made the state folder")
	}
}

// BenchmarkLoadPlan measures loading a national plan (2,500 communes):
// "parse" reads its YAML (what every run and status did), "cached" reads
// it from the state folder's cache (what they do now when the plan is
// the one last loaded there).
func BenchmarkLoadPlan(b *testing.B) {
	dir := b.TempDir()
	f := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(f, gen.PlanYAML(2500, 3), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := plan.Load(f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		state := b.TempDir()
		if _, err := pipeline.LoadPlan(state, f); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := pipeline.LoadPlan(state, f); err != nil {
				b.Fatal(err)
			}
		}
	})
}
