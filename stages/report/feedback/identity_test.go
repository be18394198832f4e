package feedback

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"

	"doithoai/pipeline/record"
	"doithoai/stages/report/quarterly/xl/xldiff"
)

// named is record.Sources with a name per reading (record.Identities),
// as the extract store gives them: the header holds no rows, and the
// loads of whole workbooks are counted.
type named struct {
	wbs   record.Workbooks
	names map[string]string // ID|path -> name
	loads atomic.Int64
}

func (n *named) Header(id, path string) (record.Workbook, bool) {
	wb, ok := n.wbs.Header(id, path)
	return record.HeaderOf(wb), ok
}

func (n *named) Workbook(ctx context.Context, id, path string) (record.Workbook, bool, error) {
	n.loads.Add(1)
	return n.wbs.Workbook(ctx, id, path)
}

func (n *named) Identity(id, path string) (string, bool) {
	s, ok := n.names[id+"|"+path]
	return s, ok
}

// TestIdentitySkipsLoading: with a name of each reading, unchanged
// feedback is recognised without loading the workbook; a new name (the
// file read again into something else) or a new finding rewrites that
// submission's feedback alone, loading its workbook alone; what is
// written is what a Write without names writes.
func TestIdentitySkipsLoading(t *testing.T) {
	p, ins := fixtureInputs(t)
	ds := runStages(t, p, ins)
	wbs, err := record.Collect(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	src := &named{wbs: wbs, names: map[string]string{}}
	for _, wb := range wbs {
		src.names[wb.Submission.ID+"|"+wb.Submission.Path] = "reading " + wb.Submission.ID
	}
	plain := *ds
	ds.Sources = src
	dir, ref := t.TempDir(), t.TempDir()
	ctx := context.Background()

	m := outcome(t, ds, "29956/DS đại diện hộ Ấp 1.xlsx")
	steps := []struct {
		name   string
		change func()
		writes int // submissions whose feedback is written
		loads  int
	}{
		{"first", func() {}, len(ds.Submissions), len(wbs)},
		{"nothing changed", func() {}, 0, 0},
		{"read again into another workbook", func() { src.names[m.ID+"|"+m.Path] = "reading 2" }, 1, 1},
		{"a new finding", func() {
			ds.Findings = append(ds.Findings, record.Finding{
				SubmissionID: m.ID, Path: m.Path, CommuneCode: m.CommuneCode, Sheet: "M2", Row: 6,
				Column: "household_code", ColumnTitle: "Mã hộ", Ref: "H6", Code: "not-on-roster", Severity: record.Warning,
				Value: "29956-0001", Message: "Tệp “29956/DS đại diện hộ Ấp 1.xlsx”, sheet “M2”, dòng 6: hộ mã 29956-0001 không có trong danh sách M1.",
			})
		}, 1, 1},
	}
	for _, st := range steps {
		st.change()
		src.loads.Store(0)
		got, err := Write(ctx, dir, p, ds)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if len(got) != 2*st.writes {
			t.Errorf("%s: %d files written, want %d", st.name, len(got), 2*st.writes)
		}
		if n := int(src.loads.Load()); n != st.loads {
			t.Errorf("%s: %d workbooks loaded, want %d", st.name, n, st.loads)
		}
	}
	plain.Findings = ds.Findings
	all, err := Write(ctx, ref, p, &plain)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(all)
	books := 0
	for _, f := range all {
		rel, _ := filepath.Rel(ref, f)
		if filepath.Ext(f) != ".xlsx" {
			a, errA := os.ReadFile(f)
			b, errB := os.ReadFile(filepath.Join(dir, rel))
			if errA != nil || errB != nil || !bytes.Equal(a, b) {
				t.Errorf("%s differs from a Write without names (%v, %v)", rel, errA, errB)
			}
			continue
		}
		books++
		_, diffs, err := xldiff.Files(f, filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range diffs {
			t.Errorf("%s: %s", rel, d)
		}
	}
	if books == 0 {
		t.Error("no workbook compared")
	}
}
