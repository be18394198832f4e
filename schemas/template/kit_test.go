package template

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline/atomicfile"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/stages/validate"
)

// otherPlan is the generality test's plan: another district, year,
// clusters, hamlets and topics.
func otherPlan(t *testing.T) *plan.Plan {
	t.Helper()
	p, err := plan.Load(filepath.Join("..", "..", "pipeline", "testdata", "plan-2023-q3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mergedPlan is the 2022 plan rewritten the way a plan after the 2025
// reform looks: no district (the province runs the dialogues), a ward
// (phường) among the communes.
func mergedPlan(t *testing.T) *plan.Plan {
	t.Helper()
	src := string(plan.DefaultYAML())
	for _, r := range [][2]string{
		{"name: Huyện Hồng Ngự\n  code: \"870\"\n  province: Tỉnh Đồng Tháp", "name: Tỉnh Đồng Tháp\n  code: \"87\"\n  province: \"\""},
		{"name: Thường Phước 1\n        kind: xã", "name: Thường Phước 1\n        kind: phường"},
		{"year: 2022", "year: 2026"},
	} {
		if !strings.Contains(src, r[0]) {
			t.Fatalf("the default plan no longer says %q", r[0])
		}
		src = strings.Replace(src, r[0], r[1], 1)
	}
	p, err := plan.Parse([]byte(src), "merged.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// hostOf is the code of the commune that hosts a cluster.
func hostOf(cl *plan.Cluster) string {
	if cl.Host != "" {
		return cl.Host
	}
	return cl.Communes[0].Code
}

// kitRows are valid rows of a form for commune c, written by a clerk.
func kitRows(p *plan.Plan, form record.Form, c *plan.Commune) []Row {
	h0, h1 := c.Hamlets[0], c.Hamlets[len(c.Hamlets)-1]
	y := p.Year
	switch form {
	case record.FormM1:
		return []Row{
			{"stt": 1, "household_code": c.Code + "-0602", "head_name": "Nguyễn Văn Trí", "birth_year": 1979, "gender": "Nam", "citizen_id": "087079105129",
				"ethnicity": "Kinh", "hamlet": h0, "household_class": "Hộ cận nghèo", "members": 4},
			{"stt": 2, "household_code": c.Code + "-0518", "head_name": "Võ Thị Tuyết", "birth_year": 1952, "gender": "Nữ", "citizen_id": "340840773",
				"ethnicity": "Khmer", "hamlet": h1, "household_class": "Hộ nghèo", "members": 1, "note": "Hộ neo đơn"},
			{"stt": 3, "household_code": "0" + c.Code + "-0249", "head_name": "Nguyễn Minh Lộc", "birth_year": 1988, "gender": "Nam",
				"hamlet": h0, "household_class": "Hộ nghèo", "members": 5},
		}
	case record.FormM2:
		return []Row{
			{"stt": 1, "rep_name": "Nguyễn Văn Trí", "birth_year": 1979, "gender": "Nam", "citizen_id": "087079105129", "relation": "Chủ hộ",
				"head_name": "Nguyễn Văn Trí", "household_code": c.Code + "-0602", "hamlet": h0, "household_class": "Hộ cận nghèo", "phone": "0369167671"},
			{"stt": 2, "rep_name": "Trần Thị Bé", "birth_year": 1990, "gender": "Nữ", "relation": "Vợ",
				"head_name": "Nguyễn Minh Lộc", "household_code": "0" + c.Code + "-0249", "hamlet": h0, "household_class": "Hộ nghèo", "note": "Đi thay chồng"},
		}
	case record.FormM3:
		return []Row{
			{"stt": 1, "name": "Nguyễn Văn Đức", "position": "Phó Chủ tịch UBND", "component": "Ban giảm nghèo", "phone": "0903640608"},
			{"stt": 2, "name": "Trần Thị Ngọc", "position": "Chủ tịch Hội Liên hiệp Phụ nữ", "component": "Hội đoàn thể"},
			{"stt": 3, "name": "Võ Văn Lực", "position": "Trưởng ấp", "component": "Trưởng khóm/ấp", "hamlet": h1, "phone": "0854726008"},
		}
	case record.FormM4:
		return []Row{
			{"stt": 1, "hamlet": h0, "reporter_name": "Nguyễn Thị Nga", "household_code": c.Code + "-0362", "topic": p.Topics[0].Name,
				"content": "Đề nghị hỗ trợ vốn chăn nuôi bò cho hộ mới thoát nghèo.", "received_on": day(y, time.April, 11)},
			{"stt": 2, "hamlet": h1, "topic": p.Topics[len(p.Topics)-1].Name, "content": "Đề nghị sửa đường vào ấp."},
		}
	case record.FormM5:
		return []Row{
			{"stt": 1, "cluster": p.Cluster(c.Cluster).Name, "date": day(y, time.May, 24), "district_team": 7, "commune_delegates": 21,
				"hamlet_heads": 12, "household_reps": 58, "opinions": 25, "answered": 15, "forwarded": 8},
		}
	}
	return nil
}

// fill types rows into a kit form as a clerk would, cell by cell with
// excelize (keeping the template's cell styles), and saves it as out.
func fill(t *testing.T, blank, out string, opt Options, rows []Row) {
	t.Helper()
	f, err := excelize.OpenFile(blank)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	sc := schemas.Get(string(opt.Form))
	first := FirstDataRow(opt)
	for i, r := range rows {
		for ci, fd := range sc.Fields {
			cell, _ := excelize.CoordinatesToCellName(ci+1, first+i)
			switch v := r[fd.Name].(type) {
			case nil:
			case string:
				err = f.SetCellStr(sheet, cell, v)
			case int:
				err = f.SetCellInt(sheet, cell, int64(v))
			case time.Time:
				err = f.SetCellFloat(sheet, cell, Serial(v), -1, 64)
			default:
				t.Fatalf("value of type %T", v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
}

// TestKitRoundTrip fills every form of the kit with valid rows, reads the
// file back with the pipeline's reader and validator, and expects the form
// and commune recognised, every row valid, no finding at all and the values
// as typed. The blank forms are recognised too, with no data row.
func TestKitRoundTrip(t *testing.T) {
	for _, pc := range []struct {
		name string
		p    *plan.Plan
	}{{"2022", plan.Default()}, {"2023", otherPlan(t)}, {"2025", mergedPlan(t)}} {
		p := pc.p
		// Every cluster's host (M5 comes from the host) and one other commune.
		var communes []*plan.Commune
		for _, cl := range p.Clusters {
			communes = append(communes, p.Commune(hostOf(&cl)))
		}
		for _, c := range p.Communes() {
			if !slices.Contains(communes, c) {
				communes = append(communes, c)
				break
			}
		}
		for _, c := range communes {
			dir := t.TempDir()
			files, err := WriteKit(context.Background(), dir, p, c.Code)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 5 {
				t.Fatalf("%d files", len(files))
			}
			for i, k := range kitForms {
				t.Run(pc.name+"/"+c.Code+"/"+string(k.form), func(t *testing.T) {
					if want := filepath.Join(dir, KitFolder(c), k.file); files[i] != want {
						t.Fatalf("wrote %s, want %s", files[i], want)
					}
					opt := KitOptions(p, k.form, c)
					blank := readBack(t, p, files[i], "")
					if blank.Status != record.StatusRejected || blank.Reason != record.ReasonNoData || blank.Form != k.form || blank.CommuneCode != c.Code {
						t.Errorf("blank form read as %s %s, form %s of %s", blank.Status, blank.Reason, blank.Form, blank.CommuneCode)
					}
					for _, tbl := range blank.Tables {
						if len(tbl.Rows) != 0 {
							t.Errorf("blank form: %d rows on %q", len(tbl.Rows), tbl.Sheet)
						}
					}
					rows := kitRows(p, k.form, c)
					filled := filepath.Join(t.TempDir(), k.file)
					fill(t, files[i], filled, opt, rows)
					wb := readBack(t, p, filled, "")
					if wb.Status != record.StatusAccepted || wb.Form != k.form || wb.CommuneCode != c.Code {
						t.Fatalf("filled form read as %s (%s), form %s of %s", wb.Status, wb.Reason, wb.Form, wb.CommuneCode)
					}
					if len(wb.Findings) != 0 {
						t.Errorf("reader findings: %+v", wb.Findings)
					}
					if len(wb.Tables) != 1 || len(wb.Tables[0].Rows) != len(rows) {
						t.Fatalf("tables %d, rows %d, want 1 table of %d rows", len(wb.Tables), len(wb.Tables[0].Rows), len(rows))
					}
					sc := schemas.Get(string(k.form))
					for ri, r := range rows {
						got := wb.Tables[0].Rows[ri]
						for _, fd := range sc.Fields {
							checkCell(t, fmt.Sprintf("row %d %s", got.Row, fd.Name), r[fd.Name], got.Cells.At(fd.ID))
						}
					}
					wb.Submission.Seq = 1
					ds, err := validate.Validate(context.Background(), p, []record.Workbook{wb})
					if err != nil {
						t.Fatal(err)
					}
					if len(ds.Findings) != 0 {
						t.Errorf("validation findings: %+v", ds.Findings)
					}
					valid := 0
					for _, st := range states(ds) {
						if st.Valid {
							valid++
						}
					}
					if valid != len(rows) {
						t.Errorf("%d valid records, want %d", valid, len(rows))
					}
				})
			}
		}
	}
}

// states are the validity of every record of a dataset.
func states(ds *record.Dataset) []record.State {
	var out []record.State
	for _, r := range ds.Households {
		out = append(out, r.State)
	}
	for _, r := range ds.Registrations {
		out = append(out, r.State)
	}
	for _, r := range ds.Delegates {
		out = append(out, r.State)
	}
	for _, r := range ds.Opinions {
		out = append(out, r.State)
	}
	for _, r := range ds.Results {
		out = append(out, r.State)
	}
	return out
}

// listRange reads the values of a drop-down's source range on the list
// sheet ("'Danh mục'!$B$2:$B$6").
func listRange(t *testing.T, f *excelize.File, formula string) []string {
	t.Helper()
	prefix := "'" + listSheet + "'!"
	if !strings.HasPrefix(formula, prefix) {
		t.Fatalf("drop-down source %q is not on the list sheet", formula)
	}
	parts := strings.Split(strings.ReplaceAll(strings.TrimPrefix(formula, prefix), "$", ""), ":")
	c1, r1, err1 := excelize.CellNameToCoordinates(parts[0])
	c2, r2, err2 := excelize.CellNameToCoordinates(parts[len(parts)-1])
	if err1 != nil || err2 != nil || c1 != c2 {
		t.Fatalf("drop-down source %q", formula)
	}
	var out []string
	for r := r1; r <= r2; r++ {
		cell, _ := excelize.CoordinatesToCellName(c1, r)
		v, err := f.GetCellValue(listSheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestKitDropDowns reads every form's data validations back and checks
// that each drop-down offers exactly the plan's values (the commune's
// hamlets, the plan's topics and clusters) or the schema's enumeration,
// over every data row; that the lists refuse other values except a hamlet
// list the plan has not verified; and that every data column shows an
// input message.
func TestKitDropDowns(t *testing.T) {
	for _, p := range []*plan.Plan{plan.Default(), otherPlan(t)} {
		dir := t.TempDir()
		for _, c := range p.Communes() {
			files, err := WriteKit(context.Background(), dir, p, c.Code)
			if err != nil {
				t.Fatal(err)
			}
			for i, k := range kitForms {
				name := fmt.Sprintf("%d/%s/%s", p.Year, c.Code, k.form)
				opt := KitOptions(p, k.form, c)
				first, last := FirstDataRow(opt), FirstDataRow(opt)+opt.BlankRows-1
				sc := schemas.Get(string(k.form))
				want := map[string][]string{} // field → the values its list must offer
				for _, fd := range sc.Fields {
					switch {
					case fd.Type == "hamlet":
						want[fd.Name] = c.Hamlets
					case fd.Type == "topic":
						for _, tp := range p.Topics {
							want[fd.Name] = append(want[fd.Name], tp.Name)
						}
					case fd.Type == "cluster":
						for _, cl := range p.Clusters {
							want[fd.Name] = append(want[fd.Name], cl.Name)
						}
					case len(fd.Constraints.Enum) > 0:
						want[fd.Name] = fd.Constraints.Enum
					}
				}
				f, err := excelize.OpenFile(files[i])
				if err != nil {
					t.Fatal(err)
				}
				dvs, err := f.GetDataValidations(f.GetSheetName(0))
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for _, dv := range dvs {
					col, row1, err1 := excelize.CellNameToCoordinates(strings.Split(dv.Sqref, ":")[0])
					_, row2, err2 := excelize.CellNameToCoordinates(strings.Split(dv.Sqref, ":")[1])
					if err1 != nil || err2 != nil || row1 != first || row2 != last {
						t.Errorf("%s: validation over %q, want rows %d–%d", name, dv.Sqref, first, last)
						continue
					}
					fd := sc.Fields[col-1]
					if seen[fd.Name] {
						t.Errorf("%s: two validations on %s", name, fd.Name)
					}
					seen[fd.Name] = true
					if dv.Prompt == nil || strings.TrimSpace(*dv.Prompt) == "" || !dv.ShowInputMessage {
						t.Errorf("%s: %s has no input message", name, fd.Name)
					}
					if dv.Type != "list" {
						if _, ok := want[fd.Name]; ok {
							t.Errorf("%s: %s has a %s validation, want a list", name, fd.Name, dv.Type)
						}
						continue
					}
					got := listRange(t, f, dv.Formula1)
					if !slices.Equal(got, want[fd.Name]) {
						t.Errorf("%s: the %s list offers %q, want %q", name, fd.Name, got, want[fd.Name])
					}
					strict := !(fd.Type == "hamlet" && !p.HamletsVerified)
					if style := *dv.ErrorStyle; (style == "stop") != strict {
						t.Errorf("%s: the %s list's error style is %s", name, fd.Name, style)
					}
				}
				for _, fd := range sc.Fields {
					if !seen[fd.Name] {
						t.Errorf("%s: column %s has no input message", name, fd.Name)
					}
				}
				f.Close()
			}
		}
	}
}

// TestKitLayout checks the header block, the locks, the text columns, the
// print layout and the guide sheet of the kit's forms.
func TestKitLayout(t *testing.T) {
	p := plan.Default()
	dir := t.TempDir()
	for _, tc := range []struct {
		commune, issuer string
		landscape       bool
	}{{"29956", "UBND XÃ THƯỜNG PHƯỚC 1", true}, {"Thường Thới Tiền", "UBND THỊ TRẤN THƯỜNG THỚI TIỀN", true}} {
		files, err := WriteKit(context.Background(), dir, p, tc.commune)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := resolveCommune(p, tc.commune)
		for i, k := range kitForms {
			name := c.Code + "/" + string(k.form)
			opt := KitOptions(p, k.form, c)
			sc := schemas.Get(string(k.form))
			fm, _ := newForm(p, opt)
			n := len(fm.cols)
			f, err := excelize.OpenFile(files[i])
			if err != nil {
				t.Fatal(err)
			}
			sheet := f.GetSheetName(0)
			if got := f.GetSheetList(); !slices.Equal(got, []string{sheet, listSheet, guideSheet}) {
				t.Errorf("%s: sheets %v", name, got)
			}
			get := func(sh, ref string) string {
				v, err := f.GetCellValue(sh, ref)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			cell := func(col, row int) string { r, _ := excelize.CoordinatesToCellName(col, row); return r }
			right := n - n/2 + 1
			lay := newLayout(fm, opt)
			for ref, want := range map[string]string{
				"A1": tc.issuer, cell(right, 1): "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", cell(right, 2): "Độc lập - Tự do - Hạnh phúc",
				cell(n, 3): sc.Mau, cell(1, lay.title): fm.title(), cell(1, lay.reference): opt.Reference,
			} {
				if got := get(sheet, ref); got != want {
					t.Errorf("%s: %s = %q, want %q", name, ref, got, want)
				}
			}
			if k.form == record.FormM1 && !strings.HasSuffix(fm.title(), fmt.Sprint(" NĂM ", p.Year)) {
				t.Errorf("%s: title %q without the plan's year", name, fm.title())
			}
			if !strings.Contains(opt.Reference, fmt.Sprint(p.Year)) {
				t.Errorf("%s: reference line %q without the plan's year", name, opt.Reference)
			}
			merged, _ := f.GetMergeCells(sheet)
			have := map[string]bool{}
			for _, m := range merged {
				have[m.GetStartAxis()+":"+m.GetEndAxis()] = true
			}
			for _, m := range []string{"A1:" + cell(n/2, 1), cell(right, 1) + ":" + cell(n, 1), cell(right, 2) + ":" + cell(n, 2)} {
				if !have[m] {
					t.Errorf("%s: %s not merged", name, m)
				}
			}
			// Locked header, unlocked data cells; text format for IDs and phones.
			locked := func(ref string) (bool, int) {
				id, err := f.GetCellStyle(sheet, ref)
				if err != nil {
					t.Fatal(err)
				}
				st, err := f.GetStyle(id)
				if err != nil {
					t.Fatal(err)
				}
				return st.Protection == nil || st.Protection.Locked, st.NumFmt
			}
			first := lay.firstData
			for _, ref := range []string{"A1", cell(1, lay.title), cell(1, lay.headerTop), cell(n, lay.number), cell(1, first+opt.BlankRows)} {
				if l, _ := locked(ref); !l {
					t.Errorf("%s: %s is not locked", name, ref)
				}
			}
			for ci, fd := range sc.Fields {
				for _, row := range []int{first, first + opt.BlankRows - 1} {
					l, numFmt := locked(cell(ci+1, row))
					if l {
						t.Errorf("%s: data cell %s (%s) is locked", name, cell(ci+1, row), fd.Name)
					}
					if isText := numFmt == 49; isText != (fd.Type == "citizen_id" || fd.Type == "phone" || fd.Name == "household_code") {
						t.Errorf("%s: %s number format %d", name, fd.Name, numFmt)
					}
				}
				if w, _ := f.GetColWidth(sheet, cell(ci+1, 1)[:len(cell(ci+1, 1))-1]); w != width(&sc.Fields[ci]) {
					t.Errorf("%s: column %s width %v", name, fd.Name, w)
				}
			}
			pl, err := f.GetPageLayout(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if *pl.Size != 9 || *pl.FitToWidth != 1 || (*pl.Orientation == "landscape") != (n >= 8) {
				t.Errorf("%s: page layout size %d, fit %d, %s", name, *pl.Size, *pl.FitToWidth, *pl.Orientation)
			}
			titles, err := f.GetDefinedName(), error(nil)
			found := false
			for _, dn := range titles {
				if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet && strings.Contains(dn.RefersTo, fmt.Sprintf("$%d:$%d", lay.headerTop, lay.number)) {
					found = true
				}
			}
			if !found || err != nil {
				t.Errorf("%s: no repeated header rows (%+v)", name, titles)
			}
			guide := strings.Join(func() []string { rows, _ := f.GetCols(guideSheet); return rows[0] }(), "\n")
			for _, want := range []string{"HƯỚNG DẪN ĐIỀN " + strings.ToUpper(sc.Mau), "inbox/" + c.Code, "Hạn gửi:", "Mỗi", "Không sửa, xóa", "Cần sửa"} {
				if !strings.Contains(guide, want) {
					t.Errorf("%s: the guide does not say %q", name, want)
				}
			}
			f.Close()
			// Every sheet is protected, without a password, rows can be inserted.
			xml := sheetXML(t, files[i])
			for sh, body := range xml {
				if !strings.Contains(body, `<sheetProtection`) || !strings.Contains(body, `sheet="true"`) && !strings.Contains(body, `sheet="1"`) {
					t.Errorf("%s: %s is not protected", name, sh)
				}
				if strings.Contains(body, `password=`) || strings.Contains(body, `hashValue=`) {
					t.Errorf("%s: %s has a password", name, sh)
				}
				if strings.Contains(body, `insertRows="true"`) || strings.Contains(body, `insertRows="1"`) {
					t.Errorf("%s: %s forbids inserting rows", name, sh)
				}
			}
			if len(xml) != 3 {
				t.Errorf("%s: %d worksheets", name, len(xml))
			}
		}
	}
}

// sheetXML returns the worksheet parts of an xlsx, by part name.
func sheetXML(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]string{}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[zf.Name] = string(b)
	}
	return out
}

// TestSync: the first Sync writes every commune's kit and its stamp; a
// second with the same plan writes nothing (modification times unchanged);
// a changed plan rewrites the kits, drops the kit of a commune the plan no
// longer has, and leaves what a person put in the folder; a missing form
// is written again.
func TestSync(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "templates")
	p := plan.Default()
	mtimes := func() map[string]time.Time {
		out := map[string]time.Time{}
		for _, c := range p.Communes() {
			for _, k := range kitForms {
				path := filepath.Join(dir, KitFolder(c), k.file)
				if fi, err := os.Stat(path); err == nil {
					out[path] = fi.ModTime()
				}
			}
		}
		return out
	}
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	age := func() {
		for path := range mtimes() {
			if err := os.Chtimes(path, past, past); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, err := Sync(ctx, dir, p, false)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Written || len(res.Files) != 5*len(p.Communes()) || len(mtimes()) != 5*len(p.Communes()) {
		t.Fatalf("first sync: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(dir, StampFile)); err != nil {
		t.Fatal(err)
	}
	age()
	if res, err := Sync(ctx, dir, p, false); err != nil || res.Written || len(res.Files) != 0 {
		t.Fatalf("the same plan synced again: %+v, %v", res, err)
	}
	for path, m := range mtimes() {
		if !m.Equal(past) {
			t.Errorf("%s was rewritten for the same plan", path)
		}
	}

	// A missing form is written again.
	gone := filepath.Join(dir, "29956-thuong-phuoc-1", KitFileName(record.FormM3))
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	if res, err := Sync(ctx, dir, p, false); err != nil || !res.Written {
		t.Fatalf("a missing form: %+v, %v", res, err)
	}
	if _, err := os.Stat(gone); err != nil {
		t.Fatal(err)
	}
	age()

	// The plan changes: a hamlet is renamed, and a commune gets a new code
	// and name (a merger).
	src := string(plan.DefaultYAML())
	src = strings.Replace(src, "Ấp Chòm Xoài", "Ấp Chòm Xoài Mới", 1)
	src = strings.Replace(src, "- code: \"29977\"\n        name: Thường Lạc", "- code: \"30001\"\n        name: Thường Lạc Mới", 1)
	changed, err := plan.Parse([]byte(src), "changed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if changed.Commune("30001") == nil {
		t.Fatal("the changed plan has no commune 30001")
	}
	note := filepath.Join(dir, "29977-thuong-lac", "ghi chu cua xa.txt")
	if err := os.WriteFile(note, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = Sync(ctx, dir, changed, false)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Written || !slices.Equal(res.Removed, []string{"29977-thuong-lac"}) {
		t.Fatalf("changed plan: written %v, removed %v", res.Written, res.Removed)
	}
	for path, m := range mtimes() {
		if m.Equal(past) {
			t.Errorf("%s was not rewritten for the changed plan", path)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "30001-thuong-lac-moi", KitFileName(record.FormM1))); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "29977-thuong-lac", KitFileName(record.FormM1))); !os.IsNotExist(err) {
		t.Error("the old commune's kit is still there")
	}
	if _, err := os.Stat(note); err != nil {
		t.Errorf("a file a person put in the folder was removed: %v", err)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "29956-thuong-phuoc-1", KitFileName(record.FormM1)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cols, _ := f.GetCols(listSheet); !slices.Contains(cols[1], "Ấp Chòm Xoài Mới") {
		t.Errorf("the hamlet list was not renewed: %v", cols[1])
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if atomicfile.IsTemp(e.Name()) {
			t.Errorf("temporary %s left", e.Name())
		}
	}
}
