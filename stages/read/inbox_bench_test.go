package read_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"doithoai/bench/gen"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/read"
	"doithoai/stages/read/grid"
	"doithoai/stages/read/xlsx"
)

// benchInbox is a generated inbox of form-like commune files (M1 roster of
// 2,000 households, M2, M3, M4 per commune), written once per test binary
// by the project's own writer (bench/gen) into a temporary folder.
var benchInbox struct {
	once  sync.Once
	dir   string
	man   *gen.Manifest
	plan  *plan.Plan
	files []string // absolute paths
	err   error
}

// inboxCommunes is the size of benchInbox: 4 communes, 16 files, about
// 8,200 data rows.
const inboxCommunes = 4

// loadBenchInbox generates benchInbox on first use.
func loadBenchInbox(b *testing.B) {
	b.Helper()
	bi := &benchInbox
	bi.once.Do(func() {
		bi.dir, bi.err = os.MkdirTemp("", "doithoai-read-bench-")
		if bi.err != nil {
			return
		}
		bi.man, bi.err = gen.Generate(context.Background(), bi.dir, gen.Options{Communes: inboxCommunes, Households: 2000, Seed: 1})
		if bi.err != nil {
			return
		}
		if bi.plan, bi.err = plan.Load(bi.man.Plan); bi.err != nil {
			return
		}
		for _, f := range bi.man.Files {
			bi.files = append(bi.files, filepath.Join(bi.man.Inbox, filepath.FromSlash(f.Path)))
		}
	})
	if bi.err != nil {
		b.Fatalf("generating the bench inbox: %v", bi.err)
	}
}

// BenchmarkInbox reads the same generated inbox three ways, in the same
// process, and reports data rows per second (rows/s): "excelize" is the
// baseline of issue 12 (excelize's streaming row iterator, raw values,
// every sheet), "decode" is the xlsx decoder alone (the grid), "reader"
// is read.Reader (decode, form and commune recognition, mapped tables).
func BenchmarkInbox(b *testing.B) {
	loadBenchInbox(b)
	bi := &benchInbox
	rows := float64(bi.man.DataRows)
	b.Run("excelize", func(b *testing.B) {
		for b.Loop() {
			for _, p := range bi.files {
				excelizeScan(b, p)
			}
		}
		b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range bi.files {
				if _, err := xlsx.Decode(context.Background(), p, grid.Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("reader", func(b *testing.B) {
		b.ReportAllocs()
		rd := &read.Reader{Plan: bi.plan}
		cpu0 := processCPU()
		for b.Loop() {
			got := 0
			for i, p := range bi.files {
				f := bi.man.Files[i]
				sub := record.Submission{ID: f.Path, Path: f.Path, ArchivePath: p, FolderHint: strings.Split(f.Path, "/")[0]}
				wb, err := rd.Read(context.Background(), sub)
				if err != nil {
					b.Fatal(err)
				}
				if wb.Status != record.StatusAccepted {
					b.Fatalf("%s: %s %s %+v", f.Path, wb.Status, wb.Reason, wb.Findings)
				}
				for _, t := range wb.Tables {
					got += len(t.Rows)
				}
			}
			if got != bi.man.DataRows {
				b.Fatalf("%d rows read, %d generated", got, bi.man.DataRows)
			}
		}
		b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		// CPU time (all threads, GC included) is steadier than wall time
		// on a shared machine.
		b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	})
}

// excelizeScan is the baseline's scan of one file (bench/measure does the
// same): every sheet, every row, raw cell values.
func excelizeScan(b *testing.B, path string) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
				b.Fatal(err)
			}
		}
		if err := rows.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
