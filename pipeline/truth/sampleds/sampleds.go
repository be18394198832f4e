// Package sampleds replays a sample set of ../shared/samples through the
// pipeline's chain of stages (package process: read, validate, dedupe,
// aggregate) the way pipeline runs would have received it batch by batch,
// so that tests of any stage can work on the dataset the pipeline makes. Like package truth it is test
// support: the pipeline itself never imports it. It lives apart from truth
// so that truth stays free of the stages.
package sampleds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"doithoai/pipeline/ledger"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/process"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/stages/ingest"
	"doithoai/stages/read"
)

// Open loads the sample set called name (e.g. "2022") from ../shared beside
// the repository and its plan. It skips t when the shared folder or the set
// is absent and fails t when the plan does not load.
func Open(t testing.TB, name string) (*truth.Set, *plan.Plan) {
	t.Helper()
	shared := truth.SharedDir()
	if shared == "" {
		t.Skip("../shared is not beside the repository: no sample set")
	}
	set, err := truth.Load(filepath.Join(shared, "samples", name))
	if err != nil {
		t.Skipf("sample set %s not available: %v", name, err)
	}
	p, err := plan.Load(set.PlanPath())
	if err != nil {
		t.Fatalf("plan of sample set %s: %v", name, err)
	}
	return set, p
}

// Submissions returns the submissions the ingest stage would have made of
// batches 1 to upTo of set (every batch when upTo <= 0), each batch
// received at its time: files ingest ignores (lock and temporary files) are
// left out, a batch's files are received in path order, Seq counts them
// from 1, ID is the sha256 of the bytes, ArchivePath is the file in the
// set's inbox, and a later copy of the same bytes under another path is
// marked DuplicateOf the first.
func Submissions(set *truth.Set, upTo int) ([]record.Submission, error) {
	batches := append([]truth.Batch(nil), set.Batches...)
	sort.SliceStable(batches, func(i, j int) bool { return batches[i].Batch < batches[j].Batch })
	inbox := filepath.Join(set.Dir, "inbox")
	known := map[[2]string]bool{} // path, sha256 already received
	var entries []ledger.Entry
	for _, b := range batches {
		if upTo > 0 && b.Batch > upTo {
			break
		}
		files := append([]string(nil), b.Files...)
		sort.Strings(files)
		for _, rel := range files {
			if ingest.Ignored(rel) {
				continue
			}
			data, err := os.ReadFile(filepath.Join(inbox, filepath.FromSlash(rel)))
			if err != nil {
				return nil, fmt.Errorf("sample set %s, batch %d: %w", set.Set, b.Batch, err)
			}
			sum := sha256.Sum256(data)
			sha := hex.EncodeToString(sum[:])
			if known[[2]string{rel, sha}] {
				continue
			}
			known[[2]string{rel, sha}] = true
			entries = append(entries, ledger.Entry{Seq: int64(len(entries) + 1), SHA256: sha, Path: rel,
				Size: int64(len(data)), ReceivedAt: b.At, Archive: rel})
		}
	}
	// The inbox stands in for the archive: an entry's Archive is its path.
	return ingest.Submissions(inbox, entries), nil
}

// Accepted keeps the submissions whose file truth.json expects accepted.
func Accepted(set *truth.Set, subs []record.Submission) []record.Submission {
	ok := map[string]bool{}
	for _, f := range set.Files {
		if f.Expect == string(record.StatusAccepted) {
			ok[f.Path] = true
		}
	}
	var out []record.Submission
	for _, s := range subs {
		if ok[s.Path] {
			out = append(out, s)
		}
	}
	return out
}

// Read reads the submissions with the read stage, in their order.
func Read(ctx context.Context, p *plan.Plan, subs []record.Submission) ([]record.Workbook, error) {
	r := &read.Reader{Plan: p}
	out := make([]record.Workbook, 0, len(subs))
	for _, s := range subs {
		wb, err := r.Read(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", s.Path, err)
		}
		out = append(out, wb)
	}
	return out, nil
}

// Stages runs validate, dedupe (default options) and aggregate on the
// workbooks with now as the run's clock: the pipeline's own chain
// (process.Stages).
func Stages(ctx context.Context, p *plan.Plan, wbs []record.Workbook, now time.Time) (*record.Dataset, error) {
	return process.Stages(ctx, p, wbs, now)
}

// Dataset is the dataset of a pipeline run after batch upTo of set (every
// batch when upTo <= 0): the Submissions of those batches passed through
// the pipeline's chain (process.Process, without a ledger or extracts). A
// zero now stands for the time of the last batch replayed, the clock of
// that run.
func Dataset(ctx context.Context, set *truth.Set, p *plan.Plan, upTo int, now time.Time) (*record.Dataset, error) {
	subs, err := Submissions(set, upTo)
	if err != nil {
		return nil, err
	}
	if now.IsZero() {
		now = LastAt(set, upTo)
	}
	ds, _, err := process.Process(ctx, process.Config{Plan: p, Logger: slog.New(slog.DiscardHandler)}, nil, subs, now)
	if err != nil {
		return nil, fmt.Errorf("sample set %s: %w", set.Set, err)
	}
	return ds, nil
}

// LastAt is the time of the last of batches 1 to upTo of set (every batch
// when upTo <= 0): the clock of the run that received it.
func LastAt(set *truth.Set, upTo int) time.Time {
	var last time.Time
	for _, b := range set.Batches {
		if (upTo <= 0 || b.Batch <= upTo) && b.At.After(last) {
			last = b.At
		}
	}
	return last
}
