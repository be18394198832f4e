package feedback

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
)

// samples runs the real stages on the 2022 sample set as the pipeline's
// runs would after its last batch, or skips when the shared folder is
// absent.
func samples(t *testing.T) (*plan.Plan, *record.Dataset) {
	t.Helper()
	set, p := sampleds.Open(t, "2022")
	ds, err := sampleds.Dataset(context.Background(), set, p, 0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return p, ds
}

// workbooks is every workbook of ds, in the order of its submissions.
func workbooks(ds *record.Dataset) record.Workbooks {
	wbs, err := record.Collect(context.Background(), ds)
	if err != nil {
		panic(err)
	}
	return wbs
}

// personalNumbers are the citizen IDs and phone numbers the communes sent.
func personalNumbers(ds *record.Dataset) []string {
	seen := map[string]bool{}
	var out []string
	for _, wb := range workbooks(ds) {
		for _, t := range wb.Tables {
			for _, r := range t.Rows {
				for _, c := range r.Cells {
					field := c.Field.String()
					if personalKind(wb.Form, field) == "" {
						continue
					}
					if d := digits(c.Text); len(d) >= 9 && !seen[d] {
						seen[d] = true
						out = append(out, d)
					}
				}
			}
		}
	}
	return out
}

func TestSamples(t *testing.T) {
	p, ds := samples(t)
	dir := filepath.Join(t.TempDir(), "phan-hoi")
	paths, err := Write(context.Background(), dir, p, ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2*len(ds.Submissions) {
		t.Errorf("wrote %d files for %d submissions", len(paths), len(ds.Submissions))
	}
	personal := personalNumbers(ds)
	if len(personal) < 50 {
		t.Fatalf("only %d personal numbers in the samples", len(personal))
	}
	for _, o := range ds.Submissions {
		rel := RelPath(p, o)
		f := openBook(t, filepath.Join(dir, filepath.FromSlash(rel)))
		if s := f.GetSheetList(); s[0] != SummarySheet {
			t.Errorf("%s: first sheet %q", rel, s[0])
		}
		assertMasked(t, rel, allText(t, f), personal)
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(TextRelPath(p, o))))
		if err != nil {
			t.Fatal(err)
		}
		assertMasked(t, TextRelPath(p, o), strings.Split(string(b), "\r\n"), personal)
	}

	book := func(path string) (string, record.SubmissionOutcome) {
		o := outcome(t, ds, path)
		return RelPath(p, o), o
	}

	t.Run("accepted with errors", func(t *testing.T) {
		rel, _ := book("29983/M3 LKB.xlsx")
		if !strings.HasPrefix(rel, "xa-long-khanh-b/M3 LKB (") {
			t.Errorf("RelPath = %q", rel)
		}
		f := openBook(t, filepath.Join(dir, filepath.FromSlash(rel)))
		if got := labelValue(t, f, "Số lỗi (phải sửa)"); got != "2" {
			t.Errorf("errors = %q", got)
		}
		for _, ref := range []string{"F16", "C10"} {
			if got := fillOf(t, f, "Sheet1", ref); got != ErrorFill {
				t.Errorf("%s fill = %q", ref, got)
			}
		}
		if c := commentAt(t, f, "Sheet1", "F16"); !strings.Contains(c, "số điện thoại") {
			t.Errorf("comment F16 = %q", c)
		}
		fix := headerCol(t, f, "Sheet1", headerRowOf(t, ds, "29983/M3 LKB.xlsx"), FixHeader)
		if got := cell(t, f, "Sheet1", fix+"10"); !strings.Contains(got, "Chức vụ") {
			t.Errorf("Cần sửa row 10 = %q", got)
		}
	})
	t.Run("csv", func(t *testing.T) {
		rel, _ := book("29977/M1_ThuongLac.csv")
		f := openBook(t, filepath.Join(dir, filepath.FromSlash(rel)))
		if s := f.GetSheetList(); len(s) != 2 || s[1] != "Dữ liệu" {
			t.Fatalf("sheets %v", s)
		}
		if got := fillOf(t, f, "Dữ liệu", "J50"); got != ErrorFill {
			t.Errorf("J50 fill = %q", got)
		}
		if got := fillOf(t, f, "Dữ liệu", "F14"); got != WarningFill {
			t.Errorf("F14 (11-digit ID, restored) fill = %q", got)
		}
		if got := cell(t, f, "Dữ liệu", "F14"); !strings.HasPrefix(got, "*******") {
			t.Errorf("F14 = %q, want masked", got)
		}
	})
	t.Run("unknown column", func(t *testing.T) {
		rel, _ := book("M1 - Phu Thuan A.xlsx")
		if !strings.HasPrefix(rel, "xa-phu-thuan-a/") {
			t.Errorf("RelPath = %q", rel)
		}
		f := openBook(t, filepath.Join(dir, filepath.FromSlash(rel)))
		if got := cell(t, f, "Sheet1", "I7"); got != "Nghề nghiệp" {
			t.Errorf("I7 = %q", got)
		}
		if got := fillOf(t, f, "Sheet1", "I7"); got != WarningFill {
			t.Errorf("I7 fill = %q", got)
		}
	})
	t.Run("superseded", func(t *testing.T) {
		rel, o := book("29956/M2 dai dien ho TP1.xlsx")
		if o.SupersededBy == "" {
			t.Fatal("not superseded")
		}
		f := openBook(t, filepath.Join(dir, filepath.FromSlash(rel)))
		if s := f.GetSheetList(); len(s) != 1 {
			t.Errorf("sheets %v, want the one-page explanation", s)
		}
		if got := labelValue(t, f, "Tệp liên quan"); got != "29956/M2 dai dien ho TP1 (da sua).xlsx" {
			t.Errorf("related = %q", got)
		}
		if got := labelValue(t, f, "Kết quả"); !strings.Contains(got, "thay thế") {
			t.Errorf("verdict = %q", got)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		rel, _ := book("M3 LKB - Copy.xlsx")
		orig, _ := book("29983/M3 LKB.xlsx")
		if !strings.HasPrefix(rel, "xa-long-khanh-b/") || rel == orig || !strings.Contains(rel, "-trung)") {
			t.Errorf("RelPath = %q (original %q)", rel, orig)
		}
		f := openBook(t, filepath.Join(dir, filepath.FromSlash(rel)))
		if got := labelValue(t, f, "Kết quả"); !strings.HasPrefix(got, "Trùng") {
			t.Errorf("verdict = %q", got)
		}
		if got := labelValue(t, f, "Tệp liên quan"); got != "29983/M3 LKB.xlsx" {
			t.Errorf("related = %q", got)
		}
	})
	t.Run("conflict answered in its folder", func(t *testing.T) {
		rel, _ := book("29974/M3 - thanh phan cap xa.xlsx")
		if !strings.HasPrefix(rel, "xa-thuong-phuoc-2/") {
			t.Errorf("RelPath = %q", rel)
		}
		f := openBook(t, filepath.Join(dir, filepath.FromSlash(rel)))
		text := strings.Join(allText(t, f), "\n")
		if !strings.Contains(text, "hai xã khác nhau") || !strings.Contains(text, "Không tiếp nhận") {
			t.Errorf("conflict explanation:\n%s", text)
		}
	})
	t.Run("unknown commune", func(t *testing.T) {
		rel, _ := book("Thuong Thoi Hau B/M2 Thuong Thoi Hau B.xlsx")
		if !strings.HasPrefix(rel, UnknownFolder+"/") {
			t.Errorf("RelPath = %q", rel)
		}
	})
	t.Run("over quota and not on roster", func(t *testing.T) {
		rel, o := book("29956/M2 dai dien ho TP1 (da sua).xlsx")
		f := openBook(t, filepath.Join(dir, filepath.FromSlash(rel)))
		var codes []string
		for _, fd := range ds.Findings {
			if fd.SubmissionID == o.ID && fd.Path == o.Path && fd.Ref == "" && fd.Row > 0 {
				codes = append(codes, fd.Code)
			}
		}
		warned := 0
		for _, fd := range ds.Findings {
			if fd.SubmissionID != o.ID || fd.Path != o.Path || fd.Row == 0 {
				continue
			}
			ref := fd.Ref
			if ref == "" {
				letter := columnLetter(&workbooks(ds)[readIndex(t, ds, o)].Tables[0], fd.Column)
				ref = letter + strconv.Itoa(fd.Row)
			}
			if fillOf(t, f, "M2", ref) == WarningFill && strings.Contains(commentAt(t, f, "M2", ref), "Cảnh báo") {
				warned++
			}
		}
		if warned == 0 {
			t.Errorf("no warning of the later stages highlighted (codes without a cell: %v)", codes)
		}
	})
}

func readIndex(t *testing.T, ds *record.Dataset, o record.SubmissionOutcome) int {
	t.Helper()
	for i, wb := range workbooks(ds) {
		if wb.Submission.ID == o.ID && wb.Submission.Path == o.Path {
			return i
		}
	}
	t.Fatalf("no workbook for %s", o.Path)
	return -1
}

// headerRowOf is the last header row of a submission's first table.
func headerRowOf(t *testing.T, ds *record.Dataset, path string) int {
	t.Helper()
	for _, wb := range workbooks(ds) {
		if wb.Submission.Path == path && len(wb.Tables) > 0 {
			h := wb.Tables[0].HeaderRows
			return h[len(h)-1]
		}
	}
	t.Fatalf("no table for %s", path)
	return 0
}
