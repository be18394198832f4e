package template

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"doithoai/schemas"
)

// list is the allowed values of one column, for a drop-down.
type list struct {
	field  *schemas.Field
	values []string
}

// lists are the drop-downs of a form: the commune's hamlets, the
// enumerations of the schema, the plan's topics and clusters.
func (fm *form) lists() []list {
	var out []list
	for _, c := range fm.cols {
		if vals := fm.listValues(c.field); len(vals) > 0 {
			out = append(out, list{field: c.field, values: vals})
		}
	}
	return out
}

// listValues are the drop-down values of a field, or nil.
func (fm *form) listValues(f *schemas.Field) []string {
	var vals []string
	switch {
	case f.Type == schemas.TypeHamlet:
		vals = fm.commune.Hamlets
	case f.Type == schemas.TypeTopic:
		for _, t := range fm.plan.Topics {
			vals = append(vals, t.Name)
		}
	case f.Type == schemas.TypeCluster:
		for _, cl := range fm.plan.Clusters {
			vals = append(vals, cl.Name)
		}
	case len(f.Constraints.Enum) > 0:
		vals = f.Constraints.Enum
	}
	return vals
}

// Excel's limits on a data validation's texts (characters).
const (
	maxPromptTitle = 32
	maxPrompt      = 255
)

// writeChecks writes the hidden "Danh mục" sheet and attaches its lists as
// drop-downs to the data rows of every form sheet; with opt.Hints, every
// data column also gets its input message and, where the schema bounds the
// value, a validation rule. Excel applies one validation per cell, so a
// column's list, rule and message are one data validation.
func writeChecks(f book, fm *form, opt Options, names []string) error {
	sources := map[string]string{} // field → list range on the list sheet
	if !opt.NoLists {
		ls := fm.lists()
		if len(ls) > 0 {
			if _, err := f.NewSheet(listSheet); err != nil {
				return fmt.Errorf("sheet %q: %w", listSheet, err)
			}
			ref := "'" + strings.ReplaceAll(listSheet, "'", "''") + "'"
			for i, l := range ls {
				col := i + 1
				cell, _ := excelize.CoordinatesToCellName(col, 1)
				if err := f.SetCellStr(listSheet, cell, l.field.Title); err != nil {
					return err
				}
				for j, v := range l.values {
					cell, _ := excelize.CoordinatesToCellName(col, j+2)
					if err := f.SetCellStr(listSheet, cell, v); err != nil {
						return err
					}
				}
				letter, _ := excelize.ColumnNumberToName(col)
				sources[l.field.Name] = fmt.Sprintf("%s!$%s$2:$%s$%d", ref, letter, letter, len(l.values)+1)
			}
			if err := f.SetSheetVisible(listSheet, false); err != nil {
				return err
			}
		}
	}
	first := newLayout(fm, opt).firstData
	for si, sh := range opt.Sheets {
		n := len(sh.Rows) + opt.BlankRows
		if n == 0 {
			continue
		}
		for ci, c := range fm.cols {
			dcol, _ := excelize.ColumnNumberToName(ci + 1)
			area := fmt.Sprintf("%s%d:%s%d", dcol, first, dcol, first+n-1)
			dv, err := fm.check(c.field, sources[c.field.Name], opt.Hints, dcol, first, first+n-1)
			if err != nil {
				return fmt.Errorf("data validation of %s: %w", c.field.Name, err)
			}
			if dv == nil {
				continue
			}
			dv.SetSqref(area)
			if err := f.AddDataValidation(names[si], dv); err != nil {
				return fmt.Errorf("data validation of %s: %w", c.field.Name, err)
			}
		}
	}
	return nil
}

// check is the data validation of a column over rows first..last of
// column letter col: its drop-down (source, "" when none) and, with hints,
// its rule and input message; nil when it has neither.
func (fm *form) check(f *schemas.Field, source string, hints bool, col string, first, last int) (*excelize.DataValidation, error) {
	dv := excelize.NewDataValidation(true)
	style := excelize.DataValidationErrorStyleWarning
	errMsg := ""
	if source != "" {
		dv.SetSqrefDropList(source)
		errMsg = fmt.Sprintf("Cột “%s” nên ghi một giá trị trong danh mục của mẫu.", f.Title)
		if hints && !(f.Type == schemas.TypeHamlet && !fm.plan.HamletsVerified) {
			style = excelize.DataValidationErrorStyleStop
			errMsg = fmt.Sprintf("Cột “%s” chỉ nhận một giá trị trong danh sách chọn: bấm mũi tên bên phải ô để chọn.", f.Title)
		}
	}
	if !hints {
		if source == "" {
			return nil, nil
		}
		dv.SetError(style, "Giá trị ngoài danh mục", errMsg)
		return dv, nil
	}
	cons := f.Constraints
	cell := fmt.Sprintf("%s%d", col, first)
	if source == "" {
		var err error
		switch {
		case f.Type == schemas.TypeYear:
			hi := fm.year
			if cons.Maximum != nil {
				hi = int(*cons.Maximum)
			}
			lo := 1900
			if cons.Minimum != nil {
				lo = int(*cons.Minimum)
			}
			err = dv.SetRange(lo, hi, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
			style, errMsg = excelize.DataValidationErrorStyleStop, fmt.Sprintf("Năm sinh ghi 4 chữ số, từ %d đến %d (ví dụ 1975).", lo, hi)
		case f.Type == schemas.TypeInteger && f.Name != schemas.FieldSTT && cons.Minimum != nil && cons.Maximum != nil:
			lo, hi := int(*cons.Minimum), int(*cons.Maximum)
			err = dv.SetRange(lo, hi, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
			style, errMsg = excelize.DataValidationErrorStyleStop, fmt.Sprintf("Ghi một số nguyên từ %d đến %d.", lo, hi)
		case f.Type == schemas.TypeDate:
			lo := Serial(timeOf(fm.year, 1, 1))
			hi := Serial(timeOf(fm.year, 12, 31))
			err = dv.SetRange(lo, hi, excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween)
			errMsg = fmt.Sprintf("Ghi ngày dạng ngày/tháng/năm trong năm %d, ví dụ 20/04/%d.", fm.year, fm.year)
		case f.Type == schemas.TypeCitizenID:
			dv.Type, dv.Formula1 = "custom", fmt.Sprintf("OR(LEN(%s)=9,LEN(%s)=12)", cell, cell)
			style, errMsg = excelize.DataValidationErrorStyleStop, "Số CCCD gồm 12 chữ số (CMND cũ 9 chữ số), gõ cả số 0 ở đầu, không có dấu cách."
		case f.Type == schemas.TypePhone:
			dv.Type, dv.Formula1 = "custom", fmt.Sprintf(`AND(LEN(%s)=10,LEFT(%s,1)="0")`, cell, cell)
			errMsg = "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678), mỗi ô một số."
		case cons.Unique:
			// The same Mã hộ twice in one roster is one household listed twice.
			dv.Type, dv.Formula1 = "custom", fmt.Sprintf("COUNTIF($%s$%d:$%s$%d,%s)=1", col, first, col, last, cell)
			errMsg = fmt.Sprintf("%s này đã có ở một dòng khác của danh sách. Mỗi hộ chỉ ghi một dòng.", f.Title)
		case cons.MaxLength > 0:
			err = dv.SetRange(0, cons.MaxLength, excelize.DataValidationTypeTextLength, excelize.DataValidationOperatorBetween)
			style, errMsg = excelize.DataValidationErrorStyleStop, fmt.Sprintf("Nội dung dài tối đa %d ký tự.", cons.MaxLength)
		}
		if err != nil {
			return nil, err
		}
	}
	if errMsg != "" {
		dv.SetError(style, cutRunes(f.Title, maxPromptTitle), cutRunes(errMsg, maxPrompt))
	}
	if msg := fm.hint(f); msg != "" {
		dv.SetInput(cutRunes(f.Title, maxPromptTitle), cutRunes(msg, maxPrompt))
	}
	if dv.Type == "" && dv.Prompt == nil {
		return nil, nil
	}
	return dv, nil
}

// hint is the input message of a field: what to write in its cells.
func (fm *form) hint(f *schemas.Field) string {
	req := ""
	if f.Constraints.Required {
		req = " Bắt buộc."
	}
	switch f.Name {
	case schemas.FieldSTT:
		return "Số thứ tự của dòng: 1, 2, 3, …"
	case schemas.FieldHouseholdCode:
		s := fmt.Sprintf("Mã hộ theo danh sách hộ nghèo, hộ cận nghèo của xã, ví dụ %s-0602. Ô dạng Văn bản: gõ đủ các chữ số, kể cả số 0 ở đầu.", fm.commune.Code)
		if f.Constraints.Unique {
			s += " Mỗi hộ một dòng, không ghi trùng mã."
		}
		return s + req
	case schemas.FieldHeadName:
		return "Họ và tên chủ hộ, đầy đủ, có dấu, ví dụ Nguyễn Văn An." + req
	case schemas.FieldRepName:
		return "Họ và tên người đại diện của hộ đi dự đối thoại, có dấu. Mỗi hộ một người." + req
	case schemas.FieldName:
		return "Họ và tên đại biểu, đầy đủ, có dấu." + req
	case schemas.FieldReporterName:
		return "Họ và tên người nêu ý kiến (có thể để trống)."
	case schemas.FieldPosition:
		return "Chức vụ và đơn vị, ví dụ Phó Chủ tịch UBND xã, Trưởng ấp." + req
	case schemas.FieldEthnicity:
		return "Dân tộc, ví dụ Kinh, Khmer, Hoa, Chăm. Có thể để trống."
	case schemas.FieldRelation:
		return "Chọn quan hệ của người đại diện với chủ hộ: Chủ hộ, Vợ, Chồng, Con hoặc Khác."
	case schemas.FieldComponent:
		return "Chọn: Ban giảm nghèo, Hội đoàn thể hoặc Trưởng khóm/ấp. Trưởng khóm/ấp thì ghi cả cột Khóm/Ấp." + req
	case schemas.FieldContent:
		return fmt.Sprintf("Nội dung một ý kiến, kiến nghị; mỗi ý kiến một dòng (tối đa %d ký tự).", f.Constraints.MaxLength) + req
	case schemas.FieldNote:
		return "Ghi chú thêm (nếu có)."
	case schemas.FieldOpinions:
		return "Tổng số ý kiến, kiến nghị tại buổi đối thoại." + req
	case schemas.FieldAnswered, schemas.FieldForwarded:
		return "Số ý kiến (số nguyên). Trả lời tại buổi + chuyển cơ quan giải quyết không vượt quá tổng số ý kiến." + req
	}
	switch f.Type {
	case schemas.TypeYear:
		return fmt.Sprintf("Năm sinh, 4 chữ số, từ 1900 đến %d, ví dụ 1975.", fm.year) + req
	case schemas.TypeCitizenID:
		return "Số CCCD 12 chữ số (hoặc CMND cũ 9 chữ số). Ô dạng Văn bản: gõ cả số 0 ở đầu, không có dấu cách. Chưa có thì để trống."
	case schemas.TypePhone:
		return "Số điện thoại 10 chữ số, bắt đầu bằng 0, ví dụ 0912345678. Ô dạng Văn bản: gõ cả số 0 ở đầu. Mỗi ô một số."
	case schemas.TypeHamlet:
		s := fmt.Sprintf("Chọn khóm/ấp của %s trong danh sách (bấm mũi tên bên phải ô).", fm.commune.FullName())
		if !fm.plan.HamletsVerified {
			s += " Tên khóm/ấp chưa có trong danh sách: gõ đúng tên, huyện sẽ bổ sung."
		}
		return s + req
	case schemas.TypeTopic:
		return "Chọn lĩnh vực của ý kiến trong danh sách; không rõ thì chọn Khác." + req
	case schemas.TypeCluster:
		return "Chọn cụm tổ chức đối thoại." + req
	case schemas.TypeDate:
		return fmt.Sprintf("Ngày dạng ngày/tháng/năm, ví dụ 20/04/%d.", fm.year) + req
	case schemas.TypeInteger:
		if f.Constraints.Minimum != nil && f.Constraints.Maximum != nil {
			return fmt.Sprintf("Số nguyên từ %d đến %d.", int(*f.Constraints.Minimum), int(*f.Constraints.Maximum)) + req
		}
		return "Số nguyên." + req
	}
	if len(f.Constraints.Enum) > 0 {
		return "Chọn trong danh sách: " + strings.Join(f.Constraints.Enum, ", ") + "." + req
	}
	return ""
}

// runeLen is the length of s in characters.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
