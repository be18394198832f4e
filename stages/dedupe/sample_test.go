package dedupe_test

import (
	"context"
	"testing"

	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/stages/dedupe"
	"doithoai/stages/validate"
)

// TestSample2022 replays the sample set batch by batch through the read and
// validate stages, resolves households after every batch and, after the
// last one, compares the groups, homonyms, eligibility and
// duplicate-registration warnings with truth.json.
func TestSample2022(t *testing.T) {
	ts, p := sampleds.Open(t, "2022")
	subs, err := sampleds.Submissions(ts, 0)
	if err != nil {
		t.Fatal(err)
	}
	opt := dedupe.DefaultOptions()
	opt.CommuneName = func(code string) string {
		if c := p.Commune(code); c != nil {
			return c.FullName()
		}
		return ""
	}
	ctx := context.Background()
	all, err := sampleds.Read(ctx, p, sampleds.Accepted(ts, subs))
	if err != nil {
		t.Fatal(err)
	}
	var in dedupe.Input
	var res dedupe.Result
	for _, b := range ts.Batches {
		// The files received up to this batch, in receipt order.
		var wbs []record.Workbook
		for _, wb := range all {
			if !wb.Submission.ReceivedAt.After(b.At) {
				wbs = append(wbs, wb)
			}
		}
		ds, err := validate.Validate(ctx, p, wbs)
		if err != nil {
			t.Fatal(err)
		}
		in = dedupe.Input{Households: ds.Households, Registrations: ds.Registrations}
		if res, err = dedupe.Resolve(ctx, in, opt); err != nil {
			t.Fatal(err)
		}
		t.Logf("batch %d: %d roster rows, %d registrations, %d groups, %d borderline",
			b.Batch, len(in.Households), len(in.Registrations), len(res.Groups), len(res.Borderline))
	}
	t.Log("after the last batch: " + checkAgainstTruth(t, in, res, ts))
	for _, f := range res.Findings {
		if f.Code == dedupe.CodeNotOnRoster || f.Code == dedupe.CodeDuplicateRegistration {
			t.Logf("%s %s", f.Code, f.Message)
		}
	}
	for _, b := range res.Borderline {
		t.Logf("borderline %.2f %s: %s r%d %q ~ %s r%d %q", b.Score, b.Reason, b.A.Path, b.A.Row, b.NameA, b.B.Path, b.B.Row, b.NameB)
	}
}
