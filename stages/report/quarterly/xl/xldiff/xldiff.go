// Package xldiff compares two workbooks as their users see them, through
// excelize: sheets and their order, every cell's value, kind (text, number,
// empty; shared and inline text alike) and style (font, fill, border,
// number format, alignment), merged ranges, column widths, row heights,
// comments, panes, page setup, margins, header and footer, sheet
// properties and visibility, defined names, document properties, and the
// comment and drawing parts byte for byte. Tests use it to prove that a
// faster writer makes the same workbooks.
package xldiff

import (
	"archive/zip"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Files compares the workbooks at two paths and returns the number of
// cells compared and the differences found (none: the same workbook).
func Files(pa, pb string) (cells int, diffs []string, err error) {
	a, err := excelize.OpenFile(pa)
	if err != nil {
		return 0, nil, fmt.Errorf("xldiff: %w", err)
	}
	defer a.Close()
	b, err := excelize.OpenFile(pb)
	if err != nil {
		return 0, nil, fmt.Errorf("xldiff: %w", err)
	}
	defer b.Close()
	cells, diffs = Books(a, b)
	qa, err := parts(pa)
	if err != nil {
		return cells, diffs, err
	}
	qb, err := parts(pb)
	if err != nil {
		return cells, diffs, err
	}
	if d := differ("comment and drawing parts", qa, qb); d != "" {
		diffs = append(diffs, d)
	}
	return cells, diffs, nil
}

func differ(what string, x, y any) string {
	if reflect.DeepEqual(x, y) {
		return ""
	}
	d := fmt.Sprintf("%s: %#v != %#v", what, x, y)
	if len(d) > 600 {
		d = d[:600] + "…"
	}
	return d
}

// Books compares two open workbooks (all but their zip parts).
func Books(a, b *excelize.File) (cells int, diffs []string) {
	same := func(what string, x, y any) {
		if d := differ(what, x, y); d != "" {
			diffs = append(diffs, d)
		}
	}
	same("sheets", a.GetSheetList(), b.GetSheetList())
	same("active sheet", a.GetActiveSheetIndex(), b.GetActiveSheetIndex())
	pa, _ := a.GetDocProps()
	pb, _ := b.GetDocProps()
	same("doc props", pa, pb)
	same("defined names", a.GetDefinedName(), b.GetDefinedName())
	for _, sheet := range a.GetSheetList() {
		same(sheet+": merges, panes, page layout, margins, header and footer, sheet properties, comments, visibility", layout(a, sheet), layout(b, sheet))
		ra, _ := a.GetRows(sheet)
		rb, _ := b.GetRows(sheet)
		rows, cols := max(len(ra), len(rb))+3, 0
		for _, r := range append(ra, rb...) {
			cols = max(cols, len(r))
		}
		cols += 3
		for c := 1; c <= cols; c++ {
			name, _ := excelize.ColumnNumberToName(c)
			wa, _ := a.GetColWidth(sheet, name)
			wb, _ := b.GetColWidth(sheet, name)
			same(sheet+" width of "+name, wa, wb)
		}
		for r := 1; r <= rows; r++ {
			ha, _ := a.GetRowHeight(sheet, r)
			hb, _ := b.GetRowHeight(sheet, r)
			same(sheet+" height of row "+strconv.Itoa(r), ha, hb)
			va, _ := a.GetRowVisible(sheet, r)
			vb, _ := b.GetRowVisible(sheet, r)
			same(sheet+" visibility of row "+strconv.Itoa(r), va, vb)
			for c := 1; c <= cols; c++ {
				ref, _ := excelize.CoordinatesToCellName(c, r)
				cells++
				xa, _ := a.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
				xb, _ := b.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
				same(sheet+"!"+ref+" value", xa, xb)
				fa, _ := a.GetCellValue(sheet, ref)
				fb, _ := b.GetCellValue(sheet, ref)
				same(sheet+"!"+ref+" formatted value", fa, fb)
				ta, _ := a.GetCellType(sheet, ref)
				tb, _ := b.GetCellType(sheet, ref)
				same(sheet+"!"+ref+" kind", kind(ta, xa), kind(tb, xb))
				same(sheet+"!"+ref+" style", styleOf(a, sheet, ref), styleOf(b, sheet, ref))
			}
		}
	}
	return cells, diffs
}

// layout is what a sheet has besides its cells.
func layout(f *excelize.File, sheet string) []any {
	m, err := f.GetMergeCells(sheet)
	refs := make([]string, 0, len(m))
	for _, c := range m {
		refs = append(refs, c[0]+"="+c[1])
	}
	sort.Strings(refs)
	pn, err2 := f.GetPanes(sheet)
	pl, err3 := f.GetPageLayout(sheet)
	pm, err4 := f.GetPageMargins(sheet)
	hf, err5 := f.GetHeaderFooter(sheet)
	sp, err6 := f.GetSheetProps(sheet)
	cm, err7 := f.GetComments(sheet)
	sort.Slice(cm, func(i, j int) bool { return cm[i].Cell < cm[j].Cell })
	vis, err8 := f.GetSheetVisible(sheet)
	dv, err9 := f.GetDataValidations(sheet)
	return []any{refs, pn, pl, pm, hf, sp, cm, vis, dv, errText(err, err2, err3, err4, err5, err6, err7, err8, err9)}
}

func errText(errs ...error) string {
	var s []string
	for _, e := range errs {
		if e != nil {
			s = append(s, e.Error())
		}
	}
	return strings.Join(s, "; ")
}

// kind is what a cell holds for its reader: text (shared or inline alike),
// a number, nothing.
func kind(t excelize.CellType, v string) string {
	switch t {
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString:
		return "text"
	case excelize.CellTypeUnset, excelize.CellTypeNumber:
		if v == "" {
			return "empty"
		}
		return "number"
	}
	return fmt.Sprint(t)
}

// styleOf is a cell's style as excelize reads it back.
func styleOf(f *excelize.File, sheet, ref string) any {
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		return err.Error()
	}
	st, err := f.GetStyle(id)
	if err != nil {
		return err.Error()
	}
	return st
}

// parts lists the parts of a workbook with the content of its comment and
// VML drawing parts (the shared strings part is left out: streamed text
// is inline).
func parts(path string) (map[string]string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("xldiff: %w", err)
	}
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		if f.Name == "xl/sharedStrings.xml" {
			continue
		}
		if !strings.HasPrefix(f.Name, "xl/comments") && !strings.HasPrefix(f.Name, "xl/drawings/") {
			out[f.Name] = "" // present
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("xldiff: %s: %w", path, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("xldiff: %s: %w", path, err)
		}
		out[f.Name] = string(b)
	}
	return out, nil
}
