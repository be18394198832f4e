package sampleds_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
)

// TestSubmissions checks the receipt order, the ignored lock file and the
// copy marked as a duplicate against truth.json.
func TestSubmissions(t *testing.T) {
	set, _ := sampleds.Open(t, "2022")
	subs, err := sampleds.Submissions(set, 0)
	if err != nil {
		t.Fatal(err)
	}
	expect := map[string]string{}
	sha := map[string]string{}
	for _, f := range set.Files {
		expect[f.Path], sha[f.Path] = f.Expect, f.SHA256
	}
	seen := map[string]bool{}
	for i, s := range subs {
		seen[s.Path] = true
		if s.Seq != int64(i+1) {
			t.Errorf("%s: seq %d at %d", s.Path, s.Seq, i)
		}
		if s.ID != sha[s.Path] {
			t.Errorf("%s: id %s, truth %s", s.Path, s.ID, sha[s.Path])
		}
		if i > 0 && s.ReceivedAt.Equal(subs[i-1].ReceivedAt) && s.Path < subs[i-1].Path {
			t.Errorf("%s received before %s of the same batch", subs[i-1].Path, s.Path)
		}
		if i > 0 && s.ReceivedAt.Before(subs[i-1].ReceivedAt) {
			t.Errorf("%s received before the batch of %s", s.Path, subs[i-1].Path)
		}
		if dup := s.DuplicateOf != ""; dup != (expect[s.Path] == "same_as:"+s.DuplicateOf) {
			t.Errorf("%s: duplicate of %q, truth %q", s.Path, s.DuplicateOf, expect[s.Path])
		}
	}
	for path, e := range expect {
		if seen[path] == (e == "ignored") {
			t.Errorf("%s (%s): submitted %v", path, e, seen[path])
		}
	}
	for _, s := range sampleds.Accepted(set, subs) {
		if expect[s.Path] != "accepted" {
			t.Errorf("Accepted kept %s (%s)", s.Path, expect[s.Path])
		}
	}
	if first, err := sampleds.Submissions(set, 1); err != nil || len(first) == 0 || len(first) >= len(subs) {
		t.Errorf("batch 1: %d of %d submissions (%v)", len(first), len(subs), err)
	}
}

// TestDatasetIsThePipelines replays the set with pipeline.Run, batch by
// batch, and checks that Dataset gives the same dataset after every batch
// (only the archive paths differ: the pipeline's archive, the set's inbox).
func TestDatasetIsThePipelines(t *testing.T) {
	set, p := sampleds.Open(t, "2022")
	ctx := context.Background()
	work := t.TempDir()
	inbox, outbox, state := filepath.Join(work, "inbox"), filepath.Join(work, "outbox"), filepath.Join(work, "state")
	for _, b := range set.Batches {
		if err := set.CopyBatch(b.Batch, inbox); err != nil {
			t.Fatalf("batch %d: %v", b.Batch, err)
		}
		sum, err := pipeline.Run(ctx, pipeline.Config{
			Plan: p, Inbox: inbox, Outbox: outbox, State: state, Clock: clock.Fixed(b.At), Kind: pipeline.KindLight,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Fatalf("run of batch %d: %v", b.Batch, err)
		}
		got, err := sampleds.Dataset(ctx, set, p, b.Batch, b.At)
		if err != nil {
			t.Fatal(err)
		}
		want := sum.Dataset
		noArchive(got)
		noArchive(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("batch %d: the dataset differs from the pipeline's (%d/%d submissions, %d/%d findings)",
				b.Batch, len(got.Submissions), len(want.Submissions), len(got.Findings), len(want.Findings))
		}
		if b.Batch == len(set.Batches) {
			last, err := sampleds.Dataset(ctx, set, p, 0, sampleds.LastAt(set, 0))
			if err != nil {
				t.Fatal(err)
			}
			if noArchive(last); !reflect.DeepEqual(last, want) {
				t.Error("Dataset of every batch differs from the last run's")
			}
		}
	}
}

func noArchive(ds *record.Dataset) {
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
}
