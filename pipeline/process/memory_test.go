package process_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"doithoai/bench/gen"
	"doithoai/pipeline/faultdoc"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
	"doithoai/stages/ingest"
)

const memoryTest = "TestSourceRowsOneAtATime"

// storedInbox generates a 12-commune inbox (48,000 roster rows) and reads
// it once into a new extract store: its folder and the state folder.
func storedInbox(t *testing.T, seed int64) (dir, state string) {
	t.Helper()
	dir = t.TempDir()
	if _, err := gen.Generate(context.Background(), dir, gen.Options{Communes: 12, Households: 4000, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	p, subs := benchSubs(t, dir)
	state = t.TempDir()
	st, err := process.NewStore(state, process.Config{}.Limits, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := process.Config{Plan: p, Extracts: st, Logger: slog.New(slog.DiscardHandler)}
	if _, rs, err := process.Process(context.Background(), cfg, nil, subs, subs[len(subs)-1].ReceivedAt); err != nil || rs.Decoded != len(subs) {
		t.Fatalf("first run: %+v %v", rs, err)
	}
	return dir, state
}

// benchSubs are the submissions of a generated workspace's inbox.
func benchSubs(t testing.TB, dir string) (*plan.Plan, []record.Submission) {
	t.Helper()
	p, err := plan.Load(filepath.Join(dir, "plan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := gen.LoadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 4, 5, 9, 0, 0, 0, p.Location())
	subs := make([]record.Submission, 0, len(m.Files))
	for i, f := range m.Files {
		abs := filepath.Join(m.Inbox, filepath.FromSlash(f.Path))
		b, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		id, size := hex.EncodeToString(sum[:]), int64(len(b))
		subs = append(subs, record.Submission{ID: id, Path: f.Path, Size: size, ReceivedAt: at.Add(time.Duration(i) * time.Second),
			ArchivePath: abs, FolderHint: ingest.FolderHint(f.Path), Seq: int64(i + 1)})
	}
	return p, subs
}

// TestSourceRowsOneAtATime: with an extract store, a run holds the typed
// records but not every submission's source rows: its reports ask for one
// submission's workbook at a time (record.Sources). Measured children over
// the same extracts: one that goes through every workbook one at a time,
// as feedback does, and one that holds them all at once, as every run did
// before (Dataset.Read). The first must peak well below the second.
func TestSourceRowsOneAtATime(t *testing.T) {
	if faultdoc.ChildFor(memoryTest) {
		p, subs := benchSubs(t, os.Getenv("MEM_DIR"))
		st, err := process.NewStore(os.Getenv("MEM_STATE"), process.Config{}.Limits, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg := process.Config{Plan: p, Extracts: st, Logger: slog.New(slog.DiscardHandler)}
		ds, rs, err := process.Process(context.Background(), cfg, nil, subs, subs[len(subs)-1].ReceivedAt)
		if err != nil {
			t.Fatal(err)
		}
		if rs.Decoded != 0 || rs.Checked != 0 {
			t.Fatalf("%d files decoded, %d checked: the extracts were not used", rs.Decoded, rs.Checked)
		}
		rows := 0
		var all record.Workbooks
		for _, o := range ds.Submissions {
			if os.Getenv("MEM_MODE") == "none" {
				break
			}
			wb, ok, err := ds.Sources.Workbook(context.Background(), o.ID, o.Path)
			if err != nil || !ok {
				t.Fatalf("%s: %v %v", o.Path, ok, err)
			}
			for _, tb := range wb.Tables {
				rows += len(tb.Rows)
			}
			if os.Getenv("MEM_MODE") == "all" {
				all = append(all, wb)
			}
		}
		runtime.GC()
		fmt.Printf("rows %d held %d records %d\n", rows, len(all), process.Records(ds))
		runtime.KeepAlive(all)
		runtime.KeepAlive(ds)
		faultdoc.ReportPeak()
		return
	}
	if testing.Short() {
		t.Skip("generates and reads a 12-commune inbox (48,000 roster rows)")
	}
	dir, state := storedInbox(t, 5)
	// A small GC target: the peak then follows what is live, not when the
	// collector last ran.
	env := []string{"MEM_DIR=" + dir, "MEM_STATE=" + state, "GOGC=20"}
	none := faultdoc.RunChild(t, memoryTest, 2*time.Minute, append(env, "MEM_MODE=none")...)
	one := faultdoc.RunChild(t, memoryTest, 2*time.Minute, append(env, "MEM_MODE=one")...)
	all := faultdoc.RunChild(t, memoryTest, 2*time.Minute, append(env, "MEM_MODE=all")...)
	for _, m := range []faultdoc.Measured{none, one, all} {
		if m.ExitCode != 0 || m.PeakRSS == 0 {
			t.Fatalf("child failed (exit %d, peak %d):\n%s\n%s", m.ExitCode, m.PeakRSS, m.Stdout, m.Stderr)
		}
	}
	// What going through the source rows adds to the run's own peak.
	oneMore, allMore := max(one.PeakRSS-none.PeakRSS, 0), all.PeakRSS-none.PeakRSS
	t.Logf("peak RSS: the run %d MiB; going through every workbook one at a time adds %d MiB, holding them all %d MiB",
		none.PeakRSS/faultdoc.MiB, oneMore/faultdoc.MiB, allMore/faultdoc.MiB)
	if allMore < 8*faultdoc.MiB || oneMore*2 > allMore {
		t.Errorf("one workbook at a time adds %d MiB to the run's peak, holding them all %d MiB: want at most half",
			oneMore/faultdoc.MiB, allMore/faultdoc.MiB)
	}
}

const rosterMemoryTest = "TestRosterOutOfMemoryPeak"

// TestRosterOutOfMemoryPeak: a run whose roster is bigger than HeldRows
// keeps the M1 rows in their checked extracts (read again commune by
// commune for dedupe, once per stage that needs them) and peaks well
// below the same run holding every row. Measured children over the same
// extracts, through dedupe and aggregate; the outcome (the groups and
// figures) is the same.
func TestRosterOutOfMemoryPeak(t *testing.T) {
	if faultdoc.ChildFor(rosterMemoryTest) {
		p, subs := benchSubs(t, os.Getenv("MEM_DIR"))
		st, err := process.NewStore(os.Getenv("MEM_STATE"), process.Config{}.Limits, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		held := -1
		if os.Getenv("MEM_MODE") == "roster" {
			held = 1
		}
		cfg := process.Config{Plan: p, Extracts: st, Logger: slog.New(slog.DiscardHandler), HeldRows: held}
		ds, rs, err := process.Process(context.Background(), cfg, nil, subs, subs[len(subs)-1].ReceivedAt)
		if err != nil {
			t.Fatal(err)
		}
		if rs.Decoded != 0 {
			t.Fatalf("%d files decoded: the extracts were not used", rs.Decoded)
		}
		if (ds.Roster != nil) != (held > 0) {
			t.Fatalf("HeldRows %d: roster out of memory %v", held, ds.Roster != nil)
		}
		sum := 0.0
		for _, f := range ds.Figures {
			sum += f.Value
		}
		runtime.GC()
		fmt.Printf("rows %d groups %d figures %d sum %g\n", ds.HouseholdCount(), len(ds.Groups), len(ds.Figures), sum)
		runtime.KeepAlive(ds)
		faultdoc.ReportPeak()
		return
	}
	if testing.Short() {
		t.Skip("generates and reads a 12-commune inbox (48,000 roster rows)")
	}
	dir, state := storedInbox(t, 6)
	env := []string{"MEM_DIR=" + dir, "MEM_STATE=" + state, "GOGC=20"}
	held := faultdoc.RunChild(t, rosterMemoryTest, 2*time.Minute, append(env, "MEM_MODE=held")...)
	roster := faultdoc.RunChild(t, rosterMemoryTest, 2*time.Minute, append(env, "MEM_MODE=roster")...)
	for _, m := range []faultdoc.Measured{held, roster} {
		if m.ExitCode != 0 || m.PeakRSS == 0 {
			t.Fatalf("child failed (exit %d, peak %d):\n%s\n%s", m.ExitCode, m.PeakRSS, m.Stdout, m.Stderr)
		}
	}
	outcome := func(m faultdoc.Measured) string {
		for _, l := range strings.Split(m.Stdout, "\n") {
			if strings.HasPrefix(l, "rows ") {
				return l
			}
		}
		return ""
	}
	if a, b := outcome(held), outcome(roster); a == "" || a != b {
		t.Errorf("held: %q, roster out of memory: %q", a, b)
	}
	t.Logf("peak RSS through aggregate: every row held %d MiB, roster out of memory %d MiB (%.2f×)",
		held.PeakRSS/faultdoc.MiB, roster.PeakRSS/faultdoc.MiB, float64(roster.PeakRSS)/float64(held.PeakRSS))
	if roster.PeakRSS*4 > held.PeakRSS*3 {
		t.Errorf("the roster out of memory peaks at %d MiB, holding every row at %d MiB: want at most 3/4",
			roster.PeakRSS/faultdoc.MiB, held.PeakRSS/faultdoc.MiB)
	}
}
