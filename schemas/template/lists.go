package template

import (
	"fmt"
	"strings"

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
		f := c.field
		var vals []string
		switch {
		case f.Type == "hamlet":
			vals = fm.commune.Hamlets
		case f.Type == "topic":
			for _, t := range fm.plan.Topics {
				vals = append(vals, t.Name)
			}
		case f.Type == "cluster":
			for _, cl := range fm.plan.Clusters {
				vals = append(vals, cl.Name)
			}
		case len(f.Constraints.Enum) > 0:
			vals = f.Constraints.Enum
		}
		if len(vals) > 0 {
			out = append(out, list{field: f, values: vals})
		}
	}
	return out
}

// writeLists writes the hidden "Danh mục" sheet and attaches its lists as
// drop-downs to the data rows of every form sheet.
func writeLists(f *excelize.File, fm *form, opt Options, names []string) error {
	ls := fm.lists()
	if len(ls) == 0 {
		return nil
	}
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
		source := fmt.Sprintf("%s!$%s$2:$%s$%d", ref, letter, letter, len(l.values)+1)
		for si, sh := range opt.Sheets {
			n := len(sh.Rows) + opt.BlankRows
			if n == 0 {
				continue
			}
			first := newLayout(fm, opt).firstData
			dcol, _ := excelize.ColumnNumberToName(fm.index(l.field.Name))
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(fmt.Sprintf("%s%d:%s%d", dcol, first, dcol, first+n-1))
			dv.SetSqrefDropList(source)
			dv.SetError(excelize.DataValidationErrorStyleWarning, "Giá trị ngoài danh mục",
				fmt.Sprintf("Cột %q nên ghi một giá trị trong danh mục của mẫu.", l.field.Title))
			if err := f.AddDataValidation(names[si], dv); err != nil {
				return fmt.Errorf("drop-down list of %s: %w", l.field.Name, err)
			}
		}
	}
	return f.SetSheetVisible(listSheet, false)
}
