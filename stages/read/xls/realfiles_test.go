package xls

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"doithoai/stages/read/grid"
)

// sharedDir returns ../shared beside the repository root, or skips.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared data not available at %s", shared)
	}
	return shared
}

// truth is the part of a sample set's truth.json these tests use.
type truth struct {
	Files []struct {
		Path   string `json:"path"`
		Format string `json:"format"`
		Expect string `json:"expect"`
		Reason string `json:"reason"`
		Sheets []struct {
			Name  string `json:"name"`
			State string `json:"state"`
		} `json:"sheets"`
	} `json:"files"`
	Rows []struct {
		Path  string `json:"path"`
		Sheet string `json:"sheet"`
		Row   int    `json:"row"`
		Check struct {
			Column string `json:"column"`
			Text   string `json:"text"`
		} `json:"check"`
	} `json:"rows"`
}

// TestSampleXLS decodes every .xls file of every sample set and compares it
// with the set's truth: sheet names and states, and each truth row's check
// text in the decoded row of the same number.
func TestSampleXLS(t *testing.T) {
	sets, _ := filepath.Glob(filepath.Join(sharedDir(t), "samples", "*", "truth.json"))
	files := 0
	for _, tp := range sets {
		raw, err := os.ReadFile(tp)
		if err != nil {
			t.Fatal(err)
		}
		var tr truth
		if err := json.Unmarshal(raw, &tr); err != nil {
			t.Fatalf("%s: %v", tp, err)
		}
		inbox := filepath.Join(filepath.Dir(tp), "inbox")
		for _, f := range tr.Files {
			if !strings.EqualFold(filepath.Ext(f.Path), ".xls") {
				continue
			}
			files++
			wb, err := Decode(context.Background(), filepath.Join(inbox, filepath.FromSlash(f.Path)), grid.DefaultLimits)
			if f.Expect == "rejected" {
				if err == nil || (f.Reason != "" && grid.CodeOf(err) != f.Reason) {
					t.Errorf("%s: got %v, want rejection %q", f.Path, err, f.Reason)
				}
				continue
			}
			if f.Format != "xls" {
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", f.Path, err)
				continue
			}
			checkAgainstTruth(t, f.Path, wb, &tr)
		}
	}
	if files == 0 {
		t.Skip("no .xls file in the sample sets")
	}
}

// checkAgainstTruth compares a decoded workbook with the truth of its path.
func checkAgainstTruth(t *testing.T, path string, wb *grid.Workbook, tr *truth) {
	t.Helper()
	sheets := map[string]grid.Sheet{}
	for _, s := range wb.Sheets {
		sheets[norm.NFC.String(s.Name)] = s
		for _, r := range s.Rows {
			for _, c := range r.Cells {
				if (c.Kind == grid.Number || c.Kind == grid.Date) && strings.ContainsAny(c.Text, "eE") {
					t.Errorf("%s: sheet %q R%dC%d number text %q has an exponent", path, s.Name, r.Num, c.Col, c.Text)
				}
			}
		}
	}
	for _, f := range tr.Files {
		if f.Path != path {
			continue
		}
		for _, ts := range f.Sheets {
			s, ok := sheets[norm.NFC.String(ts.Name)]
			if !ok {
				t.Errorf("%s: sheet %q missing", path, ts.Name)
				continue
			}
			wantVis := map[string]grid.Visibility{"visible": grid.Visible, "hidden": grid.Hidden, "veryHidden": grid.VeryHidden}[ts.State]
			if s.Visibility != wantVis {
				t.Errorf("%s: sheet %q visibility %d, want %s", path, ts.Name, s.Visibility, ts.State)
			}
		}
	}
	checked := 0
	for _, r := range tr.Rows {
		if r.Path != path || r.Check.Text == "" {
			continue
		}
		s, ok := sheets[norm.NFC.String(r.Sheet)]
		if !ok {
			t.Errorf("%s: sheet %q of row %d missing", path, r.Sheet, r.Row)
			continue
		}
		want := norm.NFC.String(r.Check.Text)
		found := false
		for _, row := range s.Rows {
			if row.Num != r.Row {
				continue
			}
			for _, c := range row.Cells {
				if norm.NFC.String(c.Text) == want {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: sheet %q row %d: %s %q not found", path, r.Sheet, r.Row, r.Check.Column, r.Check.Text)
		}
		checked++
	}
	t.Logf("%s: %d sheets, %d truth rows checked", path, len(wb.Sheets), checked)
}

// TestSampleXLSTruncated cuts the sample .xls files short: each cut copy
// is rejected as corrupt (or, if the cut spared the workbook, decoded).
func TestSampleXLSTruncated(t *testing.T) {
	var paths []string
	_ = filepath.WalkDir(filepath.Join(sharedDir(t), "samples"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".xls") {
			paths = append(paths, p)
		}
		return nil
	})
	if len(paths) == 0 {
		t.Skip("no .xls sample")
	}
	lim := withDefaults(grid.Limits{})
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rejected := 0
		for cut := 1; cut < 20; cut++ {
			n := len(data) * cut / 20
			_, err := decodeBytes(context.Background(), data[:n], lim)
			if err != nil {
				rejected++
				if code := grid.CodeOf(err); code != grid.CodeCorrupt {
					t.Errorf("%s cut to %d bytes: code %s (%v), want corrupt", filepath.Base(p), n, code, err)
				}
			}
		}
		t.Logf("%s: %d of 19 truncated copies rejected as corrupt", filepath.Base(p), rejected)
	}
}

// manifest maps corpus file paths (relative, '/'-separated) to their notes.
func manifest(t *testing.T, dir string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Skipf("corpus manifest: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	fileCol, noteCol := -1, -1
	for i, h := range head {
		switch h {
		case "file":
			fileCol = i
		case "note":
			noteCol = i
		}
	}
	if fileCol < 0 || noteCol < 0 {
		t.Fatalf("manifest header %q lacks file/note", head)
	}
	notes := map[string]string{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(rec) > max(fileCol, noteCol) {
			notes[rec[fileCol]] = rec[noteCol]
		}
	}
	return notes
}

// expectedCode derives the expected outcome from a manifest note: "" for
// a file that must decode, a code for one that must be rejected, "?" when
// the note does not say.
func expectedCode(note string) string {
	switch {
	case strings.Contains(note, "FILEPASS"):
		return grid.CodeEncrypted
	case strings.Contains(note, "bare BIFF2 stream"), strings.Contains(note, "bare BIFF3 stream"), strings.Contains(note, "bare BIFF4 stream"):
		return grid.CodeUnsupported
	case strings.Contains(note, "CFB damaged"), strings.Contains(note, "EXTENSION MISMATCH"):
		return "?" // damaged containers may or may not still be readable
	case strings.Contains(note, "xls BIFF8 (Workbook stream)"), strings.Contains(note, "xls BIFF5 (Book stream)"):
		return ""
	}
	return "?"
}

// TestCorpusXLS decodes every .xls file of the real-world corpus with a
// per-file timeout: none may panic or hang; encrypted and BIFF2-4 files
// must be rejected with their codes, readable BIFF5/8 files must decode.
func TestCorpusXLS(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "realworld")
	notes := manifest(t, dir)
	var paths []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".xls") {
			paths = append(paths, p)
		}
		return nil
	})
	if len(paths) == 0 {
		t.Skip("no .xls file in the corpus")
	}
	counts := map[string]int{}
	for _, p := range paths {
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		note := notes[rel]
		wb, err := decodeWithTimeout(t, p, 20*time.Second)
		want := expectedCode(note)
		if err != nil {
			code := grid.CodeOf(err)
			counts[code]++
			t.Logf("%s: %s (%v) [%s]", rel, code, err, note)
			if want != "?" && code != want {
				t.Errorf("%s: code %s, want %q from note %q", rel, code, want, note)
			}
			continue
		}
		counts["decoded"]++
		cells := 0
		for _, s := range wb.Sheets {
			for _, r := range s.Rows {
				cells += len(r.Cells)
			}
		}
		t.Logf("%s: %d sheets, %d cells, date1904=%v [%s]", rel, len(wb.Sheets), cells, wb.Date1904, note)
		if want != "" && want != "?" {
			t.Errorf("%s: decoded, want %s from note %q", rel, want, note)
		}
		if strings.Contains(note, "date1904") && !wb.Date1904 {
			t.Errorf("%s: note says date1904, Date1904 false", rel)
		}
		if strings.Contains(note, "hidden sheets:") && !hasHidden(wb) {
			t.Errorf("%s: note mentions hidden sheets, none decoded hidden", rel)
		}
	}
	t.Logf("%d .xls files: %v", len(paths), counts)
}

func hasHidden(wb *grid.Workbook) bool {
	for _, s := range wb.Sheets {
		if s.Visibility != grid.Visible {
			return true
		}
	}
	return false
}

// decodeWithTimeout runs Decode and fails the test if it does not return.
func decodeWithTimeout(t *testing.T, path string, d time.Duration) (*grid.Workbook, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	type result struct {
		wb  *grid.Workbook
		err error
	}
	done := make(chan result, 1)
	go func() {
		wb, err := Decode(ctx, path, grid.DefaultLimits)
		done <- result{wb, err}
	}()
	select {
	case r := <-done:
		return r.wb, r.err
	case <-time.After(d + 5*time.Second):
		t.Fatalf("%s: Decode did not return within %v", path, d)
		return nil, nil
	}
}
