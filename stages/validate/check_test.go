package validate_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/stages/validate"
)

// TestCheckNeedsOneSubmission: what Check makes of a workbook (stored
// with its extract, keyed by the bytes, the path and the versions) does
// not depend on the time of receipt, the sequence, duplicate marks or the
// other files, and Assemble of the checks gives exactly the dataset of
// Validate: lateness and supersession are judged there, with the current
// receipt data.
func TestCheckNeedsOneSubmission(t *testing.T) {
	set, p := sampleds.Open(t, "2022")
	ctx := context.Background()
	subs, err := sampleds.Submissions(set, 0)
	if err != nil {
		t.Fatal(err)
	}
	wbs, err := sampleds.Read(ctx, p, subs)
	if err != nil {
		t.Fatal(err)
	}
	moved := func(s record.Submission) record.Submission {
		s.ReceivedAt, s.Seq, s.DuplicateOf, s.ArchivePath = s.ReceivedAt.Add(-40*24*time.Hour), s.Seq+1000, "elsewhere.xlsx", "/nowhere"
		return s
	}
	checked := make([]record.Checked, len(wbs))
	records := 0
	for i := range wbs {
		want := validate.Check(p, &wbs[i])
		other := wbs[i]
		other.Submission = moved(other.Submission)
		got := validate.Check(p, &other)
		// The records name the submission as given; Assemble sets it.
		restore := func(src *record.Source) {
			src.ReceivedAt, src.Seq = wbs[i].Submission.ReceivedAt, wbs[i].Submission.Seq
		}
		for j := range got.Households {
			restore(&got.Households[j].Source)
		}
		for j := range got.Registrations {
			restore(&got.Registrations[j].Source)
		}
		for j := range got.Delegates {
			restore(&got.Delegates[j].Source)
		}
		for j := range got.Opinions {
			restore(&got.Opinions[j].Source)
		}
		for j := range got.Results {
			restore(&got.Results[j].Source)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Check depends on the time of receipt, the sequence or the duplicate mark", wbs[i].Submission.Path)
		}
		// Made with the moved receipt data: Assemble attaches the current.
		checked[i] = validate.Check(p, &other)
		records += len(got.Households) + len(got.Registrations) + len(got.Delegates) + len(got.Opinions) + len(got.Results)
	}
	if records == 0 {
		t.Fatal("no records checked")
	}
	want, err := validate.Validate(ctx, p, wbs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := validate.Assemble(ctx, p, wbs, checked)
	if err != nil {
		t.Fatal(err)
	}
	got.Sources = want.Sources
	if !reflect.DeepEqual(got, want) {
		t.Error("Assemble of the checks differs from Validate")
	}
	late := 0
	for _, o := range want.Opinions {
		if o.Late {
			late++
		}
	}
	if late == 0 {
		t.Error("no late opinion in the sample set: lateness is not exercised")
	}
}
