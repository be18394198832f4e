package aggregate

import (
	"fmt"
	"slices"
	"strings"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// CodeOverQuota is the finding code of a registration over its hamlet's
// household quota.
const CodeOverQuota = "over-quota"

// receiptOrder sorts the indices of the registrations in order of
// receipt (record.CompareReceipt).
func receiptOrder(regs []record.Registration, idx []int) {
	slices.SortStableFunc(idx, func(a, b int) int { return record.CompareReceipt(&regs[a].Source, &regs[b].Source) })
}

// ranks is the one place of SPEC §9's quota rule: the distinct eligible
// households of each (commune, hamlet), ranked in receipt order; the
// quota+1-th and later are over the quota. The over-quota marks, their
// findings and the reps_* figures all read it.
type ranks struct {
	quota int
	// rank[i] is the 1-based rank of registration i's household in its
	// hamlet, 0 when the row takes no place (not counted, not eligible, no
	// hamlet).
	rank []int32
	// order lists the registrations that take a place, in receipt order.
	order []int
	// households counts the distinct eligible households per hamlet.
	households map[hamletKey]int
}

// rankHouseholds ranks the households of the counted, eligible
// registrations that name a hamlet. A later row of a household already
// ranked takes its household's rank.
func rankHouseholds(p *plan.Plan, regs []record.Registration, sc record.Scope) *ranks {
	q := &ranks{quota: p.Quotas.HouseholdReps, rank: make([]int32, len(regs)), households: map[hamletKey]int{}}
	for i := range regs {
		r := &regs[i]
		if r.Eligible && r.Hamlet != "" && sc.Counts(r.Source, r.State) {
			q.order = append(q.order, i)
		}
	}
	receiptOrder(regs, q.order)
	ordinals := map[hamletKey]map[string]int32{}
	for _, i := range q.order {
		r := &regs[i]
		hk := hamletKey{r.CommuneCode, r.Hamlet}
		seen := ordinals[hk]
		if seen == nil {
			seen = map[string]int32{}
			ordinals[hk] = seen
		}
		key := r.HouseholdKey()
		n, ok := seen[key]
		if !ok {
			n = int32(len(seen) + 1)
			seen[key] = n
		}
		q.rank[i] = n
	}
	for hk, seen := range ordinals {
		q.households[hk] = len(seen)
	}
	return q
}

// over reports whether registration i is beyond its hamlet's quota.
func (q *ranks) over(i int) bool { return int(q.rank[i]) > q.quota }

// counted is the number of a hamlet's households within the quota.
func (q *ranks) counted(k hamletKey) int { return min(q.households[k], q.quota) }

// beyond is the number of a hamlet's households over the quota.
func (q *ranks) beyond(k hamletKey) int { return q.households[k] - q.counted(k) }

// overQuota gives the marks, indexed like the registrations.
func (q *ranks) overQuota() []bool {
	out := make([]bool, len(q.rank))
	for _, i := range q.order {
		out[i] = q.over(i)
	}
	return out
}

// findings gives one warning per registration over the quota, in receipt
// order.
func (q *ranks) findings(regs []record.Registration) []record.Finding {
	var out []record.Finding
	for _, i := range q.order {
		if q.over(i) {
			out = append(out, overQuotaFinding(&regs[i], q.quota, int(q.rank[i])))
		}
	}
	return out
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

// where names a place in a submission for people (record.Place): "Tệp
// “a.xlsx”, sheet “M2”, dòng 17".
func where(path, sheet string, row int) string { return record.Place(path, sheet, row, "", "") }
