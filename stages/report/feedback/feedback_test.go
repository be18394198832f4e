package feedback

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/truth/sampleds"
	"doithoai/stages/report/mask"
	"doithoai/stages/validate"
)

// input is one file given to the real read and validate stages.
type input struct {
	path   string // relative to the inbox, '/'-separated
	file   string // on disk
	at     time.Time
	dupOf  string
	folder string
}

// runStages reads and validates files as the pipeline does.
func runStages(t *testing.T, p *plan.Plan, ins []input) *record.Dataset {
	t.Helper()
	ctx := context.Background()
	subs := make([]record.Submission, len(ins))
	for i, in := range ins {
		b, err := os.ReadFile(in.file)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		folder := in.folder
		if folder == "" {
			if j := strings.IndexByte(in.path, '/'); j > 0 {
				folder = in.path[:j]
			}
		}
		subs[i] = record.Submission{
			ID: hex.EncodeToString(sum[:]), Path: in.path, Size: int64(len(b)), ReceivedAt: in.at,
			ArchivePath: in.file, FolderHint: folder, DuplicateOf: in.dupOf, Seq: int64(i + 1),
		}
	}
	wbs, err := sampleds.Read(ctx, p, subs)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := validate.Validate(ctx, p, wbs)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// The fixture's personal data: none of it may appear whole in feedback.
const (
	fixtureID1   = "087123456789"
	fixtureID2   = "087198765432"
	fixturePhone = "0987654321"
	badPhone     = "09123"
)

// writeFixtureM2 writes a small M2 of xã Thường Phước 1: row 7 has a bad
// phone, row 8 a hamlet the commune does not have.
func writeFixtureM2(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := "M2"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		t.Fatal(err)
	}
	set := func(ref string, v any) {
		if err := f.SetCellValue(sh, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "UBND XÃ THƯỜNG PHƯỚC 1")
	set("G1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	set("G2", "Độc lập - Tự do - Hạnh phúc")
	set("A3", "DANH SÁCH ĐẠI DIỆN HỘ NGHÈO, HỘ CẬN NGHÈO THAM GIA ĐỐI THOẠI")
	header := []string{"STT", "Họ và tên người đại diện", "Năm sinh", "Giới tính", "Số CCCD/CMND", "Quan hệ với chủ hộ",
		"Họ và tên chủ hộ", "Mã hộ", "Khóm/Ấp", "Phân loại hộ", "Số điện thoại", "Ghi chú"}
	if err := f.SetSheetRow(sh, "A5", &header); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{1, "Nguyễn Văn An", 1970, "Nam", fixtureID1, "Chủ hộ", "Nguyễn Văn An", "29956-0001", "Ấp 1", "Hộ nghèo", fixturePhone, ""},
		{2, "Trần Thị Bình", 1980, "Nữ", fixtureID2, "Vợ", "Lê Văn Cường", "29956-0002", "Ấp 2", "Hộ cận nghèo", badPhone, "ĐT nhà 0912345670"},
		{3, "Phạm Văn Dũng", 1965, "Nam", "", "Chủ hộ", "Phạm Văn Dũng", "29956-0003", "Ấp 9", "Hộ nghèo", "", ""},
	}
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, 6+i)
		if err := f.SetSheetRow(sh, ref, &r); err != nil {
			t.Fatal(err)
		}
	}
	set("B11", "Người lập biểu")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// fixture builds the dataset of the fixture M2, a text note (rejected),
// and a truncated workbook (rejected as corrupt).
func fixture(t *testing.T) (*plan.Plan, *record.Dataset) {
	t.Helper()
	p, ins := fixtureInputs(t)
	return p, runStages(t, p, ins)
}

// fixtureInputs writes the fixture's files.
func fixtureInputs(t *testing.T) (*plan.Plan, []input) {
	t.Helper()
	p, err := plan.Load("")
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	m2 := filepath.Join(src, "m2.xlsx")
	writeFixtureM2(t, m2)
	note := filepath.Join(src, "ghi chu.txt")
	if err := os.WriteFile(note, []byte("Gửi huyện: xã sẽ gửi bổ sung sau.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(m2)
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(src, "broken.xlsx")
	if err := os.WriteFile(broken, full[:len(full)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2022, 4, 20, 2, 5, 0, 0, time.UTC) // 09:05 in Viet Nam
	return p, []input{
		{path: "29956/DS đại diện hộ Ấp 1.xlsx", file: m2, at: at},
		{path: "29956/ghi chu.txt", file: note, at: at},
		{path: "29956/M2 gui lai.xlsx", file: broken, at: at},
	}
}

func openBook(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// allText is every cell value and comment of a workbook.
func allText(t *testing.T, f *excelize.File) []string {
	t.Helper()
	var out []string
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out = append(out, r...)
		}
		cs, err := f.GetComments(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			out = append(out, commentText(c))
		}
	}
	return out
}

func commentText(c excelize.Comment) string {
	s := c.Text
	for _, r := range c.Paragraph {
		s += r.Text
	}
	return s
}

func fillOf(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fill.Color) == 0 {
		return ""
	}
	return strings.ToUpper(st.Fill.Color[0])
}

func commentAt(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	cs, err := f.GetComments(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Cell == ref {
			return commentText(c)
		}
	}
	return ""
}

// labelValue finds a label in column A of the summary and returns the
// value beside it (column D).
func labelValue(t *testing.T, f *excelize.File, label string) string {
	t.Helper()
	rows, err := f.GetRows(SummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if len(r) > 3 && r[0] == label {
			return r[3]
		}
	}
	t.Fatalf("label %q not in the summary", label)
	return ""
}

// headerCol finds a header text on a row and returns its column letter.
func headerCol(t *testing.T, f *excelize.File, sheet string, row int, text string) string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if row-1 < len(rows) {
		for i, v := range rows[row-1] {
			if v == text {
				c, _ := excelize.ColumnNumberToName(i + 1)
				return c
			}
		}
	}
	t.Fatalf("header %q not on row %d of %s", text, row, sheet)
	return ""
}

func cell(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func outcome(t *testing.T, ds *record.Dataset, path string) record.SubmissionOutcome {
	t.Helper()
	for _, o := range ds.Submissions {
		if o.Path == path {
			return o
		}
	}
	t.Fatalf("no submission %s", path)
	return record.SubmissionOutcome{}
}

var longDigits = regexp.MustCompile(`\d{9,}`)

// assertMasked fails when a personal number appears whole in texts.
func assertMasked(t *testing.T, name string, texts []string, personal []string) {
	t.Helper()
	for _, s := range texts {
		// The stages' advice shows an example number, not personal data.
		s := strings.ReplaceAll(s, exampleWord+"0912345678", exampleWord+"…")
		if m := longDigits.FindString(s); m != "" {
			t.Errorf("%s: unmasked number %q in %q", name, m, s)
		}
		d := digits(s)
		for _, p := range personal {
			if len(p) >= 9 && strings.Contains(d, p) {
				t.Errorf("%s: personal number %s appears in %q", name, p, s)
			}
		}
	}
}

func TestFixtureFeedback(t *testing.T) {
	p, ds := fixture(t)
	dir := filepath.Join(t.TempDir(), "phan-hoi")
	paths, err := Write(context.Background(), dir, p, ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 6 {
		t.Fatalf("wrote %d files, want 6: %v", len(paths), paths)
	}
	o := outcome(t, ds, "29956/DS đại diện hộ Ấp 1.xlsx")
	if o.Status != record.StatusAccepted || o.Form != record.FormM2 {
		t.Fatalf("fixture not accepted as M2: %+v", o)
	}
	rel := RelPath(p, o)
	if want := "xa-thuong-phuoc-1/DS dai dien ho Ap 1 (" + o.ID[:8] + ") - phan-hoi.xlsx"; rel != want {
		t.Errorf("RelPath = %q, want %q", rel, want)
	}
	if TextRelPath(p, o) != strings.TrimSuffix(rel, ".xlsx")+".txt" {
		t.Errorf("TextRelPath = %q", TextRelPath(p, o))
	}
	f := openBook(t, filepath.Join(dir, filepath.FromSlash(rel)))
	sheets := f.GetSheetList()
	if len(sheets) != 2 || sheets[0] != SummarySheet || sheets[1] != "M2" {
		t.Fatalf("sheets = %v", sheets)
	}

	// Summary.
	for label, want := range map[string]string{
		"Tệp":                        "DS đại diện hộ Ấp 1.xlsx",
		"Xã, thị trấn":               "xã Thường Phước 1",
		"Thời điểm nhận":             "20/04/2022 09:05",
		"Kết quả":                    "Đã tiếp nhận, còn lỗi cần sửa",
		"Số lỗi (phải sửa)":          "2",
		"Số cảnh báo (cần kiểm tra)": "0",
		"Số dòng dữ liệu":            "3",
		"Số dòng có lỗi":             "2",
		"Mã tệp":                     o.ID[:8],
	} {
		if got := labelValue(t, f, label); got != want {
			t.Errorf("summary %s = %q, want %q", label, got, want)
		}
	}
	if got := labelValue(t, f, "Biểu mẫu"); !strings.HasPrefix(got, "Mẫu M2") {
		t.Errorf("form = %q", got)
	}
	// The list of problems: sheet, row, column, value, message.
	rows, _ := f.GetRows(SummarySheet)
	var listed [][]string
	for _, r := range rows {
		if len(r) >= 7 && (r[1] == "Lỗi" || r[1] == "Cảnh báo") {
			listed = append(listed, r)
		}
	}
	if len(listed) != 2 {
		t.Fatalf("problem list has %d rows, want 2: %v", len(listed), listed)
	}
	if r := listed[0]; r[2] != "M2" || r[3] != "7" || r[4] != "K (Số điện thoại)" || r[5] != mask.Phone(badPhone) || !strings.Contains(r[6], "không hợp lệ") {
		t.Errorf("first problem row = %q", r)
	}
	if r := listed[1]; r[3] != "8" || r[4] != "I (Khóm/Ấp)" || r[5] != "Ấp 9" || !strings.Contains(r[6], "Ấp 1, Ấp 2") {
		t.Errorf("second problem row = %q", r)
	}

	// The copy of the commune's sheet: same rows and columns.
	if got := cell(t, f, "M2", "B6"); got != "Nguyễn Văn An" {
		t.Errorf("B6 = %q", got)
	}
	if got := cell(t, f, "M2", "H6"); got != "29956-0001" {
		t.Errorf("household code H6 = %q (Mã hộ is not personal data)", got)
	}
	if got := cell(t, f, "M2", "E6"); got != mask.ID(fixtureID1) {
		t.Errorf("citizen ID E6 = %q, want masked %q", got, mask.ID(fixtureID1))
	}
	if got := cell(t, f, "M2", "K6"); got != mask.Phone(fixturePhone) {
		t.Errorf("phone K6 = %q", got)
	}
	if got := cell(t, f, "M2", "K7"); got != mask.Phone(badPhone) {
		t.Errorf("bad phone K7 = %q", got)
	}
	if got := cell(t, f, "M2", "L7"); got != "ĐT nhà ******5670" {
		t.Errorf("note L7 = %q (a phone in free text is masked)", got)
	}
	if got := cell(t, f, "M2", "I5"); got != "Khóm/Ấp" {
		t.Errorf("header I5 = %q", got)
	}
	if got := fillOf(t, f, "M2", "K7"); got != ErrorFill {
		t.Errorf("K7 fill = %q, want %s", got, ErrorFill)
	}
	if got := fillOf(t, f, "M2", "I8"); got != ErrorFill {
		t.Errorf("I8 fill = %q, want %s", got, ErrorFill)
	}
	if got := fillOf(t, f, "M2", "K6"); got == ErrorFill || got == WarningFill {
		t.Errorf("K6 (valid) is highlighted %s", got)
	}
	if c := commentAt(t, f, "M2", "K7"); !strings.Contains(c, "Lỗi: ") || !strings.Contains(c, "không hợp lệ") || !strings.Contains(c, mask.Phone(badPhone)) {
		t.Errorf("comment K7 = %q", c)
	}
	if c := commentAt(t, f, "M2", "I8"); !strings.Contains(c, "Ấp 9") {
		t.Errorf("comment I8 = %q", c)
	}
	fix := headerCol(t, f, "M2", 5, FixHeader)
	rowCol := headerCol(t, f, "M2", 5, RowHeader)
	if fix != "N" || rowCol != "M" {
		t.Errorf("Dòng gốc at %s, Cần sửa at %s; want M and N", rowCol, fix)
	}
	if got := cell(t, f, "M2", fix+"6"); got != "" {
		t.Errorf("Cần sửa of a good row = %q", got)
	}
	if got := cell(t, f, "M2", fix+"7"); !strings.Contains(got, "Cột K (Số điện thoại)") || !strings.Contains(got, "Lỗi") {
		t.Errorf("Cần sửa row 7 = %q", got)
	}
	if got := cell(t, f, "M2", fix+"8"); !strings.Contains(got, "Cột I (Khóm/Ấp)") || !strings.Contains(got, "Ấp 9") {
		t.Errorf("Cần sửa row 8 = %q", got)
	}
	if got := cell(t, f, "M2", rowCol+"8"); got != "8" {
		t.Errorf("Dòng gốc row 8 = %q", got)
	}
	// Print setup: A4, fit to one page wide.
	for _, sh := range sheets {
		pl, err := f.GetPageLayout(sh)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Size == nil || *pl.Size != 9 || pl.FitToWidth == nil || *pl.FitToWidth != 1 {
			t.Errorf("%s: page layout %+v, want A4 fit to width", sh, pl)
		}
	}
	personal := []string{fixtureID1, fixtureID2, fixturePhone, "0912345670"}
	assertMasked(t, rel, allText(t, f), personal)

	// The text form.
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(TextRelPath(p, o))))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Error("text feedback has no UTF-8 BOM")
	}
	if bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) {
		t.Error("text feedback has bare LF line ends")
	}
	txt := string(b)
	for _, want := range []string{"Kết quả: ĐÃ TIẾP NHẬN, CÒN LỖI CẦN SỬA", "Số lỗi (phải sửa): 2", "[Lỗi] Sheet “M2”, dòng 7, cột K (Số điện thoại), giá trị “" + mask.Phone(badPhone) + "”", "dòng 8, cột I (Khóm/Ấp)"} {
		if !strings.Contains(txt, want) {
			t.Errorf("text feedback lacks %q:\n%s", want, txt)
		}
	}
	assertMasked(t, "text", strings.Split(txt, "\r\n"), personal)
}

func TestRejectedFeedback(t *testing.T) {
	p, ds := fixture(t)
	dir := t.TempDir()
	if _, err := Write(context.Background(), dir, p, ds); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, reason, why string
	}{
		{"29956/ghi chu.txt", record.ReasonNotSpreadsheet, "không phải bảng tính"},
		{"29956/M2 gui lai.xlsx", record.ReasonCorrupt, "bị hỏng"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			o := outcome(t, ds, tc.path)
			if o.Status != record.StatusRejected || o.Reason != tc.reason {
				t.Fatalf("outcome %+v, want rejected %s", o, tc.reason)
			}
			rel := RelPath(p, o)
			if !strings.HasPrefix(rel, "xa-thuong-phuoc-1/") {
				t.Errorf("RelPath = %q", rel)
			}
			f := openBook(t, filepath.Join(dir, filepath.FromSlash(rel)))
			if s := f.GetSheetList(); len(s) != 1 || s[0] != SummarySheet {
				t.Errorf("a rejected file's feedback has sheets %v", s)
			}
			if got := labelValue(t, f, "Kết quả"); got != "Không tiếp nhận" {
				t.Errorf("verdict = %q", got)
			}
			if got := fillOf(t, f, SummarySheet, "D"+rowOf(t, f, "Kết quả")); got != ErrorFill {
				t.Errorf("verdict fill = %q", got)
			}
			text := strings.Join(allText(t, f), "\n")
			for _, want := range []string{"LÝ DO", tc.why, "VIỆC CẦN LÀM", "không thay thế tệp nào"} {
				if !strings.Contains(text, want) {
					t.Errorf("explanation lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

func rowOf(t *testing.T, f *excelize.File, label string) string {
	t.Helper()
	rows, _ := f.GetRows(SummarySheet)
	for i, r := range rows {
		if len(r) > 0 && r[0] == label {
			return strconv.Itoa(i + 1)
		}
	}
	t.Fatalf("no row %q", label)
	return ""
}

func mtimes(t *testing.T, paths ...string) []time.Time {
	t.Helper()
	var out []time.Time
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fi.ModTime())
	}
	return out
}

func TestManifestSkipsUnchanged(t *testing.T) {
	p, ins := fixtureInputs(t)
	ds := runStages(t, p, ins)
	dir := t.TempDir()
	ctx := context.Background()
	first, err := Write(ctx, dir, p, ds)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(first)
	// Age the files so that a rewrite would show in their times.
	old := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range first {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	// A temporary left by a killed run is cleaned up.
	stale := filepath.Join(dir, "xa-thuong-phuoc-1", ".tmp-123.xlsx")
	if err := os.WriteFile(stale, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The next run reads and validates the same files again.
	ds = runStages(t, p, ins)
	again, err := Write(ctx, dir, p, ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("unchanged feedback written again: %v", again)
	}
	for i, m := range mtimes(t, first...) {
		if !m.Equal(old) {
			t.Errorf("%s rewritten (mtime %v)", first[i], m)
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("temporary of a killed run kept: %v", err)
	}

	// A new finding on the M2 rewrites that file's feedback only.
	o := outcome(t, ds, "29956/DS đại diện hộ Ấp 1.xlsx")
	ds.Findings = append(ds.Findings, record.Finding{
		SubmissionID: o.ID, Path: o.Path, CommuneCode: o.CommuneCode, Sheet: "M2", Row: 6,
		Column: "household_code", ColumnTitle: "Mã hộ", Ref: "H6", Code: "not-on-roster", Severity: record.Warning,
		Value: "29956-0001", Message: "Tệp “29956/DS đại diện hộ Ấp 1.xlsx”, sheet “M2”, dòng 6: hộ mã 29956-0001 không có trong danh sách M1 của xã Thường Phước 1.",
	})
	changed, err := Write(ctx, dir, p, ds)
	if err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(dir, filepath.FromSlash(RelPath(p, o)))
	txt := filepath.Join(dir, filepath.FromSlash(TextRelPath(p, o)))
	sort.Strings(changed)
	want := []string{xlsx, txt}
	sort.Strings(want)
	if strings.Join(changed, "\n") != strings.Join(want, "\n") {
		t.Errorf("rewritten %v, want %v", changed, want)
	}
	for i, m := range mtimes(t, xlsx, txt) {
		if m.Equal(old) {
			t.Errorf("%s not rewritten", []string{xlsx, txt}[i])
		}
	}
	f := openBook(t, xlsx)
	if got := fillOf(t, f, "M2", "H6"); got != WarningFill {
		t.Errorf("H6 fill = %q, want warning %s", got, WarningFill)
	}
	if c := commentAt(t, f, "M2", "H6"); !strings.Contains(c, "Cảnh báo: ") || !strings.Contains(c, "29956-0001") {
		t.Errorf("comment H6 = %q", c)
	}
	if got := labelValue(t, f, "Số cảnh báo (cần kiểm tra)"); got != "1" {
		t.Errorf("warnings = %q", got)
	}

	// A deleted feedback file is written again.
	if err := os.Remove(txt); err != nil {
		t.Fatal(err)
	}
	if got, err := Write(ctx, dir, p, ds); err != nil || len(got) != 2 {
		t.Errorf("after deleting the text file: wrote %v, %v", got, err)
	}

	// A submission no longer in the dataset loses its feedback.
	note := outcome(t, ds, "29956/ghi chu.txt")
	var kept []record.SubmissionOutcome
	for _, s := range ds.Submissions {
		if s.Path != note.Path {
			kept = append(kept, s)
		}
	}
	ds.Submissions = kept
	if _, err := Write(ctx, dir, p, ds); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(RelPath(p, note)))); !os.IsNotExist(err) {
		t.Errorf("feedback of a vanished submission kept: %v", err)
	}
	if !exists(dir, RelPath(p, o)) {
		t.Error("feedback of a current submission removed")
	}
}

func TestCancelled(t *testing.T) {
	p, ds := fixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	paths, err := Write(ctx, t.TempDir(), p, ds)
	if err == nil || len(paths) != 0 {
		t.Errorf("cancelled Write = %v, %v", paths, err)
	}
}
