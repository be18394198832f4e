package xls

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"doithoai/stages/read/grid"
	"doithoai/stages/read/internal/readtest"
)

// TestSampleXLS decodes every .xls file of every sample set and compares it
// with the set's truth: sheet names and states, and each truth row's check
// text in the decoded row of the same number.
func TestSampleXLS(t *testing.T) {
	sets, _ := filepath.Glob(filepath.Join(readtest.SharedDir(t), "samples", "*", "truth.json"))
	files := 0
	for _, tp := range sets {
		tr, err := readtest.LoadTruth(filepath.Dir(tp))
		if err != nil {
			t.Fatal(err)
		}
		inbox := filepath.Join(filepath.Dir(tp), "inbox")
		for _, f := range tr.Files {
			if !strings.EqualFold(filepath.Ext(f.Path), ".xls") {
				continue
			}
			files++
			wb, err := Decode(context.Background(), filepath.Join(inbox, filepath.FromSlash(f.Path)), grid.DefaultLimits)
			if f.Expect == "rejected" {
				if reason := readtest.Str(f.Reason); err == nil || (reason != "" && grid.CodeOf(err) != reason) {
					t.Errorf("%s: got %v, want rejection %q", f.Path, err, reason)
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
			checkAgainstTruth(t, f.Path, wb, tr)
		}
	}
	if files == 0 {
		t.Skip("no .xls file in the sample sets")
	}
}

// checkAgainstTruth compares a decoded workbook with the truth of its path.
func checkAgainstTruth(t *testing.T, path string, wb *grid.Workbook, tr *readtest.Truth) {
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
	_ = filepath.WalkDir(filepath.Join(readtest.SharedDir(t), "samples"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".xls") {
			paths = append(paths, p)
		}
		return nil
	})
	if len(paths) == 0 {
		t.Skip("no .xls sample")
	}
	lim := grid.Limits{}.WithDefaults()
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
	dir := filepath.Join(readtest.SharedDir(t), "corpus", "realworld")
	notes, err := readtest.ReadManifest(dir)
	if err != nil {
		t.Skipf("corpus manifest: %v", err)
	}
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
		wb, err := readtest.DecodeWithin(t, Decode, p, grid.DefaultLimits, 20*time.Second)
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
