package uptodate

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkOutboxCheck measures what a run with nothing new does to the
// outbox of a national roll-up (as many folders as files: one Hive
// partition per commune and table, feedback and templates per commune):
// "stamps" checks it against the manifest from the folders' stamps
// (Manifest.Unchanged, what a run does), "list" lists it in full and
// compares (List and Diff, what a run did before, and still does when a
// stamp moved).
func BenchmarkOutboxCheck(b *testing.B) {
	const communes = 1000
	dir := b.TempDir()
	for c := range communes {
		var files []string
		for _, table := range []string{"submissions", "households", "findings"} {
			files = append(files, fmt.Sprintf("data/%s/year=2024/quarter=2/commune_code=%05d/part-0.parquet", table, c))
		}
		for f := range 4 {
			files = append(files, fmt.Sprintf("phan-hoi/xa-%05d/M%d phan-hoi.xlsx", c, f+1), fmt.Sprintf("phan-hoi/xa-%05d/M%d phan-hoi.txt", c, f+1))
		}
		files = append(files, fmt.Sprintf("templates/xa-%05d/M1.xlsx", c))
		for _, f := range files {
			p := filepath.Join(dir, filepath.FromSlash(f))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	l, err := List(dir)
	if err != nil {
		b.Fatal(err)
	}
	m := &Manifest{Files: l.Files, Dirs: l.Dirs}
	b.Run("stamps", func(b *testing.B) {
		if !hasChangeTimes(b) {
			b.Skip("no change times here")
		}
		for b.Loop() {
			if !m.Unchanged(dir) {
				b.Fatal("changed")
			}
		}
		b.ReportMetric(float64(len(m.Files)), "files")
	})
	b.Run("list", func(b *testing.B) {
		for b.Loop() {
			l, err := List(dir)
			if err != nil || Diff(m.Files, l.Files) != "" {
				b.Fatal("changed", err)
			}
		}
		b.ReportMetric(float64(len(m.Files)), "files")
	})
}
