package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"doithoai/pipeline"
	"doithoai/pipeline/clock"
	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
	"doithoai/schemas/template"
	"doithoai/stages/dedupe"
	"doithoai/stages/report/lists"
)

// TestReceiptOrderOfSheets: an M2 file whose sheets do not sort by name in
// workbook order ("Khóm 2" before "Khóm 10") is read in workbook order by
// every stage (SPEC §9: file received, then sheet, then row). A household
// registered on both sheets, by its head on the first and by his wife on
// the second, is the duplicate on the second sheet, keeps the head on the
// attendance list, and takes its rank from the first sheet; a sixth
// household of the hamlet on the second sheet is the one over the quota.
func TestReceiptOrderOfSheets(t *testing.T) {
	p := plan.Default()
	const commune, hamlet = "29956", "Ấp 1"
	type hh struct{ code, head, wife string }
	var hs []hh
	for i := 1; i <= 8; i++ {
		hs = append(hs, hh{fmt.Sprintf("29956-%04d", i), fmt.Sprintf("Nguyễn Văn Hộ%d", i), fmt.Sprintf("Trần Thị Vợ%d", i)})
	}
	work := t.TempDir()
	inbox := filepath.Join(work, "inbox", commune)
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	var roster []template.Row
	for i, h := range hs {
		roster = append(roster, template.Row{schemas.FieldHouseholdCode: h.code, schemas.FieldHeadName: h.head, schemas.FieldBirthYear: 1960 + i,
			schemas.FieldGender: "Nam", schemas.FieldHamlet: hamlet, schemas.FieldHouseholdClass: "Hộ nghèo", schemas.FieldMembers: 4})
	}
	if err := template.Write(filepath.Join(inbox, "M1.xlsx"), p, template.Options{Form: record.FormM1, Commune: commune,
		Sheets: []template.Sheet{{Name: "DS", Rows: roster}}}); err != nil {
		t.Fatal(err)
	}
	reg := func(h hh, i int, wife bool) template.Row {
		r := template.Row{schemas.FieldRepName: h.head, schemas.FieldBirthYear: 1960 + i, schemas.FieldGender: "Nam", schemas.FieldRelation: schemas.RelationHead,
			schemas.FieldHeadName: h.head, schemas.FieldHouseholdCode: h.code, schemas.FieldHamlet: hamlet, schemas.FieldHouseholdClass: "Hộ nghèo"}
		if wife {
			r[schemas.FieldRepName], r[schemas.FieldBirthYear], r[schemas.FieldGender], r[schemas.FieldRelation] = h.wife, 1962+i, "Nữ", "Vợ"
		}
		return r
	}
	// First sheet: households 1..5 (5 by its head). Second sheet:
	// household 5 again (by the wife), then household 6, the sixth.
	first := template.Sheet{Name: "Khóm 2"}
	for i := 0; i < 5; i++ {
		first.Rows = append(first.Rows, reg(hs[i], i, false))
	}
	second := template.Sheet{Name: "Khóm 10", Rows: []template.Row{reg(hs[4], 4, true), reg(hs[5], 5, false)}}
	if err := template.Write(filepath.Join(inbox, "M2.xlsx"), p, template.Options{Form: record.FormM2, Commune: commune,
		Sheets: []template.Sheet{first, second}}); err != nil {
		t.Fatal(err)
	}
	outbox := filepath.Join(work, "outbox")
	sum, err := pipeline.Run(context.Background(), pipeline.Config{Plan: p, Inbox: filepath.Join(work, "inbox"), Outbox: outbox,
		State: filepath.Join(work, "state"), Clock: clock.Fixed(time.Date(2022, 5, 10, 9, 0, 0, 0, p.Location())), Kind: pipeline.KindFull})
	if err != nil {
		t.Fatal(err)
	}
	ds := sum.Dataset
	byRep := map[string]*record.Registration{}
	for i := range ds.Registrations {
		r := &ds.Registrations[i]
		if !r.Valid || !r.Eligible {
			t.Fatalf("registration %s (%s row %d) valid %v eligible %v", r.RepName, r.Sheet, r.Row, r.Valid, r.Eligible)
		}
		byRep[r.RepName] = r
	}
	head, wife, sixth := byRep[hs[4].head], byRep[hs[4].wife], byRep[hs[5].head]
	if head == nil || wife == nil || sixth == nil || len(ds.Registrations) != 7 {
		t.Fatalf("%d registrations read: %v", len(ds.Registrations), byRep)
	}
	if head.Sheet != "Khóm 2" || head.SheetIndex != 0 || wife.Sheet != "Khóm 10" || wife.SheetIndex != 1 {
		t.Fatalf("sheets: head %q #%d, wife %q #%d", head.Sheet, head.SheetIndex, wife.Sheet, wife.SheetIndex)
	}

	// Dedupe: the wife's row, on the second sheet, is the duplicate.
	var dups []record.Finding
	for _, f := range ds.Findings {
		if f.Code == dedupe.CodeDuplicateRegistration {
			dups = append(dups, f)
		}
	}
	if len(dups) != 1 || dups[0].Sheet != wife.Sheet || dups[0].Row != wife.Row || !strings.Contains(dups[0].Message, "sheet “Khóm 2”, dòng") {
		t.Errorf("duplicate findings %+v; want one, on the wife's row of sheet Khóm 10, naming sheet Khóm 2", dups)
	}
	// Quota: the sixth household, on the second sheet, is over; the
	// household of both sheets counts once, from the first.
	for name, r := range byRep {
		if want := r == sixth; r.OverQuota != want {
			t.Errorf("%s (sheet %s row %d): over quota %v, want %v", name, r.Sheet, r.Row, r.OverQuota, want)
		}
	}
	// The attendance list: the household's representative is its head,
	// the wife is noted; the sixth household is not listed.
	f, err := excelize.OpenFile(filepath.Join(outbox, "danh-sach-tham-du", lists.AttendanceFile(1)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(lists.SheetAttendance)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	remark := ""
	for _, r := range rows {
		if len(r) > 1 && strings.HasPrefix(r[1], "Nguyễn Văn Hộ") || len(r) > 1 && strings.HasPrefix(r[1], "Trần Thị Vợ") {
			listed = append(listed, r[1])
			if r[1] == hs[4].head && len(r) > 8 {
				remark = r[8]
			}
		}
	}
	want := []string{hs[0].head, hs[1].head, hs[2].head, hs[3].head, hs[4].head}
	if strings.Join(listed, "|") != strings.Join(want, "|") {
		t.Errorf("attendance list names %q, want %q", listed, want)
	}
	if !strings.Contains(remark, hs[4].wife+" (Vợ)") {
		t.Errorf("remark of %s: %q, want the wife noted", hs[4].head, remark)
	}
}
