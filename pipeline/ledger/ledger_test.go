package ledger

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	ict = time.FixedZone("+07", 7*3600)
	ctx = context.Background()
)

func open(t *testing.T, dir string) *Ledger {
	t.Helper()
	l, err := Open(ctx, dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func sha(c byte) string { return strings.Repeat(string(c), 64) }

func entry(c byte, path string, at time.Time) Entry {
	return Entry{
		SHA256:     sha(c),
		Path:       path,
		Size:       int64(100 + c),
		ReceivedAt: at,
		SeenReal:   time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
		Archive:    "archive/" + sha(c)[:2] + "/" + sha(c),
	}
}

func TestOpenCreates(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "ledger.sqlite")); err != nil {
		t.Fatalf("ledger file: %v", err)
	}
	es, err := l.Entries(ctx)
	if err != nil || len(es) != 0 {
		t.Errorf("new ledger: entries %v, err %v", es, err)
	}
	runs, err := l.Runs(ctx, 10)
	if err != nil || len(runs) != 0 {
		t.Errorf("new ledger: runs %v, err %v", runs, err)
	}
	if _, ok, err := l.LastSuccessful(ctx, ""); ok || err != nil {
		t.Errorf("new ledger: LastSuccessful ok=%v err=%v", ok, err)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) string
	}{
		{"missing folder", func(t *testing.T) string { return filepath.Join(t.TempDir(), "no", "such") }},
		{"not a database", func(t *testing.T) string {
			dir := t.TempDir()
			junk := []byte("this is not an SQLite database, it is a note a clerk saved here by mistake\n")
			for len(junk) < 8192 {
				junk = append(junk, junk...)
			}
			if err := os.WriteFile(filepath.Join(dir, "ledger.sqlite"), junk, 0o644); err != nil {
				t.Fatal(err)
			}
			return dir
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t)
			l, err := Open(ctx, dir)
			if err == nil {
				l.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), "ledger.sqlite") {
				t.Errorf("error %q does not name the ledger file", err)
			}
		})
	}
}

func TestReceiveAndEntries(t *testing.T) {
	l := open(t, t.TempDir())
	t1 := time.Date(2022, 3, 20, 9, 0, 0, 0, ict)
	t2 := time.Date(2022, 3, 28, 14, 0, 0, 0, ict)
	in := []Entry{
		entry('a', "29956/M1.xlsx", t1),
		entry('b', "Thường Thới Tiền/M1.xlsx", t1),
		entry('a', "M1 - Copy.xlsx", t2), // same bytes, another path
		entry('c', "29956/M1.xlsx", t2),  // same path, new bytes
		entry('d', "29956/~nothing.csv", t2),
	}
	var seqs []int64
	for _, e := range in {
		seq, err := l.Receive(ctx, e, 1)
		if err != nil {
			t.Fatalf("Receive(%s): %v", e.Path, err)
		}
		if len(seqs) > 0 && seq <= seqs[len(seqs)-1] {
			t.Errorf("seq %d after %d: not increasing", seq, seqs[len(seqs)-1])
		}
		seqs = append(seqs, seq)
	}
	got, err := l.Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("%d entries, want %d", len(got), len(in))
	}
	if n, err := l.EntryCount(ctx); err != nil || n != len(in) {
		t.Errorf("EntryCount = %d, %v; want %d", n, err, len(in))
	}
	for i, g := range got {
		w := in[i]
		if g.Seq != seqs[i] || g.SHA256 != w.SHA256 || g.Path != w.Path || g.Size != w.Size || g.Archive != w.Archive {
			t.Errorf("entry %d = %+v, want %+v (seq %d)", i, g, w, seqs[i])
		}
		if !g.ReceivedAt.Equal(w.ReceivedAt) {
			t.Errorf("entry %d received %v, want %v", i, g.ReceivedAt, w.ReceivedAt)
		}
		if _, off := g.ReceivedAt.Zone(); off != 7*3600 {
			t.Errorf("entry %d: the run's offset is lost (%v)", i, g.ReceivedAt)
		}
		if !g.SeenReal.Equal(w.SeenReal) {
			t.Errorf("entry %d seen %v, want %v", i, g.SeenReal, w.SeenReal)
		}
	}
}

func TestKnownAndCache(t *testing.T) {
	l := open(t, t.TempDir())
	e := entry('a', "29956/M1.xlsx", time.Date(2022, 3, 20, 9, 0, 0, 0, ict))
	if ok, err := l.Known(ctx, e.Path, e.SHA256); ok || err != nil {
		t.Fatalf("Known before Receive: %v %v", ok, err)
	}
	if _, err := l.Receive(ctx, e, 111); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		size    int64
		mtime   int64
		wantSHA string
		wantOK  bool
	}{
		{"same path size mtime", e.Path, e.Size, 111, e.SHA256, true},
		{"other mtime", e.Path, e.Size, 112, "", false},
		{"other size", e.Path, e.Size + 1, 111, "", false},
		{"other path", "29974/M1.xlsx", e.Size, 111, "", false},
	}
	for _, tt := range tests {
		got, ok, err := l.CachedHash(ctx, tt.path, tt.size, tt.mtime)
		if err != nil || ok != tt.wantOK || got != tt.wantSHA {
			t.Errorf("%s: CachedHash = %q %v %v, want %q %v", tt.name, got, ok, err, tt.wantSHA, tt.wantOK)
		}
	}
	known := []struct {
		path, sha string
		want      bool
	}{
		{e.Path, e.SHA256, true},
		{e.Path, sha('b'), false},
		{"M1 - Copy.xlsx", e.SHA256, false}, // Known is per (path, bytes)
	}
	for _, k := range known {
		if ok, err := l.Known(ctx, k.path, k.sha); ok != k.want || err != nil {
			t.Errorf("Known(%s, %s…) = %v %v, want %v", k.path, k.sha[:4], ok, err, k.want)
		}
	}
	// A touched file: same bytes, new mtime.
	if err := l.CacheHash(ctx, e.Path, e.Size, 222, e.SHA256); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := l.CachedHash(ctx, e.Path, e.Size, 222); !ok || got != e.SHA256 {
		t.Errorf("after CacheHash: %q %v", got, ok)
	}
	if _, ok, _ := l.CachedHash(ctx, e.Path, e.Size, 111); ok {
		t.Error("the old cache entry of the path is still answered")
	}
}

func TestSettling(t *testing.T) {
	l := open(t, t.TempDir())
	t0 := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		name        string
		size, mtime int64
		now         time.Time
		wantFirst   time.Time
	}{
		{"first sight", 10, 1, t0, t0},
		{"unchanged", 10, 1, t0.Add(time.Second), t0},
		{"unchanged later", 10, 1, t0.Add(time.Hour), t0},
		{"grew", 20, 2, t0.Add(2 * time.Hour), t0.Add(2 * time.Hour)},
		{"same size new mtime", 20, 3, t0.Add(3 * time.Hour), t0.Add(3 * time.Hour)},
		{"stable again", 20, 3, t0.Add(4 * time.Hour), t0.Add(3 * time.Hour)},
	}
	for _, s := range steps {
		got, err := l.Settling(ctx, "a.xlsx", s.size, s.mtime, s.now)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !got.Equal(s.wantFirst) {
			t.Errorf("%s: first seen %v, want %v", s.name, got, s.wantFirst)
		}
	}
	// Another path settles independently.
	if got, _ := l.Settling(ctx, "b.xlsx", 20, 3, t0.Add(5*time.Hour)); !got.Equal(t0.Add(5 * time.Hour)) {
		t.Errorf("b.xlsx first seen %v", got)
	}
	// Receiving a file ends its settling.
	e := entry('a', "a.xlsx", t0)
	e.Size = 20
	if _, err := l.Receive(ctx, e, 3); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Settling(ctx, "a.xlsx", 20, 3, t0.Add(9*time.Hour)); !got.Equal(t0.Add(9 * time.Hour)) {
		t.Errorf("settling of a received file not cleared: first seen %v", got)
	}
	if got, _ := l.Settling(ctx, "b.xlsx", 20, 3, t0.Add(9*time.Hour)); !got.Equal(t0.Add(5 * time.Hour)) {
		t.Errorf("receiving a.xlsx cleared b.xlsx: %v", got)
	}
}

// A Receive that fails leaves nothing of itself: no entry, no cache entry,
// settling state untouched.
func TestReceiveIsOneTransaction(t *testing.T) {
	l := open(t, t.TempDir())
	t0 := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	e := entry('a', "29956/M1.xlsx", time.Date(2022, 3, 20, 9, 0, 0, 0, ict))
	if _, err := l.Receive(ctx, e, 1); err != nil {
		t.Fatal(err)
	}
	// The path is settling with another mtime when the same (path, bytes)
	// is received again, which the ledger refuses.
	if _, err := l.Settling(ctx, e.Path, e.Size, 2, t0); err != nil {
		t.Fatal(err)
	}
	_, err := l.Receive(ctx, e, 2)
	if err == nil {
		t.Fatal("receiving the same path and bytes twice succeeded")
	}
	if !strings.Contains(err.Error(), e.Path) {
		t.Errorf("error %q does not name the file", err)
	}
	if es, _ := l.Entries(ctx); len(es) != 1 {
		t.Errorf("%d entries after the failed Receive, want 1", len(es))
	}
	if _, ok, _ := l.CachedHash(ctx, e.Path, e.Size, 2); ok {
		t.Error("the failed Receive wrote its cache entry")
	}
	if _, ok, _ := l.CachedHash(ctx, e.Path, e.Size, 1); !ok {
		t.Error("the failed Receive removed the earlier cache entry")
	}
	if first, _ := l.Settling(ctx, e.Path, e.Size, 2, t0.Add(time.Hour)); !first.Equal(t0) {
		t.Errorf("the failed Receive cleared the settling state (first seen %v, want %v)", first, t0)
	}

	// A cancelled context writes nothing either.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.Receive(cctx, entry('b', "other.xlsx", t0), 1); err == nil {
		t.Error("Receive with a cancelled context succeeded")
	}
	if es, _ := l.Entries(ctx); len(es) != 1 {
		t.Errorf("%d entries after a cancelled Receive, want 1", len(es))
	}
	if _, ok, _ := l.CachedHash(ctx, "other.xlsx", entry('b', "", t0).Size, 1); ok {
		t.Error("a cancelled Receive wrote its cache entry")
	}
}

func TestRuns(t *testing.T) {
	l := open(t, t.TempDir())
	started := time.Date(2025, 5, 1, 2, 0, 0, 0, time.UTC)
	clockNow := time.Date(2022, 4, 20, 9, 0, 0, 0, ict)

	type run struct {
		kind    string
		outcome string // "" = never finished (still running, or the process died)
		r       Run
	}
	runs := []run{
		{kind: "full", outcome: "ok", r: Run{Duration: 1500 * time.Millisecond, FilesNew: 7, FilesTotal: 7, Rejected: 1, Findings: 40}},
		{kind: "light", outcome: "failed", r: Run{Duration: 20 * time.Millisecond, Message: "ingest: scan inbox: permission denied"}},
		{kind: "light", outcome: "ok", r: Run{Duration: 3 * time.Second, FilesNew: 1, FilesTotal: 8, Findings: 41}},
		{kind: "full", outcome: "aborted", r: Run{Duration: time.Minute, Message: "context canceled"}},
		{kind: "full"},
	}
	for i := range runs {
		r := &runs[i]
		id, err := l.StartRun(ctx, r.kind, started.Add(time.Duration(i)*time.Hour), clockNow.AddDate(0, 0, i))
		if err != nil {
			t.Fatal(err)
		}
		r.r.ID, r.r.Kind = id, r.kind
		r.r.Started = started.Add(time.Duration(i) * time.Hour)
		r.r.ClockNow = clockNow.AddDate(0, 0, i)
		if r.outcome == "" {
			r.r.Outcome = "running"
			continue
		}
		r.r.Outcome = r.outcome
		r.r.Finished = r.r.Started.Add(r.r.Duration)
		if err := l.FinishRun(ctx, r.r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.Runs(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(runs) {
		t.Fatalf("%d runs, want %d", len(got), len(runs))
	}
	for i, g := range got {
		w := runs[len(runs)-1-i].r // newest first
		if g.ID != w.ID || g.Kind != w.Kind || g.Outcome != w.Outcome || g.Duration != w.Duration ||
			g.FilesNew != w.FilesNew || g.FilesTotal != w.FilesTotal || g.Rejected != w.Rejected ||
			g.Findings != w.Findings || g.Message != w.Message {
			t.Errorf("run %d = %+v\nwant %+v", i, g, w)
		}
		if !g.Started.Equal(w.Started) || !g.Finished.Equal(w.Finished) || !g.ClockNow.Equal(w.ClockNow) {
			t.Errorf("run %d times: started %v finished %v clock %v; want %v %v %v",
				i, g.Started, g.Finished, g.ClockNow, w.Started, w.Finished, w.ClockNow)
		}
	}
	if got[0].Outcome != "running" || !got[0].Finished.IsZero() {
		t.Errorf("unfinished run: outcome %q finished %v", got[0].Outcome, got[0].Finished)
	}
	if lim, _ := l.Runs(ctx, 2); len(lim) != 2 || lim[0].ID != runs[4].r.ID || lim[1].ID != runs[3].r.ID {
		t.Errorf("Runs(2) = %+v", lim)
	}

	last := []struct {
		kind   string
		wantID int64
	}{
		{"full", runs[0].r.ID},
		{"light", runs[2].r.ID},
		{"", runs[2].r.ID},
	}
	for _, tt := range last {
		r, ok, err := l.LastSuccessful(ctx, tt.kind)
		if err != nil || !ok || r.ID != tt.wantID || r.Outcome != "ok" {
			t.Errorf("LastSuccessful(%q) = %+v %v %v, want id %d", tt.kind, r, ok, err, tt.wantID)
		}
	}
	if _, ok, err := l.LastSuccessful(ctx, "nightly"); ok || err != nil {
		t.Errorf("LastSuccessful of a kind never run: ok=%v err=%v", ok, err)
	}
}

// The last successful full run is found however many light runs followed
// it (the scheduler asks after days of light passes every few minutes).
func TestLastSuccessfulBehindManyRuns(t *testing.T) {
	l := open(t, t.TempDir())
	t0 := time.Date(2025, 5, 1, 2, 0, 0, 0, time.UTC)
	full, err := l.StartRun(ctx, "full", t0, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.FinishRun(ctx, Run{ID: full, Finished: t0, Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	// 1,500 light runs in one transaction (fast), as a day at --every 1m.
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 1500; i++ {
		at := t0.Add(time.Duration(i) * time.Minute).Format(time.RFC3339Nano)
		if _, err := tx.ExecContext(ctx, `INSERT INTO runs(kind,started,clock_now,finished,outcome) VALUES('light',?,?,?,'ok')`, at, at, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	r, ok, err := l.LastSuccessful(ctx, "full")
	if err != nil || !ok || r.ID != full {
		t.Errorf("LastSuccessful(full) = %+v %v %v, want run %d", r, ok, err, full)
	}
}

func TestEmitted(t *testing.T) {
	l := open(t, t.TempDir())
	at := time.Date(2022, 7, 1, 0, 0, 0, 0, ict)
	if p, ok, err := l.Emitted(ctx, "quarterly", "2022Q2"); ok || err != nil || p != "" {
		t.Fatalf("before: %q %v %v", p, ok, err)
	}
	if err := l.MarkEmitted(ctx, "quarterly", "2022Q2", "bao-cao/2022Q2.xlsx", at); err != nil {
		t.Fatal(err)
	}
	// Emitted once: a second mark does not move it.
	if err := l.MarkEmitted(ctx, "quarterly", "2022Q2", "bao-cao/2022Q2 (2).xlsx", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind, period string
		wantPath     string
		wantOK       bool
	}{
		{"quarterly", "2022Q2", "bao-cao/2022Q2.xlsx", true},
		{"quarterly", "2022Q3", "", false},
		{"attendance", "2022Q2", "", false},
	}
	for _, tt := range tests {
		p, ok, err := l.Emitted(ctx, tt.kind, tt.period)
		if err != nil || ok != tt.wantOK || p != tt.wantPath {
			t.Errorf("Emitted(%s, %s) = %q %v %v, want %q %v", tt.kind, tt.period, p, ok, err, tt.wantPath, tt.wantOK)
		}
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	e := entry('a', "29956/M1.xlsx", time.Date(2022, 3, 20, 9, 0, 0, 0, ict))
	if _, err := l.Receive(ctx, e, 42); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Settling(ctx, "29974/M2.xlsx", 5, 6, t0); err != nil {
		t.Fatal(err)
	}
	id, err := l.StartRun(ctx, "full", t0, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.FinishRun(ctx, Run{ID: id, Finished: t0.Add(time.Second), Outcome: "ok", Duration: time.Second, FilesNew: 1, FilesTotal: 1}); err != nil {
		t.Fatal(err)
	}
	if err := l.MarkEmitted(ctx, "quarterly", "2022Q2", "q.xlsx", t0); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	for round := 0; round < 2; round++ { // reopening twice changes nothing
		l := open(t, dir)
		es, err := l.Entries(ctx)
		if err != nil || len(es) != 1+round || es[0].SHA256 != e.SHA256 || es[0].Path != e.Path || !es[0].ReceivedAt.Equal(e.ReceivedAt) {
			t.Errorf("round %d: entries %+v %v", round, es, err)
		}
		if s, ok, _ := l.CachedHash(ctx, e.Path, e.Size, 42); !ok || s != e.SHA256 {
			t.Errorf("round %d: cache lost", round)
		}
		if first, _ := l.Settling(ctx, "29974/M2.xlsx", 5, 6, t0.Add(time.Hour)); !first.Equal(t0) {
			t.Errorf("round %d: settling lost (%v)", round, first)
		}
		if r, ok, _ := l.LastSuccessful(ctx, "full"); !ok || r.ID != id || r.FilesNew != 1 || r.Duration != time.Second {
			t.Errorf("round %d: run lost: %+v", round, r)
		}
		if p, ok, _ := l.Emitted(ctx, "quarterly", "2022Q2"); !ok || p != "q.xlsx" {
			t.Errorf("round %d: emitted lost", round)
		}
		// The sequence continues after the old entries.
		seq, err := l.Receive(ctx, entry(byte('b'+round), "new.xlsx", t0), 1)
		if err != nil || seq <= es[len(es)-1].Seq {
			t.Errorf("round %d: new seq %d after %d (%v)", round, seq, es[len(es)-1].Seq, err)
		}
		l.Close()
	}
}

// Two handles on one state folder (a status command while serve runs)
// see each other's writes.
func TestTwoHandles(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir)
	b := open(t, dir)
	if _, err := a.Receive(ctx, entry('a', "x.xlsx", time.Now()), 1); err != nil {
		t.Fatal(err)
	}
	es, err := b.Entries(ctx)
	if err != nil || len(es) != 1 {
		t.Fatalf("second handle sees %d entries (%v)", len(es), err)
	}
	if _, err := b.Receive(ctx, entry('b', "y.xlsx", time.Now()), 1); err != nil {
		t.Fatal(err)
	}
	if es, _ := a.Entries(ctx); len(es) != 2 {
		t.Errorf("first handle sees %d entries, want 2", len(es))
	}
}

// TestMarkInterrupted: runs left "running" by a killed process are closed
// as interrupted; finished runs are untouched.
func TestMarkInterrupted(t *testing.T) {
	ctx := context.Background()
	l, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	at := time.Date(2022, 5, 1, 2, 0, 0, 0, time.UTC)
	done, err := l.StartRun(ctx, "full", at, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.FinishRun(ctx, Run{ID: done, Finished: at.Add(time.Minute), Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.StartRun(ctx, "light", at.Add(time.Hour), at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	n, err := l.MarkInterrupted(ctx, at.Add(2*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("MarkInterrupted = %d, %v; want 1", n, err)
	}
	runs, err := l.Runs(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if runs[0].Outcome != "interrupted" || runs[1].Outcome != "ok" {
		t.Errorf("outcomes %q, %q", runs[0].Outcome, runs[1].Outcome)
	}
	if n, _ := l.MarkInterrupted(ctx, at); n != 0 {
		t.Errorf("second MarkInterrupted closed %d runs", n)
	}
}

// TestOutcomeCounts: the counts by status are those of the outcomes
// recorded (none before any).
func TestOutcomeCounts(t *testing.T) {
	l := open(t, t.TempDir())
	if got, err := l.OutcomeCounts(ctx); err != nil || len(got) != 0 {
		t.Fatalf("no outcomes yet: %v, %v", got, err)
	}
	outs := []Outcome{
		{Seq: 1, SHA256: "a", Path: "a.xlsx", Status: "accepted"},
		{Seq: 2, SHA256: "b", Path: "b.xlsx", Status: "rejected"},
		{Seq: 3, SHA256: "a", Path: "c.xlsx", Status: "duplicate"},
		{Seq: 4, SHA256: "d", Path: "d.xlsx", Status: "accepted"},
	}
	if err := l.RecordOutcomes(ctx, 1, outs); err != nil {
		t.Fatal(err)
	}
	got, err := l.OutcomeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"accepted": 2, "rejected": 1, "duplicate": 1}
	if !maps.Equal(got, want) {
		t.Errorf("counts %v, want %v", got, want)
	}
}
