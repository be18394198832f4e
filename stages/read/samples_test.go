package read

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
	"doithoai/stages/read/internal/readtest"
)

// fieldByTitle maps a canonical column title to the field of a form.
func fieldByTitle(form, title string) schemas.FieldID {
	if s := schemas.Get(form); s != nil {
		for _, f := range s.Fields {
			if f.Title == title {
				return f.ID
			}
		}
	}
	return schemas.NoField
}

// sameText compares a truth check text with a cell, numbers loosely.
func sameText(want string, c record.Cell) bool {
	got := vntext.CleanLine(c.Text)
	if got == want {
		return true
	}
	if c.IsNum || c.IsDate {
		a, err1 := strconv.ParseFloat(got, 64)
		b, err2 := strconv.ParseFloat(want, 64)
		return err1 == nil && err2 == nil && a == b
	}
	return false
}

func TestSamples2022(t *testing.T) {
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
	rowsByPath := map[string][]truth.Row{}
	for _, r := range tr.Rows {
		rowsByPath[r.Path] = append(rowsByPath[r.Path], r)
	}

	var files, filesOK, rowsWant, rowsFound, rowsExtra, checksOK, checks int
	for _, f := range tr.Files {
		if f.Expect == "ignored" || strings.HasPrefix(f.Expect, "same_as:") {
			continue
		}
		files++
		folder := ""
		if i := strings.Index(f.Path, "/"); i >= 0 {
			folder = f.Path[:i]
		}
		sub := record.Submission{ID: f.SHA256, Path: f.Path, Size: f.Size, ArchivePath: filepath.Join(set, "inbox", filepath.FromSlash(f.Path)), FolderHint: folder}
		wb, err := rd.Read(context.Background(), sub)
		if err != nil {
			t.Errorf("%s: Read error %v", f.Path, err)
			continue
		}
		var problems []string
		switch f.Expect {
		case "accepted":
			if wb.Status != record.StatusAccepted {
				problems = append(problems, fmt.Sprintf("status %s (%s) want accepted: %v", wb.Status, wb.Reason, messages(wb)))
			}
			if string(wb.Form) != readtest.Str(f.Form) {
				problems = append(problems, fmt.Sprintf("form %q want %q", wb.Form, readtest.Str(f.Form)))
			}
		case "rejected":
			if wb.Status != record.StatusRejected || wb.Reason != readtest.Str(f.Reason) {
				problems = append(problems, fmt.Sprintf("status %s reason %q want rejected %q", wb.Status, wb.Reason, readtest.Str(f.Reason)))
			}
			if wb.Status == record.StatusRejected && len(wb.Findings) != 1 {
				problems = append(problems, fmt.Sprintf("rejected with %d findings, want 1", len(wb.Findings)))
			}
		}
		if wb.CommuneCode != readtest.Str(f.CommuneCode) {
			problems = append(problems, fmt.Sprintf("commune %q want %q", wb.CommuneCode, readtest.Str(f.CommuneCode)))
		}
		if f.Expect == "accepted" {
			got := map[string]record.SourceRow{}
			for _, tb := range wb.Tables {
				for _, r := range tb.Rows {
					got[fmt.Sprintf("%s#%d", tb.Sheet, r.Row)] = r
				}
			}
			want := map[string]bool{}
			for _, r := range rowsByPath[f.Path] {
				key := fmt.Sprintf("%s#%d", r.Sheet, r.Row)
				want[key] = true
				rowsWant++
				sr, ok := got[key]
				if !ok {
					problems = append(problems, "missing row "+key)
					continue
				}
				rowsFound++
				field := fieldByTitle(r.Form, r.Check.Column)
				checks++
				if c, ok := sr.Cells.Get(field); ok && sameText(r.Check.Text, c) {
					checksOK++
				} else {
					problems = append(problems, fmt.Sprintf("row %s %s: got %q want %q", key, r.Check.Column, sr.Cells.At(field).Text, r.Check.Text))
				}
			}
			for key := range got {
				if !want[key] {
					rowsExtra++
					problems = append(problems, "extra row "+key)
				}
			}
			for _, s := range f.Sheets {
				if s.Role != "data" {
					continue
				}
				for _, tb := range wb.Tables {
					if tb.Sheet == s.Name && fmt.Sprint(tb.HeaderRows) != fmt.Sprint(s.HeaderRows) {
						problems = append(problems, fmt.Sprintf("sheet %q header rows %v want %v", s.Name, tb.HeaderRows, s.HeaderRows))
					}
					if tb.Sheet == s.Name && s.NumberRow != nil && tb.NumberRow != *s.NumberRow {
						problems = append(problems, fmt.Sprintf("sheet %q number row %d want %d", s.Name, tb.NumberRow, *s.NumberRow))
					}
					if tb.Sheet == s.Name && s.FooterRow != nil && tb.FooterRow != *s.FooterRow {
						problems = append(problems, fmt.Sprintf("sheet %q footer row %d want %d", s.Name, tb.FooterRow, *s.FooterRow))
					}
				}
			}
		}
		if len(problems) == 0 {
			filesOK++
		} else {
			for i, pr := range problems {
				if i >= 8 {
					t.Errorf("%s: … %d more", f.Path, len(problems)-i)
					break
				}
				t.Errorf("%s: %s", f.Path, pr)
			}
		}
	}
	t.Logf("samples 2022: files %d/%d agree; rows found %d/%d, extra %d; check texts %d/%d",
		filesOK, files, rowsFound, rowsWant, rowsExtra, checksOK, checks)
}

func messages(wb record.Workbook) []string {
	var out []string
	for _, f := range wb.Findings {
		out = append(out, f.Message)
	}
	return out
}
