package report_test

import (
	"context"
	"doithoai/bench/gen/gentest"
	"io"
	"log/slog"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/report"
	"doithoai/stages/report/lists"
)

// benchNow is the bench harness's clock (bench/run.sh's --now): every
// dialogue day is after it, the quarter is not over.
var benchNow = time.Date(2024, 4, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// benchDataset generates a bench/gen workspace (communes × households,
// clusters of three) and passes its inbox through the pipeline's chain,
// as a fresh full run does.
func benchDataset(b *testing.B, communes, households int) (*plan.Plan, *record.Dataset) {
	b.Helper()
	return gentest.Dataset(b, communes, households, 1)
}

// BenchmarkReportWrite writes a full run's outbox (feedback, data,
// quarterly draft, attendance and question lists, status page) for 300
// communes in 100 clusters, 6 households each (1,200 submissions).
func BenchmarkReportWrite(b *testing.B) {
	p, ds := benchDataset(b, 300, 6)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		outbox := b.TempDir() // fresh, as a first run's: nothing is unchanged
		b.StartTimer()
		if _, err := report.Write(context.Background(), report.Config{Outbox: outbox, Plan: p, Now: benchNow, Full: true, Logger: log}, ds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListsWrite writes the attendance and question lists of 600
// communes in 200 clusters, 6 households each: the per-cluster work of a
// national plan with small clusters.
func BenchmarkListsWrite(b *testing.B) {
	p, ds := benchDataset(b, 600, 6)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		outbox := b.TempDir()
		b.StartTimer()
		if _, err := lists.Write(context.Background(), lists.Config{Outbox: outbox, AttendanceDir: report.DirAttendance, QuestionsDir: report.DirQuestions, Plan: p, Now: benchNow}, ds); err != nil {
			b.Fatal(err)
		}
	}
}
