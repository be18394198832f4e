package schedule_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"doithoai/pipeline"
	"doithoai/pipeline/demo"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/schedule"
	"doithoai/stages/report/quarterly"
)

// recorder wraps pipeline.Run and records every run: its kind, the clock
// it ran at and its outcome.
type recorder struct {
	mu       sync.Mutex
	runs     []recordedRun
	inFlight int
	changed  chan struct{}
}

type recordedRun struct {
	kind string
	at   time.Time
	err  error
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1024)} }

func (r *recorder) run(ctx context.Context, cfg pipeline.Config) (*pipeline.Summary, error) {
	r.mu.Lock()
	r.inFlight++
	r.mu.Unlock()
	sum, err := pipeline.Run(ctx, cfg)
	r.mu.Lock()
	r.inFlight--
	r.runs = append(r.runs, recordedRun{kind: cfg.Kind, at: cfg.Clock.Now(), err: err})
	r.mu.Unlock()
	r.changed <- struct{}{}
	return sum, err
}

// waitFor blocks until n runs have completed and none is in flight. The
// deadline only guards against a hang; it is not a speed assertion.
func (r *recorder) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(5 * time.Minute)
	for {
		r.mu.Lock()
		done, busy := len(r.runs), r.inFlight
		r.mu.Unlock()
		if done >= n && busy == 0 {
			if done > n {
				t.Fatalf("%d runs, want %d: %v", done, n, r.snapshot())
			}
			return
		}
		select {
		case <-r.changed:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("waiting for run %d: only %d done (%d in flight)", n, done, busy)
		}
	}
}

func (r *recorder) snapshot() []recordedRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recordedRun(nil), r.runs...)
}

// TestScheduleAcrossQuarterEnd drives the schedule with gocron's fake clock
// over three days around the end of the dialogue quarter (2022Q2): a missed
// nightly run at start-up, light passes every 6 hours, nightly runs at
// 02:00, the final quarterly report emitted once by the first run after
// the quarter ends and never rewritten, the draft gone, every run in the
// ledger.
func TestScheduleAcrossQuarterEnd(t *testing.T) {
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if p.DialoguePeriod() != "2022Q2" {
		t.Skipf("the embedded plan's dialogue quarter is %s; this test walks the end of 2022Q2", p.DialoguePeriod())
	}
	root := t.TempDir()
	if _, err := demo.Generate(p, root, demo.Options{Seed: 7, Year: p.Year}); err != nil {
		t.Fatal(err)
	}
	loc := p.Location()
	start := time.Date(2022, 6, 29, 12, 0, 0, 0, loc)
	quarterEnd := time.Date(2022, 7, 1, 0, 0, 0, 0, loc)
	fake := clockwork.NewFakeClockAt(start)
	rec := newRecorder()
	base := pipeline.Config{
		Plan: p, Inbox: filepath.Join(root, "inbox"), Outbox: filepath.Join(root, "outbox"), State: filepath.Join(root, "state"),
		Settle: 0, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	sc, err := schedule.Start(context.Background(), schedule.Config{
		Base: base, Every: 6 * time.Hour, Nightly: "0 2 * * *", Clock: fake, RunFunc: rec.run,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Stop()

	// No full run was ever recorded: the missed nightly run ran at start-up.
	rec.waitFor(t, 1)
	if r := rec.snapshot()[0]; r.kind != pipeline.KindFull || !r.at.Equal(start) || r.err != nil {
		t.Fatalf("start-up run = %+v, want a full run at %v", r, start)
	}
	reports := filepath.Join(base.Outbox, "bao-cao")
	final := filepath.Join(reports, quarterly.FileName("2022Q2", false))
	draft := filepath.Join(reports, quarterly.FileName("2022Q2", true))
	if !exists(draft) || exists(final) {
		t.Fatalf("before the quarter ends: want the draft only (draft %v, final %v)", exists(draft), exists(final))
	}

	// Walk hour by hour; the test knows when each job is due.
	type due struct {
		at   time.Time
		kind string
	}
	var want []due
	var finalSum [32]byte
	emittedAt := time.Time{}
	runs := 1
	for now := start.Add(time.Hour); !now.After(time.Date(2022, 7, 2, 3, 0, 0, 0, loc)); now = now.Add(time.Hour) {
		var expect []due
		if now.Hour() == 2 {
			expect = append(expect, due{now, pipeline.KindFull})
		}
		if now.Sub(start)%(6*time.Hour) == 0 {
			expect = append(expect, due{now, pipeline.KindLight})
		}
		fake.Advance(time.Hour)
		runs += len(expect)
		rec.waitFor(t, runs)
		want = append(want, expect...)

		switch {
		case now.Before(quarterEnd):
			if exists(final) {
				t.Fatalf("%v: final report before the quarter ended", now)
			}
		case len(expect) > 0 && emittedAt.IsZero():
			// The first run after the quarter ended emits the final report.
			if !exists(final) || exists(draft) {
				t.Fatalf("%v: first run after the quarter: final %v, draft %v", now, exists(final), exists(draft))
			}
			emittedAt = now
			finalSum = fileSum(t, final)
		case !emittedAt.IsZero():
			if got := fileSum(t, final); got != finalSum {
				t.Fatalf("%v: the final report was rewritten", now)
			}
		}
	}
	if !emittedAt.Equal(quarterEnd) {
		t.Errorf("final report emitted at %v, want the light pass at %v", emittedAt, quarterEnd)
	}
	got := rec.snapshot()[1:]
	if len(got) != len(want) {
		t.Fatalf("runs %v, want %v", got, want)
	}
	for i := range want {
		// Two jobs due at the same moment may run in either order.
		if !got[i].at.Equal(want[i].at) {
			t.Errorf("run %d at %v, want %v", i, got[i].at, want[i].at)
		}
		if got[i].err != nil {
			t.Errorf("run %d (%s at %v): %v", i, got[i].kind, got[i].at, got[i].err)
		}
	}
	kinds := map[string]int{}
	for _, r := range got {
		kinds[r.kind]++
	}
	if kinds[pipeline.KindFull] != 3 || kinds[pipeline.KindLight] != 10 {
		t.Errorf("runs by kind %v, want 3 nightly and 10 light", kinds)
	}

	// Every run is in the ledger with its outcome.
	if err := sc.Stop(); err != nil {
		t.Fatal(err)
	}
	led, err := ledger.Open(context.Background(), base.State)
	if err != nil {
		t.Fatal(err)
	}
	defer led.Close()
	lruns, err := led.Runs(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(lruns) != len(got)+1 {
		t.Errorf("ledger holds %d runs, want %d", len(lruns), len(got)+1)
	}
	for _, r := range lruns {
		if r.Outcome != "ok" {
			t.Errorf("ledger run %d: outcome %q (%s)", r.ID, r.Outcome, r.Message)
		}
	}
	path, ok, err := led.Emitted(context.Background(), quarterly.Kind, "2022Q2")
	if err != nil || !ok || filepath.Base(path) != filepath.Base(final) {
		t.Errorf("ledger emission: %q %v %v", path, ok, err)
	}
}

// TestMissedNightlyOnlyWhenMissed: a start-up within a day of the last
// full run does not run again.
func TestMissedNightlyOnlyWhenMissed(t *testing.T) {
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	inbox := filepath.Join(root, "inbox")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	loc := p.Location()
	at := time.Date(2022, 5, 10, 2, 0, 0, 0, loc)
	base := pipeline.Config{Plan: p, Inbox: inbox, Outbox: filepath.Join(root, "outbox"), State: filepath.Join(root, "state"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for i, tc := range []struct {
		name    string
		startAt time.Time
		wantRun bool
	}{
		{"first start ever", at, true},
		{"eight hours after the last nightly run", at.Add(8 * time.Hour), false},
		{"the PC was off for two nights", at.Add(50 * time.Hour), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			sc, err := schedule.Start(context.Background(), schedule.Config{
				Base: base, Every: 0, Clock: clockwork.NewFakeClockAt(tc.startAt), RunFunc: rec.run,
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := sc.Stop(); err != nil {
				t.Fatal(err)
			}
			if got := len(rec.snapshot()) > 0; got != tc.wantRun {
				t.Errorf("case %d: ran at start-up = %v, want %v", i, got, tc.wantRun)
			}
		})
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func fileSum(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestStopLetsARunFinishOrAborts: Stop waits for a run in progress; a run
// still going after the grace period has its context cancelled: it stops
// with context.Canceled, leaves no successful run and no outbox behind, and
// the next run completes.
func TestStopLetsARunFinishOrAborts(t *testing.T) {
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		finishAlone bool // the run ends by itself before the grace period
		grace       time.Duration
	}{
		{"run finishes within the grace period", true, time.Minute},
		{"run aborted after the grace period", false, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			inbox := filepath.Join(root, "inbox")
			if err := os.MkdirAll(inbox, 0o755); err != nil {
				t.Fatal(err)
			}
			base := pipeline.Config{Plan: p, Inbox: inbox, Outbox: filepath.Join(root, "outbox"), State: filepath.Join(root, "state"),
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			started := make(chan struct{})
			release := make(chan struct{})
			outcome := make(chan error, 1)
			run := func(ctx context.Context, cfg pipeline.Config) (*pipeline.Summary, error) {
				if cfg.Kind != pipeline.KindLight {
					return &pipeline.Summary{}, nil // the start-up nightly run: not under test
				}
				close(started)
				select {
				case <-release:
				case <-ctx.Done():
				}
				// The real pipeline with the run's context: a cancelled
				// context is recorded as aborted.
				sum, err := pipeline.Run(ctx, cfg)
				outcome <- err
				return sum, err
			}
			fake := clockwork.NewFakeClockAt(time.Date(2022, 5, 10, 10, 0, 0, 0, p.Location()))
			sc, err := schedule.Start(context.Background(), schedule.Config{Base: base, Every: time.Hour, Clock: fake, RunFunc: run, GracePeriod: tc.grace})
			if err != nil {
				t.Fatal(err)
			}
			fake.Advance(time.Hour) // the light pass starts and blocks
			<-started
			if tc.finishAlone {
				close(release)
			}
			if err := sc.Stop(); err != nil {
				t.Fatal(err)
			}
			err = <-outcome
			if tc.finishAlone != (err == nil) || (!tc.finishAlone && !errors.Is(err, context.Canceled)) {
				t.Fatalf("run error %v", err)
			}
			if !tc.finishAlone {
				if exists(filepath.Join(base.Outbox, "index.html")) {
					t.Error("an aborted run wrote the status page")
				}
				// The next run completes.
				base.Kind = pipeline.KindLight
				if _, err := pipeline.Run(context.Background(), base); err != nil {
					t.Fatalf("run after the abort: %v", err)
				}
			}
			led, err := ledger.Open(context.Background(), base.State)
			if err != nil {
				t.Fatal(err)
			}
			defer led.Close()
			runs, err := led.Runs(context.Background(), 5)
			if err != nil || len(runs) == 0 || runs[0].Outcome != "ok" {
				t.Fatalf("ledger runs %+v, %v; want the last one ok", runs, err)
			}
			for _, r := range runs[1:] {
				if r.Outcome == "ok" {
					t.Errorf("the aborted run is recorded as ok: %+v", r)
				}
			}
			if !exists(filepath.Join(base.Outbox, "index.html")) {
				t.Error("no status page after a completed run")
			}
		})
	}
}
