package validate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"doithoai/pipeline/plan"
	"doithoai/pipeline/record"
	"doithoai/pipeline/vntext"
	"doithoai/schemas"
)

// headComponent is the Thành phần (M3) whose row must name a hamlet.
const headComponent = "Trưởng khóm/ấp"

// maxFindingValue bounds the value kept in a finding (a 2,000-character
// content is named, not copied whole).
const maxFindingValue = 300

// value is one parsed cell of a row.
type value struct {
	present bool // the cell holds something
	ok      bool // present and valid
	s       string
	n       int
	t       time.Time
}

// rowCheck checks and parses one source row against its form's schema.
// Its fields are indexed by FieldID; a rowChecker reuses one for every
// row.
type rowCheck struct {
	v       *validator
	wb      *record.Workbook
	tbl     *record.Table
	sr      *record.SourceRow
	schema  *schemas.Schema
	letters map[string]string
	commune *plan.Commune
	memo    *memos
	vals    [schemas.NumFields]value
	invalid [schemas.NumFields]bool
	// nInvalid counts the fields set in invalid.
	nInvalid int
	// noColumn holds the required fields the sheet has no column for.
	noColumn [schemas.NumFields]bool
}

// rows makes one record of every row of an accepted workbook of M1..M5
// into v.chk: not yet superseded, M4 opinions not yet judged late (the
// dataset's assembly does both).
func (v *validator) rows(wb *record.Workbook) {
	c := v.checker(wb)
	if c == nil {
		return
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

// rowChecker checks the rows of a workbook's tables one at a time, in
// order: what rows does for a whole workbook, for a caller that hands the
// rows over as they are read (Checker).
type rowChecker struct {
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
	missing []schemas.FieldID
	rc      rowCheck // the row being checked, reused
	memo    memos
}

// place is where a Mã hộ was first seen.
type place struct {
	sheet string
	row   int
}

// checker starts checking wb's rows; nil when its form has no schema.
func (v *validator) checker(wb *record.Workbook) *rowChecker {
	sc := schemas.Get(string(wb.Form))
	if sc == nil {
		return nil
	}
	c := &rowChecker{v: v, wb: wb, sc: sc, commune: v.p.Commune(wb.CommuneCode), ti: -1}
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
func (c *rowChecker) table(ti int, tbl *record.Table, n int, inRows func(schemas.FieldID) bool) {
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
	c.missing = c.missing[:0]
	for _, name := range c.v.missingColumns(c.wb, tbl, n, c.sc, c.letters, inRows) {
		c.missing = append(c.missing, c.sc.Field(name).ID)
	}
}

// row checks the next row of the current table and makes its record.
func (c *rowChecker) row(sr *record.SourceRow) {
	v, wb, tbl := c.v, c.wb, c.tbl
	rc := &c.rc
	rc.v, rc.wb, rc.tbl, rc.sr, rc.schema, rc.letters, rc.commune, rc.memo = v, wb, tbl, sr, c.sc, c.letters, c.commune, &c.memo
	rc.vals = [schemas.NumFields]value{}
	rc.invalid, rc.nInvalid = [schemas.NumFields]bool{}, 0
	rc.noColumn = [schemas.NumFields]bool{}
	for _, id := range c.missing {
		rc.markInvalid(id)
		rc.noColumn[id] = true
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
		if code := rc.get(schemas.IDHouseholdCode); code.present {
			if first, seen := c.codes.seen(codeKey(code.s), rc.sr.Row); seen {
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
func codeKey(s string) string {
	for i := 0; i < len(s); i++ {
		// ASCII without spaces, controls or small letters is its own key.
		if c := s[i]; c <= ' ' || c >= 0x80 || 'a' <= c && c <= 'z' {
			return strings.ToUpper(strings.Join(strings.Fields(s), ""))
		}
	}
	return s
}

// missingColumns lists the required fields a table has no column for; a
// missing-label finding tells the commune once per sheet (unless the reader
// already did). Every row of the table is then invalid for that field.
// The table has n rows; inRows reports whether one of them has a cell of
// a field.
func (v *validator) missingColumns(wb *record.Workbook, tbl *record.Table, n int, sc *schemas.Schema, letters map[string]string, inRows func(schemas.FieldID) bool) []string {
	var out []string
	for _, f := range sc.Required() {
		if f.Ignored {
			continue
		}
		if _, ok := letters[f.Name]; ok {
			continue
		}
		if n > 0 && inRows(f.ID) {
			continue
		}
		out = append(out, f.Name)
		if n == 0 {
			continue
		}
		told := false
		for _, g := range wb.Findings {
			if g.Code == CodeMissingLabel && g.Column == f.Name && g.Sheet == tbl.Sheet {
				told = true
				break
			}
		}
		if told {
			continue
		}
		fd := fileFinding(wb, CodeMissingLabel, record.Error, "", "")
		fd.Sheet, fd.Column, fd.ColumnTitle = tbl.Sheet, f.Name, f.Title
		fd.Message = fmt.Sprintf("%s: không có cột %s (bắt buộc) nên cả %d dòng dữ liệu đều không hợp lệ. Hãy thêm cột này, đặt tên cột đúng như mẫu %s, rồi gửi lại tệp.",
			Where(wb.Submission.Path, tbl.Sheet, 0, "", ""), quote(f.Title), n, sc.Mau)
		v.chk.Findings = append(v.chk.Findings, fd)
	}
	return out
}

// get returns the parsed value of a field (the zero value for a field the
// schema does not use).
func (rc *rowCheck) get(id schemas.FieldID) *value {
	if !id.Valid() {
		return &value{}
	}
	return &rc.vals[id]
}

// getNamed is get by the field's name (rules name their fields).
func (rc *rowCheck) getNamed(name string) *value {
	id, _ := schemas.FieldIDOf(name)
	return rc.get(id)
}

// markInvalid records that a field broke a rule.
func (rc *rowCheck) markInvalid(id schemas.FieldID) {
	if !rc.invalid[id] {
		rc.invalid[id] = true
		rc.nInvalid++
	}
}

// valid reports whether no cell of the row broke a rule.
func (rc *rowCheck) valid() bool { return rc.nInvalid == 0 }

// place returns the column letter and cell reference of a field.
func (rc *rowCheck) place(name string, c record.Cell) (letter, ref string) {
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
func (rc *rowCheck) finding(f *schemas.Field, sev record.Severity, code, raw, problem string) {
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
		rc.markInvalid(f.ID)
	}
}

func (rc *rowCheck) fail(f *schemas.Field, code, raw, problem string) {
	rc.finding(f, record.Error, code, raw, problem)
}

// parseAll parses every field of the schema the form uses.
func (rc *rowCheck) parseAll() {
	for i := range rc.schema.Fields {
		f := &rc.schema.Fields[i]
		if f.Ignored {
			continue
		}
		rc.vals[f.ID] = rc.parse(f)
	}
	rc.rules()
}

// numberText gives the digits of a whole number cell, else its text.
func numberText(c record.Cell) string {
	t := cellText(c)
	if c.IsNum && !c.IsDate && !allDigits(t) && c.Num >= 0 && c.Num < 1e15 && c.Num == math.Trunc(c.Num) {
		return strconv.FormatFloat(c.Num, 'f', 0, 64)
	}
	return t
}

// parse checks one cell against its field.
func (rc *rowCheck) parse(f *schemas.Field) value {
	c, has := rc.sr.Cells.Get(f.ID)
	text := ""
	if has {
		text = cellText(c)
	}
	if text == "" {
		if f.Constraints.Required {
			if !rc.noColumn[f.ID] { // a missing column is told once per sheet
				rc.fail(f, CodeRequired, "", fmt.Sprintf("ô này còn trống nhưng đây là cột bắt buộc. Hãy điền %s cho dòng này.", f.Title))
			}
		}
		return value{}
	}
	x := value{present: true}
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
			h, ok = rc.memo.hamlet(rc.v.p, rc.commune.Code, text)
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
			canon, ok := rc.memo.enum(f).match(text)
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

// rules applies the row rules across fields: the hamlet of a hamlet head
// (M3) and the schema's sum rules (M5: answered + forwarded ≤ opinions).
func (rc *rowCheck) rules() {
	if comp := rc.get(schemas.IDComponent); comp.ok && comp.s == headComponent {
		if h := rc.schema.Field(schemas.FieldHamlet); h != nil && !rc.get(schemas.IDHamlet).present {
			rc.fail(h, CodeRequired, "", fmt.Sprintf("đại biểu thuộc thành phần %s nhưng chưa ghi khóm/ấp. Hãy ghi tên khóm/ấp mà người này làm trưởng.", quote(headComponent)))
		}
	}
	for _, r := range rc.schema.Rules {
		maxV := rc.getNamed(r.Max)
		if !maxV.ok || len(r.Sum) == 0 {
			continue
		}
		sum, all := 0, true
		var parts []string
		for _, name := range r.Sum {
			x := rc.getNamed(name)
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
func (rc *rowCheck) cellValue(id schemas.FieldID) string {
	c, ok := rc.sr.Cells.Get(id)
	if !ok {
		return ""
	}
	return cellText(c)
}

// duplicateCode warns about a Mã hộ already listed in the same roster.
func (rc *rowCheck) duplicateCode(code, sheet string, row int) {
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

func (rc *rowCheck) hamletProblem(text string) string {
	if rc.commune == nil {
		return fmt.Sprintf("không xác định được khóm/ấp %s vì không rõ xã gửi tệp.", quote(text))
	}
	return fmt.Sprintf("%s không phải khóm/ấp của %s (hoặc ghi chưa rõ). Hãy ghi đúng tên một trong các khóm/ấp: %s.",
		quote(text), rc.commune.FullName(), listVN(rc.commune.Hamlets, 20))
}

func citizenIDProblem(raw string) string {
	d := idStrip(raw, ".-–_")
	switch {
	case strings.ContainsAny(strings.ToUpper(raw), "E") && strings.Contains(raw, "+"):
		return fmt.Sprintf("số %s bị Excel đổi sang dạng số khoa học nên đã mất các chữ số. Hãy định dạng cột là Văn bản (Text) và nhập lại đủ 12 chữ số CCCD (hoặc 9 chữ số CMND).", quote(raw))
	case allDigits(d):
		return fmt.Sprintf("số %s có %d chữ số, không phải số CCCD (12 chữ số) hoặc CMND (9 chữ số). Hãy kiểm tra lại số trên thẻ và nhập đủ chữ số.", quote(raw), len(d))
	}
	return fmt.Sprintf("số %s có ký tự không phải chữ số. Số CCCD gồm 12 chữ số, CMND gồm 9 chữ số (chú ý chữ O và số 0). Hãy kiểm tra và nhập lại.", quote(raw))
}

func rangeText(minV, maxV *float64) string {
	switch {
	case minV != nil && maxV != nil:
		return fmt.Sprintf("%s–%s", thousands(int(*minV)), thousands(int(*maxV)))
	case minV != nil:
		return "từ " + thousands(int(*minV)) + " trở lên"
	case maxV != nil:
		return "không quá " + thousands(int(*maxV))
	}
	return ""
}

func topicNames(p *plan.Plan) string {
	var names []string
	for _, t := range p.Topics {
		names = append(names, t.Name)
	}
	return strings.Join(names, "; ")
}

func clusterIDs(p *plan.Plan) string {
	var ids []string
	for _, c := range p.Clusters {
		ids = append(ids, strconv.Itoa(c.ID))
	}
	return strings.Join(ids, ", ")
}

// str returns a field's value when valid, or, for over-long text, the text.
func (rc *rowCheck) str(id schemas.FieldID) string { return rc.get(id).s }

func (rc *rowCheck) num(id schemas.FieldID) int {
	if x := rc.get(id); x.ok {
		return x.n
	}
	return 0
}

func (rc *rowCheck) household(src record.Source) record.Household {
	return record.Household{
		Source:        src,
		State:         record.State{Valid: rc.valid()},
		HouseholdCode: rc.str(schemas.IDHouseholdCode),
		HeadName:      rc.str(schemas.IDHeadName),
		BirthYear:     rc.num(schemas.IDBirthYear),
		Gender:        rc.str(schemas.IDGender),
		CitizenID:     rc.str(schemas.IDCitizenID),
		Ethnicity:     rc.str(schemas.IDEthnicity),
		Hamlet:        rc.str(schemas.IDHamlet),
		Class:         rc.str(schemas.IDHouseholdClass),
		Members:       rc.num(schemas.IDMembers),
		Note:          rc.str(schemas.IDNote),
	}
}

func (rc *rowCheck) registration(src record.Source) record.Registration {
	return record.Registration{
		Source:        src,
		State:         record.State{Valid: rc.valid()},
		RepName:       rc.str(schemas.IDRepName),
		BirthYear:     rc.num(schemas.IDBirthYear),
		Gender:        rc.str(schemas.IDGender),
		CitizenID:     rc.str(schemas.IDCitizenID),
		Relation:      rc.str(schemas.IDRelation),
		HeadName:      rc.str(schemas.IDHeadName),
		HouseholdCode: rc.str(schemas.IDHouseholdCode),
		Hamlet:        rc.str(schemas.IDHamlet),
		Class:         rc.str(schemas.IDHouseholdClass),
		Phone:         rc.str(schemas.IDPhone),
		Note:          rc.str(schemas.IDNote),
	}
}

func (rc *rowCheck) delegate(src record.Source) record.Delegate {
	return record.Delegate{
		Source:    src,
		State:     record.State{Valid: rc.valid()},
		Name:      rc.str(schemas.IDName),
		Position:  rc.str(schemas.IDPosition),
		Component: rc.str(schemas.IDComponent),
		Hamlet:    rc.str(schemas.IDHamlet),
		Phone:     rc.str(schemas.IDPhone),
	}
}

func (rc *rowCheck) opinion(src record.Source, cluster int) record.Opinion {
	topic := rc.str(schemas.IDTopic)
	return record.Opinion{
		Source:        src,
		State:         record.State{Valid: rc.valid()},
		Hamlet:        rc.str(schemas.IDHamlet),
		Cluster:       cluster,
		ReporterName:  rc.str(schemas.IDReporterName),
		HouseholdCode: rc.str(schemas.IDHouseholdCode),
		Topic:         topic,
		Agency:        rc.v.p.Agency(topic),
		Content:       rc.str(schemas.IDContent),
		ReceivedOn:    rc.get(schemas.IDReceivedOn).t,
	}
}

func (rc *rowCheck) result(src record.Source) record.Result {
	return record.Result{
		Source:           src,
		State:            record.State{Valid: rc.valid()},
		Cluster:          rc.num(schemas.IDCluster),
		Date:             rc.get(schemas.IDDate).t,
		DistrictTeam:     rc.num(schemas.IDDistrictTeam),
		CommuneDelegates: rc.num(schemas.IDCommuneDelegates),
		HamletHeads:      rc.num(schemas.IDHamletHeads),
		Opinions:         rc.num(schemas.IDOpinions),
		HouseholdReps:    rc.num(schemas.IDHouseholdReps),
		Answered:         rc.num(schemas.IDAnswered),
		Forwarded:        rc.num(schemas.IDForwarded),
	}
}

// lowerFirst lowers the first letter of a title unless it is an
// abbreviation ("Số CCCD/CMND" → "số CCCD/CMND", "STT" stays).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// upperFirst capitalises the first letter of a sentence.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
