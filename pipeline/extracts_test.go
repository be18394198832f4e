package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/demo"
	"doithoai/pipeline/extract"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
)

// inboxCase is an inbox to run on: the demo's, or a sample set's.
type inboxCase struct {
	name  string
	plan  *plan.Plan
	inbox string
	now   time.Time
}

func demoInbox(t *testing.T) inboxCase {
	t.Helper()
	p := plan.Default()
	dir := t.TempDir()
	if _, err := demo.Generate(p, dir, demo.Options{Seed: 2022}); err != nil {
		t.Fatal(err)
	}
	return inboxCase{"demo", p, filepath.Join(dir, "inbox"), demo.Moment(p)}
}

// logged is a run's JSON log.
type logged struct{ bytes.Buffer }

func (l *logged) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(&l.Buffer, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// count is how many log lines have the message.
func (l *logged) count(msg string) int {
	n := 0
	for _, line := range strings.Split(l.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == msg {
			n++
		}
	}
	return n
}

// summaryLine is the run's "read summary" log line.
func (l *logged) summaryLine(t *testing.T) map[string]any {
	t.Helper()
	for _, line := range strings.Split(l.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "read summary" {
			return m
		}
	}
	t.Fatal("no read summary in the log")
	return nil
}

func runOnce(t *testing.T, ic inboxCase, p *plan.Plan, root string, noExtracts bool) (*pipeline.Summary, *logged) {
	t.Helper()
	var l logged
	sum, err := pipeline.Run(context.Background(), pipeline.Config{
		Plan: p, Inbox: ic.inbox, Outbox: filepath.Join(root, "outbox"), State: filepath.Join(root, "state"),
		Clock: clock.Fixed(ic.now), Kind: pipeline.KindFull, Logger: l.logger(), NoExtracts: noExtracts,
		Rebuild: true, // these tests are about reading through the extracts, which an up-to-date outbox skips
	})
	if err != nil {
		t.Fatalf("%s: run: %v", ic.name, err)
	}
	return sum, &l
}

// parquetBytes are the analysts' tables of an outbox.
func parquetBytes(t *testing.T, outbox string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	files, _ := filepath.Glob(filepath.Join(outbox, "data", "*.parquet"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	if len(out) == 0 {
		t.Fatal("no parquet table in the outbox")
	}
	return out
}

// TestIdleRunDecodesNothing: the second run over an inbox with nothing new
// decodes no file — every workbook comes from its extract — and makes the
// very same dataset and byte-identical Parquet tables; and the first run
// made the same as a run without extracts.
func TestIdleRunDecodesNothing(t *testing.T) {
	cases := []func(t *testing.T) inboxCase{demoInbox, func(t *testing.T) inboxCase {
		set, p := sampleds.Open(t, "2022")
		return inboxCase{"samples/2022", p, filepath.Join(set.Dir, "inbox"), sampleds.LastAt(set, 0)}
	}}
	for i, mk := range cases {
		t.Run([]string{"demo", "samples"}[i], func(t *testing.T) {
			ic := mk(t)
			root := t.TempDir()
			first, _ := runOnce(t, ic, ic.plan, root, false)
			if first.Submissions == 0 || first.Decoded != first.Submissions || first.Loaded != 0 {
				t.Fatalf("first run: %d files, %d decoded, %d loaded", first.Submissions, first.Decoded, first.Loaded)
			}
			want := parquetBytes(t, filepath.Join(root, "outbox"))

			second, log := runOnce(t, ic, ic.plan, root, false)
			if second.Decoded != 0 || second.Loaded != second.Submissions || len(second.New) != 0 {
				t.Errorf("idle run: %d new, %d decoded, %d loaded of %d", len(second.New), second.Decoded, second.Loaded, second.Submissions)
			}
			if n := log.count("reading"); n != 0 {
				t.Errorf("idle run logged %d \"reading\" lines", n)
			}
			if s := log.summaryLine(t); s["decoded"] != 0.0 || s["extracts_loaded"] != float64(second.Submissions) || s["checked"] != 0.0 {
				t.Errorf("idle run's read summary: %v", s)
			}
			if !reflect.DeepEqual(collected(first.Dataset), collected(second.Dataset)) {
				t.Error("the idle run's dataset differs from the first run's")
			}
			if got := parquetBytes(t, filepath.Join(root, "outbox")); !reflect.DeepEqual(got, want) {
				t.Error("the idle run's Parquet tables are not byte-identical to the first run's")
			}

			// Without extracts, the same.
			plain, _ := runOnce(t, ic, ic.plan, t.TempDir(), true)
			if !reflect.DeepEqual(withoutArchive(plain.Dataset), withoutArchive(first.Dataset)) {
				t.Error("a run without extracts made another dataset")
			}

			// The ledger holds every file's outcome for `status`.
			led, err := ledger.Open(context.Background(), filepath.Join(root, "state"))
			if err != nil {
				t.Fatal(err)
			}
			defer led.Close()
			outs, err := led.Outcomes(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != len(first.Dataset.Submissions) {
				t.Fatalf("ledger has %d outcomes, the run %d submissions", len(outs), len(first.Dataset.Submissions))
			}
			for i, o := range first.Dataset.Submissions {
				if g := outs[i]; g.Path != o.Path || g.Status != string(o.Status) || g.Form != string(o.Form) || g.Commune != o.CommuneCode ||
					g.SupersededBy != o.SupersededBy || !g.ReceivedAt.Equal(o.ReceivedAt) {
					t.Errorf("outcome %d: %+v, the run had %+v", i, g, o)
				}
			}
		})
	}
}

// collected loads every workbook of ds into memory (its Sources, so
// that datasets compare with their source rows) and returns ds.
func collected(ds *record.Dataset) *record.Dataset {
	wbs, err := record.Collect(context.Background(), ds)
	if err != nil {
		panic(err)
	}
	ds.Sources = wbs
	return ds
}

// withoutArchive loads every workbook of ds into memory (its Sources, so
// that datasets compare with their source rows), clears the archive
// paths (they name the state folder) and returns ds.
func withoutArchive(ds *record.Dataset) *record.Dataset {
	for i := range ds.Submissions {
		ds.Submissions[i].ArchivePath = ""
	}
	wbs, err := record.Collect(context.Background(), ds)
	if err != nil {
		panic(err)
	}
	for i := range wbs {
		wbs[i].Submission.ArchivePath = ""
	}
	ds.Sources = wbs
	return ds
}

// TestExtractsRereadWhenStale: a refined plan (a new extract key) reads
// every file again and stores new extracts; a truncated or garbage
// extract is read again and rewritten; the outputs never change.
func TestExtractsRereadWhenStale(t *testing.T) {
	ic := demoInbox(t)
	root := t.TempDir()
	first, _ := runOnce(t, ic, ic.plan, root, false)
	n := first.Submissions
	// Its workbooks now: the runs below store extracts under other keys
	// (first's Sources would read the files again and store them back).
	collected(first.Dataset)

	refined, err := plan.Parse(append(ic.plan.Source(), []byte("\n# refined: a comment only\n")...), "refined.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := runOnce(t, ic, refined, root, false); s.Decoded != n || s.Loaded != 0 {
		t.Errorf("refined plan: %d decoded, %d loaded of %d; want every file read again", s.Decoded, s.Loaded, n)
	} else if !reflect.DeepEqual(collected(s.Dataset), collected(first.Dataset)) {
		t.Error("the refined plan's run made another dataset")
	}
	if s, _ := runOnce(t, ic, refined, root, false); s.Decoded != 0 {
		t.Errorf("second run with the refined plan decoded %d files", s.Decoded)
	}

	// Damage the extracts of three files: A's both files, B's check, C's
	// cells.
	var cells, checks []string
	filepath.WalkDir(filepath.Join(root, "state", extract.Dir), func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil || d.IsDir():
		case strings.HasSuffix(p, ".checked.arrow"):
			checks = append(checks, p)
		default:
			cells = append(cells, p)
		}
		return nil
	})
	if len(cells) != n || len(checks) != n {
		t.Fatalf("%d cell and %d checked extract files for %d submissions (old keys not pruned?)", len(cells), len(checks), n)
	}
	checkOf := func(cellsFile string) string { return strings.TrimSuffix(cellsFile, ".arrow") + ".checked.arrow" }
	a, b, c := cells[0], cells[1], cells[2]
	goodA, _ := os.ReadFile(a)
	goodAC, _ := os.ReadFile(checkOf(a))
	goodBC, _ := os.ReadFile(checkOf(b))
	goodC, _ := os.ReadFile(c)
	os.WriteFile(a, goodA[:len(goodA)/2], 0o600)
	os.WriteFile(checkOf(a), []byte("not an arrow file"), 0o600)
	os.WriteFile(checkOf(b), goodBC[:len(goodBC)-1], 0o600)
	os.WriteFile(c, []byte("not an arrow file"), 0o600)
	s, log := runOnce(t, ic, refined, root, false)
	if s.Decoded != 1 || s.Loaded != n-1 {
		t.Errorf("after damaging 3 files' extracts: %d decoded, %d loaded of %d; want only A decoded", s.Decoded, s.Loaded, n)
	}
	if got := log.summaryLine(t)["checked"]; got != 2.0 {
		t.Errorf("after damaging 3 files' extracts: %v checked; want A and B", got)
	}
	// A's cells at the read stage. C's feedback is unchanged (its
	// fingerprint names C's reading without loading it), so the run never
	// asks for C's cells: they are read again and stored when asked for
	// (collected below).
	if w := log.count("extract not used; the file is read again"); w != 1 {
		t.Errorf("%d warnings about unusable extracts, want 1", w)
	}
	if w := log.count("checked extract not used; the file is checked again"); w != 2 {
		t.Errorf("%d warnings about unusable checked extracts, want 2", w)
	}
	if !reflect.DeepEqual(collected(s.Dataset), collected(first.Dataset)) {
		t.Error("the run after damaged extracts made another dataset")
	}
	for f, good := range map[string][]byte{a: goodA, checkOf(a): goodAC, checkOf(b): goodBC, c: goodC} {
		if b, _ := os.ReadFile(f); !bytes.Equal(b, good) {
			t.Errorf("the damaged extract %s was not rewritten whole", filepath.Base(f))
		}
	}
	if s, log := runOnce(t, ic, refined, root, false); s.Decoded != 0 || log.summaryLine(t)["checked"] != 0.0 {
		t.Errorf("after the repair: %d decoded, %v checked", s.Decoded, log.summaryLine(t)["checked"])
	}
}

// BenchmarkIdleRun measures a run with nothing new over the demo inbox
// (after a first run received everything): as a run does it, the outbox
// found up to date (read → report skipped); with the shortcut disabled
// (Rebuild: every workbook loaded from its extract, validated, deduped,
// aggregated and the outbox written again); and with the extracts
// disabled too (every file decoded again, as before they existed).
func BenchmarkIdleRun(b *testing.B) {
	p := plan.Default()
	dir := b.TempDir()
	if _, err := demo.Generate(p, dir, demo.Options{Seed: 2022}); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name    string
		off     bool // no extracts
		rebuild bool // no up-to-date shortcut
	}{{"uptodate", false, false}, {"extracts", false, true}, {"no-extracts", true, true}} {
		b.Run(mode.name, func(b *testing.B) {
			root := b.TempDir()
			cfg := pipeline.Config{
				Plan: p, Inbox: filepath.Join(dir, "inbox"), Outbox: filepath.Join(root, "outbox"), State: filepath.Join(root, "state"),
				Clock: clock.Fixed(demo.Moment(p)), Kind: pipeline.KindFull, NoExtracts: mode.off, Rebuild: mode.rebuild,
				Logger: slog.New(slog.DiscardHandler),
			}
			first, err := pipeline.Run(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			var last *pipeline.Summary
			for b.Loop() {
				if last, err = pipeline.Run(context.Background(), cfg); err != nil {
					b.Fatal(err)
				}
			}
			if !mode.off && last.Decoded != 0 {
				b.Fatalf("idle run decoded %d files", last.Decoded)
			}
			if last.UpToDate == mode.rebuild {
				b.Fatalf("idle run up to date: %v", last.UpToDate)
			}
			b.ReportMetric(float64(first.Submissions), "files")
			b.ReportMetric(float64(last.Decoded), "decoded/op")
		})
	}
}
