package pipeline_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline"
	"doithoai/pipeline/demo"
	"doithoai/stages/report/quarterly/xl/xldiff"
)

// sameWorkbooks makes the workbooks of a (files of the outbox aDir) that
// differ in bytes from those of b (of bDir) but not cell by cell and
// style by style (xldiff) equal to b's: the bytes of an excelize zip
// carry the order it wrote its entries in, which varies from one writing
// to the next.
func sameWorkbooks(t testing.TB, aDir, bDir string, a, b map[string][]byte) {
	t.Helper()
	for rel, x := range a {
		y, ok := b[rel]
		if !ok || !strings.HasSuffix(rel, ".xlsx") || bytes.Equal(x, y) {
			continue
		}
		_, diffs, err := xldiff.Files(filepath.Join(aDir, filepath.FromSlash(rel)), filepath.Join(bDir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		if len(diffs) == 0 {
			a[rel] = y
		}
	}
}

// sameOutbox fails t unless the outboxes a and b hold the same files,
// the workbooks the same cell by cell (sameWorkbooks), every other file
// byte for byte (the status page's count of files written and its «mới»
// labels aside).
func sameOutbox(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := withoutNewLabels(outboxFiles(t, a)), withoutNewLabels(outboxFiles(t, b))
	sameWorkbooks(t, a, b, fa, fb)
	if d := diffFiles(fa, fb); d != "" {
		t.Errorf("%s and %s differ: %s", a, b, d)
	}
}

// loadCounter is the process chain's record.Sources, which counts the
// workbooks whose source rows it loaded.
type loadCounter interface{ Loaded() int }

// loaded is how many workbooks the run's report loaded (with their
// source rows) through the dataset's Sources.
func loaded(t *testing.T, sum *pipeline.Summary) int {
	t.Helper()
	if sum.Dataset == nil {
		t.Fatal("the run has no dataset")
	}
	c, ok := sum.Dataset.Sources.(loadCounter)
	if !ok {
		t.Fatalf("the dataset's Sources (%T) do not count their loads", sum.Dataset.Sources)
	}
	return c.Loaded()
}

// TestOneNewFileLoadsOnlyIt: a run that receives one new file among the
// archived ones loads that file's workbook alone (the feedback of the
// others is unchanged, and its fingerprint names their readings without
// loading them) and writes only its feedback, yet leaves the very outbox
// that a rebuild of the same state into an empty outbox writes.
func TestOneNewFileLoadsOnlyIt(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline on the demo inbox five times")
	}
	for _, kind := range []string{pipeline.KindFull, pipeline.KindLight} {
		t.Run(kind, func(t *testing.T) {
			w := newWorld(t, kind)
			// The new file: the M4 that newWorld left out of the inbox.
			other := t.TempDir()
			if _, err := demo.Generate(w.p, other, demo.Options{Seed: 2022}); err != nil {
				t.Fatal(err)
			}
			const rel = "Xã Thường Phước 1/M4 y kien kien nghi TP1.xlsx"
			b, err := os.ReadFile(filepath.Join(other, "inbox", filepath.FromSlash(rel)))
			if err != nil {
				t.Fatalf("the demo inbox changed: %v", err)
			}
			if err := os.WriteFile(filepath.Join(w.inbox, filepath.FromSlash(rel)), b, 0o644); err != nil {
				t.Fatal(err)
			}
			rebuilt := w.clone(t)
			if err := os.RemoveAll(filepath.Join(rebuilt, "outbox")); err != nil {
				t.Fatal(err)
			}
			now := w.now.Add(time.Hour)

			sum := w.run(t, w.root, now, nil)
			if sum.UpToDate || len(sum.New) != 1 {
				t.Fatalf("the run with one new file: up to date %v, new %v", sum.UpToDate, sum.New)
			}
			if n := loaded(t, sum); n != 1 {
				t.Errorf("the run with one new file loaded %d workbooks, want 1 (the new one)", n)
			}
			var fb []string
			for _, o := range sum.Outputs {
				if strings.HasPrefix(o, "phan-hoi/") {
					fb = append(fb, o)
				}
			}
			if len(fb) != 2 {
				t.Errorf("feedback written: %v, want the new file's workbook and text", fb)
			}

			rsum := w.run(t, rebuilt, now, func(cfg *pipeline.Config) { cfg.Rebuild = true })
			if n := loaded(t, rsum); n < sum.Submissions/2 {
				t.Errorf("the rebuild loaded %d workbooks of %d submissions: the count is not of the loads", n, sum.Submissions)
			}
			sameOutbox(t, filepath.Join(w.root, "outbox"), filepath.Join(rebuilt, "outbox"))
		})
	}
}
