package template

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

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
	}{{"2022", plan.Default()}, {"2023", otherPlan(t)}} {
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
							checkCell(t, fmt.Sprintf("row %d %s", got.Row, fd.Name), r[fd.Name], got.Cells[fd.Name])
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
