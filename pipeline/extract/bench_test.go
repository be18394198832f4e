package extract_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"doithoai/bench/gen"
	"doithoai/pipeline/extract"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/ingest"
	"doithoai/stages/read"
)

// BenchmarkSaveLoad stores the extracts of a generated commune's four
// files (a 2,000-household roster and M2–M4) and loads them back: what a
// first run pays per file after reading it, and an idle run per file.
func BenchmarkSaveLoad(b *testing.B) {
	dir := b.TempDir()
	if _, err := gen.Generate(context.Background(), dir, gen.Options{Communes: 1, Households: 2000, Seed: 3}); err != nil {
		b.Fatal(err)
	}
	p, err := plan.Load(filepath.Join(dir, "plan.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := gen.LoadManifest(dir)
	if err != nil {
		b.Fatal(err)
	}
	var wbs []record.Workbook
	cells := 0
	for _, f := range m.Files {
		abs := filepath.Join(m.Inbox, filepath.FromSlash(f.Path))
		data, err := os.ReadFile(abs)
		if err != nil {
			b.Fatal(err)
		}
		sum := sha256.Sum256(data)
		sub := record.Submission{ID: hex.EncodeToString(sum[:]), Path: f.Path, Size: int64(len(data)), ArchivePath: abs, FolderHint: ingest.FolderHint(f.Path)}
		wb, err := (&read.Reader{Plan: p, Logger: quiet}).Read(context.Background(), sub)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range wb.Tables {
			for _, r := range t.Rows {
				cells += len(r.Cells)
			}
		}
		wbs = append(wbs, wb)
	}
	key, err := extract.Key("bench", p)
	if err != nil {
		b.Fatal(err)
	}
	st := extract.NewStore(b.TempDir(), key, quiet)
	b.Run("save", func(b *testing.B) {
		for b.Loop() {
			for _, wb := range wbs {
				if err := st.Save(wb); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
	})
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			for _, wb := range wbs {
				if _, ok := st.Load(wb.Submission); !ok {
					b.Fatal("not loaded")
				}
			}
		}
		b.ReportMetric(float64(cells)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
	})
}
