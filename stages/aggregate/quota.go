package aggregate

import (
	"fmt"
	"sort"
	"strings"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// CodeOverQuota is the finding code of a registration over its hamlet's
// household quota.
const CodeOverQuota = "over-quota"

// receiptOrder returns the indices of the registrations in order of
// receipt: submission Seq, then path, then sheet (in the order the sheets
// appear in the dataset, which is the workbook's order), then row.
func receiptOrder(regs []record.Registration, idx []int) {
	type sheetKey struct{ path, sheet string }
	sheetPos := map[sheetKey]int{}
	for i := range regs {
		k := sheetKey{regs[i].Path, regs[i].Sheet}
		if _, ok := sheetPos[k]; !ok {
			sheetPos[k] = len(sheetPos)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := &regs[idx[a]], &regs[idx[b]]
		if x.Seq != y.Seq {
			return x.Seq < y.Seq
		}
		if x.Path != y.Path {
			return x.Path < y.Path
		}
		if px, py := sheetPos[sheetKey{x.Path, x.Sheet}], sheetPos[sheetKey{y.Path, y.Sheet}]; px != py {
			return px < py
		}
		return x.Row < y.Row
	})
}

// applyQuota marks the registrations of the quota+1-th and later distinct
// eligible household of each (commune, hamlet), in receipt order, and adds
// one warning per such row. A later row of a household already counted is
// not over the quota.
func applyQuota(p *plan.Plan, ds *record.Dataset, sc record.Scope) {
	for i := range ds.Registrations {
		ds.Registrations[i].OverQuota = false
	}
	kept := ds.Findings[:0]
	for _, f := range ds.Findings {
		if f.Code != CodeOverQuota {
			kept = append(kept, f)
		}
	}
	ds.Findings = kept

	quota := p.Quotas.HouseholdReps
	var idx []int
	for i := range ds.Registrations {
		r := &ds.Registrations[i]
		if r.Eligible && r.Hamlet != "" && sc.Counts(r.Source, r.State) {
			idx = append(idx, i)
		}
	}
	receiptOrder(ds.Registrations, idx)
	type hamletKey struct{ commune, hamlet string }
	ordinals := map[hamletKey]map[string]int{}
	for _, i := range idx {
		r := &ds.Registrations[i]
		hk := hamletKey{r.CommuneCode, r.Hamlet}
		seen := ordinals[hk]
		if seen == nil {
			seen = map[string]int{}
			ordinals[hk] = seen
		}
		key := r.HouseholdKey()
		n, ok := seen[key]
		if !ok {
			n = len(seen) + 1
			seen[key] = n
		}
		if n <= quota {
			continue
		}
		r.OverQuota = true
		ds.Findings = append(ds.Findings, overQuotaFinding(r, quota, n))
	}
}

// overQuotaFinding is the warning for one registration row over the quota.
func overQuotaFinding(r *record.Registration, quota, n int) record.Finding {
	var who []string
	if r.HeadName != "" {
		who = append(who, "chủ hộ "+r.HeadName)
	}
	if r.HouseholdCode != "" {
		who = append(who, "mã hộ "+r.HouseholdCode)
	}
	this := "hộ này"
	if len(who) > 0 {
		this += " (" + strings.Join(who, ", ") + ")"
	}
	msg := fmt.Sprintf("%s: %s đã đủ %d hộ tham dự; %s là hộ thứ %d nên không được tính vào số đại diện hộ tham dự đối thoại. "+
		"Nếu muốn thay bằng hộ này, hãy gửi lại danh sách M2 đã sửa, mỗi khóm/ấp không quá %d hộ.",
		where(r.Path, r.Sheet, r.Row), r.Hamlet, quota, this, n, quota)
	return record.Finding{
		SubmissionID: r.SubmissionID,
		Path:         r.Path,
		CommuneCode:  r.CommuneCode,
		Sheet:        r.Sheet,
		Row:          r.Row,
		Column:       schemas.FieldHamlet,
		ColumnTitle:  schemas.Title(string(record.FormM2), schemas.FieldHamlet),
		Code:         CodeOverQuota,
		Severity:     record.Warning,
		Value:        r.Hamlet,
		Message:      msg,
	}
}

// where names a place in a submission for people: "Tệp “a.xlsx”, sheet “M2”, dòng 17".
func where(path, sheet string, row int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tệp “%s”", path)
	if sheet != "" {
		fmt.Fprintf(&b, ", sheet “%s”", sheet)
	}
	if row > 0 {
		fmt.Fprintf(&b, ", dòng %d", row)
	}
	return b.String()
}
