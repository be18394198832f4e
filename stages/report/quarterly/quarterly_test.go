package quarterly_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/record"
	"doithoai/stages/aggregate"
	"doithoai/stages/report/quarterly"
	"doithoai/stages/report/quarterly/xl/fixture"
)

// fakeEmitter is an in-memory ledger.
type fakeEmitter struct {
	marks map[string]string
	calls int
}

func (e *fakeEmitter) Emitted(_ context.Context, kind, period string) (string, bool, error) {
	p, ok := e.marks[kind+"|"+period]
	return p, ok, nil
}

func (e *fakeEmitter) MarkEmitted(_ context.Context, kind, period, path string, _ time.Time) error {
	if e.marks == nil {
		e.marks = map[string]string{}
	}
	e.calls++
	e.marks[kind+"|"+period] = path
	return nil
}

// open writes the report at now and opens the path written.
func writeOpen(t *testing.T, dir string, now time.Time, em quarterly.Emitter) (string, *excelize.File, map[string]map[string]string) {
	t.Helper()
	p := fixture.Plan()
	ds := fixture.Dataset(p, now)
	paths, err := quarterly.Write(context.Background(), quarterly.Config{Dir: dir, Plan: p, Now: now, Emitter: em}, ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 {
		t.Fatalf("paths written: %v, want one", paths)
	}
	f, err := excelize.OpenFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	cells, err := fixture.Cells(f)
	if err != nil {
		t.Fatal(err)
	}
	return paths[0], f, cells
}

func TestEmittedOnce(t *testing.T) {
	dir := t.TempDir()
	em := &fakeEmitter{}
	draft := filepath.Join(dir, "bao-cao-quy-2022Q2-du-thao.xlsx")
	final := filepath.Join(dir, "bao-cao-quy-2022Q2.xlsx")
	p := fixture.Plan()
	run := func(now time.Time, ds *record.Dataset) []string {
		t.Helper()
		if ds == nil {
			ds = fixture.Dataset(p, now)
		}
		paths, err := quarterly.Write(context.Background(), quarterly.Config{Dir: dir, Plan: p, Now: now, Emitter: em}, ds)
		if err != nil {
			t.Fatal(err)
		}
		return paths
	}
	exists := func(path string) bool { _, err := os.Stat(path); return err == nil }
	var finalBytes []byte
	var finalTime time.Time
	steps := []struct {
		name      string
		now       time.Time
		dsChange  func(ds *record.Dataset)
		wantPaths []string
		wantDraft bool
		wantFinal bool
		wantMarks int
		check     func(t *testing.T)
	}{
		{name: "before the quarter: draft", now: fixture.At("2022-03-01 09:00"), wantPaths: []string{draft}, wantDraft: true},
		{name: "in the quarter: draft refreshed", now: fixture.At("2022-05-20 10:00"), wantPaths: []string{draft}, wantDraft: true},
		{name: "first run after the quarter: final", now: fixture.At("2022-07-05 09:00"), wantPaths: []string{final}, wantFinal: true, wantMarks: 1,
			check: func(t *testing.T) {
				b, err := os.ReadFile(final)
				if err != nil {
					t.Fatal(err)
				}
				fi, _ := os.Stat(final)
				finalBytes, finalTime = b, fi.ModTime()
				if em.marks["quarterly|2022Q2"] != final {
					t.Errorf("ledger path %q, want %q", em.marks["quarterly|2022Q2"], final)
				}
			}},
		{name: "later run with new data: final kept", now: fixture.At("2022-08-01 09:00"),
			dsChange: func(ds *record.Dataset) {
				ds.Opinions = append(ds.Opinions, ds.Opinions[0])
				ds.Opinions[len(ds.Opinions)-1].Row = 99
			},
			wantFinal: true, wantMarks: 1,
			check: func(t *testing.T) {
				b, _ := os.ReadFile(final)
				fi, _ := os.Stat(final)
				if !bytes.Equal(b, finalBytes) || !fi.ModTime().Equal(finalTime) {
					t.Error("the final report was rewritten")
				}
			}},
		{name: "next year: still kept", now: fixture.At("2023-02-01 09:00"), wantFinal: true, wantMarks: 1},
		{name: "clock set back into the quarter: no draft beside the final", now: fixture.At("2022-06-01 09:00"), wantFinal: true, wantMarks: 1},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var ds *record.Dataset
			if st.dsChange != nil {
				ds = fixture.Dataset(p, st.now)
				st.dsChange(ds)
			}
			got := run(st.now, ds)
			if !slices.Equal(got, st.wantPaths) {
				t.Errorf("paths %v, want %v", got, st.wantPaths)
			}
			if exists(draft) != st.wantDraft {
				t.Errorf("draft exists %v, want %v", exists(draft), st.wantDraft)
			}
			if exists(final) != st.wantFinal {
				t.Errorf("final exists %v, want %v", exists(final), st.wantFinal)
			}
			if em.calls != st.wantMarks {
				t.Errorf("MarkEmitted called %d times, want %d", em.calls, st.wantMarks)
			}
			if st.check != nil {
				st.check(t)
			}
		})
	}
	// A final report deleted from the outbox is written again, not marked again.
	os.Remove(final)
	if got := run(fixture.At("2022-09-01 09:00"), nil); !slices.Equal(got, []string{final}) || em.calls != 1 {
		t.Errorf("after deletion: paths %v, marks %d", got, em.calls)
	}
	// Without a ledger the existing file is the memory.
	if got, err := quarterly.Write(context.Background(), quarterly.Config{Dir: dir, Plan: p, Now: fixture.At("2022-09-02 09:00")}, fixture.Dataset(p, fixture.At("2022-09-02 09:00"))); err != nil || len(got) != 0 {
		t.Errorf("no ledger: paths %v, err %v", got, err)
	}
}

func TestReportContent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		now   time.Time
		draft bool
	}{
		{"draft", fixture.At("2022-05-20 10:00"), true},
		{"final", fixture.At("2022-07-05 09:00"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, f, cells := writeOpen(t, t.TempDir(), tc.now, &fakeEmitter{})
			if got, want := filepath.Base(path), quarterly.FileName("2022Q2", tc.draft); got != want {
				t.Errorf("file %s, want %s", got, want)
			}
			if got := f.GetSheetList(); !slices.Equal(got, quarterly.Sheets) {
				t.Errorf("sheets %q, want %q", got, quarterly.Sheets)
			}
			checkCover(t, cells[quarterly.SheetCover], tc.draft)
			checkFigures(t, f, cells, tc.now)
			checkOpinions(t, f, cells[quarterly.SheetOpinions])
			checkDuplicates(t, cells[quarterly.SheetDuplicates])
			checkSubmissions(t, cells[quarterly.SheetSubmissions])
			checkProblems(t, cells[quarterly.SheetProblems])
			checkPrint(t, f)
			checkNoPersonalData(t, cells)
		})
	}
}

func checkCover(t *testing.T, c map[string]string, draft bool) {
	t.Helper()
	for ref, want := range map[string]string{
		"A1": "UBND HUYỆN HỒNG NGỰ",
		"A2": "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
		"E1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"E2": "Độc lập - Tự do - Hạnh phúc",
		"A4": "Số: …/BC-LĐTBXH",
	} {
		if c[ref] != want {
			t.Errorf("cover %s = %q, want %q", ref, c[ref], want)
		}
	}
	if !strings.HasPrefix(c["E4"], "Hồng Ngự, ngày ") {
		t.Errorf("place and date %q", c["E4"])
	}
	title := fixture.Find(c, "BÁO CÁO KẾT QUẢ TỔ CHỨC ĐỐI THOẠI CHÍNH SÁCH GIẢM NGHÈO Quý II/2022")
	if title == "" {
		t.Error("no title")
	}
	if fixture.Find(c, "Kính gửi: Sở Lao động - Thương binh và Xã hội tỉnh Đồng Tháp") == "" {
		t.Error("no Kính gửi line")
	}
	if got := fixture.Find(c, "DỰ THẢO") != ""; got != draft {
		t.Errorf("DỰ THẢO shown %v, want %v", got, draft)
	}
	joined := strings.Join(values(c), "\n")
	for _, want := range []string{"dự kiến 26 người", "Tổ công tác huyện 14", "đại biểu cấp xã 5", "trưởng khóm/ấp 1", "đại diện hộ nghèo, hộ cận nghèo 6", "5 ý kiến", "2 ý kiến gửi trễ hạn"} {
		if !strings.Contains(joined, want) {
			t.Errorf("cover summary lacks %q", want)
		}
	}
}

func values(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// rowOf finds the row whose column col holds text.
func rowOf(t *testing.T, cells map[string]string, col, text string) int {
	t.Helper()
	for ref, v := range cells {
		if v != text {
			continue
		}
		c, r, _ := excelize.CellNameToCoordinates(ref)
		if cn, _ := excelize.ColumnNumberToName(c); cn == col {
			return r
		}
	}
	t.Fatalf("no row with %q in column %s", text, col)
	return 0
}

func intAt(t *testing.T, cells map[string]string, col string, row int) int {
	t.Helper()
	v := cells[col+strconv.Itoa(row)]
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Errorf("%s%d = %q, not an integer", col, row, v)
	}
	return n
}

func checkFigures(t *testing.T, f *excelize.File, cells map[string]map[string]string, now time.Time) {
	t.Helper()
	p := fixture.Plan()
	ix := aggregate.FigureIndex(fixture.Dataset(p, now))
	cl := cells[quarterly.SheetClusters]
	cases := []struct {
		cluster                                                    int
		planned, team, delegates, heads, reps, expected, ops, late int
	}{
		{1, 40, 7, 5, 1, 6, 19, 5, 2},
		{2, 20, 7, 0, 0, 0, 7, 0, 0},
	}
	for _, c := range cases {
		r := rowOf(t, cl, "B", "Cụm "+strconv.Itoa(c.cluster))
		got := []int{intAt(t, cl, "F", r), intAt(t, cl, "G", r), intAt(t, cl, "H", r), intAt(t, cl, "I", r), intAt(t, cl, "J", r), intAt(t, cl, "K", r), intAt(t, cl, "M", r), intAt(t, cl, "N", r)}
		want := []int{c.planned, c.team, c.delegates, c.heads, c.reps, c.expected, c.ops, c.late}
		if !slices.Equal(got, want) {
			t.Errorf("cluster %d row: %v, want %v", c.cluster, got, want)
		}
		if e := ix.Int(aggregate.AttendanceExpected, c.cluster, "", "", ""); e != c.expected {
			t.Errorf("aggregate says expected %d for cluster %d", e, c.cluster)
		}
	}
	r1 := rowOf(t, cl, "B", "Cụm 1")
	if got := []string{cl["O"+strconv.Itoa(r1)], cl["S"+strconv.Itoa(r1)], cl["T"+strconv.Itoa(r1)], cl["U"+strconv.Itoa(r1)]}; !slices.Equal(got, []string{"7", "4", "3", "1"}) {
		t.Errorf("cluster 1 M5 results %v", got)
	}
	r2 := rowOf(t, cl, "B", "Cụm 2")
	if !strings.Contains(cl["O"+strconv.Itoa(r2)], "Chưa nhận") {
		t.Errorf("cluster 2 results: %q", cl["O"+strconv.Itoa(r2)])
	}
	// Percent cell holds a ratio with a percentage format.
	if v := cl["L"+strconv.Itoa(r1)]; v != strconv.FormatFloat(19.0/40, 'f', -1, 64) {
		t.Errorf("ratio %q", v)
	}
	if v, _ := f.GetCellValue(quarterly.SheetClusters, "L"+strconv.Itoa(r1)); v != "47.5%" {
		t.Errorf("ratio shown %q, want 47.5%%", v)
	}

	// By commune: delegates, heads, reps, opinions, duplicates, forms.
	cm := cells[quarterly.SheetCommunes]
	r := rowOf(t, cm, "C", "xã Một")
	got := []int{}
	for _, c := range []string{"E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X"} {
		got = append(got, intAt(t, cm, c, r))
	}
	want := []int{7, 5, 2, 1, 10, 10, 8, 6, 1, 2, 3, 0, 3, 1, 6, 6, 0, 7, 0, 0}
	if !slices.Equal(got, want) {
		t.Errorf("xã Một: %v\n want %v", got, want)
	}
	// By hamlet: Ấp 1 of xã Một.
	hm := cells[quarterly.SheetHamlets]
	for _, h := range []struct {
		commune, hamlet string
		want            []int
	}{
		{"00001", "Ấp 1", []int{5, 9, 7, 5, 1, 2, 1, 1}},
		{"00001", "Ấp 2", []int{5, 1, 1, 1, 0, 0, 1, 0}},
		{"00002", "Khóm A", []int{5, 1, 0, 0, 1, 0, 1, 0}},
	} {
		r := rowOf(t, hm, "D", h.hamlet)
		var got []int
		for _, c := range []string{"E", "F", "G", "H", "I", "J", "K", "L"} {
			got = append(got, intAt(t, hm, c, r))
		}
		if !slices.Equal(got, h.want) {
			t.Errorf("hamlet %s: %v, want %v", h.hamlet, got, h.want)
		}
		if n := ix.Int(aggregate.RepsCounted, 1, h.commune, h.hamlet, ""); n != h.want[3] {
			t.Errorf("aggregate reps_counted %s = %d", h.hamlet, n)
		}
	}
	// By topic: cluster 1 Giáo dục = 3 (2 late).
	tp := cells[quarterly.SheetTopics]
	found := false
	for ref, v := range tp {
		if v != "Giáo dục" {
			continue
		}
		_, r, _ := excelize.CellNameToCoordinates(ref)
		if tp["B"+strconv.Itoa(r)] == "Cụm 1" {
			found = true
			if tp["D"+strconv.Itoa(r)] != "Phòng Giáo dục và Đào tạo" || tp["E"+strconv.Itoa(r)] != "3" || tp["F"+strconv.Itoa(r)] != "2" {
				t.Errorf("topic row: %q %q %q", tp["D"+strconv.Itoa(r)], tp["E"+strconv.Itoa(r)], tp["F"+strconv.Itoa(r)])
			}
		}
	}
	if !found {
		t.Error("no Cụm 1 / Giáo dục row")
	}
}

func checkOpinions(t *testing.T, f *excelize.File, c map[string]string) {
	t.Helper()
	ref := fixture.Find(c, fixture.FormulaText)
	if ref == "" {
		t.Fatal("the opinion starting with = is missing")
	}
	if fm, _ := f.GetCellFormula(quarterly.SheetOpinions, ref); fm != "" {
		t.Errorf("%s became a formula %q", ref, fm)
	}
	if ty, _ := f.GetCellType(quarterly.SheetOpinions, ref); ty != excelize.CellTypeSharedString && ty != excelize.CellTypeInlineString {
		t.Errorf("%s has type %v, want a string", ref, ty)
	}
	n := 0
	for _, v := range c {
		if v == "Trễ hạn" {
			n++
		}
	}
	if n != 3 { // the header and two late opinions
		t.Errorf("%d cells say Trễ hạn, want 3", n)
	}
	if fixture.Find(c, "Đề nghị liên hệ số ******4321 để được hỗ trợ nhà ở") == "" {
		t.Error("the phone inside an opinion is not masked")
	}
	// 5 valid current opinions: STT 1..5, no 6.
	if fixture.Find(c, "Dòng Sai") != "" {
		t.Error("an invalid opinion is listed")
	}
	_, r, _ := excelize.CellNameToCoordinates(ref)
	if v := c["M"+strconv.Itoa(r)]; v != "" {
		t.Errorf("unexpected column M %q", v)
	}
	if !strings.Contains(c["L"+strconv.Itoa(r)], "00001/M4.xlsx – sheet M4, dòng 10") {
		t.Errorf("source %q", c["L"+strconv.Itoa(r)])
	}
	if v, _ := f.GetCellValue(quarterly.SheetOpinions, "I"+strconv.Itoa(r)); v != "18/04/2022" {
		t.Errorf("received date shown %q", v)
	}
}

func checkDuplicates(t *testing.T, c map[string]string) {
	t.Helper()
	if fixture.Find(c, "I. NHÓM HỘ TRÙNG (3 nhóm)") == "" {
		t.Errorf("want 3 duplicate groups")
	}
	for _, id := range []string{"G-00001-0002", "G-00001-0003", "G-00001-0007"} {
		if fixture.Find(c, id) == "" {
			t.Errorf("group %s missing", id)
		}
	}
	if fixture.Find(c, "G-00001-0001") != "" {
		t.Error("an ordinary roster+registration group is listed")
	}
	if fixture.Find(c, "********6702") == "" {
		t.Error("masked citizen ID not shown")
	}
	if fixture.Find(c, "Lý Thị Bông") == "" {
		t.Error("the wife's registration is not listed")
	}
	if fixture.Find(c, "II. CÁC CẶP HỘ CẦN CÁN BỘ XEM XÉT (1 cặp): chương trình chưa đủ căn cứ để kết luận là cùng một hộ") == "" {
		t.Error("borderline pair section")
	}
	if fixture.Find(c, "0.81") == "" {
		t.Error("pair score")
	}
}

func checkSubmissions(t *testing.T, c map[string]string) {
	t.Helper()
	r := rowOf(t, c, "C", "xã Một")
	want := map[string]string{"D": "20/03", "E": "20/03", "F": "10/04", "G": "20/04", "H": "20/04", "I": "15/06"}
	for col, w := range want {
		if got := c[col+strconv.Itoa(r)]; got != w {
			t.Errorf("xã Một %s = %q, want %q", col, got, w)
		}
	}
	r = rowOf(t, c, "C", "thị trấn Hai")
	if got := c["H"+strconv.Itoa(r)]; got != "Trễ (20/05)" {
		t.Errorf("thị trấn Hai M4 = %q", got)
	}
	if got := c["D"+strconv.Itoa(r)]; got != "Chưa nộp" {
		t.Errorf("thị trấn Hai KH = %q", got)
	}
	if got := c["I"+strconv.Itoa(r)]; got != "—" {
		t.Errorf("thị trấn Hai M5 (not the host) = %q", got)
	}
	r = rowOf(t, c, "C", "xã Ba")
	if got := c["N"+strconv.Itoa(r)]; got != "1" {
		t.Errorf("xã Ba rejected files = %q", got)
	}
	if fixture.Find(c, "DANH SÁCH TỆP BỊ TỪ CHỐI (2 tệp)") == "" {
		t.Error("rejected files list")
	}
}

func checkProblems(t *testing.T, c map[string]string) {
	t.Helper()
	if fixture.Find(c, "Xã Một – 1 lỗi, 3 cảnh báo trong 3 tệp") == "" {
		t.Errorf("xã Một's problems heading missing")
	}
	if fixture.Find(c, "old-file-problem") != "" {
		t.Error("a replaced file's problem is listed")
	}
	if fixture.Find(c, "Tệp không xác định được xã – 1 lỗi, 0 cảnh báo trong 1 tệp") == "" {
		t.Error("unknown commune bucket")
	}
	if fixture.Find(c, "Mã hộ 00001-0007 lặp lại (dòng 14); số CCCD ********6707 của hộ.") == "" {
		t.Error("the ID inside a message is not masked")
	}
}

func checkPrint(t *testing.T, f *excelize.File) {
	t.Helper()
	titles := map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = true
			if !strings.Contains(dn.RefersTo, "!$4:$") {
				t.Errorf("print titles of %s: %s", dn.Scope, dn.RefersTo)
			}
		}
	}
	wide := map[string]bool{quarterly.SheetClusters: true, quarterly.SheetCommunes: true, quarterly.SheetHamlets: true, quarterly.SheetOpinions: true,
		quarterly.SheetDuplicates: true, quarterly.SheetSubmissions: true, quarterly.SheetProblems: true}
	for _, sh := range quarterly.Sheets {
		pl, err := f.GetPageLayout(sh)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Size == nil || *pl.Size != 9 {
			t.Errorf("%s: paper is not A4", sh)
		}
		if pl.FitToWidth == nil || *pl.FitToWidth != 1 {
			t.Errorf("%s: not fitted to width", sh)
		}
		wantOrient := "portrait"
		if wide[sh] {
			wantOrient = "landscape"
		}
		if pl.Orientation == nil || *pl.Orientation != wantOrient {
			t.Errorf("%s: orientation %v, want %s", sh, pl.Orientation, wantOrient)
		}
		hf, err := f.GetHeaderFooter(sh)
		if err != nil || hf == nil || !strings.Contains(hf.OddFooter, "Trang &P/&N") {
			t.Errorf("%s: footer %+v", sh, hf)
		}
		if sh == quarterly.SheetCover {
			continue
		}
		if !titles[sh] {
			t.Errorf("%s: no print titles", sh)
		}
		panes, err := f.GetPanes(sh)
		if err != nil || !panes.Freeze || panes.YSplit < 4 {
			t.Errorf("%s: panes %+v", sh, panes)
		}
		if w, _ := f.GetColWidth(sh, "C"); w < 5 {
			t.Errorf("%s: column C width %v", sh, w)
		}
	}
}

// checkNoPersonalData scans every cell for a full citizen ID or phone.
func checkNoPersonalData(t *testing.T, sheets map[string]map[string]string) {
	t.Helper()
	for _, l := range fixture.Leaks(sheets) {
		t.Errorf("%s!%s holds %s unmasked: %q", l.Sheet, l.Ref, l.Number, l.Value)
	}
}

func TestNilAndEmpty(t *testing.T) {
	dir := t.TempDir()
	if _, err := quarterly.Write(context.Background(), quarterly.Config{Dir: dir}, nil); err == nil {
		t.Error("no plan: want an error")
	}
	p := fixture.Plan()
	paths, err := quarterly.Write(context.Background(), quarterly.Config{Dir: dir, Plan: p, Now: fixture.At("2022-04-01 09:00")}, nil)
	if err != nil || len(paths) != 1 {
		t.Fatalf("empty dataset: %v %v", paths, err)
	}
	f, err := excelize.OpenFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue(quarterly.SheetOpinions, "A5"); v != "Chưa có ý kiến, kiến nghị nào." {
		t.Errorf("empty opinion list: %q", v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := quarterly.Write(ctx, quarterly.Config{Dir: dir, Plan: p, Now: fixture.At("2022-04-01 09:00")}, nil); err == nil {
		t.Error("cancelled: want an error")
	}
}

// TestOddText: control characters, formulas and oversized text stay text
// and never break the file.
func TestOddText(t *testing.T) {
	p := fixture.Plan()
	now := fixture.At("2022-05-20 10:00")
	ds := fixture.Dataset(p, now)
	odd := []string{"\x00\x01=HYPERLINK(\"http://x\")\x1f", strings.Repeat("dài ", 12000), "@cmd|' /C calc'!A0", "+84 912 345 678", "\ufffe\xff\xfe"}
	for i, s := range odd {
		o := ds.Opinions[0]
		o.Row = 100 + i
		o.Content = s
		o.ReporterName = s
		ds.Opinions = append(ds.Opinions, o)
	}
	ds.Findings = append(ds.Findings, record.Finding{CommuneCode: "00001", Code: "x\x00", Severity: record.Warning, Message: odd[1], Path: odd[0]})
	paths, err := quarterly.Write(context.Background(), quarterly.Config{Dir: t.TempDir(), Plan: p, Now: now}, ds)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(paths[0])
	if err != nil {
		t.Fatalf("the report does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(quarterly.SheetOpinions)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		for _, v := range r {
			if strings.HasPrefix(v, "=HYPERLINK") {
				found = true
			}
			if strings.Contains(v, "912 345 678") {
				t.Errorf("phone shown: %q", v)
			}
		}
	}
	if !found {
		t.Error("the =HYPERLINK text is missing")
	}
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for i := range rows {
			for j := range rows[i] {
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if fm, _ := f.GetCellFormula(sh, ref); fm != "" {
					t.Errorf("%s!%s is a formula: %q", sh, ref, fm)
				}
			}
		}
	}
}
