package read

import (
	"context"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"doithoai/bench/gen"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/stages/read/internal/readtest"
)

// TestStreamingAgrees reads every file of the sample set, the real-world
// corpus and the test files twice: with the whole grid (no sheet is long
// enough to be cut) and streamed (every xlsx sheet cut after its first
// rows, its table built in the second pass). The workbooks must be the
// same, and streaming must have been used.
func TestStreamingAgrees(t *testing.T) {
	root := readtest.SharedDir(t)
	set, tr := readtest.SampleSet(t, "2022")
	planPath := filepath.Join(set, tr.Plan)
	if tr.Plan == "" {
		planPath = filepath.Join(set, "plan.yaml")
	}
	p, err := plan.Load(planPath)
	if err != nil {
		t.Fatal(err)
	}
	rd := &Reader{Plan: p}
	// Generated commune files (M1 roster of 2,500 households, M2, M3, M4,
	// with the hidden list sheet and the signature footer), against
	// their own plan.
	gdir := t.TempDir()
	man, err := gen.Generate(context.Background(), gdir, gen.Options{Communes: 2, Households: 2500, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := plan.Load(man.Plan)
	if err != nil {
		t.Fatal(err)
	}
	keep := streamKeepRows
	defer func() { streamKeepRows = keep }()
	files, streamed := 0, 0
	for _, dir := range []string{man.Inbox, filepath.Join(set, "inbox"), filepath.Join(root, "corpus", "realworld"), "testdata"} {
		rd := rd
		if dir == man.Inbox {
			rd = &Reader{Plan: gp}
		}
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			folder := ""
			if i := strings.IndexByte(rel, '/'); i > 0 {
				folder = rel[:i]
			}
			sub := record.Submission{ID: rel, Path: rel, ArchivePath: p, FolderHint: folder}
			streamKeepRows = 1 << 30
			whole, err1 := rd.Read(context.Background(), sub)
			streamKeepRows = 0
			before, skims := streamTablesRun.Load(), skimmedSheets.Load()
			cut, err2 := rd.Read(context.Background(), sub)
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("%s: errors %v and %v", rel, err1, err2)
			}
			if !reflect.DeepEqual(whole, cut) {
				t.Fatalf("%s: streamed read differs:\nwhole %+v\n  cut %+v", rel, summary(whole), summary(cut))
			}
			files++
			long := len(whole.Tables) > 0 && len(whole.Tables[0].Rows) > 2000
			if dir == man.Inbox && (whole.Status != record.StatusAccepted || long && (streamTablesRun.Load() == before || skimmedSheets.Load() == skims)) {
				t.Fatalf("%s: %s %s, streamed %v, skimmed %v: the generated files are accepted, the rosters streamed", rel, whole.Status, whole.Reason, streamTablesRun.Load() > before, skimmedSheets.Load() > skims)
			}
			if streamTablesRun.Load() > before {
				streamed++
			}
			return nil
		})
	}
	if files == 0 {
		t.Skip("no files")
	}
	if streamed == 0 {
		t.Fatal("no file was streamed")
	}
	t.Logf("%d files read the same, %d of them with streamed tables", files, streamed)
}

// summary is a workbook without its rows, for messages.
func summary(wb record.Workbook) string {
	s := string(wb.Status) + " " + wb.Reason + " " + string(wb.Form)
	for _, t := range wb.Tables {
		s += " [" + t.Sheet + ": " + itoa(len(t.Rows)) + " rows, footer " + itoa(t.FooterRow) + "]"
	}
	for _, f := range wb.Findings {
		s += " {" + f.Code + " " + f.Message + "}"
	}
	return s
}
