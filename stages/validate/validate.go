// Package validate is the validation stage: it turns the workbooks the read
// stage made into the dataset of typed records (valid or not), the verdict
// on every submission and the findings, following SPEC §3, §5 and §9. It
// decides which submission of a commune's form is current (supersession)
// and judges the timeliness of opinions (M4) and of the commune plan (KH).
// Eligibility, quotas and household grouping belong to later stages.
package validate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/schemas"
)

// Version names the rules of Check: bump it whenever what Check makes of
// a workbook may change (a rule, a message, a record field), so that the
// checks stored beside the extracts are made again.
//
// 2: every record's Source carries its sheet's position (SheetIndex).
const Version = "2"

// Validate turns the read workbooks into the dataset: outcomes, findings and
// typed records (valid or not). Workbooks arrive in receipt order
// (Submission.Seq). For each (commune, form) of accepted M1..M5/KH
// submissions the newest (highest Seq) is current; every older one gets
// SupersededBy = the ID of the submission that replaced it (the next newer
// one) and its rows Superseded=true. Rejected files and duplicates
// (Submission.DuplicateOf != "") replace nothing. It is Check of every
// workbook, then Assemble; the dataset's Sources are the workbooks.
func Validate(ctx context.Context, p *plan.Plan, wbs []record.Workbook) (*record.Dataset, error) {
	if p == nil {
		return nil, errors.New("validate: no plan")
	}
	checked := make([]record.Checked, len(wbs))
	for i := range wbs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
		checked[i] = Check(p, &wbs[i])
	}
	ds, err := Assemble(ctx, p, wbs, checked)
	if err != nil {
		return nil, err
	}
	ds.Sources = record.Workbooks(wbs)
	return ds, nil
}

// Check is the part of validation that needs one submission alone: the
// typed record of every row of an accepted M1..M5 workbook and the
// findings of its rows and columns (missing columns, bad cells, a Mã hộ
// listed twice in the roster). It is a pure function of the workbook (its
// tables, form, commune, status, read findings, and the submission's ID
// and path, which the findings quote) and the plan, and of this package's
// Version: never of the time of receipt, the sequence or the other
// submissions, so that it can be stored with the file's extract. The
// records are not superseded and no opinion is late yet; their Source
// carries the submission as given (Assemble sets it again). A rejected or
// duplicate workbook, or a form without rows (KH), checks to nothing.
func Check(p *plan.Plan, wb *record.Workbook) record.Checked {
	var chk record.Checked
	if p == nil || wb.Status == record.StatusRejected || wb.Status == record.StatusDuplicate {
		return chk
	}
	switch wb.Form {
	case record.FormM1, record.FormM2, record.FormM3, record.FormM4, record.FormM5:
		v := &validator{p: p, loc: p.Location(), chk: &chk}
		v.rows(wb)
	}
	return chk
}

// Checker is Check for a caller that hands a workbook's rows over as
// they are read, so that they need not all be held: Table starts each of
// the workbook's tables in order (every one, also one without rows), Row
// checks the next row of the current table. The records and findings are
// exactly Check's, in the same order; the caller may take the records
// made so far out of Checked at any time (the findings stay until the
// end). The rows must be as the reader makes them: cells only of their
// table's columns.
type Checker struct {
	v   *validator
	rc  *rowChecker
	wb  *record.Workbook
	chk record.Checked
}

// NewChecker starts the check of wb, whose tables' rows are not read
// (they are handed over by Row); the header must be final (its status,
// form, commune and findings). A workbook Check makes nothing of gets a
// Checker that makes nothing.
func NewChecker(p *plan.Plan, wb *record.Workbook) *Checker {
	c := &Checker{wb: wb}
	if p == nil || wb.Status == record.StatusRejected || wb.Status == record.StatusDuplicate {
		return c
	}
	switch wb.Form {
	case record.FormM1, record.FormM2, record.FormM3, record.FormM4, record.FormM5:
		c.v = &validator{p: p, loc: p.Location(), chk: &c.chk}
		c.rc = c.v.checker(wb)
	}
	return c
}

// Table starts table ti of the workbook, which has n rows.
func (c *Checker) Table(ti, n int) {
	if c.rc == nil {
		return
	}
	// Reader rows have a cell of every column's field and of no other:
	// a required field without a column is in no row.
	c.rc.table(ti, &c.wb.Tables[ti], n, func(schemas.FieldID) bool { return false })
}

// Row checks the next row of the current table and makes its record.
func (c *Checker) Row(sr *record.SourceRow) {
	if c.rc != nil {
		c.rc.row(sr)
	}
}

// Checked is what the check made so far.
func (c *Checker) Checked() *record.Checked { return &c.chk }

// Assemble is the part of validation across submissions: given each
// workbook (its tables' rows are not needed) and its Check, in receipt
// order, it makes the dataset's outcomes and findings and gathers the
// records, marking what newer files superseded, and judges the
// timeliness of the commune plan (KH) and of opinions (M4). checked[i]
// belongs to wbs[i]; its records are moved into the dataset (checked[i]
// is cleared). The dataset's Sources are left nil.
func Assemble(ctx context.Context, p *plan.Plan, wbs []record.Workbook, checked []record.Checked) (*record.Dataset, error) {
	if p == nil {
		return nil, errors.New("validate: no plan")
	}
	if len(checked) != len(wbs) {
		return nil, fmt.Errorf("validate: %d checks for %d workbooks", len(checked), len(wbs))
	}
	v := &validator{p: p, loc: p.Location(), ds: &record.Dataset{}}
	// Every kind of record in one allocation of its final size.
	var nh, nr, nd, no, nres int
	for i := range checked {
		c := &checked[i]
		nh, nr, nd, no, nres = nh+len(c.Households), nr+len(c.Registrations), nd+len(c.Delegates), no+len(c.Opinions), nres+len(c.Results)
	}
	if nh > 0 {
		v.ds.Households = make([]record.Household, 0, nh)
	}
	if nr > 0 {
		v.ds.Registrations = make([]record.Registration, 0, nr)
	}
	if nd > 0 {
		v.ds.Delegates = make([]record.Delegate, 0, nd)
	}
	if no > 0 {
		v.ds.Opinions = make([]record.Opinion, 0, no)
	}
	if nres > 0 {
		v.ds.Results = make([]record.Result, 0, nres)
	}
	newer := supersession(wbs)
	firstKH := firstAccepted(wbs, record.FormKH)
	for i := range wbs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
		var by *record.Workbook
		if j, ok := newer[i]; ok {
			by = &wbs[j]
		}
		first, ok := firstKH[wbs[i].CommuneCode]
		v.workbook(&wbs[i], by, ok && first == i, &checked[i])
		checked[i] = record.Checked{}
	}
	return v.ds, nil
}

type validator struct {
	p   *plan.Plan
	loc *time.Location
	ds  *record.Dataset // Assemble's output
	chk *record.Checked // Check's output
}

// isDuplicate: the same bytes were already received under another path.
func isDuplicate(wb *record.Workbook) bool {
	return wb.Submission.DuplicateOf != "" || wb.Status == record.StatusDuplicate
}

// isAccepted: a readable, non-duplicate submission of a known commune.
func isAccepted(wb *record.Workbook) bool {
	return !isDuplicate(wb) && (wb.Status == record.StatusAccepted || wb.Status == "")
}

// byReceipt orders workbook indices by Seq, then input order.
func byReceipt(wbs []record.Workbook, idx []int) {
	sort.SliceStable(idx, func(a, b int) bool {
		return wbs[idx[a]].Submission.Seq < wbs[idx[b]].Submission.Seq
	})
}

// supersession maps a workbook index to the index of the workbook that
// replaced it: the next newer accepted submission of the same commune and form.
func supersession(wbs []record.Workbook) map[int]int {
	type key struct {
		commune string
		form    record.Form
	}
	groups := map[key][]int{}
	for i := range wbs {
		wb := &wbs[i]
		if !isAccepted(wb) || wb.CommuneCode == "" || wb.Form == record.FormNone {
			continue
		}
		k := key{wb.CommuneCode, wb.Form}
		groups[k] = append(groups[k], i)
	}
	out := map[int]int{}
	for _, g := range groups {
		byReceipt(wbs, g)
		for j := 0; j+1 < len(g); j++ {
			out[g[j]] = g[j+1]
		}
	}
	return out
}

// firstAccepted maps a commune code to the index of its first accepted
// workbook of the form (timeliness is judged on it).
func firstAccepted(wbs []record.Workbook, form record.Form) map[string]int {
	var idx []int
	for i := range wbs {
		if isAccepted(&wbs[i]) && wbs[i].Form == form && wbs[i].CommuneCode != "" {
			idx = append(idx, i)
		}
	}
	byReceipt(wbs, idx)
	out := map[string]int{}
	for _, i := range idx {
		if _, ok := out[wbs[i].CommuneCode]; !ok {
			out[wbs[i].CommuneCode] = i
		}
	}
	return out
}

// fileFinding makes a file-level finding of a workbook.
func fileFinding(wb *record.Workbook, code string, sev record.Severity, value, msg string) record.Finding {
	return record.Finding{
		SubmissionID: wb.Submission.ID,
		Path:         wb.Submission.Path,
		CommuneCode:  wb.CommuneCode,
		Code:         code,
		Severity:     sev,
		Value:        value,
		Message:      msg,
	}
}

func (v *validator) workbook(wb *record.Workbook, newer *record.Workbook, firstKH bool, chk *record.Checked) {
	out := record.SubmissionOutcome{
		Submission:  wb.Submission,
		Format:      wb.Format,
		Form:        wb.Form,
		CommuneCode: wb.CommuneCode,
		Status:      wb.Status,
		Reason:      wb.Reason,
	}
	hasError := false
	for _, f := range wb.Findings {
		if f.SubmissionID == "" {
			f.SubmissionID = wb.Submission.ID
		}
		if f.Path == "" {
			f.Path = wb.Submission.Path
		}
		if f.CommuneCode == "" {
			f.CommuneCode = wb.CommuneCode
		}
		hasError = hasError || f.Severity == record.Error
		v.ds.Findings = append(v.ds.Findings, f)
	}
	switch {
	case isDuplicate(wb):
		out.Status, out.Reason = record.StatusDuplicate, ""
		v.ds.Submissions = append(v.ds.Submissions, out)
		return
	case wb.Status == record.StatusRejected:
		if !hasError {
			msg := Where(wb.Submission.Path, "", 0, "", "") + ": " + rejectionText(wb.Reason)
			code := wb.Reason
			if code == "" {
				code = CodeRejectedUnknown
			}
			v.ds.Findings = append(v.ds.Findings, fileFinding(wb, code, record.Error, "", msg))
		}
		v.ds.Submissions = append(v.ds.Submissions, out)
		return
	}
	out.Status, out.Reason = record.StatusAccepted, ""
	superseded := newer != nil
	if superseded {
		out.SupersededBy = newer.Submission.ID
		msg := fmt.Sprintf("%s: đã được thay thế bằng tệp %s (nhận lúc %s) của cùng xã và cùng biểu mẫu. Số liệu của tệp này không còn được dùng trong báo cáo nhưng vẫn được lưu trữ; không cần làm gì thêm.",
			Where(wb.Submission.Path, "", 0, "", ""), quote(newer.Submission.Path), timeVN(newer.Submission.ReceivedAt.In(v.loc)))
		v.ds.Findings = append(v.ds.Findings, fileFinding(wb, CodeSuperseded, record.Warning, newer.Submission.Path, msg))
	}
	v.ds.Submissions = append(v.ds.Submissions, out)

	switch wb.Form {
	case record.FormKH:
		if firstKH {
			v.lateKH(wb)
		}
	case record.FormM1, record.FormM2, record.FormM3, record.FormM4, record.FormM5:
		v.gather(wb, chk, superseded)
	}
}

// Attach gives a record of workbook wb what Assemble gives every record
// it gathers: the submission's source and the superseded mark. It is the
// one place of that rule, for the records Assemble gathers and for those
// kept out of memory and read again (the roster of a big inbox).
func Attach(wb *record.Workbook, superseded bool, src *record.Source, state *record.State) {
	src.SubmissionID, src.Path, src.CommuneCode = wb.Submission.ID, wb.Submission.Path, wb.CommuneCode
	src.ReceivedAt, src.Seq = wb.Submission.ReceivedAt, wb.Submission.Seq
	state.Superseded = superseded
}

// Gathers reports whether Assemble gathers the records of the submission
// of outcome o (an accepted M1..M5 file), and whether as superseded.
func Gathers(o *record.SubmissionOutcome) (gathered, superseded bool) {
	switch o.Form {
	case record.FormM1, record.FormM2, record.FormM3, record.FormM4, record.FormM5:
		return o.Status == record.StatusAccepted, o.SupersededBy != ""
	}
	return false, false
}

// gather adds an accepted M1..M5 workbook's checked records and findings
// to the dataset: an M4 file received after its cluster's deadline is told
// late first (and its opinions marked), then the findings of Check; every
// record gets the submission's source and the superseded mark.
func (v *validator) gather(wb *record.Workbook, chk *record.Checked, superseded bool) {
	late := false
	if wb.Form == record.FormM4 {
		var cluster int
		var deadline time.Time
		cluster, late, deadline = v.opinionsLate(wb)
		if late {
			at := wb.Submission.ReceivedAt.In(v.loc)
			dialogue := ""
			if c := v.p.Cluster(cluster); c != nil && c.DialogueDate.Set {
				dialogue = fmt.Sprintf(" (%d ngày trước buổi đối thoại ngày %s)", v.p.Deadlines.OpinionsDaysBeforeDialogue, dayVN(c.DialogueDate.In(v.loc)))
			}
			msg := fmt.Sprintf("%s: tổng hợp ý kiến nhận lúc %s, sau hạn gửi ý kiến của cụm %d là ngày %s%s. Các ý kiến vẫn được tiếp nhận và chuyển cơ quan trả lời nhưng được ghi nhận là nộp trễ hạn; lần sau hãy gửi sớm hơn.",
				Where(wb.Submission.Path, "", 0, "", ""), timeVN(at), cluster, dayVN(deadline.In(v.loc)), dialogue)
			v.ds.Findings = append(v.ds.Findings, fileFinding(wb, CodeLate, record.Warning, timeVN(at), msg))
		}
	}
	v.ds.Findings = append(v.ds.Findings, chk.Findings...)
	st := func(src *record.Source, state *record.State) { Attach(wb, superseded, src, state) }
	for _, r := range chk.Households {
		st(&r.Source, &r.State)
		v.ds.Households = append(v.ds.Households, r)
	}
	for _, r := range chk.Registrations {
		st(&r.Source, &r.State)
		v.ds.Registrations = append(v.ds.Registrations, r)
	}
	for _, r := range chk.Delegates {
		st(&r.Source, &r.State)
		v.ds.Delegates = append(v.ds.Delegates, r)
	}
	for _, r := range chk.Opinions {
		st(&r.Source, &r.State)
		r.Late = late
		v.ds.Opinions = append(v.ds.Opinions, r)
	}
	for _, r := range chk.Results {
		st(&r.Source, &r.State)
		v.ds.Results = append(v.ds.Results, r)
	}
}

// lateKH warns when the commune plan arrived after the plan's deadline
// (only the commune's first accepted plan is judged).
func (v *validator) lateKH(wb *record.Workbook) {
	at := wb.Submission.ReceivedAt
	late, deadline, _ := v.p.LateForm(v.p.Commune(wb.CommuneCode), record.FormKH, at)
	if !late {
		return
	}
	day := deadline.In(v.loc)
	msg := fmt.Sprintf("%s: kế hoạch đối thoại của xã nhận lúc %s, sau hạn ngày %s. Kế hoạch vẫn được tiếp nhận nhưng ghi nhận là nộp trễ hạn; lần sau hãy gửi đúng hạn.",
		Where(wb.Submission.Path, "", 0, "", ""), timeVN(at.In(v.loc)), dayVN(day))
	v.ds.Findings = append(v.ds.Findings, fileFinding(wb, CodeLate, record.Warning, timeVN(at.In(v.loc)), msg))
}

// opinionsLate reports whether an M4 file of the commune is late, with its
// cluster and deadline (zero when the cluster has no dialogue date yet).
func (v *validator) opinionsLate(wb *record.Workbook) (cluster int, late bool, deadline time.Time) {
	c := v.p.Commune(wb.CommuneCode)
	if c == nil {
		return 0, false, time.Time{}
	}
	late, deadline, _ = v.p.LateForm(c, record.FormM4, wb.Submission.ReceivedAt)
	return c.Cluster, late, deadline
}
