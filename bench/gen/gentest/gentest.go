// Package gentest gives tests and benchmarks what a fresh full run starts
// from: a bench/gen inbox, its files as the ledger receives them, and the
// dataset the pipeline's chain makes of them.
package gentest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"doithoai/bench/gen"
	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
	"doithoai/stages/ingest"
)

// Inbox generates a bench/gen workspace in a temporary folder of tb and
// returns its plan, the folder and its files as submissions received an
// hour before gen.Now, in the generator's order.
func Inbox(tb testing.TB, opt gen.Options) (*plan.Plan, string, []record.Submission) {
	tb.Helper()
	dir := tb.TempDir()
	m, err := gen.Generate(context.Background(), dir, opt)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := plan.Load(m.Plan)
	if err != nil {
		tb.Fatal(err)
	}
	var entries []ledger.Entry
	for _, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(m.Inbox, filepath.FromSlash(f.Path)))
		if err != nil {
			tb.Fatal(err)
		}
		sum := sha256.Sum256(data)
		entries = append(entries, ledger.Entry{Seq: int64(len(entries) + 1), SHA256: hex.EncodeToString(sum[:]), Path: f.Path,
			Size: int64(len(data)), ReceivedAt: gen.Now.Add(-time.Hour), Archive: f.Path})
	}
	return p, dir, ingest.Submissions(m.Inbox, entries)
}

// Dataset generates communes × households (clusters of three, the given
// seed) and passes the inbox through the pipeline's chain at gen.Now, as
// a fresh full run does.
func Dataset(tb testing.TB, communes, households int, seed int64) (*plan.Plan, *record.Dataset) {
	tb.Helper()
	p, _, subs := Inbox(tb, gen.Options{Communes: communes, Households: households, ClusterSize: 3, Seed: seed})
	ds, _, err := process.Process(context.Background(), process.Config{Plan: p, Logger: slog.New(slog.DiscardHandler)}, nil, subs, gen.Now)
	if err != nil {
		tb.Fatal(err)
	}
	return p, ds
}
