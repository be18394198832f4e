package feedback

import (
	"bytes"
	"context"
	"doithoai/bench/gen/gentest"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"doithoai/bench/gen"
	"doithoai/pipeline/extract"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
)

// storedGenerated is generated with the readings kept in an extract
// store, as a run keeps them: the dataset's Sources yield each workbook's
// rows from its extract (record.RowStreams). Every fifth row of the M1
// rosters is marked hidden in its extract (the reader's rows as the store
// keeps them, written again by the store).
func storedGenerated(t *testing.T, communes, households int) (*plan.Plan, *record.Dataset) {
	t.Helper()
	p, dir, subs := gentest.Inbox(t, gen.Options{Communes: communes, Households: households, ClusterSize: 3, Seed: 2})
	st, err := process.NewStore(filepath.Join(dir, "state"), process.Config{}.Limits, p, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	cfg := process.Config{Plan: p, Extracts: st, Logger: slog.New(slog.DiscardHandler)}
	ds, _, err := process.Process(context.Background(), cfg, nil, subs, genNow)
	if err != nil {
		t.Fatal(err)
	}
	hidden := 0
	for _, wb := range workbooks(ds) {
		if wb.Form != record.FormM1 {
			continue
		}
		for ti := range wb.Tables {
			for i := range wb.Tables[ti].Rows {
				if i%5 == 3 {
					wb.Tables[ti].Rows[i].Hidden = true
					hidden++
				}
			}
		}
		if err := st.Save(wb); err != nil {
			t.Fatal(err)
		}
	}
	if hidden == 0 {
		t.Fatal("no roster rows to hide")
	}
	return p, ds
}

// batchSources are a run's Sources, with the passes over each
// submission's rows counted.
type batchSources struct {
	record.Sources
	record.Identities
	rs             record.RowStreams
	scans, loads   atomic.Int64
	cancelAfter    int // cancel after this many batches of a second pass (0: never)
	cancel         context.CancelFunc
	secondBatches  atomic.Int64
	rowsOfBigTable atomic.Int64
}

func (b *batchSources) Workbook(ctx context.Context, id, path string) (record.Workbook, bool, error) {
	b.loads.Add(1)
	return b.Sources.Workbook(ctx, id, path)
}

func (b *batchSources) StreamRows(id, path string) (int, bool) { return b.rs.StreamRows(id, path) }

func (b *batchSources) EachRows(ctx context.Context, id, path string, table int, yield func(int, []record.SourceRow) error) (bool, error) {
	if table < 0 {
		b.scans.Add(1)
	}
	return b.rs.EachRows(ctx, id, path, table, func(ti int, rows []record.SourceRow) error {
		if table >= 0 {
			b.rowsOfBigTable.Add(int64(len(rows)))
			if n := b.secondBatches.Add(1); b.cancelAfter > 0 && n == int64(b.cancelAfter) {
				b.cancel()
			}
		}
		return yield(ti, rows)
	})
}

// wholeSources are a run's Sources without their rows by batch: the
// feedback loads whole workbooks, as before.
type wholeSources struct {
	record.Sources
	record.Identities
}

// sameFiles checks that two feedback folders hold the same files: the
// same text files and manifest byte for byte, the same workbooks entry by
// entry (names in order, uncompressed bytes); it returns the workbooks
// compared.
func sameFolders(t *testing.T, want, got string) int {
	t.Helper()
	books := 0
	err := filepath.WalkDir(want, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, path)
		other := filepath.Join(got, rel)
		if !strings.HasSuffix(path, ".xlsx") {
			a, _ := os.ReadFile(path)
			b, err := os.ReadFile(other)
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("%s differs (%v)", rel, err)
			}
			return nil
		}
		books++
		na, ca := entries(t, path)
		nb, cb := entries(t, other)
		if strings.Join(na, "\n") != strings.Join(nb, "\n") {
			t.Errorf("%s: entries %v, now %v", rel, na, nb)
		}
		for _, name := range na {
			if !bytes.Equal(ca[name], cb[name]) {
				i := 0
				for i < len(ca[name]) && i < len(cb[name]) && ca[name][i] == cb[name][i] {
					i++
				}
				lo := max(0, i-200)
				t.Errorf("%s: %s differs at byte %d:\n%.400s\n%.400s", rel, name, i, ca[name][lo:], cb[name][lo:])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return books
}

// TestBatchedSameAsWhole writes the feedback of a generated inbox whose
// readings are in an extract store (rosters with hidden rows; errors and
// warnings on cells, rows, a header and below the tables) with the
// threshold lowered so that every roster is written from its rows by
// batch, in small record batches, and compares it with the feedback
// written from the whole workbooks: the same files, entry by entry. A
// roster whose “Cần sửa” texts the streamed rows cannot hold is written
// from its whole workbook, still the same. Cancelling during the second
// pass stops the writing with the context's error and leaves no file.
func TestBatchedSameAsWhole(t *testing.T) {
	defer func(n, b int) { streamTableRows, extract.BatchRows = n, b }(streamTableRows, extract.BatchRows)
	extract.BatchRows = 900 // cells: about 70 rows a batch
	p, ds := storedGenerated(t, 3, 400)
	addProblems(ds)
	rs, ok := ds.Sources.(record.RowStreams)
	if !ok {
		t.Fatal("a run's Sources yield no rows by batch")
	}
	ids, _ := ds.Sources.(record.Identities)
	big := 0
	for _, o := range ds.Submissions {
		if n, ok := rs.StreamRows(o.ID, o.Path); ok && n > 200 {
			big++
		}
	}
	if big < 3 {
		t.Fatalf("%d submissions of more than 200 rows in extracts", big)
	}
	streamTableRows = 200

	write := func(t *testing.T, src record.Sources, ds record.Dataset) string {
		t.Helper()
		ds.Sources = src
		dir := filepath.Join(t.TempDir(), "phan-hoi")
		if _, err := Write(context.Background(), dir, p, &ds); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Run("same", func(t *testing.T) {
		whole := write(t, wholeSources{ds.Sources, ids}, *ds)
		bs := &batchSources{Sources: ds.Sources, Identities: ids, rs: rs}
		batched := write(t, bs, *ds)
		if n := int(bs.scans.Load()); n != big {
			t.Errorf("%d submissions' rows scanned by batch, want %d", n, big)
		}
		if n := int(bs.loads.Load()); n != len(ds.Submissions)-big {
			t.Errorf("%d workbooks loaded whole, want %d", n, len(ds.Submissions)-big)
		}
		if bs.rowsOfBigTable.Load() < int64(big*200) {
			t.Errorf("%d rows written by batch", bs.rowsOfBigTable.Load())
		}
		if books := sameFolders(t, whole, batched); books != len(ds.Submissions) {
			t.Errorf("%d workbooks compared for %d submissions", books, len(ds.Submissions))
		}
		if n := notesOfHiddenRows(t, batched); n == 0 {
			t.Error("no hidden row with problems in the rosters' feedback")
		}
	})
	t.Run("fallback", func(t *testing.T) {
		// A fix text holding "_x" needs excelize's row writer.
		d := *ds
		d.Findings = append([]record.Finding(nil), ds.Findings...)
		var roster *record.SubmissionOutcome
		for i := range ds.Submissions {
			if n, ok := rs.StreamRows(ds.Submissions[i].ID, ds.Submissions[i].Path); ok && n > 200 {
				roster = &ds.Submissions[i]
				break
			}
		}
		for i := range d.Findings {
			if f := &d.Findings[i]; f.SubmissionID == roster.ID && f.Path == roster.Path && f.Row > 0 {
				f.Message += " (mã _x0041_)"
				break
			}
		}
		whole := write(t, wholeSources{ds.Sources, ids}, d)
		bs := &batchSources{Sources: ds.Sources, Identities: ids, rs: rs}
		batched := write(t, bs, d)
		if n := int(bs.loads.Load()); n != len(ds.Submissions)-big+1 {
			t.Errorf("%d workbooks loaded whole, want %d", n, len(ds.Submissions)-big+1)
		}
		sameFolders(t, whole, batched)
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		bs := &batchSources{Sources: ds.Sources, Identities: ids, rs: rs, cancelAfter: 2, cancel: cancel}
		d := *ds
		d.Sources = bs
		dir := filepath.Join(t.TempDir(), "phan-hoi")
		_, err := WriteWorkers(ctx, dir, p, &d, 1)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Write: %v, want the context's error", err)
		}
		// The roster being written when cancelled has no workbook.
		var rosters []string
		_ = filepath.WalkDir(dir, func(path string, de fs.DirEntry, err error) error {
			if err == nil && strings.Contains(strings.ToLower(filepath.Base(path)), "m1") && strings.HasSuffix(path, ".xlsx") {
				rosters = append(rosters, path)
			}
			return err
		})
		if len(rosters) != 0 {
			t.Errorf("rosters written after cancelling: %v", rosters)
		}
		if n := bs.secondBatches.Load(); n != 2 {
			t.Errorf("%d batches of a second pass read, want 2 (cancelled after the second)", n)
		}
	})
}

// notesOfHiddenRows counts the “Cần sửa” notes of hidden rows in the
// workbooks of a feedback folder.
func notesOfHiddenRows(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".xlsx") {
			return err
		}
		_, content := entries(t, path)
		for name, b := range content {
			if strings.HasPrefix(name, "xl/worksheets/") {
				n += bytes.Count(b, []byte("Dòng này đang bị ẩn"))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
