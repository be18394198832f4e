package validate

// The checker as it was before its fast paths (maps keyed by field name,
// a fresh rowCheck per row, no memo of enumerations): the reference that
// TestCheckerEqualsReference holds the new one to. Only the code that
// changed is copied; the helpers both share are proven equal to their
// old forms on their own.

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
)

// checkOld is Check with the old checker.
func checkOld(p *plan.Plan, wb *record.Workbook) record.Checked {
	var chk record.Checked
	if p == nil || wb.Status == record.StatusRejected || wb.Status == record.StatusDuplicate {
		return chk
	}
	switch wb.Form {
	case record.FormM1, record.FormM2, record.FormM3, record.FormM4, record.FormM5:
		v := &validator{p: p, loc: p.Location(), chk: &chk}
		c := v.oldChecker(wb)
		if c == nil {
			return chk
		}
		for ti := range wb.Tables {
			tbl := &wb.Tables[ti]
			c.table(ti, tbl, len(tbl.Rows), func(id schemas.FieldID) bool {
				for _, r := range tbl.Rows {
					if r.Cells.Has(id) {
						return true
					}
				}
				return false
			})
			for ri := range tbl.Rows {
				c.row(&tbl.Rows[ri])
			}
		}
	}
	return chk
}

// oldRowCheck checks and parses one source row against its form's schema.
type oldRowCheck struct {
	v       *validator
	wb      *record.Workbook
	tbl     *record.Table
	sr      *record.SourceRow
	schema  *schemas.Schema
	letters map[string]string
	commune *plan.Commune
	vals    map[string]*value
	invalid map[string]bool
	// noColumn holds the required fields the sheet has no column for.
	noColumn map[string]bool
}

// oldRowChecker checks the rows of a workbook's tables one at a time, in
// order: what rows does for a whole workbook, for a caller that hands the
// rows over as they are read (Checker).
type oldRowChecker struct {
	v       *validator
	wb      *record.Workbook
	sc      *schemas.Schema
	commune *plan.Commune
	cluster int
	codes   *codeSet // M1: Mã hộ seen in this file
	// the current table
	ti      int
	tbl     *record.Table
	letters map[string]string
	missing []string
}

// checker starts checking wb's rows; nil when its form has no schema.
func (v *validator) oldChecker(wb *record.Workbook) *oldRowChecker {
	sc := schemas.Get(string(wb.Form))
	if sc == nil {
		return nil
	}
	c := &oldRowChecker{v: v, wb: wb, sc: sc, commune: v.p.Commune(wb.CommuneCode), ti: -1}
	if wb.Form == record.FormM1 {
		c.codes = newCodeSet()
	}
	if c.commune != nil {
		c.cluster = c.commune.Cluster
	}
	return c
}

// table starts table ti of the workbook (tbl: its sheet and columns; its
// rows are not read), which has n rows; inRows reports whether a row of
// it has a cell of a field (for a required field without a column).
func (c *oldRowChecker) table(ti int, tbl *record.Table, n int, inRows func(schemas.FieldID) bool) {
	c.ti, c.tbl = ti, tbl
	if c.codes != nil {
		c.codes.sheet(tbl.Sheet)
		c.codes.reserve(n)
	}
	c.letters = map[string]string{}
	for _, col := range tbl.Columns {
		if _, ok := c.letters[col.Field]; !ok {
			c.letters[col.Field] = col.Letter
		}
	}
	c.missing = c.v.missingColumns(c.wb, tbl, n, c.sc, c.letters, inRows)
}

// row checks the next row of the current table and makes its record.
func (c *oldRowChecker) row(sr *record.SourceRow) {
	v, wb, tbl := c.v, c.wb, c.tbl
	rc := &oldRowCheck{v: v, wb: wb, tbl: tbl, sr: sr, schema: c.sc, letters: c.letters,
		commune: c.commune, vals: map[string]*value{}, invalid: map[string]bool{}, noColumn: map[string]bool{}}
	for _, name := range c.missing {
		rc.invalid[name] = true
		rc.noColumn[name] = true
	}
	rc.parseAll()
	src := record.Source{
		SubmissionID: wb.Submission.ID,
		Path:         wb.Submission.Path,
		Sheet:        tbl.Sheet,
		SheetIndex:   c.ti, // the reader keeps the workbook's order of sheets
		Row:          rc.sr.Row,
		CommuneCode:  wb.CommuneCode,
		ReceivedAt:   wb.Submission.ReceivedAt,
		Seq:          wb.Submission.Seq,
	}
	switch wb.Form {
	case record.FormM1:
		if code := rc.get(schemas.FieldHouseholdCode); code.present {
			if first, seen := c.codes.seen(oldCodeKey(code.s), rc.sr.Row); seen {
				rc.duplicateCode(code.s, first.sheet, first.row)
			}
		}
		v.chk.Households = append(v.chk.Households, rc.household(src))
	case record.FormM2:
		v.chk.Registrations = append(v.chk.Registrations, rc.registration(src))
	case record.FormM3:
		v.chk.Delegates = append(v.chk.Delegates, rc.delegate(src))
	case record.FormM4:
		v.chk.Opinions = append(v.chk.Opinions, rc.opinion(src, c.cluster))
	case record.FormM5:
		v.chk.Results = append(v.chk.Results, rc.result(src))
	}
}

// codeKey compares household codes regardless of case and spacing.
func oldCodeKey(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// get returns the parsed value of a field (never nil).
func (rc *oldRowCheck) get(name string) *value {
	if x := rc.vals[name]; x != nil {
		return x
	}
	return &value{}
}

// valid reports whether no cell of the row broke a rule.
func (rc *oldRowCheck) valid() bool { return len(rc.invalid) == 0 }

// place returns the column letter and cell reference of a field.
func (rc *oldRowCheck) place(name string, c record.Cell) (letter, ref string) {
	letter = rc.letters[name]
	ref = c.Ref
	if letter == "" && ref != "" {
		letter = strings.TrimRight(ref, "0123456789")
	}
	if ref == "" && letter != "" {
		ref = letter + strconv.Itoa(rc.sr.Row)
	}
	return letter, ref
}

// finding records a problem of one cell; errors make the row invalid.
func (rc *oldRowCheck) finding(f *schemas.Field, sev record.Severity, code, raw, problem string) {
	c := rc.sr.Cells.At(f.ID)
	letter, ref := rc.place(f.Name, c)
	val := raw
	if utf8.RuneCountInString(val) > maxFindingValue {
		val = string([]rune(val)[:maxFindingValue]) + "…"
	}
	rc.v.chk.Findings = append(rc.v.chk.Findings, record.Finding{
		SubmissionID: rc.wb.Submission.ID,
		Path:         rc.wb.Submission.Path,
		CommuneCode:  rc.wb.CommuneCode,
		Sheet:        rc.tbl.Sheet,
		Row:          rc.sr.Row,
		Column:       f.Name,
		ColumnTitle:  f.Title,
		Ref:          ref,
		Code:         code,
		Severity:     sev,
		Value:        val,
		Message:      Where(rc.wb.Submission.Path, rc.tbl.Sheet, rc.sr.Row, letter, f.Title) + ": " + problem,
	})
	if sev == record.Error {
		rc.invalid[f.Name] = true
	}
}

func (rc *oldRowCheck) fail(f *schemas.Field, code, raw, problem string) {
	rc.finding(f, record.Error, code, raw, problem)
}

// parseAll parses every field of the schema the form uses.
func (rc *oldRowCheck) parseAll() {
	for i := range rc.schema.Fields {
		f := &rc.schema.Fields[i]
		if f.Ignored {
			continue
		}
		rc.vals[f.Name] = rc.parse(f)
	}
	rc.rules()
}

// parse checks one cell against its field.
func (rc *oldRowCheck) parse(f *schemas.Field) *value {
	c, has := rc.sr.Cells.Get(f.ID)
	text := ""
	if has {
		text = cellText(c)
	}
	if text == "" {
		if f.Constraints.Required {
			if !rc.noColumn[f.Name] { // a missing column is told once per sheet
				rc.fail(f, CodeRequired, "", fmt.Sprintf("ô này còn trống nhưng đây là cột bắt buộc. Hãy điền %s cho dòng này.", f.Title))
			}
		}
		return &value{}
	}
	x := &value{present: true}
	cons := f.Constraints
	switch f.Type {
	case schemas.TypeInteger:
		n, ok := parseInt(c)
		if !ok {
			rc.fail(f, CodeType, text, fmt.Sprintf("giá trị %s không phải số nguyên. Hãy ghi một số nguyên, ví dụ 4.", quote(text)))
			return x
		}
		if (cons.Minimum != nil && float64(n) < *cons.Minimum) || (cons.Maximum != nil && float64(n) > *cons.Maximum) {
			rc.fail(f, CodeConstraint, text, fmt.Sprintf("giá trị %d nằm ngoài khoảng cho phép %s. Hãy kiểm tra và ghi lại cho đúng.", n, rangeText(cons.Minimum, cons.Maximum)))
			return x
		}
		x.n, x.ok = n, true
	case schemas.TypeYear:
		minY, maxY := 0, 0
		if cons.Minimum != nil {
			minY = int(*cons.Minimum)
		}
		if cons.Maximum != nil {
			maxY = int(*cons.Maximum)
		}
		if cons.MaximumOf == "plan_year" {
			maxY = rc.v.p.Year
		}
		y, p := parseYear(c, minY, maxY)
		switch p {
		case badType:
			rc.fail(f, CodeType, text, fmt.Sprintf("giá trị %s không đọc được là năm. Hãy ghi năm 4 chữ số (ví dụ 1975) hoặc ngày đầy đủ dạng ngày/tháng/năm (ví dụ 05/03/1975).", quote(text)))
			return x
		case badConstraint:
			rc.fail(f, CodeConstraint, text, fmt.Sprintf("năm %d nằm ngoài khoảng cho phép %d–%d. Hãy kiểm tra và ghi đúng năm.", y, minY, maxY))
			return x
		}
		x.n, x.ok = y, true
	case schemas.TypeDate:
		t, ok := ParseDate(c, rc.v.loc)
		if !ok {
			rc.fail(f, CodeType, text, fmt.Sprintf("giá trị %s không đọc được là ngày. Hãy ghi ngày dạng ngày/tháng/năm, ví dụ 16/04/%d.", quote(text), rc.v.p.Year))
			return x
		}
		x.t, x.ok = t, true
	case schemas.TypeCitizenID:
		raw := numberText(c)
		norm, warn, ok := NormalizeCitizenID(raw, c.IsNum && !c.IsDate)
		if !ok {
			rc.fail(f, CodeCitizenID, raw, citizenIDProblem(raw))
			return x
		}
		if warn {
			rc.finding(f, record.Warning, CodeIDZeroRestored, raw, fmt.Sprintf("số %s chỉ có 11 chữ số (Excel đã làm mất số 0 ở đầu); đã tự bổ sung thành %s. Hãy kiểm tra lại; lần sau định dạng cột này là Văn bản (Text) trước khi nhập số.", quote(raw), quote(norm)))
		}
		x.s, x.ok = norm, true
	case schemas.TypePhone:
		raw := numberText(c)
		norm, ok := NormalizePhone(raw)
		if !ok {
			rc.fail(f, CodePhone, raw, fmt.Sprintf("số điện thoại %s không hợp lệ. Hãy ghi số điện thoại Việt Nam gồm 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678), mỗi ô một số.", quote(raw)))
			return x
		}
		x.s, x.ok = norm, true
	case schemas.TypeHamlet:
		h, ok := "", false
		if rc.commune != nil {
			h, ok = rc.v.p.Matcher().Hamlet(rc.commune.Code, text)
		}
		if !ok {
			rc.fail(f, CodeUnknownHamlet, text, rc.hamletProblem(text))
			return x
		}
		x.s, x.ok = h, true
	case schemas.TypeTopic:
		t, ok := MatchTopic(rc.v.p, text)
		if !ok {
			rc.fail(f, CodeConstraint, text, fmt.Sprintf("lĩnh vực %s không có trong danh mục. Hãy ghi một trong các lĩnh vực: %s.", quote(text), topicNames(rc.v.p)))
			return x
		}
		x.s, x.ok = t, true
	case schemas.TypeCluster:
		id, ok := MatchCluster(rc.v.p, c)
		if !ok {
			rc.fail(f, CodeConstraint, text, fmt.Sprintf("cụm %s không có trong kế hoạch. Hãy ghi số cụm, ví dụ “Cụm 1” (các cụm: %s).", quote(text), clusterIDs(rc.v.p)))
			return x
		}
		x.n, x.ok = id, true
	case schemas.TypeText:
		s := vntext.Clean(text)
		x.s = s
		if cons.MaxLength > 0 {
			if n := utf8.RuneCountInString(s); n > cons.MaxLength {
				rc.fail(f, CodeConstraint, s, fmt.Sprintf("nội dung dài %s ký tự, vượt quá giới hạn %s ký tự. Hãy rút gọn, hoặc tách thành nhiều ý kiến, mỗi ý kiến một dòng.", thousands(n), thousands(cons.MaxLength)))
				return x
			}
		}
		x.ok = true
	default: // string
		if len(cons.Enum) > 0 {
			canon, ok := MatchEnum(f, text)
			if !ok {
				rc.fail(f, CodeConstraint, text, fmt.Sprintf("giá trị %s không thuộc danh mục của cột. Chỉ được ghi một trong các giá trị: %s.", quote(text), strings.Join(cons.Enum, ", ")))
				return x
			}
			x.s, x.ok = canon, true
			return x
		}
		s := vntext.CleanLine(text)
		x.s = s
		if cons.MaxLength > 0 {
			if n := utf8.RuneCountInString(s); n > cons.MaxLength {
				rc.fail(f, CodeConstraint, s, fmt.Sprintf("dài %s ký tự, vượt quá giới hạn %s ký tự. Hãy kiểm tra lại, có thể đã ghi nhầm nội dung của cột khác vào đây.", thousands(n), thousands(cons.MaxLength)))
				return x
			}
		}
		x.ok = true
	}
	return x
}

// str returns a field's value when valid, or, for over-long text, the text.
func (rc *oldRowCheck) str(name string) string { return rc.get(name).s }

func (rc *oldRowCheck) num(name string) int {
	if x := rc.get(name); x.ok {
		return x.n
	}
	return 0
}

func (rc *oldRowCheck) household(src record.Source) record.Household {
	return record.Household{
		Source:        src,
		State:         record.State{Valid: rc.valid()},
		HouseholdCode: rc.str(schemas.FieldHouseholdCode),
		HeadName:      rc.str(schemas.FieldHeadName),
		BirthYear:     rc.num(schemas.FieldBirthYear),
		Gender:        rc.str(schemas.FieldGender),
		CitizenID:     rc.str(schemas.FieldCitizenID),
		Ethnicity:     rc.str(schemas.FieldEthnicity),
		Hamlet:        rc.str(schemas.FieldHamlet),
		Class:         rc.str(schemas.FieldHouseholdClass),
		Members:       rc.num(schemas.FieldMembers),
		Note:          rc.str(schemas.FieldNote),
	}
}

func (rc *oldRowCheck) registration(src record.Source) record.Registration {
	return record.Registration{
		Source:        src,
		State:         record.State{Valid: rc.valid()},
		RepName:       rc.str(schemas.FieldRepName),
		BirthYear:     rc.num(schemas.FieldBirthYear),
		Gender:        rc.str(schemas.FieldGender),
		CitizenID:     rc.str(schemas.FieldCitizenID),
		Relation:      rc.str(schemas.FieldRelation),
		HeadName:      rc.str(schemas.FieldHeadName),
		HouseholdCode: rc.str(schemas.FieldHouseholdCode),
		Hamlet:        rc.str(schemas.FieldHamlet),
		Class:         rc.str(schemas.FieldHouseholdClass),
		Phone:         rc.str(schemas.FieldPhone),
		Note:          rc.str(schemas.FieldNote),
	}
}

func (rc *oldRowCheck) delegate(src record.Source) record.Delegate {
	return record.Delegate{
		Source:    src,
		State:     record.State{Valid: rc.valid()},
		Name:      rc.str(schemas.FieldName),
		Position:  rc.str(schemas.FieldPosition),
		Component: rc.str(schemas.FieldComponent),
		Hamlet:    rc.str(schemas.FieldHamlet),
		Phone:     rc.str(schemas.FieldPhone),
	}
}

func (rc *oldRowCheck) opinion(src record.Source, cluster int) record.Opinion {
	topic := rc.str(schemas.FieldTopic)
	return record.Opinion{
		Source:        src,
		State:         record.State{Valid: rc.valid()},
		Hamlet:        rc.str(schemas.FieldHamlet),
		Cluster:       cluster,
		ReporterName:  rc.str(schemas.FieldReporterName),
		HouseholdCode: rc.str(schemas.FieldHouseholdCode),
		Topic:         topic,
		Agency:        rc.v.p.Agency(topic),
		Content:       rc.str(schemas.FieldContent),
		ReceivedOn:    rc.get(schemas.FieldReceivedOn).t,
	}
}

func (rc *oldRowCheck) result(src record.Source) record.Result {
	return record.Result{
		Source:           src,
		State:            record.State{Valid: rc.valid()},
		Cluster:          rc.num(schemas.FieldCluster),
		Date:             rc.get(schemas.FieldDate).t,
		DistrictTeam:     rc.num(schemas.FieldDistrictTeam),
		CommuneDelegates: rc.num(schemas.FieldCommuneDelegates),
		HamletHeads:      rc.num(schemas.FieldHamletHeads),
		Opinions:         rc.num(schemas.FieldOpinions),
		HouseholdReps:    rc.num(schemas.FieldHouseholdReps),
		Answered:         rc.num(schemas.FieldAnswered),
		Forwarded:        rc.num(schemas.FieldForwarded),
	}
}

// rules applies the row rules across fields: the hamlet of a hamlet head
// (M3) and the schema's sum rules (M5: answered + forwarded ≤ opinions).
func (rc *oldRowCheck) rules() {
	if comp := rc.get(schemas.FieldComponent); comp.ok && comp.s == headComponent {
		if h := rc.schema.Field(schemas.FieldHamlet); h != nil && !rc.get(schemas.FieldHamlet).present {
			rc.fail(h, CodeRequired, "", fmt.Sprintf("đại biểu thuộc thành phần %s nhưng chưa ghi khóm/ấp. Hãy ghi tên khóm/ấp mà người này làm trưởng.", quote(headComponent)))
		}
	}
	for _, r := range rc.schema.Rules {
		maxV := rc.get(r.Max)
		if !maxV.ok || len(r.Sum) == 0 {
			continue
		}
		sum, all := 0, true
		var parts []string
		for _, name := range r.Sum {
			x := rc.get(name)
			if !x.ok {
				all = false
				break
			}
			sum += x.n
			title := name
			if f := rc.schema.Field(name); f != nil {
				title = f.Title
			}
			parts = append(parts, fmt.Sprintf("%s (%d)", lowerFirst(title), x.n))
		}
		if !all || sum <= maxV.n {
			continue
		}
		maxTitle := r.Max
		if f := rc.schema.Field(r.Max); f != nil {
			maxTitle = f.Title
		}
		problem := fmt.Sprintf("%s cộng lại là %d, lớn hơn %s (%d). Hãy kiểm tra lại các số này: tổng các phần không được lớn hơn %s.",
			strings.Join(parts, " và "), sum, lowerFirst(maxTitle), maxV.n, lowerFirst(maxTitle))
		problem = upperFirst(problem)
		for _, name := range append(append([]string{}, r.Max), r.Sum...) {
			if f := rc.schema.Field(name); f != nil {
				code := r.Code
				if code == "" {
					code = CodeConstraint
				}
				rc.fail(f, code, rc.cellValue(f.ID), problem)
			}
		}
	}
}

// cellValue is a cell's text for a finding.
func (rc *oldRowCheck) cellValue(id schemas.FieldID) string {
	c, ok := rc.sr.Cells.Get(id)
	if !ok {
		return ""
	}
	return cellText(c)
}

// duplicateCode warns about a Mã hộ already listed in the same roster.
func (rc *oldRowCheck) duplicateCode(code, sheet string, row int) {
	f := rc.schema.Field(schemas.FieldHouseholdCode)
	if f == nil {
		return
	}
	where := fmt.Sprintf("dòng %d", row)
	if sheet != rc.tbl.Sheet {
		where += " của sheet " + quote(sheet)
	}
	rc.finding(f, record.Warning, CodeDuplicateCode, code, fmt.Sprintf("mã hộ %s đã có ở %s trong cùng danh sách. Nếu là cùng một hộ ghi hai lần, hãy xóa dòng thừa; nếu là hai hộ khác nhau, hãy sửa lại mã hộ cho đúng.", quote(code), where))
}

func (rc *oldRowCheck) hamletProblem(text string) string {
	if rc.commune == nil {
		return fmt.Sprintf("không xác định được khóm/ấp %s vì không rõ xã gửi tệp.", quote(text))
	}
	return fmt.Sprintf("%s không phải khóm/ấp của %s (hoặc ghi chưa rõ). Hãy ghi đúng tên một trong các khóm/ấp: %s.",
		quote(text), rc.commune.FullName(), listVN(rc.commune.Hamlets, 20))
}
