package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"doithoai/pipeline/clock"
	"doithoai/pipeline/ledger"
)

// BenchmarkIngestKnown measures an ingest pass over an inbox of 10,000
// files that were all received before: what every run with nothing new
// pays before anything else (no file is hashed again: the ledger's
// path, size and mtime cache answers).
func BenchmarkIngestKnown(b *testing.B) {
	const files = 10_000
	dir := b.TempDir()
	inbox, state := filepath.Join(dir, "inbox"), filepath.Join(dir, "state")
	old := time.Now().Add(-time.Hour)
	for i := range files {
		p := filepath.Join(inbox, fmt.Sprintf("%05d", i/4), fmt.Sprintf("M%d.csv", i%4+1))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, fmt.Appendf(nil, "ma_ho,ho_ten\n%d,Nguyễn Văn A\n", i), 0o644); err != nil {
			b.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	os.MkdirAll(state, 0o700)
	ctx := context.Background()
	led, err := ledger.Open(ctx, state)
	if err != nil {
		b.Fatal(err)
	}
	defer led.Close()
	cfg := Config{Inbox: inbox, State: state, Clock: clock.Real{}}
	first, err := Run(ctx, led, cfg)
	if err != nil || len(first.New) != files {
		b.Fatalf("first pass: %v, %d new", err, len(first.New))
	}
	for b.Loop() {
		res, err := Run(ctx, led, cfg)
		if err != nil || len(res.New) != 0 || len(res.All) != files {
			b.Fatalf("known pass: %v, %d new, %d in all", err, len(res.New), len(res.All))
		}
	}
	b.ReportMetric(files, "files")
}

// BenchmarkIngestNew measures an ingest pass that receives 2,000 new
// files of 24 KiB (a national inbox's files are about that size) into an
// empty state folder, archiving one file at a time and DefaultWorkers at
// once.
func BenchmarkIngestNew(b *testing.B) {
	const files = 2000
	dir := b.TempDir()
	inbox := filepath.Join(dir, "inbox")
	old := time.Now().Add(-time.Hour)
	body := make([]byte, 24<<10)
	for i := range files {
		p := filepath.Join(inbox, fmt.Sprintf("%05d", i/4), fmt.Sprintf("M%d.csv", i%4+1))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		copy(body, fmt.Sprintf("ma_ho,ho_ten\n%d,Nguyễn Văn A\n", i))
		if err := os.WriteFile(p, body, 0o644); err != nil {
			b.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	ctx := context.Background()
	for _, workers := range []int{1, DefaultWorkers} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				state := filepath.Join(dir, "state")
				if err := os.MkdirAll(state, 0o700); err != nil {
					b.Fatal(err)
				}
				led, err := ledger.Open(ctx, state)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := Run(ctx, led, Config{Inbox: inbox, State: state, Clock: clock.Real{}, Workers: workers, Logger: quiet})
				b.StopTimer()
				if err != nil || len(res.New) != files {
					b.Fatalf("pass: %v, %d new", err, len(res.New))
				}
				led.Close()
				if err := os.RemoveAll(state); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(files, "files")
		})
	}
}
