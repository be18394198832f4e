package analytics

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/pipeline/truth/sampleds"
)

// sampleRun runs the real stages (read, validate, dedupe, aggregate) on
// every file of the 2022 sample set as the pipeline's runs would after its
// last batch, or skips when the shared folder is absent.
func sampleRun(t *testing.T) (*truth.Set, *plan.Plan, *record.Dataset) {
	t.Helper()
	set, p := sampleds.Open(t, "2022")
	ds, err := sampleds.Dataset(context.Background(), set, p, 0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return set, p, ds
}

func TestSamples(t *testing.T) {
	set, p, ds := sampleRun(t)
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := Write(context.Background(), dir, p, ds); err != nil {
		t.Fatal(err)
	}
	assertFiles(t, dir)
	t.Logf("submissions %d, findings %d, households %d, registrations %d, delegates %d, opinions %d, results %d, figures %d",
		len(ds.Submissions), len(ds.Findings), len(ds.Households), len(ds.Registrations), len(ds.Delegates),
		len(ds.Opinions), len(ds.Results), len(ds.Figures))

	// The rows of truth.json by form and source location.
	truthRows := map[string]bool{}
	for _, r := range set.Rows {
		truthRows[fmt.Sprintf("%s|%s|%s|%d", r.Form, r.Path, r.Sheet, r.Row)] = true
	}
	read := func(name string) []map[string]any {
		_, _, rows := readBack(t, filepath.Join(dir, name+".parquet"))
		return rows
	}

	subs := read(TableSubmissions)
	if len(subs) != len(ds.Submissions) {
		t.Errorf("submissions: %d rows, want %d", len(subs), len(ds.Submissions))
	}
	ids := map[string]bool{}
	for i, s := range subs {
		ids[s["submission_id"].(string)] = true
		o := ds.Submissions[i]
		if s["path"] != o.Path || s["status"] != string(o.Status) {
			t.Errorf("submissions row %d = %v, want %s %s", i, s, o.Path, o.Status)
		}
		if (s["reason"] == nil) != (o.Status == record.StatusAccepted || o.Reason == "") {
			t.Errorf("submissions row %d: reason %v with status %s", i, s["reason"], o.Status)
		}
		if at, ok := s["received_at"].(time.Time); !ok || !at.Equal(o.ReceivedAt) {
			t.Errorf("submissions row %d: received_at %v, want %v", i, s["received_at"], o.ReceivedAt)
		}
	}
	// Truth lists every file the communes sent, lock files included.
	var files int
	for _, f := range set.Files {
		if b := filepath.Base(f.Path); !strings.HasPrefix(b, "~$") && !strings.HasPrefix(b, ".~lock.") {
			files++
		}
	}
	if len(subs) != files {
		t.Errorf("submissions: %d rows, truth has %d files", len(subs), files)
	}

	findings := read(TableFindings)
	if len(findings) != len(ds.Findings) {
		t.Errorf("findings: %d rows, want %d", len(findings), len(ds.Findings))
	}
	for i, f := range findings {
		if !ids[f["submission_id"].(string)] {
			t.Errorf("findings row %d: unknown submission %v", i, f["submission_id"])
		}
		if (f["row"] == nil) != (ds.Findings[i].Row == 0) {
			t.Errorf("findings row %d: row %v for %d", i, f["row"], ds.Findings[i].Row)
		}
	}

	tables := []struct {
		name string
		form record.Form
		n    int
	}{
		{TableHouseholds, record.FormM1, len(ds.Households)},
		{TableRegistrations, record.FormM2, len(ds.Registrations)},
		{TableDelegates, record.FormM3, len(ds.Delegates)},
		{TableOpinions, record.FormM4, len(ds.Opinions)},
		{TableResults, record.FormM5, len(ds.Results)},
	}
	for _, tb := range tables {
		t.Run(tb.name, func(t *testing.T) {
			rows := read(tb.name)
			if len(rows) != tb.n {
				t.Errorf("%d rows, want len(ds)=%d", len(rows), tb.n)
			}
			if tb.n == 0 {
				t.Errorf("no %s rows in the samples", tb.form)
			}
			for i, r := range rows {
				id, _ := r["submission_id"].(string)
				path, _ := r["path"].(string)
				row, _ := r["row"].(int64)
				if id == "" || path == "" || row < 1 {
					t.Errorf("row %d not traceable: %v %v %v", i, r["submission_id"], r["path"], r["row"])
					continue
				}
				if !ids[id] {
					t.Errorf("row %d: submission %s not in submissions", i, id)
				}
				if _, ok := r["sheet"].(string); !ok {
					t.Errorf("row %d: sheet is %v", i, r["sheet"])
				}
				key := fmt.Sprintf("%s|%s|%s|%d", tb.form, path, r["sheet"], row)
				if !truthRows[key] {
					t.Errorf("row %d: %s is not a %s row of truth.json", i, key, tb.form)
				}
			}
		})
	}

	// The analysts' data keeps citizen IDs whole.
	var whole int
	for _, h := range read(TableHouseholds) {
		if id, ok := h["citizen_id"].(string); ok {
			if strings.Contains(id, "*") || (len(id) != 12 && len(id) != 9) {
				t.Errorf("citizen_id %q is not whole", id)
			}
			whole++
		}
	}
	if whole == 0 {
		t.Error("no citizen IDs in households")
	}

	figs := read(TableFigures)
	if len(figs) != len(ds.Figures) || len(figs) == 0 {
		t.Fatalf("figures: %d rows, want %d (> 0)", len(figs), len(ds.Figures))
	}
	for i, f := range figs {
		g := ds.Figures[i]
		if f["measure"] != g.Measure || f["value"] != g.Value || f["period"] != g.Period {
			t.Errorf("figures row %d = %v, want %+v", i, f, g)
		}
	}
}
