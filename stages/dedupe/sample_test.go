package dedupe

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/read"
	"doithoai/stages/validate"
)

// TestSample2022 replays the sample set batch by batch through the read and
// validate stages, resolves households after every batch and, after the
// last one, compares the groups, homonyms, eligibility and
// duplicate-registration warnings with truth.json.
func TestSample2022(t *testing.T) {
	set, ts := sampleSet(t)
	p, err := plan.Load(filepath.Join(set, "plan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	at, seq := ts.receipt(t)
	accepted := map[string]int{}
	for i, f := range ts.Files {
		if f.Expect == "accepted" {
			accepted[f.Path] = i
		}
	}
	opt := DefaultOptions()
	opt.CommuneName = func(code string) string {
		if c := p.Commune(code); c != nil {
			return c.FullName()
		}
		return ""
	}
	ctx := context.Background()
	reader := &read.Reader{Plan: p}
	var wbs []record.Workbook
	var ds *record.Dataset
	for _, b := range ts.Batches {
		for _, path := range b.Files {
			fi, ok := accepted[path]
			if !ok {
				continue
			}
			f := ts.Files[fi]
			hint := ""
			if i := strings.IndexByte(path, '/'); i >= 0 {
				hint = path[:i]
			}
			sub := record.Submission{ID: f.SHA256, Path: path, Size: f.Size, ReceivedAt: at[path],
				ArchivePath: filepath.Join(set, "inbox", filepath.FromSlash(path)), FolderHint: hint, Seq: seq[path]}
			wb, err := reader.Read(ctx, sub)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			wbs = append(wbs, wb)
		}
		sort.SliceStable(wbs, func(i, j int) bool { return wbs[i].Submission.Seq < wbs[j].Submission.Seq })
		ds, err = validate.Validate(ctx, p, wbs)
		if err != nil {
			t.Fatal(err)
		}
		if err := Resolve(ctx, ds, opt); err != nil {
			t.Fatal(err)
		}
		t.Logf("batch %d: %d roster rows, %d registrations, %d groups, %d borderline",
			b.Batch, len(ds.Households), len(ds.Registrations), len(ds.Groups), len(ds.Borderline))
	}
	t.Log("after the last batch: " + checkAgainstTruth(t, ds, ts))
	for _, f := range ds.Findings {
		if f.Code == CodeNotOnRoster || f.Code == CodeDuplicateRegistration {
			t.Logf("%s %s", f.Code, f.Message)
		}
	}
	for _, b := range ds.Borderline {
		t.Logf("borderline %.2f %s: %s r%d %q ~ %s r%d %q", b.Score, b.Reason, b.A.Path, b.A.Row, b.NameA, b.B.Path, b.B.Row, b.NameB)
	}
}
