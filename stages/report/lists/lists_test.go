package lists_test

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/stages/report/lists"
	"doithoai/stages/report/quarterly/xl/fixture"
)

// write writes every list for the fixture and opens them by base name.
func write(t *testing.T, now time.Time) (map[string]*excelize.File, map[string]map[string]map[string]string) {
	t.Helper()
	p := fixture.Plan()
	ds := fixture.Dataset(p, now)
	out := t.TempDir()
	paths, err := lists.Write(context.Background(), lists.Config{Outbox: out, AttendanceDir: "danh-sach-tham-du", QuestionsDir: "cau-hoi-co-quan", Plan: p, Now: now}, ds)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*excelize.File{}
	cells := map[string]map[string]map[string]string{}
	for _, path := range paths {
		rel, _ := filepath.Rel(out, path)
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		c, err := fixture.Cells(f)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.ToSlash(rel)] = f
		cells[filepath.ToSlash(rel)] = c
	}
	return files, cells
}

func TestFileNames(t *testing.T) {
	files, _ := write(t, fixture.At("2022-05-20 10:00"))
	var got []string
	for name := range files {
		got = append(got, name)
	}
	slices.Sort(got)
	want := []string{
		"cau-hoi-co-quan/cau-hoi-phong-giao-duc-va-dao-tao.xlsx",
		"cau-hoi-co-quan/cau-hoi-phong-kinh-te-ha-tang.xlsx",
		"cau-hoi-co-quan/cau-hoi-phong-lao-dong-thuong-binh-va-xa-hoi.xlsx",
		"cau-hoi-co-quan/cau-hoi-trung-tam-y-te-huyen.xlsx",
		"danh-sach-tham-du/danh-sach-tham-du-cum-1.xlsx",
		"danh-sach-tham-du/danh-sach-tham-du-cum-2.xlsx",
	}
	if !slices.Equal(got, want) {
		t.Errorf("files:\n%q\nwant\n%q", got, want)
	}
}

func TestSlug(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Phòng Lao động - Thương binh và Xã hội", "phong-lao-dong-thuong-binh-va-xa-hoi"},
		{"Phòng giao dịch Ngân hàng Chính sách xã hội huyện", "phong-giao-dich-ngan-hang-chinh-sach-xa-hoi-huyen"},
		{"Đài   Truyền thanh / huyện", "dai-truyen-thanh-huyen"},
		{"", "co-quan"},
		{"中文", "co-quan"},
	} {
		if got := lists.Slug(c.in); got != c.want {
			t.Errorf("Slug(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// column returns the values of column col from row from on, with their rows.
func rowsWith(c map[string]string, col string) map[int]string {
	out := map[int]string{}
	for ref, v := range c {
		cn, r, _ := excelize.CellNameToCoordinates(ref)
		if name, _ := excelize.ColumnNumberToName(cn); name == col {
			out[r] = v
		}
	}
	return out
}

func find(t *testing.T, c map[string]string, text string) int {
	t.Helper()
	ref := fixture.Find(c, text)
	if ref == "" {
		t.Fatalf("%q not found", text)
	}
	_, r, _ := excelize.CellNameToCoordinates(ref)
	return r
}

func TestAttendance(t *testing.T) {
	files, all := write(t, fixture.At("2022-05-20 10:00"))
	const name = "danh-sach-tham-du/danh-sach-tham-du-cum-1.xlsx"
	f := files[name]
	if got := f.GetSheetList(); !slices.Equal(got, []string{lists.SheetAttendance}) {
		t.Fatalf("sheets %q", got)
	}
	c := all[name][lists.SheetAttendance]
	if c["A1"] != "UBND HUYỆN HỒNG NGỰ" || c["E1"] != "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" {
		t.Errorf("header: %q %q", c["A1"], c["E1"])
	}
	find(t, c, "DANH SÁCH THAM DỰ ĐỐI THOẠI CHÍNH SÁCH GIẢM NGHÈO — CỤM 1")
	find(t, c, "Địa điểm: Trung tâm Văn hóa xã Một")
	find(t, c, "Thời gian: ngày 24/05/2022")
	header := find(t, c, "Ký tên")
	for col, want := range map[string]string{"A": "STT", "B": "Họ và tên", "C": "Năm sinh", "D": "Giới tính", "E": "Khóm/Ấp", "F": "Chức vụ / Quan hệ với chủ hộ", "G": "Số điện thoại", "I": "Ghi chú"} {
		if got := c[col+strconv.Itoa(header)]; got != want {
			t.Errorf("header %s = %q, want %q", col, got, want)
		}
	}
	names := rowsWith(c, "B")
	sec := func(s string) int { return find(t, c, s) }
	s1, s2, s3, s4 := sec("I. TỔ CÔNG TÁC HUYỆN (7 người)"), sec("II. ĐẠI BIỂU CẤP XÃ (5 người)"), sec("III. TRƯỞNG KHÓM, ẤP (1 người)"), sec("IV. ĐẠI DIỆN HỘ NGHÈO, HỘ CẬN NGHÈO (6 người)")
	if !(header < s1 && s1 < s2 && s2 < s3 && s3 < s4) {
		t.Fatalf("sections out of order: %d %d %d %d", s1, s2, s3, s4)
	}
	blank := 0
	for r := s1 + 1; r < s2; r++ {
		if names[r] == lists.Blank {
			blank++
		}
	}
	if blank != 7 {
		t.Errorf("%d blank rows for the district team, want 7", blank)
	}
	if fixture.Find(c, "Ghi chú: họ tên thành viên Tổ công tác huyện không có trong số liệu các xã gửi; ghi tay khi điểm danh.") == "" {
		t.Error("no note on the district team")
	}
	// Commune delegates: Ban giảm nghèo first, the invalid row left out.
	var dels []string
	for r := s2 + 1; r < s3; r++ {
		if v := names[r]; v != "" && c["A"+strconv.Itoa(r)] != "" {
			dels = append(dels, v)
		}
	}
	if want := []string{"Lâm Thị Hai", "Tạ Văn Ba", "Hồ Văn Một", "Kiều Thị Bốn", "Quách Văn Năm"}; !slices.Equal(dels, want) {
		t.Errorf("delegates %q, want %q", dels, want)
	}
	if fixture.Find(c, "Chưa có danh sách đại biểu cấp xã (mẫu M3) của xã.") == "" {
		t.Error("thị trấn Hai has no delegates: want a line saying so")
	}
	// Hamlet heads: Ấp 1 named, Ấp 2 and Khóm A blank.
	r := find(t, c, "Phan Văn Trưởng")
	if c["E"+strconv.Itoa(r)] != "Ấp 1" || c["G"+strconv.Itoa(r)] != "******5604" {
		t.Errorf("head row: %q %q", c["E"+strconv.Itoa(r)], c["G"+strconv.Itoa(r)])
	}
	missing := 0
	for r := s3 + 1; r < s4; r++ {
		if names[r] == lists.Blank && c["I"+strconv.Itoa(r)] == "Chưa có trong danh sách M3" {
			missing++
		}
	}
	if missing != 2 {
		t.Errorf("%d hamlets without a head, want 2", missing)
	}
	// Representatives: one per household, within the quota, eligible only.
	var reps []string
	for r := s4 + 1; r < s4+40; r++ {
		if v := names[r]; v != "" && c["A"+strconv.Itoa(r)] != "" {
			reps = append(reps, v)
		}
	}
	if want := []string{"Nguyễn Văn An", "Trần Văn Bình", "Lê Văn Cường", "Phạm Văn Dũng", "Võ Thị Em", "Cao Văn Ích"}; !slices.Equal(reps, want) {
		t.Errorf("representatives %q, want %q", reps, want)
	}
	husband := find(t, c, "Trần Văn Bình")
	if got := c["I"+strconv.Itoa(husband)]; !strings.Contains(got, "Hộ còn đăng ký: Lý Thị Bông (Vợ)") {
		t.Errorf("husband's note %q", got)
	}
	if got := c["G"+strconv.Itoa(husband)]; got != "******5602" {
		t.Errorf("husband's phone %q", got)
	}
	cuong := find(t, c, "Lê Văn Cường")
	if got := []string{c["C"+strconv.Itoa(cuong)], c["E"+strconv.Itoa(cuong)], c["F"+strconv.Itoa(cuong)], c["I"+strconv.Itoa(cuong)]}; !slices.Equal(got, []string{"1965", "Ấp 1", "Chồng", "Chủ hộ: Lê Thị Cúc"}) {
		t.Errorf("Lê Văn Cường row %q", got)
	}
	for _, absent := range []string{"Lý Thị Bông", "Huỳnh Văn Phúc", "Đỗ Văn Giàu", "Người Ngoài Danh Sách", "Người Cũ Bị Thay", "Số Điện Thoại Sai", "Lê Thị Cúc"} {
		if fixture.Find(c, absent) != "" {
			t.Errorf("%s should not be listed", absent)
		}
	}
	find(t, c, "Ấp 1 (5 hộ)")
	find(t, c, "Khóm A – chưa có đại diện hộ đủ điều kiện")
	find(t, c, "Tổng cộng: 19 người (Tổ công tác huyện 7, đại biểu cấp xã 5, trưởng khóm/ấp 1, đại diện hộ nghèo, hộ cận nghèo 6).")
	find(t, c, "Không ghi tên 2 dòng đăng ký vượt định mức của ấp và 2 dòng đăng ký không có trong danh sách M1 của xã.")
	checkPrint(t, f, lists.SheetAttendance, "portrait", header)
	// Cluster 2 has no data but still gets its list.
	c2 := all["danh-sach-tham-du/danh-sach-tham-du-cum-2.xlsx"][lists.SheetAttendance]
	find(t, c2, "DANH SÁCH THAM DỰ ĐỐI THOẠI CHÍNH SÁCH GIẢM NGHÈO — CỤM 2")
	find(t, c2, "IV. ĐẠI DIỆN HỘ NGHÈO, HỘ CẬN NGHÈO (0 người)")
	checkNoPersonalData(t, all)
}

func TestQuestions(t *testing.T) {
	files, all := write(t, fixture.At("2022-05-20 10:00"))
	cases := []struct {
		file    string
		agency  string
		count   int
		late    int
		present []string
	}{
		{"cau-hoi-phong-giao-duc-va-dao-tao.xlsx", "Phòng Giáo dục và Đào tạo", 3, 2, []string{"Đề nghị miễn học phí cho con hộ nghèo", "Đề nghị hỗ trợ sách vở", "Đề nghị xây thêm phòng học\nở Khóm A"}},
		{"cau-hoi-phong-kinh-te-ha-tang.xlsx", "Phòng Kinh tế - Hạ tầng", 1, 0, []string{"Đề nghị liên hệ số ******4321 để được hỗ trợ nhà ở"}},
		{"cau-hoi-phong-lao-dong-thuong-binh-va-xa-hoi.xlsx", "Phòng Lao động - Thương binh và Xã hội", 1, 0, []string{fixture.FormulaText}},
		{"cau-hoi-trung-tam-y-te-huyen.xlsx", "Trung tâm Y tế huyện", 0, 0, []string{"Chưa có ý kiến, kiến nghị nào thuộc lĩnh vực của cơ quan."}},
	}
	for _, tc := range cases {
		t.Run(tc.agency, func(t *testing.T) {
			name := "cau-hoi-co-quan/" + tc.file
			f := files[name]
			if f == nil {
				t.Fatalf("no %s", name)
			}
			c := all[name][lists.SheetQuestions]
			find(t, c, "DANH SÁCH Ý KIẾN, KIẾN NGHỊ CỦA HỘ NGHÈO, HỘ CẬN NGHÈO ĐỀ NGHỊ CƠ QUAN TRẢ LỜI")
			find(t, c, "Kính gửi: "+tc.agency)
			header := find(t, c, "Nội dung trả lời")
			for col, want := range map[string]string{"A": "STT", "B": "Xã", "C": "Khóm/Ấp", "D": "Người kiến nghị", "E": "Lĩnh vực", "F": "Nội dung", "G": "Ngày tiếp nhận", "H": "Trễ hạn"} {
				if got := c[col+strconv.Itoa(header)]; got != want {
					t.Errorf("header %s = %q, want %q", col, got, want)
				}
			}
			for _, text := range tc.present {
				r := find(t, c, text)
				if tc.count > 0 {
					if fm, _ := f.GetCellFormula(lists.SheetQuestions, "F"+strconv.Itoa(r)); fm != "" {
						t.Errorf("content became a formula %q", fm)
					}
					if got := c["I"+strconv.Itoa(r)]; got != "" {
						t.Errorf("answer column not empty: %q", got)
					}
				}
			}
			n, late := 0, 0
			for r, v := range rowsWith(c, "F") {
				if r > header && v != "" {
					n++
					if c["H"+strconv.Itoa(r)] == "Trễ hạn" {
						late++
					}
				}
			}
			if n != tc.count || late != tc.late {
				t.Errorf("%d opinions (%d late), want %d (%d)", n, late, tc.count, tc.late)
			}
			if tc.count > 0 {
				find(t, c, "CỤM 1 – đối thoại ngày 24/05/2022 tại Trung tâm Văn hóa xã Một ("+strconv.Itoa(tc.count)+" ý kiến)")
				find(t, c, "CỤM 2 – đối thoại ngày 07/06/2022 tại UBND xã Ba (0 ý kiến)")
				find(t, c, "Chưa có ý kiến.")
			}
			checkPrint(t, f, lists.SheetQuestions, "landscape", header)
		})
	}
	// Dates: from the form, else the day the district received the file.
	c := all["cau-hoi-co-quan/cau-hoi-phong-giao-duc-va-dao-tao.xlsx"][lists.SheetQuestions]
	f := files["cau-hoi-co-quan/cau-hoi-phong-giao-duc-va-dao-tao.xlsx"]
	for text, want := range map[string]string{"Đề nghị miễn học phí cho con hộ nghèo": "18/04/2022", "Đề nghị hỗ trợ sách vở": "20/05/2022"} {
		r := find(t, c, text)
		if got, _ := f.GetCellValue(lists.SheetQuestions, "G"+strconv.Itoa(r)); got != want {
			t.Errorf("%s: date %q, want %q", text, got, want)
		}
	}
	checkNoPersonalData(t, all)
}

func checkPrint(t *testing.T, f *excelize.File, sheet, orient string, header int) {
	t.Helper()
	pl, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != orient || pl.FitToWidth == nil || *pl.FitToWidth != 1 {
		t.Errorf("%s: page layout %+v", sheet, pl)
	}
	found := false
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet {
			found = true
			if want := "'" + sheet + "'!$" + strconv.Itoa(header) + ":$" + strconv.Itoa(header); dn.RefersTo != want {
				t.Errorf("print titles %q, want %q", dn.RefersTo, want)
			}
		}
	}
	if !found {
		t.Errorf("%s: no print titles", sheet)
	}
	if hf, err := f.GetHeaderFooter(sheet); err != nil || hf == nil || !strings.Contains(hf.OddFooter, "Trang &P/&N") {
		t.Errorf("%s: footer %+v", sheet, hf)
	}
	if panes, err := f.GetPanes(sheet); err != nil || !panes.Freeze || panes.YSplit != header {
		t.Errorf("%s: panes %+v", sheet, panes)
	}
}

func checkNoPersonalData(t *testing.T, all map[string]map[string]map[string]string) {
	t.Helper()
	for file, sheets := range all {
		for _, l := range fixture.Leaks(sheets) {
			t.Errorf("%s %s!%s holds %s unmasked", file, l.Sheet, l.Ref, l.Number)
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := lists.Write(context.Background(), lists.Config{Outbox: t.TempDir()}, nil); err == nil {
		t.Error("no plan: want an error")
	}
	p := fixture.Plan()
	paths, err := lists.Write(context.Background(), lists.Config{Outbox: t.TempDir(), AttendanceDir: "a", QuestionsDir: "q", Plan: p, Now: fixture.At("2022-04-01 09:00")}, nil)
	if err != nil || len(paths) != 6 {
		t.Errorf("empty dataset: %d paths, %v", len(paths), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lists.Write(ctx, lists.Config{Outbox: t.TempDir(), Plan: p}, nil); err == nil {
		t.Error("cancelled: want an error")
	}
}
